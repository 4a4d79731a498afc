"""Failover: a provider whose circuit opens hands its jobs to the next one, and gets them back."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from adapters.storage.sqlite import SqliteStore
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Provider
from gateway.notifications.delivery import DeliveryRules
from gateway.notifications.template_service import TemplateService
from gateway.ports.channel import Capabilities, ChannelSet, SendError
from gateway.ports.records import JobState, LogStatus
from gateway.routing import Routing
from gateway.settings import Settings
from gateway.worker import LEASE, QueueWorker

CONTACT = "+919812345678"


class Channel:
    capabilities = Capabilities(buttons=True, lists=True)

    def __init__(self, name: str) -> None:
        self.name = name
        self.down = False
        self.sent: list[OutboundMessage] = []

    async def send(self, message, http) -> str:
        if self.down:
            raise SendError(f"{self.name} answered 503", retryable=True, code="503")
        self.sent.append(message)
        return f"{self.name}-{len(self.sent)}"


@pytest.fixture
async def setup(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "g.db", clock)
    await store.settings.update_contact(CONTACT, {"last_inbound_at": clock.now().isoformat()})
    twilio, meta = Channel("twilio"), Channel("meta")
    metrics = GatewayMetrics("sqlite")
    routing = Routing(
        [Provider.TWILIO, Provider.META],
        clock,
        metrics,
        failover=[Provider.TWILIO, Provider.META],
        rates={Provider.TWILIO: 1000, Provider.META: 1000},
        failures_to_open=2,
        cooldown=timedelta(seconds=60),
    )
    channels = ChannelSet({Provider.TWILIO: twilio, Provider.META: meta}, {})
    worker = QueueWorker(
        store, channels, None, clock, DeliveryRules(store, TemplateService(store), clock), routing, metrics
    )
    yield store, worker, twilio, meta, metrics
    await store.close()


async def send_one(store, worker, text: str):
    """Queue a notification for Twilio and deliver what is due (this one, and any retries due)."""
    message = OutboundMessage(recipient=CONTACT, text=text, provider="twilio")
    job = await store.queue.enqueue(message)
    await store.log.record_outbound(job.id, message, Provider.TWILIO)
    while (claimed := await store.queue.claim("w", LEASE)) is not None:
        await worker.deliver(claimed, "w")
    return await store.queue.get(job.id)


async def test_an_open_circuit_moves_jobs_to_the_next_provider_and_they_come_back(setup, clock):
    store, worker, twilio, meta, metrics = setup
    twilio.down = True
    for text in ("one", "two"):
        assert (await send_one(store, worker, text)).state is JobState.QUEUED, "retryable failures are retried"
    moved = await send_one(store, worker, "three")
    assert moved.state is JobState.SENT and [m.text for m in meta.sent] == ["three"]
    assert (await store.log.get(moved.id)).provider is Provider.META
    failovers = {"from_provider": "twilio", "to_provider": "meta"}
    assert metrics.registry.get_sample_value("gateway_failovers_total", failovers) == 1

    twilio.down = False
    clock.advance(seconds=60)
    back = await send_one(store, worker, "four")
    assert back.state is JobState.SENT and back.provider_message_id.startswith("twilio-")
    assert sorted(m.text for m in twilio.sent) == ["four", "one", "two"], (
        "the trial succeeded and the retries came back"
    )
    assert [m.text for m in meta.sent] == ["three"]


async def test_with_every_provider_open_the_job_waits_for_the_cool_down(setup, clock):
    store, worker, twilio, meta, _ = setup
    twilio.down = meta.down = True
    for text in ("a", "b", "c", "d"):
        await send_one(store, worker, text)  # twilio opens after two; then meta fails and opens too
    waiting = await send_one(store, worker, "e")
    assert waiting.state is JobState.QUEUED and waiting.last_error == "twilio circuit is open"
    assert waiting.due_at > clock.now()
    assert (await store.log.get(waiting.id)).status is LogStatus.QUEUED


async def test_the_send_rate_is_limited_per_provider(clock):
    routing = Routing(
        [Provider.META],
        clock,
        GatewayMetrics("sqlite"),
        failover=[],
        rates={Provider.META: 2},
        failures_to_open=5,
        cooldown=timedelta(seconds=1),
    )
    limiter = routing.pace(Provider.META)
    for _ in range(2):
        async with limiter:
            pass
    assert not limiter.has_capacity(), "a third send this second would wait"


def test_failover_order_is_read_from_a_comma_separated_variable(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEWAY_FAILOVER", "meta, twilio")
    assert Settings().failover == [Provider.META, Provider.TWILIO]
    monkeypatch.setenv("GATEWAY_FAILOVER", "meta,carrier-pigeon")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert refused.value.errors()[0]["loc"][0] == "GATEWAY_FAILOVER"
