"""The queue worker: ack on success, retry with backoff (or as the provider asks), dead letters,
and a loop that survives anything one job throws."""

import asyncio
import sqlite3
from datetime import timedelta
from random import Random

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Priority, Provider
from gateway.notifications.delivery import DeliveryRules
from gateway.notifications.template_service import TemplateService
from gateway.ports.channel import Capabilities, ChannelSet, SendError
from gateway.ports.records import JobState, LogStatus
from gateway.outbound.routing import Routing
from gateway.supervision import Supervisor, stop
from gateway.outbound.worker import LEASE, QueueWorker, backoff_seconds


class ScriptedChannel:
    """A channel whose sends succeed or fail as scripted; it records what it was given."""

    provider = Provider.TWILIO
    capabilities = Capabilities(buttons=False, lists=False)

    def __init__(self, *outcomes: Exception | str) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[OutboundMessage] = []

    async def send(self, message, http) -> str:
        self.sent.append(message)
        outcome = self.outcomes.pop(0) if self.outcomes else "SM-ok"
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
async def store(tmp_path, clock):
    opened = await SqliteStore.open(tmp_path / "g.db", clock)
    yield opened
    await opened.close()


async def queued(store, clock, **fields):
    """A claimed notification to a contact who wrote in a moment ago, inside the 24-hour window."""
    await store.settings.update_contact("+919812345678", {"last_inbound_at": clock.now().isoformat()})
    message = OutboundMessage(recipient="+919812345678", text="hello", provider="twilio", **fields)
    job = await store.queue.enqueue(message, max_attempts=3)
    await store.log.record_outbound(job.id, message, Provider.TWILIO)
    return await store.queue.claim("w", LEASE)


def worker(
    store, clock, channel, routing: Routing | None = None, metrics: GatewayMetrics | None = None, concurrency: int = 4
) -> QueueWorker:
    rules = DeliveryRules(store, TemplateService(store), clock)
    routing = routing or routing_for(store, [Provider.TWILIO], clock)
    metrics = metrics or GatewayMetrics("sqlite")
    return QueueWorker(
        store,
        ChannelSet({Provider.TWILIO: channel}, {}),
        None,
        clock,
        rules,
        routing,
        metrics,
        concurrency=concurrency,
        chance=Random(7),
    )


def routing_for(store, providers, clock, failover=(), failures_to_open=5) -> Routing:
    return Routing(
        list(providers),
        clock,
        GatewayMetrics("sqlite"),
        failover=list(failover),
        rates={provider: 1000 for provider in providers},
        failures_to_open=failures_to_open,
        cooldown=timedelta(seconds=60),
        leases=store.leases,
        owner="test",
    )


async def test_a_sent_job_is_acked_and_logged_with_the_provider_id(store, clock):
    job = await queued(store, clock)
    await worker(store, clock, ScriptedChannel("SM123")).deliver(job, "w")
    assert (await store.queue.get(job.id)).state is JobState.SENT
    entry = await store.log.get(job.id)
    assert (entry.status, entry.provider_message_id) == (LogStatus.SENT, "SM123")


async def test_a_retryable_failure_waits_then_dies_when_attempts_are_spent(store, clock):
    channel = ScriptedChannel(*[SendError("twilio answered 500", retryable=True, code="500")] * 3)
    job = await queued(store, clock)
    await worker(store, clock, channel).deliver(job, "w")
    retried = await store.queue.get(job.id)
    assert retried.state is JobState.QUEUED and clock.now() <= retried.due_at <= clock.now() + timedelta(seconds=4)
    assert retried.last_error == "500: twilio answered 500"

    for attempt in (2, 3):
        clock.advance(seconds=300)
        job = await store.queue.claim("w", LEASE)
        assert job.attempts == attempt
        await worker(store, clock, channel).deliver(job, "w")
    assert (await store.queue.get(job.id)).state is JobState.DEAD
    assert (await store.log.get(job.id)).status is LogStatus.DEAD


async def test_the_providers_retry_after_is_honoured(store, clock):
    job = await queued(store, clock)
    await worker(store, clock, ScriptedChannel(SendError("slow down", retryable=True, retry_after=42))).deliver(
        job, "w"
    )
    assert (await store.queue.get(job.id)).due_at == clock.now() + timedelta(seconds=42)


async def test_a_permanent_failure_is_dead_at_once_with_its_reason(store, clock):
    job = await queued(store, clock)
    failure = SendError("twilio answered 400 (21211) Invalid 'To' Phone Number", retryable=False, code="21211")
    await worker(store, clock, ScriptedChannel(failure)).deliver(job, "w")
    dead = await store.queue.get(job.id)
    assert dead.state is JobState.DEAD and dead.attempts == 1
    entry = await store.log.get(job.id)
    assert (
        entry.status is LogStatus.DEAD and entry.error == "21211: twilio answered 400 (21211) Invalid 'To' Phone Number"
    )


async def test_a_bug_in_the_adapter_fails_the_job_once_with_the_reason_instead_of_resending_it(store, clock):
    job = await queued(store, clock)
    await worker(store, clock, ScriptedChannel(KeyError("messages"))).deliver(job, "w")
    dead = await store.queue.get(job.id)
    assert dead.state is JobState.DEAD and dead.last_error == "unexpected: KeyError: 'messages'"


async def test_a_network_error_the_adapter_did_not_wrap_is_retried(store, clock):
    job = await queued(store, clock)
    await worker(store, clock, ScriptedChannel(ConnectionResetError("peer reset"))).deliver(job, "w")
    retried = await store.queue.get(job.id)
    assert retried.state is JobState.QUEUED and retried.last_error.startswith("unexpected: ConnectionResetError")


async def test_a_job_for_an_unconfigured_provider_is_dead_with_the_reason(store, clock):
    message = OutboundMessage(recipient="+919812345678", text="hi", provider="meta")
    await store.queue.enqueue(message)
    job = await store.queue.claim("w", LEASE)
    await worker(store, clock, ScriptedChannel()).deliver(job, "w")
    assert (await store.queue.get(job.id)).last_error == "provider meta is not configured"


async def test_buttons_go_out_as_numbered_text_on_a_channel_without_them(store, clock):
    channel = ScriptedChannel()
    job = await queued(store, clock, buttons=[{"id": "low", "title": "Low"}, {"id": "high", "title": "High"}])
    await worker(store, clock, channel).deliver(job, "w")
    assert channel.sent[0].buttons is None and channel.sent[0].text == "hello\n\n1. Low\n2. High"


async def test_a_send_after_the_lease_was_lost_does_not_overwrite_the_new_owner(store, clock):
    job = await queued(store, clock)
    clock.advance(seconds=LEASE.total_seconds())
    rescuer = await store.queue.claim("rescuer", LEASE)
    await worker(store, clock, ScriptedChannel("SM-late")).deliver(job, "w")
    assert (await store.queue.get(rescuer.id)).lease_owner == "rescuer"
    assert (await store.log.get(job.id)).status is LogStatus.QUEUED


def test_backoff_is_full_jitter_under_a_ceiling_that_doubles_to_five_minutes():
    chance = Random(42)
    for attempts, ceiling in ((1, 4), (2, 8), (5, 64), (7, 256), (8, 300), (20, 300)):
        waits = [backoff_seconds(attempts, None, chance) for _ in range(500)]
        assert 0 <= min(waits) < ceiling * 0.1 and ceiling * 0.9 < max(waits) <= ceiling
    assert backoff_seconds(3, 0.5, chance) == 0.5, "the provider's Retry-After wins"


async def test_a_job_sent_by_a_worker_that_died_before_acking_is_not_sent_again(store, clock):
    job = await queued(store, clock)
    await store.queue.record_sent(job.id, "w", "SM-first")  # sent, then the process died
    clock.advance(seconds=LEASE.total_seconds())
    rescued = await store.queue.claim("rescuer", LEASE)
    channel = ScriptedChannel()
    metrics = GatewayMetrics("sqlite")
    await worker(store, clock, channel, metrics=metrics).deliver(rescued, "rescuer")
    assert metrics.registry.get_sample_value("gateway_lease_recoveries_total") == 1
    assert channel.sent == []
    done = await store.queue.get(job.id)
    assert done.state is JobState.SENT and done.provider_message_id == "SM-first"
    assert (await store.log.get(job.id)).status is LogStatus.SENT


async def test_a_store_error_while_claiming_is_waited_out_and_a_bug_there_restarts_the_loop_visibly(store, clock):
    metrics = GatewayMetrics("sqlite")
    queue_worker = worker(store, clock, ScriptedChannel("SM-after"), metrics=metrics)
    job = await queued(store, clock)
    await store.queue.postpone(job.id, "w", "claimed again by the loop", clock.now())
    claim, outcomes = store.queue.claim, [sqlite3.OperationalError("database is locked"), TypeError("a bug")]

    async def claim_after_failures(owner, lease):
        if outcomes:
            raise outcomes.pop(0)
        return await claim(owner, lease)

    store.queue.claim = claim_after_failures
    loops = queue_worker.start(Supervisor(metrics, first_pause=0))
    try:
        while (await store.queue.get(job.id)).state is not JobState.SENT:
            queue_worker.wake()
            await asyncio.sleep(0)
    finally:
        await stop(*loops)
    restarted = metrics.registry.get_sample_value("gateway_loop_restarts_total", {"loop": "send"})
    assert restarted == 1, "the locked database was waited out; the bug ended the loop, which was counted"


async def test_the_send_loops_stop_when_cancelled_as_a_job_wakes_them(store, clock):
    """As at shutdown right after a turn queued its reply: the stop must not be lost."""
    queue_worker = worker(store, clock, ScriptedChannel())
    loops = queue_worker.start(Supervisor(GatewayMetrics("sqlite")))
    await asyncio.sleep(0.05)  # every loop has found the queue empty and waits to be woken
    queue_worker.wake()
    for loop in loops:
        loop.cancel()
    async with asyncio.timeout(5):
        await asyncio.gather(*loops, return_exceptions=True)
    assert all(loop.cancelled() for loop in loops)


class HoldsTheFirstReply(ScriptedChannel):
    """Keeps the first reply in flight until every other send loop has found nothing to claim,
    or until a later reply overtakes it."""

    def __init__(self, store, idle_loops: int, *outcomes: Exception | str) -> None:
        super().__init__(*outcomes)
        self.others_done = asyncio.Event()
        self._idle_loops = idle_loops
        self._empty_claims = 0
        claim = store.queue.claim

        async def counted_claim(owner, lease):
            job = await claim(owner, lease)
            self._empty_claims += job is None
            if self._empty_claims >= self._idle_loops:
                self.others_done.set()
            return job

        store.queue.claim = counted_claim

    async def send(self, message, http) -> str:
        if message.text == "first":
            await self.others_done.wait()
        elif not self.sent:
            self.others_done.set()  # a later reply overtook the first: let it go and show the order
        return await super().send(message, http)


async def send_a_turn_of_replies(store, clock, channel, concurrency: int) -> list[str]:
    """Enqueue three replies to one contact, run the worker's loops until none is left, and
    return the texts in the order the provider received them."""
    await store.settings.update_contact("+919812345678", {"last_inbound_at": clock.now().isoformat()})
    jobs = []
    for number, text in enumerate(["first", "second", "third"]):
        message = OutboundMessage(
            recipient="+919812345678",
            text=text,
            provider="twilio",
            priority=Priority.REPLY,
            idempotency_key=f"reply:in-1:{number}",
        )
        jobs.append(job := await store.queue.enqueue(message, max_attempts=1))
        await store.log.record_outbound(job.id, message, Provider.TWILIO)
    queue_worker = worker(store, clock, channel, concurrency=concurrency)
    loops = queue_worker.start(Supervisor(GatewayMetrics("sqlite"), first_pause=0))
    try:
        async with asyncio.timeout(10):  # a reply held back for ever fails the test instead of hanging it
            while (await store.queue.counts())[JobState.QUEUED] + (await store.queue.counts())[JobState.SENDING]:
                queue_worker.wake()
                await asyncio.sleep(0)
    finally:
        await stop(*loops)
    return [message.text for message in channel.sent]


async def test_a_contacts_replies_reach_the_provider_in_order_though_the_first_is_slow(store, clock):
    channel = HoldsTheFirstReply(store, idle_loops=15)
    assert await send_a_turn_of_replies(store, clock, channel, concurrency=16) == ["first", "second", "third"]


async def test_a_dead_first_reply_does_not_hold_back_the_rest(store, clock):
    channel = HoldsTheFirstReply(store, 15, SendError("recipient unknown", retryable=False, code="404"))
    assert await send_a_turn_of_replies(store, clock, channel, concurrency=16) == ["first", "second", "third"]
    assert [job.message["text"] for job in await store.queue.list(JobState.DEAD)] == ["first"]
    assert [job.message["text"] for job in await store.queue.list(JobState.SENT)] == ["second", "third"]


async def test_a_send_loop_woken_as_the_gateway_stops_still_stops(store, clock):
    """A job enqueued just as the gateway stops wakes a loop as it is cancelled; waiting with
    asyncio.wait_for, which on Python 3.11 then returns instead of raising, it never stopped."""
    sender = worker(store, clock, ScriptedChannel(), concurrency=1)
    claim, found_nothing = store.queue.claim, asyncio.Event()

    async def claim_and_tell(owner, lease):
        job = await claim(owner, lease)
        found_nothing.set()
        return job

    store.queue.claim = claim_and_tell
    [loop] = sender.start(Supervisor(GatewayMetrics("sqlite")))
    await found_nothing.wait()
    sender.wake()
    loop.cancel()
    try:
        await asyncio.wait({loop}, timeout=2)
        assert loop.cancelled()
    finally:
        await stop(loop)

