"""Provider webhooks: verify, parse, store durably (deduplicated), answer; processing
happens afterwards, in the inbox, and never delays the answer."""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import cast

from aiohttp import web

from gateway.appkeys import CHANNELS, CLOCK, INBOX, METRICS, SETTINGS, STORE
from gateway.faults import is_transient
from gateway.logs import request_id
from gateway.middleware import error_body
from gateway.models import Provider, new_id
from gateway.phone import mask
from gateway.ports.channel import (
    Channel,
    HandshakeChannel,
    ParsedWebhook,
    WebhookRejected,
    WebhookRequest,
)

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


def receiver(provider: Provider) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The POST handler for one provider's webhook."""

    async def receive(request: web.Request) -> web.Response:
        request_id.set(new_id()[-12:])
        started = time.perf_counter()
        metrics = request.app[METRICS]
        try:
            outcome, response = await _receive(request, provider)
        except WebhookRejected as rejected:
            log.warning("refused %s webhook (%s): %s", provider.value, rejected.reason, rejected.message)
            outcome, response = rejected.reason, _refusal(rejected)
        except web.HTTPRequestEntityTooLarge:
            metrics.webhooks.labels(provider.value, "too_large").inc()
            raise
        metrics.webhooks.labels(provider.value, outcome).inc()
        metrics.webhook_latency.labels(provider.value).observe(time.perf_counter() - started)
        return response

    return receive


async def _receive(request: web.Request, provider: Provider) -> tuple[str, web.Response]:
    channel = _channel(request, provider)
    if request.content_type not in channel.content_types:
        raise WebhookRejected(
            415, "unsupported_media_type", f"{provider.value} webhooks are {' or '.join(channel.content_types)}"
        )
    webhook = WebhookRequest(
        method=request.method,
        url=str(request.app[SETTINGS].public_url).rstrip("/") + request.path_qs,
        headers=request.headers,
        body=await request.read(),
        query=request.query,
    )
    channel.verify(webhook)
    parsed = channel.parse(webhook, request.app[CLOCK].now())
    outcome = await accept(request.app, parsed)
    ack = channel.acknowledgement
    return outcome, web.Response(body=ack.body, content_type=ack.content_type)


def _channel(request: web.Request, provider: Provider) -> Channel:
    channels = request.app[CHANNELS]
    channel = channels.get(provider)
    if channel is None:
        variable = channels.secret_variables.get(provider, f"the {provider.value} settings")
        raise WebhookRejected(
            503, "not_configured", f"{variable} is not set, so this webhook refuses every request until it is"
        )
    return channel


async def accept(app: web.Application, parsed: ParsedWebhook) -> str:
    """Store every message and status and hand the messages to the inbox (as the simulator's
    uploads are too); a store hiccup part-way is a 503, which the provider retries, and
    whatever was stored before it is processed all the same."""
    try:
        return await _store_all(app, parsed)
    except Exception as error:
        if not is_transient(error):
            raise
        raise WebhookRejected(
            503, "store_unavailable", f"the store failed ({type(error).__name__}); deliver this webhook again later"
        ) from error


async def _store_all(app: web.Application, parsed: ParsedWebhook) -> str:
    """Hand each new message to the inbox as soon as it is stored, so a failure later in the
    batch cannot strand it. A known provider id is a redelivery: the inbox looks in the store
    for messages stored but never processed, such as one whose write succeeded but was
    reported failed."""
    store, inbox, metrics = app[STORE], app[INBOX], app[METRICS]
    fresh = 0
    arrived_with = request_id.get()
    for message in parsed.messages:
        message = message.model_copy(update={"request_id": arrived_with})
        if not await store.log.record_inbound(message):
            inbox.wake()
            continue
        fresh += 1
        metrics.inbound.labels(message.provider.value, message.kind.value).inc()
        log.info("stored %s message %s from %s", message.provider.value, message.id, mask(message.sender))
        inbox.submit(message)
    for status in parsed.statuses:
        if await store.log.add_status(status):
            metrics.delivery_reports.labels(status.provider.value, status.status.value).inc()
    if fresh:
        return "accepted"
    return "duplicate" if parsed.messages else "status"


def _refusal(rejected: WebhookRejected) -> web.Response:
    return web.json_response(error_body(rejected.status, rejected.message), status=rejected.status)


@routes.get("/webhooks/meta")
async def meta_handshake(request: web.Request) -> web.Response:
    """Meta's verification handshake: echo the challenge when the verify token matches."""
    try:
        challenge = cast(HandshakeChannel, _channel(request, Provider.META)).handshake(request.query)
    except WebhookRejected as rejected:
        request.app[METRICS].webhooks.labels(Provider.META.value, rejected.reason).inc()
        return _refusal(rejected)
    return web.Response(text=challenge, content_type="text/plain")


routes.post("/webhooks/twilio")(receiver(Provider.TWILIO))
routes.post("/webhooks/meta")(receiver(Provider.META))
routes.post("/webhooks/myoperator")(receiver(Provider.MYOPERATOR))
