"""How long the server waits for a client, so that one sending its request a byte at a time
cannot hold a connection, and the handler reading it, for ever."""

import asyncio
import contextlib

from aiohttp import web

from gateway.middleware import Handler

IDLE_SECONDS = 75.0
"""aiohttp's `keepalive_timeout`: a connection that has not sent a whole request head this long
after it opened, or after its last answer, is closed. Longer than the 60 s idle timeout of
common load balancers and proxies, so that they, not the gateway, close idle connections first."""

BODY_SECONDS = 30.0
"""A request's body must have arrived this long after its head (aiohttp waits for ever):
a late one is answered 408 and the connection closed."""


@web.middleware
async def body_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 408 when the body is still arriving BODY_SECONDS after the head; the deadline
    is lifted the moment the body is in, so slow work on a whole request is never cut short."""
    if request.content.is_eof():
        return await handler(request)
    try:
        async with asyncio.timeout(BODY_SECONDS) as deadline:
            request.content.on_eof(lambda: _lift(deadline))
            return await handler(request)
    except TimeoutError:
        if not deadline.expired():
            raise
        raise web.HTTPRequestTimeout(text=f"the request body did not arrive within {BODY_SECONDS:g} s") from None


def _lift(deadline: asyncio.Timeout) -> None:
    with contextlib.suppress(RuntimeError):  # the request was already answered
        deadline.reschedule(None)
