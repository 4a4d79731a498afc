"""Bearer-token authentication for the admin API, compared in constant time."""

import hmac

from aiohttp import web

from gateway.appkeys import SETTINGS
from gateway.middleware import Handler

PUBLIC_PATHS = ("/openapi.json",)
"""What anyone may read: the API's own description."""


@web.middleware
async def bearer_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through only with `Authorization: Bearer $GATEWAY_ADMIN_TOKEN`; with no
    token configured, refuse every call."""
    if request.match_info.route.resource is not None and request.path.endswith(PUBLIC_PATHS):
        return await handler(request)
    token = request.config_dict[SETTINGS].admin_token
    if token is None:
        raise _unauthorized("GATEWAY_ADMIN_TOKEN is not set, so the admin API refuses every call")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode()):
        raise _unauthorized("a valid bearer token is required")
    return await handler(request)


def _unauthorized(message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=message, headers={"WWW-Authenticate": 'Bearer realm="wa-gateway"'})
