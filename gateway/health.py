"""Liveness, readiness and the metrics endpoint."""

import asyncio
import logging

from aiohttp import web

from gateway import __version__
from gateway.appkeys import MEDIA, METRICS, STORE, SUPERVISOR

log = logging.getLogger(__name__)

READINESS_TIMEOUT_SECONDS = 2.0

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """The process is up and answering; says which store it runs on."""
    return web.json_response({"status": "ok", "version": __version__, "store": request.app[STORE].backend})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """Ready to take traffic: the store and the media store answer within the timeout and no
    loop is down."""
    store = request.app[STORE]
    try:
        await asyncio.wait_for(store.ping(), READINESS_TIMEOUT_SECONDS)
    except Exception as error:
        log.warning("readiness check failed: %s store unreachable (%s)", store.backend, type(error).__name__)
        return web.json_response(
            {"status": "unavailable", "store": store.backend, "reason": "store unreachable"}, status=503
        )
    media = request.app[MEDIA]
    try:
        await asyncio.wait_for(media.ping(), READINESS_TIMEOUT_SECONDS)
    except Exception as error:
        log.warning("readiness check failed: %s media store unreachable (%s)", media.backend, type(error).__name__)
        return web.json_response(
            {"status": "unavailable", "store": store.backend, "reason": "media store unreachable"}, status=503
        )
    down = request.app[SUPERVISOR].down
    if down:
        reason = f"restarting loops: {', '.join(down)}"
        return web.json_response({"status": "unavailable", "store": store.backend, "reason": reason}, status=503)
    return web.json_response({"status": "ready", "store": store.backend})


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format."""
    gateway_metrics = request.app[METRICS]
    return web.Response(body=gateway_metrics.exposition(), headers={"Content-Type": gateway_metrics.content_type})
