"""Bearer-token authentication for the admin API, compared in constant time."""

import hmac
import logging

from aiohttp import web

from gateway.appkeys import SETTINGS
from gateway.middleware import Handler
from gateway.ports.channel import header_bytes

log = logging.getLogger(__name__)

OPENAPI_ROUTE = "openapi"
PUBLIC_ROUTES = frozenset({OPENAPI_ROUTE})
"""Routes, by name, that anyone may read: the API's own description. Matched by the route the
router chose, never by the path, so no path can dress itself up as one of them."""


@web.middleware
async def bearer_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through only with `Authorization: Bearer $GATEWAY_ADMIN_TOKEN` (or, during a
    rotation, `$GATEWAY_ADMIN_TOKEN_PREVIOUS`); with no token configured, refuse every call."""
    resource = request.match_info.route.resource
    if resource is not None and resource.name in PUBLIC_ROUTES:
        return await handler(request)
    tokens = request.config_dict[SETTINGS].admin_tokens
    if not tokens:
        raise _unauthorized("GATEWAY_ADMIN_TOKEN is not set, so the admin API refuses every call")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    presented = header_bytes(given.strip())
    # every token is compared, so how long the check takes tells nothing of which one matched
    matches = [hmac.compare_digest(presented, token) for token in tokens]
    if scheme.lower() != "bearer" or not any(matches):
        raise _unauthorized("a valid bearer token is required")
    if not matches[0]:
        route = resource.canonical if resource is not None else "?"  # the route, never a contact's number in a path
        log.info("%s %s came with GATEWAY_ADMIN_TOKEN_PREVIOUS; move its client to the new token", request.method, route)
    return await handler(request)


def _unauthorized(message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=message, headers={"WWW-Authenticate": 'Bearer realm="wa-gateway"'})
