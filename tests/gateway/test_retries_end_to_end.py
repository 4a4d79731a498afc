"""Retries against a stand-in provider over HTTP: fail, back off, succeed; or dead-letter."""

from datetime import timedelta

from gateway.app import create_app
from gateway.appkeys import OUTBOX, STORE, WORKER
from gateway.models import OutboundMessage
from gateway.ports.records import JobState, LogStatus
from gateway.worker import BASE_BACKOFF_SECONDS
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
