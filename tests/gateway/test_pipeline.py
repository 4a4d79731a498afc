"""From webhook to provider API: replies routed back the way messages came, text menus on
channels without buttons, per-contact ordering, and recovery after a crash."""

import asyncio
import json
import logging
from pathlib import Path
from urllib.parse import urlencode

from adapters.storage.sqlite import SqliteStore
from adapters.storage.sqlite.log import SqliteMessageLog
from gateway.inbound import inbox as inbox_module
from gateway.app import create_app
from gateway.appkeys import INBOX, METRICS, OUTBOX, STORE
from gateway.hookspecs import hookimpl
from gateway.logs import request_id
from gateway.models import (
    Content,
    InboundKind,
    InboundMessage,
    OutboundMessage,
    Priority,
)
from gateway.ports.records import JobState
from gateway.testing import meta_headers, twilio_headers
from tests.adapters.channels.conftest import fixture_bytes, fixture_json
from tests.gateway_fixtures import (
    META_SECRET,
    PUBLIC_URL,
    TWILIO_TOKEN,
    EchoPlugin,
    eventually,
    meta_text,
)


async def post_meta(gateway, payload: dict):
    body = json.dumps(payload).encode()
    return await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))


async def post_twilio(gateway, **params: str):
    form = fixture_json("twilio", "text") | params
    return await gateway.post(
        "/webhooks/twilio",
        data=urlencode(form),
        headers=twilio_headers(PUBLIC_URL + "/webhooks/twilio", form, TWILIO_TOKEN),
    )


async def test_a_signed_meta_text_is_answered_through_the_meta_api_once(gateway, stand_ins, echo):
    assert (await post_meta(gateway, meta_text(text="ping"))).status == 200
    assert (await post_meta(gateway, meta_text(text="ping"))).status == 200
    [reply] = await stand_ins.meta.wait_for(1)
    assert reply.path == "/v25.0/106540352242922/messages"
    assert reply.json() == {
        "messaging_product": "whatsapp",
        "to": "919812345678",
        "type": "text",
        "text": {"body": "echo: ping", "preview_url": False},
    }
    await gateway.app[INBOX].idle()
    assert len(echo.seen) == 1 and len(stand_ins.meta.requests) == 1


async def test_meta_replies_leave_only_from_the_configured_business_number(gateway, stand_ins):
    body = fixture_bytes("meta", "batch")
    await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    requests = await stand_ins.meta.wait_for(2)
    [refused] = await eventually(lambda: gateway.app[STORE].queue.list(JobState.DEAD))
    assert [request.path for request in requests] == ["/v25.0/106540352242922/messages"] * 2
    assert "META_PHONE_NUMBER_ID" in refused.last_error and len(stand_ins.meta.requests) == 2


async def test_a_list_through_twilio_is_numbered_text_and_2_reaches_the_plugin_as_the_second_row(
    gateway, stand_ins, echo
):
    await post_twilio(gateway, MessageSid="SM-list", Body="list")
    [menu] = await stand_ins.twilio.wait_for(1)
    assert menu.form()["Body"] == "Choose\n\n1. Option 1\n2. Option 2\n3. Option 3"

    await post_twilio(gateway, MessageSid="SM-answer", Body="2")
    await stand_ins.twilio.wait_for(2)
    answer = echo.seen[-1]
    assert (answer.kind, answer.reply_id, answer.reply_title) == (InboundKind.LIST_REPLY, "opt.2", "Option 2")
    assert stand_ins.twilio.requests[-1].form()["Body"] == "echo: opt.2"


async def test_buttons_through_twilio_are_answered_by_title(gateway, stand_ins, echo):
    await post_twilio(gateway, MessageSid="SM-buttons", Body="buttons")
    await stand_ins.twilio.wait_for(1)
    await post_twilio(gateway, MessageSid="SM-high", Body="HIGH")
    await stand_ins.twilio.wait_for(2)
    assert (echo.seen[-1].kind, echo.seen[-1].reply_id) == (InboundKind.BUTTON_REPLY, "sev.high")


class ConcurrencyProbe:
    """Holds every message at a gate the test opens, recording how many are in flight."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.in_flight: dict[str, int] = {}
        self.most_per_contact = 0
        self.most_overall = 0
        self.gate = asyncio.Event()

    @hookimpl
    def handle_message(self, message: InboundMessage):
        return self._answer(message)

    async def _answer(self, message: InboundMessage) -> list[Content]:
        self.in_flight[message.sender] = self.in_flight.get(message.sender, 0) + 1
        self.most_per_contact = max(self.most_per_contact, self.in_flight[message.sender])
        self.most_overall = max(self.most_overall, sum(self.in_flight.values()))
        await self.gate.wait()
        self.order.append(f"{message.sender[-4:]}:{message.text}")
        self.in_flight[message.sender] -= 1
        return []


async def test_one_contact_is_handled_in_order_and_contacts_concurrently(aiohttp_client, provider_settings, clock):
    probe = ConcurrencyProbe()
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[probe], entry_points=False))
    for n in range(5):
        for sender in ("919812345678", "919800000001"):
            await post_meta(gateway, meta_text(f"wamid.{sender}.{n}", f"m{n}", sender=sender))
    probe.gate.set()
    await gateway.app[INBOX].idle()
    assert [entry for entry in probe.order if entry.startswith("5678")] == [f"5678:m{n}" for n in range(5)]
    assert [entry for entry in probe.order if entry.startswith("0001")] == [f"0001:m{n}" for n in range(5)]
    assert probe.most_per_contact == 1 and probe.most_overall == 2


async def test_no_more_than_the_limit_of_messages_are_processed_at_once(
    aiohttp_client, provider_settings, clock, monkeypatch
):
    monkeypatch.setattr(inbox_module, "CONTACTS_AT_ONCE", 2)
    probe = ConcurrencyProbe()
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[probe], entry_points=False))
    senders = [f"9198000000{n:02d}" for n in range(5)]
    for sender in senders:
        await post_meta(gateway, meta_text(f"wamid.{sender}", "m", sender=sender))
    await eventually(lambda: asyncio.sleep(0, sum(probe.in_flight.values()) == 2))
    probe.gate.set()
    await gateway.app[INBOX].idle()
    assert probe.most_overall == 2 and len(probe.order) == 5


async def test_a_process_at_its_limit_of_contacts_leaves_the_rest_in_the_store_and_takes_them_in_order(
    aiohttp_client, provider_settings, clock, monkeypatch
):
    monkeypatch.setattr(inbox_module, "CONTACTS_AT_ONCE", 1)
    probe = ConcurrencyProbe()
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[probe], entry_points=False))
    for n in range(5):
        for sender in ("919812345678", "919800000001"):
            assert (await post_meta(gateway, meta_text(f"wamid.{sender}.{n}", f"m{n}", sender=sender))).status == 200
    await eventually(lambda: asyncio.sleep(0, probe.in_flight))
    assert gateway.app[METRICS].registry.get_sample_value("gateway_inbox_contacts_held") == 1
    probe.gate.set()
    await gateway.app[INBOX].idle()
    assert probe.most_overall == 1
    assert gateway.app[METRICS].registry.get_sample_value("gateway_inbox_contacts_held") == 0
    assert [entry for entry in probe.order if entry.startswith("5678")] == [f"5678:m{n}" for n in range(5)]
    assert [entry for entry in probe.order if entry.startswith("0001")] == [f"0001:m{n}" for n in range(5)]
    assert await gateway.app[STORE].log.unprocessed_inbound() == []


async def test_messages_stored_before_a_crash_are_processed_after_restart_and_answered_once(
    aiohttp_client, provider_settings, clock, stand_ins
):
    # written with no gateway running, as a crash leaves them: a running one would take them at once
    store = await SqliteStore.open(Path(provider_settings.store_url.removeprefix("sqlite:///")), clock)
    unprocessed = InboundMessage(
        provider="meta",
        provider_message_id="wamid.LOST",
        sender="+919812345678",
        timestamp=clock.now(),
        kind="text",
        text="lost",
    )
    half_done = InboundMessage(
        provider="meta",
        provider_message_id="wamid.HALF",
        sender="+919800000001",
        timestamp=clock.now(),
        kind="text",
        text="half",
    )
    await store.log.record_inbound(unprocessed)
    await store.log.record_inbound(half_done)
    # the crash came after this message's reply was queued but before it was marked processed
    await store.queue.enqueue(
        OutboundMessage(
            recipient=half_done.sender,
            text="echo: half",
            provider="meta",
            priority=Priority.REPLY,
            idempotency_key=f"reply:{half_done.id}:0",
        )
    )
    await store.close()

    echo = EchoPlugin()
    restarted = await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[echo], entry_points=False))
    requests = await stand_ins.meta.wait_for(2)
    assert sorted(request.json()["text"]["body"] for request in requests) == ["echo: half", "echo: lost"]
    await restarted.app[INBOX].idle()
    assert sorted(message.text for message in echo.seen) == ["half", "lost"]
    assert await eventually(lambda: sent_jobs(restarted.app[STORE], 2))
    assert await restarted.app[STORE].log.unprocessed_inbound() == []


async def sent_jobs(store, expected: int) -> bool:
    return (await store.queue.counts())[JobState.SENT] == expected


class Stuck:
    """Never answers: stands for processing that is still under way at shutdown."""

    @hookimpl
    def handle_message(self, message: InboundMessage):
        return asyncio.Event().wait()


async def test_a_turn_still_running_after_the_shutdown_grace_stays_unprocessed_and_its_contact_free(
    aiohttp_client, provider_settings, clock, monkeypatch
):
    monkeypatch.setattr(inbox_module, "CLOSE_GRACE_SECONDS", 0.05)
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[Stuck()], entry_points=False))
    await post_meta(gateway, meta_text("wamid.SHUTDOWN"))
    await eventually(lambda: asyncio.sleep(0, gateway.app[INBOX].held))
    store_path = provider_settings.store_url.removeprefix("sqlite:///")
    await gateway.close()

    reopened = await SqliteStore.open(Path(store_path), clock)
    try:
        assert [entry.provider_message_id for entry in await reopened.log.unprocessed_inbound()] == ["wamid.SHUTDOWN"]
        assert await reopened.leases.holders("inbox:") == [], "the next process takes the contact at once"
    finally:
        await reopened.close()


class Slow:
    """Answers once let go: stands for a turn under way when a deploy stops the process."""

    def __init__(self) -> None:
        self.started, self.go = asyncio.Event(), asyncio.Event()

    @hookimpl
    async def handle_message(self, message: InboundMessage):
        self.started.set()
        await self.go.wait()
        return [Content(text="done")]


async def test_a_turn_under_way_at_shutdown_finishes_before_the_process_stops(
    aiohttp_client, provider_settings, clock
):
    slow = Slow()
    app = create_app(provider_settings, clock=clock, plugins=[slow], entry_points=False, run_worker=False)
    gateway = await aiohttp_client(app)
    await post_meta(gateway, meta_text("wamid.DEPLOY"))
    await slow.started.wait()
    asyncio.get_running_loop().call_later(0.05, slow.go.set)
    await gateway.close()
    reopened = await SqliteStore.open(Path(provider_settings.store_url.removeprefix("sqlite:///")), clock)
    try:
        assert await reopened.log.unprocessed_inbound() == []
        assert [job.message["text"] for job in await reopened.queue.list(JobState.QUEUED)] == ["done"]
    finally:
        await reopened.close()


class Broken:
    @hookimpl
    def handle_message(self, message: InboundMessage):
        if message.text == "boom":
            raise RuntimeError("plugin bug")
        return None


async def test_a_plugin_that_raises_gets_the_user_an_apology_and_the_next_message_still_answered(
    aiohttp_client, provider_settings, clock, stand_ins
):
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[Broken()], entry_points=False))
    await post_meta(gateway, meta_text("wamid.1", "boom"))
    await post_meta(gateway, meta_text("wamid.2", "still there?"))
    apology, fallback = await stand_ins.meta.wait_for(2)
    assert apology.json()["text"]["body"].startswith("Sorry, something went wrong on our side.")
    assert fallback.json()["interactive"]["body"]["text"].startswith("Sorry, I did not understand that.")
    await gateway.app[INBOX].idle()
    assert await gateway.app[STORE].log.unprocessed_inbound() == []


async def test_notifications_use_the_contacts_last_provider_else_the_default(gateway, stand_ins):
    await gateway.post(
        "/webhooks/myoperator",
        data=fixture_bytes("myoperator", "text"),
        headers={"Content-Type": "application/json", "X-Webhook-Key": "myoperator-shared-secret-0123456789"},
    )
    await stand_ins.myoperator.wait_for(1)
    await gateway.app[INBOX].idle()
    outbox = gateway.app[OUTBOX]
    known = await outbox.enqueue(OutboundMessage(recipient="+919812345678", text="Your bill is ready"))
    stranger = await outbox.enqueue(OutboundMessage(recipient="+14155550123", text="Welcome"))
    assert known.message["provider"] == "myoperator"
    assert stranger.message["provider"] == "twilio", "the first configured provider is the default"
    [_, bill] = await stand_ins.myoperator.wait_for(2)
    assert bill.json()["data"]["context"]["body"] == "Your bill is ready"
    store = gateway.app[STORE]
    dead = await eventually(lambda: dead_job(store, stranger.id))
    assert dead.last_error == "outside the 24-hour window and no approved template", "the stranger never wrote in"
    assert not stand_ins.twilio.requests


async def dead_job(store, job_id: str):
    job = await store.queue.get(job_id)
    return job if job.state is JobState.DEAD else None


class RequestIds:
    """Notes the request id each message is handled under, and each webhook's."""

    def __init__(self) -> None:
        self.handled: dict[str, str | None] = {}
        self.webhooks: list[str | None] = []

    @hookimpl
    def handle_message(self, message: InboundMessage):
        self.handled[message.provider_message_id] = request_id.get()

    def note_webhook(self, record: logging.LogRecord) -> bool:
        self.webhooks.append(request_id.get())
        return True


async def test_a_message_that_arrives_while_the_inbox_looks_in_the_store_keeps_its_webhooks_request_id(
    aiohttp_client, provider_settings, clock, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger="gateway.inbound.webhooks")
    reading, release = asyncio.Event(), asyncio.Event()
    read = SqliteMessageLog.waiting_contacts

    async def slow_first_read(log, limit: int):
        if not reading.is_set():
            reading.set()
            await release.wait()
        return await read(log, limit)

    monkeypatch.setattr(SqliteMessageLog, "waiting_contacts", slow_first_read)
    ids = RequestIds()
    app = create_app(provider_settings, clock=clock, plugins=[ids], entry_points=False, run_worker=False)
    gateway = await aiohttp_client(app)
    await reading.wait()
    webhooks_log = logging.getLogger("gateway.inbound.webhooks")
    webhooks_log.addFilter(ids.note_webhook)
    try:
        await post_meta(gateway, meta_text("wamid.DURING"))
    finally:
        webhooks_log.removeFilter(ids.note_webhook)
    release.set()
    await gateway.app[INBOX].idle()
    assert ids.handled == {"wamid.DURING": ids.webhooks[0]}, "its log lines can be followed from the webhook on"
