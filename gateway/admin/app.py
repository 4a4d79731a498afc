"""The admin API as an aiohttp sub-application mounted at /api/v1."""

import json

from aiohttp import web

from gateway.admin import contacts, events, handovers, media, messages, plugins, queue, stats, templates
from gateway.admin.api import Api
from gateway.admin.auth import OPENAPI_ROUTE, bearer_token
from gateway.admin.openapi import document, with_event_types
from gateway.appkeys import EVENTS
from gateway.middleware import json_errors


def create_admin_app() -> web.Application:
    api = Api()
    for module in (events, messages, media, handovers, templates, contacts, queue, plugins, stats):
        module.declare(api)
    served: bytes | None = None

    async def openapi(request: web.Request) -> web.Response:
        # built once, at the first request for it (not at start-up, where it would cost some 50 ms
        # of CPU): the event types are fixed once plugins have started, and the route needs no token
        nonlocal served
        if served is None:
            described = with_event_types(document(api.operations), request.config_dict[EVENTS].types)
            served = json.dumps(described).encode()
        return web.Response(body=served, content_type="application/json")

    admin = web.Application(middlewares=[json_errors, bearer_token])
    admin.add_routes(api.routes)
    admin.router.add_get("/openapi.json", openapi, name=OPENAPI_ROUTE)
    return admin
