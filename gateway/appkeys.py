"""Every piece of application state, reached only through these typed keys."""

import aiohttp
from aiohttp import web

from gateway.clock import Clock
from gateway.metrics import GatewayMetrics
from gateway.ports.store import Store
from gateway.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
METRICS = web.AppKey("metrics", GatewayMetrics)
STORE = web.AppKey("store", Store)
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
