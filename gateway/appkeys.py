"""Every piece of application state, reached only through these typed keys."""

import aiohttp
import pluggy
from aiohttp import web

from gateway.clock import Clock
from gateway.inbox import Inbox
from gateway.metrics import GatewayMetrics
from gateway.outbox import Outbox
from gateway.ports.channel import ChannelSet
from gateway.ports.store import Store
from gateway.settings import Settings
from gateway.worker import QueueWorker

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
METRICS = web.AppKey("metrics", GatewayMetrics)
STORE = web.AppKey("store", Store)
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
PLUGINS = web.AppKey("plugins", pluggy.PluginManager)
CHANNELS = web.AppKey("channels", ChannelSet)
OUTBOX = web.AppKey("outbox", Outbox)
INBOX = web.AppKey("inbox", Inbox)
WORKER = web.AppKey("worker", QueueWorker)
