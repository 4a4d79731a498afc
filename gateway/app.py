"""The application factory: the one place where settings, store, adapters and routes meet."""

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from adapters.storage import open_store
from gateway import health
from gateway.appkeys import CLOCK, HTTP_CLIENT, METRICS, SETTINGS, STORE
from gateway.clock import Clock, SystemClock
from gateway.metrics import GatewayMetrics
from gateway.middleware import MAX_BODY_BYTES, body_size_limit, json_errors, request_metrics
from gateway.settings import Settings

PROVIDER_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
"""Outbound calls to provider APIs give up after this, so one slow provider cannot stall a worker."""


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """Build the gateway application; resources open on start-up and close on shutdown."""
    app = web.Application(
        middlewares=[request_metrics, json_errors, body_size_limit], client_max_size=MAX_BODY_BYTES
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[METRICS] = GatewayMetrics(settings.store_backend)
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_http_client)
    app.add_routes(health.routes)
    return app


async def _store(app: web.Application) -> AsyncIterator[None]:
    app[STORE] = await open_store(app[SETTINGS].store_url, app[CLOCK], app[SETTINGS].log_retention)
    yield
    await app[STORE].close()


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    """The one HTTP client session every outbound provider call shares."""
    async with aiohttp.ClientSession(timeout=PROVIDER_TIMEOUT, raise_for_status=False) as session:
        app[HTTP_CLIENT] = session
        yield
