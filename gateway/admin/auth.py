"""Bearer-token authentication for the admin API, compared in constant time."""

import hmac

from aiohttp import web

from gateway.appkeys import SETTINGS
from gateway.middleware import Handler
from gateway.ports.channel import header_bytes

OPENAPI_ROUTE = "openapi"
PUBLIC_ROUTES = frozenset({OPENAPI_ROUTE})
"""Routes, by name, that anyone may read: the API's own description. Matched by the route the
router chose, never by the path, so no path can dress itself up as one of them."""


@web.middleware
async def bearer_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through only with `Authorization: Bearer $GATEWAY_ADMIN_TOKEN`; with no
    token configured, refuse every call."""
    resource = request.match_info.route.resource
    if resource is not None and resource.name in PUBLIC_ROUTES:
        return await handler(request)
    token = request.config_dict[SETTINGS].admin_token
    if token is None:
        raise _unauthorized("GATEWAY_ADMIN_TOKEN is not set, so the admin API refuses every call")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(header_bytes(given.strip()), expected):
        raise _unauthorized("a valid bearer token is required")
    return await handler(request)


def _unauthorized(message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=message, headers={"WWW-Authenticate": 'Bearer realm="wa-gateway"'})
