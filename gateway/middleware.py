"""Cross-cutting HTTP behaviour: JSON errors and request metrics."""

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from gateway.appkeys import METRICS

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""Webhook bodies and every other request body are refused past 1 MiB (aiohttp's
`client_max_size` enforces it as the body is read)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_template(request: web.Request) -> str:
    """The matched route's template (`/api/v1/contacts/{phone}`), never the concrete path,
    so that logs and metric labels carry no phone numbers or ids."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def error_body(status: int, message: str) -> dict[str, dict[str, object]]:
    return {"error": {"status": status, "message": message}}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every failure as JSON; an unexpected error is logged here and never shown."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        if error.content_type == "application/json":
            return web.Response(text=error.text, status=error.status, content_type="application/json")
        explained = error.text and error.text != f"{error.status}: {error.reason}"
        message = error.text if explained else error.reason
        if error.status == 404 and not explained:  # the router's: no handler said what is missing
            message = f"no route for {request.method} {request.path}"
        elif error.status == 405:
            message = f"{request.method} is not allowed on {request.path}"
        return web.json_response(error_body(error.status, message), status=error.status, headers=_kept(error))
    except Exception:
        log.exception("unhandled error answering %s %s", request.method, route_template(request))
        return web.json_response(error_body(500, "internal error; the gateway logged the details"), status=500)


def _kept(error: web.HTTPException) -> dict[str, str]:
    """Headers an error must keep, such as Allow on a 405."""
    return {
        name: value for name, value in error.headers.items() if name in ("Allow", "Retry-After", "WWW-Authenticate")
    }


@web.middleware
async def request_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request by its route template, so labels stay bounded."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        route = route_template(request)
        metrics = request.app[METRICS]
        metrics.http_requests.labels(route, request.method, str(status)).inc()
        metrics.http_latency.labels(route).observe(time.perf_counter() - started)
