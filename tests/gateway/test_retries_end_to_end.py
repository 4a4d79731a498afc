"""Retries against a stand-in provider over HTTP: fail, back off, succeed; or dead-letter."""

import sqlite3
from datetime import timedelta

from gateway.app import create_app
from gateway.appkeys import METRICS, OUTBOX, SETTINGS, STORE, SUPERVISOR, TEMPLATES, WORKER
from gateway.models import OutboundMessage, Priority, Provider
from gateway.ports.records import JobState, LogStatus
from gateway.outbound.worker import BASE_BACKOFF_SECONDS, LEASE
from tests.gateway_fixtures import eventually

CONTACT = "+919812345678"
UNAVAILABLE = {"error": {"message": "Service temporarily unavailable", "code": 131016}}


async def start(aiohttp_client, provider_settings, clock):
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, entry_points=False))
    await gateway.app[STORE].settings.update_contact(CONTACT, {"last_inbound_at": clock.now().isoformat()})
    return gateway


async def attempts_reach(store, job_id: str, count: int):
    job = await store.queue.get(job_id)
    return job if job.attempts >= count and job.state is not JobState.SENDING else None


async def test_a_provider_that_fails_twice_then_accepts(aiohttp_client, provider_settings, clock, stand_ins):
    stand_ins.meta.then(503, UNAVAILABLE).then(503, UNAVAILABLE)
    gateway = await start(aiohttp_client, provider_settings, clock)
    store = gateway.app[STORE]
    job = await gateway.app[OUTBOX].enqueue(
        OutboundMessage(recipient=CONTACT, text="Your order shipped", provider="meta")
    )
    for attempt in (1, 2):
        waiting = await eventually(lambda attempt=attempt: attempts_reach(store, job.id, attempt))
        assert waiting.state is JobState.QUEUED and waiting.last_error.startswith("131016: meta answered 503")
        ceiling = timedelta(seconds=BASE_BACKOFF_SECONDS * 2**attempt)
        assert clock.now() <= waiting.due_at <= clock.now() + ceiling, "full jitter under the attempt's ceiling"
        clock.advance(seconds=(waiting.due_at - clock.now()).total_seconds())
        gateway.app[WORKER].wake()
    sent = await eventually(lambda: attempts_reach(store, job.id, 3))
    assert sent.state is JobState.SENT and sent.provider_message_id == "wamid.OUT1"
    assert len(stand_ins.meta.requests) == 3
    assert (await store.log.get(job.id)).status is LogStatus.SENT


async def test_a_provider_that_keeps_failing_dead_letters_the_job_after_five_attempts(
    aiohttp_client, provider_settings, clock, stand_ins
):
    for _ in range(5):
        stand_ins.meta.then(503, UNAVAILABLE)
    gateway = await start(aiohttp_client, provider_settings, clock)
    store = gateway.app[STORE]
    job = await gateway.app[OUTBOX].enqueue(OutboundMessage(recipient=CONTACT, text="Payment due", provider="meta"))
    for attempt in range(1, 6):
        waiting = await eventually(lambda attempt=attempt: attempts_reach(store, job.id, attempt))
        clock.advance(seconds=301)
        gateway.app[WORKER].wake()
    assert waiting.state is JobState.DEAD and waiting.last_error.startswith("131016: meta answered 503")
    assert (await store.log.get(job.id)).status is LogStatus.DEAD
    assert len(stand_ins.meta.requests) == 5


async def test_sixteen_poisoned_jobs_stop_no_send_loop_and_the_next_reply_goes_out(
    aiohttp_client, provider_settings, clock, stand_ins, caplog
):
    """Issue 11, finding 1: as many bad jobs as there are send loops, each failing a different
    way, then a reply. Before, each bad job ended its loop and nothing was sent any more."""
    gateway = await aiohttp_client(create_app(provider_settings, clock=clock, entry_points=False))
    app, store = gateway.app, gateway.app[STORE]
    assert app[SETTINGS].worker_concurrency == 16
    await app[TEMPLATES].save("visit", "en", "Our engineer comes on {{ when|date }}")
    await app[TEMPLATES].save("due", "en", "You owe {{ amount|money }}")
    await app[TEMPLATES].save("broken", "en", "{{ 1/0 }}")
    await app[TEMPLATES].save("greeting", "en", "Hello {{ name }}")
    contacts = [f"+9198123450{n:02}" for n in range(18)]
    for contact in contacts:
        await store.settings.update_contact(contact, {"last_inbound_at": clock.now().isoformat()})
    locked_once, ack_fails_once = contacts[14], contacts[15]
    store.settings.contact = fails_once(store.settings.contact, lambda contact: contact == locked_once)
    store.records.put = always_fails(ZeroDivisionError("division by zero"))  # text menus remember options here

    def notification(contact: str, template: str | None = None, **fields) -> OutboundMessage:
        if template is not None:
            fields["template"] = {"name": template, "parameters": fields.pop("parameters", {})}
        return OutboundMessage(recipient=contact, provider=fields.pop("provider", "meta"), **fields)

    poisoned = [
        *(notification(c, "visit", parameters={"when": "next Tuesday"}) for c in contacts[0:3]),
        *(notification(c, "broken") for c in contacts[3:6]),
        *(notification(c, "due", parameters={"amount": "lots"}) for c in contacts[6:8]),
        *(notification(c, "greeting") for c in contacts[8:10]),
        *(notification(c, text="Pick one", buttons=BUTTONS, provider="twilio") for c in contacts[10:12]),
    ]
    dead = [(await app[OUTBOX].enqueue(message)).id for message in poisoned]
    for contact in contacts[12:14]:  # written by an older version, or by hand: no longer a valid message
        unreadable = OutboundMessage.model_construct(recipient=contact[:6], text="x", provider=Provider.META)
        dead.append((await store.queue.enqueue(unreadable)).id)
    postponed = (await app[OUTBOX].enqueue(notification(locked_once, text="Your order shipped"))).id
    later = clock.now() + timedelta(seconds=1)  # due once its ack is set to fail
    unfinished = (await app[OUTBOX].enqueue(notification(ack_fails_once, text="Paid", send_at=later))).id
    store.queue.ack = fails_once(store.queue.ack, lambda job_id, *_: job_id == unfinished)
    reply = await app[OUTBOX].enqueue(
        OutboundMessage(recipient=contacts[16], text="echo: hi", provider="meta", priority=Priority.REPLY)
    )

    assert (await eventually(lambda: in_state(store, reply.id, JobState.SENT))).provider_message_id
    for job_id in dead:
        failed = await eventually(lambda job_id=job_id: in_state(store, job_id, JobState.DEAD))
        assert failed.last_error and failed.attempts == 1, failed
        entry = await store.log.get(job_id)  # none for the unreadable ones, never logged as queued
        assert entry is None or (entry.status, entry.error) == (LogStatus.DEAD, failed.last_error)
        logged = [record.getMessage() for record in caplog.records]
        assert any(job_id in line and failed.last_error in line for line in logged), "the reason is logged"
    restarts = app[METRICS].registry.get_sample_value("gateway_loop_restarts_total", {"loop": "send"})
    assert restarts == 0 and app[SUPERVISOR].down == []

    clock.advance(seconds=1)
    app[WORKER].wake()
    assert (await eventually(lambda: in_state(store, unfinished, JobState.SENDING, sent=True))).attempts == 1
    clock.advance(seconds=LEASE.total_seconds())  # past the postponement and the unfinished job's lease
    app[WORKER].wake()
    retried = await eventually(lambda: in_state(store, postponed, JobState.SENT))
    assert retried.attempts == 1, "the store error before the send spent no attempt"
    await eventually(lambda: in_state(store, unfinished, JobState.SENT))
    sent_to = [request.json()["to"] for request in stand_ins.meta.requests]
    assert sent_to.count(locked_once.lstrip("+")) == 1 and sent_to.count(ack_fails_once.lstrip("+")) == 1, (
        "each sent once: the job whose ack failed was acked by the worker that took it over, not sent again"
    )
    assert app[METRICS].registry.get_sample_value("gateway_loop_restarts_total", {"loop": "send"}) == 0


BUTTONS = [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}]


async def in_state(store, job_id: str, state: JobState, *, sent: bool = False):
    """The job once it is in `state` (and, with `sent`, once the provider's id is recorded on it)."""
    job = await store.queue.get(job_id)
    return job if job.state is state and (job.provider_message_id or not sent) else None


def fails_once(operation, when):
    """The store operation, raising "database is locked" the first time `when(arguments)` holds."""
    failed = False

    async def flaky(*arguments, **keywords):
        nonlocal failed
        if not failed and when(*arguments):
            failed = True
            raise sqlite3.OperationalError("database is locked")
        return await operation(*arguments, **keywords)

    return flaky


def always_fails(error: Exception):
    async def broken(*arguments, **keywords):
        raise error

    return broken
