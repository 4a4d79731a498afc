"""Two inboxes on one store, as two processes are, on SQLite and on the mongo adapter: one
contact's messages arriving at either are each processed once, in order, whichever inbox
holds the contact's lease; a holder that stalls past its lease is fenced out."""

import asyncio
from datetime import timedelta

import pytest

from adapters.storage.media.disk import DiskMediaStore
from gateway.conversation.engine import Engine
from gateway.handover.service import Handovers
from gateway.handover.hours import SupportHours
from gateway.handover.timeouts import Timeouts
from gateway.hookspecs import hookimpl
from gateway.inbound import inbox as inbox_module
from gateway.inbound.inbox import Inbox
from gateway.media.fetching import MediaFetcher
from gateway.metrics import GatewayMetrics
from gateway.models import Content, InboundMessage, Provider
from gateway.outbound.outbox import Outbox
from gateway.outbound.receipts import ReadReceipts
from gateway.plugins import get_plugin_manager
from gateway.ports.channel import ChannelSet
from gateway.ports.records import JobState
from gateway.supervision import Supervisor, stop

MESSAGES = 60
CONTACT = "+919812345678"


class Recorder:
    """Answers each text with its number, recording the order turns ran in."""

    def __init__(self) -> None:
        self.turns: list[str] = []
        self.hold: asyncio.Event | None = None

    @hookimpl
    async def handle_message(self, message: InboundMessage) -> list[Content]:
        self.turns.append(message.text)
        if self.hold is not None:
            await self.hold.wait()
        return [Content(text=f"re {message.text}")]


@pytest.fixture
async def media(tmp_path, clock):
    opened = await DiskMediaStore.open(tmp_path / "media", clock)
    yield opened
    await opened.close()


async def inbox_for(store, media, clock, owner: str, recorder: Recorder) -> tuple[Inbox, Supervisor]:
    metrics = GatewayMetrics(store.backend)
    host = get_plugin_manager(metrics, [recorder], entry_points=False)
    outbox = Outbox(store, [Provider.META], Provider.META, lambda: None)
    handovers = Handovers(store, outbox, clock, metrics, Timeouts(SupportHours.parse("always", "UTC"), timedelta(1), timedelta(1)))
    engine = await Engine.build(store, host, clock, timedelta(minutes=30), metrics, handovers)
    receipts = ReadReceipts(store.log, ChannelSet({}, {}), None, metrics, lambda provider: True)  # no channel to call
    fetcher = MediaFetcher(ChannelSet({}, {}), media, None, metrics)  # texts carry no file to fetch
    inbox = Inbox(store, engine, handovers, outbox, metrics, clock, owner, receipts=receipts, fetcher=fetcher)
    return inbox, Supervisor(metrics)


def message(clock, n: int) -> InboundMessage:
    clock.advance(seconds=0.001)
    return InboundMessage(
        provider="meta",
        provider_message_id=f"wamid.{n:03d}",
        sender=CONTACT,
        timestamp=clock.now(),
        kind="text",
        text=f"{n:03d}",
    )


async def test_one_contacts_messages_arriving_at_two_inboxes_are_processed_once_in_order(store, media, clock):
    recorder = Recorder()
    (first, first_loops), (second, second_loops) = [
        await inbox_for(store, media, clock, owner, recorder) for owner in ("host-a:1", "host-b:2")
    ]
    running = [first.start(first_loops), second.start(second_loops)]
    try:
        for n in range(MESSAGES):
            arrived = message(clock, n)
            await store.log.record_inbound(arrived)
            (first if n % 2 else second).submit(arrived)
            await asyncio.sleep(0)
        async with asyncio.timeout(20):
            while await store.log.unprocessed_inbound():
                await asyncio.sleep(0.01)
    finally:
        await stop(*running)
        await first.close()
        await second.close()
    expected = [f"{n:03d}" for n in range(MESSAGES)]
    assert recorder.turns == expected, "each message's turn ran once, in the order received"
    jobs = sorted(await store.queue.list(JobState.QUEUED, limit=1000), key=lambda job: job.created_at)
    assert [job.message["text"] for job in jobs] == [f"re {n}" for n in expected]
    remembered = (await store.settings.contact(CONTACT)).values
    assert remembered["last_inbound_at"] == arrived.timestamp.isoformat(), "the 24-hour window runs from the last"


async def test_a_holder_that_stalls_past_its_lease_is_fenced_out_and_the_message_answered_once(
    store, media, clock, monkeypatch
):
    monkeypatch.setattr(inbox_module, "RETRY_FIRST_SECONDS", 0.0)
    stalled_recorder, recorder = Recorder(), Recorder()
    stalled_recorder.hold = asyncio.Event()
    (stalled, stalled_loops), (taker, taker_loops) = [
        await inbox_for(store, media, clock, owner, plugin)
        for owner, plugin in (("host-a:1", stalled_recorder), ("host-b:2", recorder))
    ]
    arrived = message(clock, 1)
    await store.log.record_inbound(arrived)
    running = [stalled.start(stalled_loops)]
    try:
        async with asyncio.timeout(5):
            while not stalled_recorder.turns:
                await asyncio.sleep(0.01)
        clock.advance(seconds=inbox_module.LEASE.total_seconds() + 1)  # the stalled turn outlived its lease
        running.append(taker.start(taker_loops))
        async with asyncio.timeout(5):
            while await store.log.unprocessed_inbound():
                await asyncio.sleep(0.01)
        stalled_recorder.hold.set()
        async with asyncio.timeout(5):
            while stalled.held:
                await asyncio.sleep(0.01)
    finally:
        await stop(*running)
        await stalled.close()
        await taker.close()
    assert recorder.turns == ["001"]
    assert stalled._metrics.registry.get_sample_value("gateway_inbox_leases_lost_total") == 1
    jobs = await store.queue.list(JobState.QUEUED)
    assert [job.message["text"] for job in jobs] == ["re 001"], "the stalled holder's save was refused"
    session = await store.sessions.load(CONTACT)
    assert session.data["answered"]["message"] == arrived.id
