"""The application factory: the one place where settings, store, channels, plugins and
routes meet."""

from collections.abc import AsyncIterator, Iterable
from datetime import timedelta

import aiohttp
import orjson
from aiohttp import web

from adapters.channels import meta, myoperator, twilio
from adapters.channels import simulator as simulator_channel
from adapters.channels.simulator import routes as simulator_routes
from adapters.storage import open_store
from adapters.storage.media import open_media_store
from gateway import gauges, health, housekeeping, templates
from gateway.admin.app import create_admin_app
from gateway.appkeys import (
    CHANNELS,
    CLOCK,
    CONSOLE_WATCHER,
    ENGINE,
    EVENTS,
    HANDOVERS,
    HTTP_CLIENT,
    LINK_CLIENT,
    INBOX,
    MEDIA,
    MEDIA_LINKS,
    METRICS,
    OUTBOX,
    PLUGIN_CONTEXT,
    PLUGINS,
    READ_RECEIPTS,
    SCHEDULER,
    SETTINGS,
    STORE,
    SUPERVISOR,
    TEMPLATES,
    WORKER,
)
from gateway.clock import Clock, SystemClock
from gateway.console.app import create_console_app
from gateway.console.live import Watcher
from gateway.conversation.context import PluginContext
from gateway.conversation.engine import Engine
from gateway.conversation.plugin_limits import default_templates
from gateway.handover.service import Handovers
from gateway.handover.timeouts import Timeouts, timeout_job
from gateway.inbound import webhooks
from gateway.inbound.inbox import Inbox
from gateway.instance import instance_name
from gateway.media import routes as media_routes
from gateway.media.fetching import MediaFetcher
from gateway.media.links import open_links
from gateway.media.public_links import LinkRule, link_session
from gateway.media.rendering import Renderer, render_pool, warm
from gateway.media.service import PluginMedia
from gateway.metrics import GatewayMetrics
from gateway.middleware import MAX_BODY_BYTES, json_errors, request_metrics
from gateway.models import Provider
from gateway.notifications.delivery import DeliveryRules
from gateway.notifications.events import EventService
from gateway.notifications.notifier import Notifier
from gateway.notifications.leadership import Leadership
from gateway.notifications.scheduler import LEASE_NAME, LEASE_TTL, Scheduler
from gateway.notifications.template_service import TemplateService
from gateway.outbound.attachments import Attachments
from gateway.outbound.outbox import Outbox
from gateway.outbound.receipts import ReadReceipts
from gateway.outbound.routing import Routing
from gateway.outbound.worker import QueueWorker
from gateway.plugins import get_plugin_manager
from gateway.ports.channel import Channel, ChannelSet
from gateway.settings import Role, Settings
from gateway.slow_clients import body_deadline
from gateway.store_timing import TimedStore
from gateway.supervision import Supervisor, stop

PROVIDER_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
"""Outbound calls to provider APIs give up after this, so one slow provider cannot stall a worker."""


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    run_worker: bool = True,
) -> web.Application:
    """Build the gateway: installed plugins (unless `entry_points` is False) plus `plugins`.
    It processes conversations and sends unless its role is ingest; the queue worker runs
    inside unless `run_worker` is False too."""
    middlewares = [request_metrics, json_errors, body_deadline]
    app = _base_app(settings, clock, web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES))
    _pipeline(app, plugins, entry_points, sends=run_worker and settings.role is Role.ALL)
    app.add_routes(health.routes)
    app.add_routes(webhooks.routes)
    app.add_routes(media_routes.routes)
    if Provider.SIMULATOR in app[CHANNELS].enabled:
        app.router.add_post("/simulator/api/messages", webhooks.receiver(Provider.SIMULATOR))
        app.add_routes(simulator_routes.routes)
    else:
        app.add_routes(simulator_routes.switched_off)
    app.add_subapp("/api/v1", create_admin_app())
    app.add_subapp("/console", create_console_app())
    app.cleanup_ctx.append(_console_live)
    app.on_shutdown.append(_end_console_streams)
    return app


async def _notifications(app: web.Application) -> AsyncIterator[None]:
    """Business events with every plugin's event types, and this process's candidacy to lead the
    scheduler of plugins' periodic jobs."""
    types = {kind.type: kind for _, kinds in await app[PLUGINS].collect("register_event_types") for kind in kinds}
    host, context = app[PLUGINS], app[PLUGIN_CONTEXT]

    async def tell_plugins(event: dict) -> None:
        await host.collect("on_event", event=event, context=context)

    async def enrich(event: dict) -> dict:
        additions: dict = {}
        for _, extra in await host.collect("enrich_event", event=event, context=context):
            additions |= extra
        return additions

    app[EVENTS] = EventService(app[STORE], context.notifier, types, app[CLOCK], tell_plugins, enrich)
    jobs = [(plugin, job) for plugin, listed in await app[PLUGINS].collect("register_jobs") for job in listed]
    jobs.append(("gateway", timeout_job(app[HANDOVERS].expire)))
    leadership = Leadership(app[STORE].leases, LEASE_NAME, LEASE_TTL, app[METRICS].scheduler_leader.set)
    app[SCHEDULER] = Scheduler(jobs, app[PLUGINS], app[CLOCK], app[STORE].records, leadership)
    if app[SETTINGS].role is not Role.ALL:
        yield
        return
    running = app[SUPERVISOR].start("scheduler", app[SCHEDULER].run)
    yield
    await stop(running)


def create_worker_app(
    settings: Settings, *, clock: Clock | None = None, plugins: Iterable[object] = (), entry_points: bool = True
) -> web.Application:
    """`wa-gateway worker`: conversations and sends without webhooks, on a shared store; a
    deployment adds as many as it needs, whatever role its `serve` processes have."""
    app = _base_app(settings.model_copy(update={"role": Role.ALL}), clock, web.Application())
    _pipeline(app, plugins, entry_points, sends=True)
    return app


def _pipeline(app: web.Application, plugins: Iterable[object], entry_points: bool, *, sends: bool) -> None:
    """Plugins, the queue worker (sending only where `sends`), the conversation engine, the
    inbox (processing only in the role that does everything) and notifications."""
    app[PLUGINS] = get_plugin_manager(app[METRICS], plugins, entry_points=entry_points)
    app.cleanup_ctx.append(_queue_worker(sends))
    app.cleanup_ctx.append(_conversation)
    app.cleanup_ctx.append(_inbox)
    app.cleanup_ctx.append(_notifications)


def _base_app(settings: Settings, clock: Clock | None, app: web.Application) -> web.Application:
    """What every gateway process has: settings, clock, metrics, channels, store, HTTP client."""
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[METRICS] = GatewayMetrics(settings.store_backend)
    app[SUPERVISOR] = Supervisor(app[METRICS])
    app[CHANNELS] = build_channels(settings)
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_http_client)
    return app


def build_channels(settings: Settings) -> ChannelSet:
    """A channel for every provider whose credentials are set."""
    enabled: dict[Provider, Channel] = {}
    if Provider.TWILIO in settings.enabled_providers:
        enabled[Provider.TWILIO] = twilio.TwilioChannel(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            whatsapp_number=settings.twilio_whatsapp_number,
            api_base=str(settings.twilio_api_base),
            status_callback=str(settings.public_url).rstrip("/") + "/webhooks/twilio",
        )
    if Provider.META in settings.enabled_providers:
        enabled[Provider.META] = meta.MetaChannel(
            access_token=settings.meta_access_token.get_secret_value(),
            phone_number_id=settings.meta_phone_number_id,
            app_secret=settings.meta_app_secret.get_secret_value(),
            verify_token=settings.meta_verify_token.get_secret_value(),
            api_base=str(settings.meta_api_base),
            api_version=settings.meta_api_version,
        )
    if Provider.MYOPERATOR in settings.enabled_providers:
        enabled[Provider.MYOPERATOR] = myoperator.MyOperatorChannel(
            api_key=settings.myoperator_api_key.get_secret_value(),
            company_id=settings.myoperator_company_id,
            phone_number_id=settings.myoperator_phone_number_id,
            webhook_secret=settings.myoperator_webhook_secret.get_secret_value(),
            api_base=str(settings.myoperator_api_base),
        )
    if Provider.SIMULATOR in settings.enabled_providers:
        enabled[Provider.SIMULATOR] = simulator_channel.SimulatorChannel()
    secret_variables = {
        Provider.TWILIO: twilio.SECRET_VARIABLE,
        Provider.META: meta.SECRET_VARIABLE,
        Provider.MYOPERATOR: myoperator.SECRET_VARIABLE,
        Provider.SIMULATOR: "GATEWAY_SIMULATOR",
    }
    return ChannelSet(enabled, secret_variables)


async def _store(app: web.Application) -> AsyncIterator[None]:
    """The store, timed into metrics, the media store beside it, the gauges read from the store
    every few seconds, and the upkeep of both."""
    settings = app[SETTINGS]
    store = await open_store(settings.store_url, app[CLOCK], settings.log_retention)
    try:
        app[MEDIA] = await open_media_store(settings, app[CLOCK], store)
    except BaseException:
        await store.close()
        raise
    app[STORE] = TimedStore(store, app[METRICS])
    refreshing = app[SUPERVISOR].start("gauges", lambda: gauges.keep_fresh(app[STORE], app[METRICS], app[CLOCK]))
    tidying = app[SUPERVISOR].start(
        "housekeeping",
        lambda: housekeeping.keep_tidy(app[STORE], app[MEDIA], app[CLOCK], settings.log_retention),
    )
    yield
    await stop(refreshing, tidying)
    await app[MEDIA].close()
    await store.close()


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    """The one HTTP client session every outbound provider call shares, and the one contacts'
    files are fetched with, which follows a payload's links only to public addresses."""
    settings = app[SETTINGS]
    rule = LinkRule.for_apis(
        str(settings.twilio_api_base),
        str(settings.meta_api_base),
        str(settings.myoperator_api_base),
        loopback=settings.test_loopback_links,
    )
    async with (
        aiohttp.ClientSession(timeout=PROVIDER_TIMEOUT, json_serialize=_json_text) as session,
        link_session(rule, timeout=PROVIDER_TIMEOUT) as links,
    ):
        app[HTTP_CLIENT], app[LINK_CLIENT] = session, links
        yield


def _json_text(value: object) -> str:
    """Provider request bodies, serialized by orjson (one per send)."""
    return orjson.dumps(value).decode()


def _queue_worker(run: bool):
    """The templates, the signed media links, the queue worker and the outbox that wakes it; it
    sends only where `run` is true, and then counts among the deployment's senders, which share
    the send rates. Read receipts beside them, kept from a provider whose circuit is open."""

    async def queue_worker(app: web.Application) -> AsyncIterator[None]:
        settings, store = app[SETTINGS], app[STORE]
        app[MEDIA_LINKS] = await open_links(settings, store.records, app[CLOCK])
        app[TEMPLATES] = TemplateService(store)
        await templates.start_renderer()
        rules = DeliveryRules(store, app[TEMPLATES], app[CLOCK], settings.locality)
        routing = Routing(
            settings.enabled_providers,
            app[CLOCK],
            app[METRICS],
            failover=settings.failover,
            rates=settings.send_rates,
            failures_to_open=settings.circuit_failures,
            cooldown=timedelta(seconds=settings.circuit_cooldown_seconds),
            leases=store.leases,
            owner=instance_name(),
        )
        app[WORKER] = QueueWorker(
            store,
            app[CHANNELS],
            app[HTTP_CLIENT],
            app[CLOCK],
            rules,
            routing,
            app[METRICS],
            concurrency=settings.worker_concurrency,
            attachments=Attachments(app[MEDIA], app[MEDIA_LINKS], app[CLOCK]),
        )
        app[OUTBOX] = Outbox(store, settings.enabled_providers, settings.notification_provider, app[WORKER].wake)
        app[READ_RECEIPTS] = ReadReceipts(store.log, app[CHANNELS], app[HTTP_CLIENT], app[METRICS], routing.available)
        loops = []
        if run:
            await routing.beat()  # counted among the senders before the first send
            loops = [app[SUPERVISOR].start("heartbeat", routing.keep_beating), *app[WORKER].start(app[SUPERVISOR])]
        yield
        await app[READ_RECEIPTS].close()
        await stop(*loops)
        if run:
            await routing.leave()

    return queue_worker


async def _conversation(app: web.Application) -> AsyncIterator[None]:
    """Handovers; plugins start, with the media they make rendered in a pool; their default
    templates are checked (a plugin with one that cannot be sent is refused) and stored (never
    over an operator's edit); then the engine gathers their strings, flows and menu entries,
    and, where it holds conversations, loads the language model off the event loop and the
    drawing libraries in the pool."""
    host, settings, store = app[PLUGINS], app[SETTINGS], app[STORE]
    timeouts = Timeouts(settings.support, settings.handover_wait, settings.handover_idle)
    app[HANDOVERS] = Handovers(store, app[OUTBOX], app[CLOCK], app[METRICS], timeouts)
    notifier = Notifier(store, app[OUTBOX])
    pool = render_pool()
    media = PluginMedia(app[MEDIA], Renderer(app[MEDIA], pool))
    context = PluginContext(store, settings, app[CLOCK], app[HTTP_CLIENT], notifier, app[HANDOVERS], media)
    app[PLUGIN_CONTEXT] = context
    await host.collect("on_startup", context=context)
    await app[TEMPLATES].load_defaults(await default_templates(host))
    app[ENGINE] = await Engine.build(
        store, host, app[CLOCK], settings.session_timeout, app[METRICS], app[HANDOVERS], settings.locality
    )
    if settings.role is Role.ALL:  # this process holds conversations: an ingest-only one never identifies
        await app[ENGINE].warm()
        warm(pool)
    yield
    await host.collect("on_shutdown", context=context)
    pool.shutdown(cancel_futures=True)


async def _inbox(app: web.Application) -> AsyncIterator[None]:
    """The inbox: in the role that does everything, it processes whatever messages wait in the
    store, first those a previous run left, each contact's file fetched into the media store
    first; in the ingest role it only stores them."""
    app[INBOX] = Inbox(
        app[STORE],
        app[ENGINE],
        app[HANDOVERS],
        app[OUTBOX],
        app[METRICS],
        app[CLOCK],
        instance_name(),
        receipts=app[READ_RECEIPTS],
        fetcher=MediaFetcher(app[CHANNELS], app[MEDIA], app[LINK_CLIENT], app[METRICS]),
    )
    if app[SETTINGS].role is not Role.ALL:
        yield
        return
    claiming = app[INBOX].start(app[SUPERVISOR])
    yield
    await stop(claiming)
    await app[INBOX].close()


async def _console_live(app: web.Application) -> AsyncIterator[None]:
    """The watcher that tells this process's open console pages what changed in the store."""
    watcher = app[CONSOLE_WATCHER] = Watcher(app[HANDOVERS], app[STORE])
    running = app[SUPERVISOR].start("console", watcher.run)
    yield
    await stop(running)


async def _end_console_streams(app: web.Application) -> None:
    """Open pages' event streams end first at shutdown, which would otherwise wait on them."""
    app[CONSOLE_WATCHER].close()
