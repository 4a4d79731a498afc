"""Issue 11, finding 11: the inbox and the webhooks on a store that refuses a write. A hiccup
is retried and the message answered, in its contact's order; a bug fails that message alone;
a webhook cut short by the store answers 503 and its redelivery loses nothing."""

import asyncio
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
from pymongo.errors import AutoReconnect

from adapters.storage.sqlite.log import SqliteMessageLog
from gateway.inbound import inbox as inbox_module
from gateway.app import create_app
from gateway.appkeys import INBOX, METRICS, STORE, SUPERVISOR
from gateway.models import InboundMessage
from gateway.ports.records import Direction, JobState, LogQuery
from gateway.supervision import Supervisor
from gateway.testing import meta_headers
from tests.gateway_fixtures import META_SECRET, EchoPlugin, meta_text

LOCKED = sqlite3.OperationalError("database is locked")


class Refusal:
    """Makes one store operation fail once, for the first call `matches` accepts; with
    `after_writing` the write happens and only its answer is lost (a dropped connection)."""

    def __init__(
        self,
        repository: Any,
        operation: str,
        error: Exception,
        *,
        after_writing: bool = False,
        matches: Callable[..., bool] = lambda *arguments: True,
    ) -> None:
        self.refused: list[tuple] = []
        self._original = getattr(repository, operation)
        self._error, self._after_writing, self._matches = error, after_writing, matches

    async def __call__(self, *arguments: Any, **keywords: Any) -> Any:
        if not self.refused and self._matches(*arguments):
            self.refused.append(arguments)
            if self._after_writing:
                await self._original(*arguments, **keywords)
            raise self._error
        return await self._original(*arguments, **keywords)


def refuse_once(monkeypatch, repository: Any, operation: str, error: Exception, **options: Any) -> Refusal:
    refusal = Refusal(repository, operation, error, **options)
    monkeypatch.setattr(repository, operation, refusal)
    return refusal


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch):
    """Retries follow at once: these tests are about what is retried, not when."""
    monkeypatch.setattr(inbox_module, "RETRY_FIRST_SECONDS", 0.0)


@pytest.fixture
async def gateway(aiohttp_client, provider_settings, clock, echo):
    """No queue worker: the replies a contact gets are the jobs the inbox queued. Returned once
    the start-up read of the backlog is over, so that it picks up nothing a test stores."""
    app = create_app(provider_settings, clock=clock, plugins=[echo], entry_points=False, run_worker=False)
    client = await aiohttp_client(app)
    await app[INBOX].idle()
    return client


def meta_batch(*texts: str, sender: str = "919812345678") -> dict:
    """One Meta webhook carrying several messages from one contact, in order."""
    payload = meta_text("wamid.0", texts[0], sender=sender)
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        dict(value["messages"][0], id=f"wamid.{n}", text={"body": text}) for n, text in enumerate(texts)
    ]
    return payload


async def post(gateway, payload: dict):
    body = json.dumps(payload).encode()
    return await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))


async def replies(gateway) -> list[str]:
    """The texts queued for contacts, in the order they were queued."""
    await gateway.app[INBOX].idle()
    jobs = await gateway.app[STORE].queue.list(JobState.QUEUED, limit=1000)
    return [job.message["text"] for job in sorted(jobs, key=lambda job: job.created_at)]


def counted(gateway, name: str, **labels: str) -> float:
    return gateway.app[METRICS].registry.get_sample_value(name, labels) or 0.0


async def unprocessed(gateway) -> list[str]:
    return [entry.provider_message_id for entry in await gateway.app[STORE].log.unprocessed_inbound()]


async def test_a_store_hiccup_in_a_turn_is_retried_and_the_contact_answered_in_order(gateway, echo, monkeypatch):
    refuse_once(monkeypatch, gateway.app[STORE].sessions, "save", LOCKED)
    assert (await post(gateway, meta_batch("first", "second"))).status == 200
    assert await replies(gateway) == ["echo: first", "echo: second"]
    assert [message.text for message in echo.seen] == ["first", "first", "second"], "the turn ran again"
    assert counted(gateway, "gateway_inbox_retries_total") == 1
    assert counted(gateway, "gateway_inbox_processed_total", outcome="answered") == 2
    assert await unprocessed(gateway) == []


async def test_a_hiccup_queueing_a_reply_queues_it_without_running_the_turn_again(gateway, echo, monkeypatch):
    refuse_once(monkeypatch, gateway.app[STORE].queue, "enqueue", LOCKED)
    assert (await post(gateway, meta_text(text="ping"))).status == 200
    assert await replies(gateway) == ["echo: ping"]
    assert len(echo.seen) == 1, "the conversation moved on once"


async def test_a_bug_fails_that_message_alone_counted_and_the_next_is_answered(gateway, monkeypatch):
    refuse_once(monkeypatch, gateway.app[STORE].sessions, "save", ValueError("bad data"))
    assert (await post(gateway, meta_batch("first", "second"))).status == 200
    assert await replies(gateway) == ["echo: second"]
    assert counted(gateway, "gateway_inbox_processed_total", outcome="failed") == 1
    assert counted(gateway, "gateway_inbox_retries_total") == 0, "a bug is not tried again"
    assert await unprocessed(gateway) == [], "the failed message is marked, so it cannot loop for ever"
    page = await gateway.app[STORE].log.query(LogQuery(direction=Direction.INBOUND))
    reasons = {entry.provider_message_id: entry.error for entry in page.entries}
    assert reasons == {"wamid.0": "processing failed (ValueError); the gateway log has the details", "wamid.1": None}


@pytest.mark.parametrize("error", [LOCKED, RuntimeError("bug")], ids=["hiccup", "bug"])
async def test_a_refused_mark_processed_does_not_wedge_the_contact_nor_run_the_turn_twice(
    gateway, echo, monkeypatch, error
):
    refuse_once(monkeypatch, gateway.app[STORE].log, "mark_processed", error)
    assert (await post(gateway, meta_batch("first", "second", "third"))).status == 200
    assert await replies(gateway) == ["echo: first", "echo: second", "echo: third"]
    assert [message.text for message in echo.seen] == ["first", "second", "third"]
    assert gateway.app[INBOX].held == 0
    assert await unprocessed(gateway) == []


async def test_a_webhook_cut_short_by_the_store_is_a_503_and_its_redelivery_answers_every_message_once(
    gateway, monkeypatch
):
    refuse_once(
        monkeypatch,
        gateway.app[STORE].log,
        "record_inbound",
        LOCKED,
        matches=lambda message: message.provider_message_id == "wamid.1",
    )
    first = await post(gateway, meta_batch("first", "second"))
    assert first.status == 503, "retryable by the provider, not a 500"
    assert "deliver this webhook again later" in (await first.json())["error"]["message"]
    again = await post(gateway, meta_batch("first", "second"))
    assert again.status == 200
    assert await replies(gateway) == ["echo: first", "echo: second"]
    assert counted(gateway, "gateway_webhook_requests_total", provider="meta", outcome="store_unavailable") == 1


async def test_a_message_stored_by_a_write_reported_failed_is_processed_when_redelivered(gateway, monkeypatch):
    dropped = AutoReconnect("connection reset")
    refuse_once(monkeypatch, gateway.app[STORE].log, "record_inbound", dropped, after_writing=True)
    assert (await post(gateway, meta_text(text="ping"))).status == 503
    assert (await post(gateway, meta_text(text="ping"))).status == 200
    assert await replies(gateway) == ["echo: ping"]
    assert await unprocessed(gateway) == []


async def test_a_store_hiccup_reading_the_backlog_at_start_up_is_retried(
    aiohttp_client, provider_settings, clock, monkeypatch
):
    first = await aiohttp_client(create_app(provider_settings, clock=clock, entry_points=False, run_worker=False))
    await first.app[INBOX].idle()  # its start-up read is over: what is stored next stays unprocessed
    await first.app[STORE].log.record_inbound(
        InboundMessage(
            provider="meta",
            provider_message_id="wamid.LEFT",
            sender="+919812345678",
            timestamp=clock.now(),
            kind="text",
            text="left over",
        )
    )
    await first.close()
    refusal = Refusal(SqliteMessageLog, "waiting_contacts", LOCKED)
    monkeypatch.setattr(SqliteMessageLog, "waiting_contacts", lambda log, *arguments: refusal(log, *arguments))
    echo = EchoPlugin()
    restarted = await aiohttp_client(
        create_app(provider_settings, clock=clock, plugins=[echo], entry_points=False, run_worker=False)
    )
    assert await replies(restarted) == ["echo: left over"]
    assert refusal.refused, "the first read was refused"


async def test_a_stored_message_that_no_longer_reads_fails_alone_and_the_backlog_goes_on(
    aiohttp_client, provider_settings, clock
):
    first = await aiohttp_client(create_app(provider_settings, clock=clock, entry_points=False, run_worker=False))
    await first.app[INBOX].idle()  # its start-up read is over: what is stored next stays unprocessed
    for wamid, text in (("wamid.OLD", "from an older version"), ("wamid.NEXT", "next")):
        await first.app[STORE].log.record_inbound(
            InboundMessage(
                provider="meta",
                provider_message_id=wamid,
                sender="+919812345678",
                timestamp=clock.now(),
                kind="text",
                text=text,
            )
        )
    await first.close()
    with closing(sqlite3.connect(provider_settings.store_url.removeprefix("sqlite:///"))) as connection:
        unreadable = json.dumps({"kind": "hologram"})
        connection.execute("UPDATE log SET payload = ? WHERE provider_message_id = 'wamid.OLD'", (unreadable,))
        connection.commit()

    restarted = await aiohttp_client(
        create_app(provider_settings, clock=clock, plugins=[EchoPlugin()], entry_points=False, run_worker=False)
    )
    async with asyncio.timeout(5):  # a reader that stops at the bad message never gets idle
        assert await replies(restarted) == ["echo: next"]
    assert counted(restarted, "gateway_inbox_processed_total", outcome="failed") == 1
    assert await unprocessed(restarted) == []


async def test_a_claim_loop_killed_by_a_bug_is_restarted_and_counted(
    aiohttp_client, provider_settings, clock, monkeypatch
):
    first = await aiohttp_client(create_app(provider_settings, clock=clock, entry_points=False, run_worker=False))
    await first.app[INBOX].idle()
    await first.app[STORE].log.record_inbound(
        InboundMessage(
            provider="meta",
            provider_message_id="wamid.LEFT",
            sender="+919812345678",
            timestamp=clock.now(),
            kind="text",
            text="left over",
        )
    )
    await first.close()
    refusal = Refusal(SqliteMessageLog, "waiting_contacts", RuntimeError("bug"))
    monkeypatch.setattr(SqliteMessageLog, "waiting_contacts", lambda log, *arguments: refusal(log, *arguments))
    app = create_app(provider_settings, clock=clock, plugins=[EchoPlugin()], entry_points=False, run_worker=False)
    app[SUPERVISOR] = Supervisor(app[METRICS], first_pause=0)
    restarted = await aiohttp_client(app)
    async with asyncio.timeout(5):
        assert await replies(restarted) == ["echo: left over"]
    assert counted(restarted, "gateway_loop_restarts_total", loop="inbox") == 1
