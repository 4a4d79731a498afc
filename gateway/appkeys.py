"""Every piece of application state, reached only through these typed keys."""

import aiohttp
from aiohttp import web

from gateway.clock import Clock
from gateway.conversation.context import PluginContext
from gateway.console.live import Watcher
from gateway.conversation.engine import Engine
from gateway.handover.service import Handovers
from gateway.inbound.inbox import Inbox
from gateway.media.links import MediaLinks
from gateway.metrics import GatewayMetrics
from gateway.notifications.events import EventService
from gateway.notifications.scheduler import Scheduler
from gateway.notifications.template_service import TemplateService
from gateway.outbound.outbox import Outbox
from gateway.outbound.receipts import ReadReceipts
from gateway.plugins import PluginHost
from gateway.ports.channel import ChannelSet
from gateway.ports.media import MediaStore
from gateway.ports.store import Store
from gateway.settings import Settings
from gateway.supervision import Supervisor
from gateway.outbound.worker import QueueWorker

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
METRICS = web.AppKey("metrics", GatewayMetrics)
STORE = web.AppKey("store", Store)
MEDIA = web.AppKey("media", MediaStore)
MEDIA_LINKS = web.AppKey("media_links", MediaLinks)
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
LINK_CLIENT = web.AppKey("link_client", aiohttp.ClientSession)
PLUGINS = web.AppKey("plugins", PluginHost)
ENGINE = web.AppKey("engine", Engine)
CHANNELS = web.AppKey("channels", ChannelSet)
OUTBOX = web.AppKey("outbox", Outbox)
INBOX = web.AppKey("inbox", Inbox)
WORKER = web.AppKey("worker", QueueWorker)
READ_RECEIPTS = web.AppKey("read_receipts", ReadReceipts)
EVENTS = web.AppKey("events", EventService)
TEMPLATES = web.AppKey("templates", TemplateService)
SCHEDULER = web.AppKey("scheduler", Scheduler)
PLUGIN_CONTEXT = web.AppKey("plugin_context", PluginContext)
SUPERVISOR = web.AppKey("supervisor", Supervisor)
HANDOVERS = web.AppKey("handovers", Handovers)
CONSOLE_WATCHER = web.AppKey("console_watcher", Watcher)
