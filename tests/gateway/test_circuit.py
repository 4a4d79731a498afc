"""The circuit breaker opens after N retryable failures and half-opens after the cool-down,
all on the injected clock; its one trial always ends, however the send does."""

import asyncio
from datetime import timedelta

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.outbound.circuit import CircuitBreaker, CircuitState
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Provider
from gateway.ports.channel import SendError
from gateway.outbound.routing import TRIAL_WAIT, CircuitOpen, Routing


def test_opens_after_consecutive_failures_then_one_trial_closes_it(clock):
    circuit = CircuitBreaker(clock, failures_to_open=3, cooldown=timedelta(seconds=60))
    for _ in range(2):
        circuit.failed()
    assert circuit.state is CircuitState.CLOSED and circuit.allows()
    circuit.failed()
    assert circuit.state is CircuitState.OPEN and not circuit.allows()
    clock.advance(seconds=59)
    assert not circuit.allows()
    clock.advance(seconds=1)
    assert circuit.state is CircuitState.HALF_OPEN
    assert circuit.allows() and not circuit.allows(), "one trial at a time"
    circuit.succeeded()
    assert circuit.state is CircuitState.CLOSED and circuit.allows()


def test_a_failed_trial_opens_it_again_for_a_full_cool_down(clock):
    circuit = CircuitBreaker(clock, failures_to_open=1, cooldown=timedelta(seconds=30))
    circuit.failed()
    clock.advance(seconds=30)
    assert circuit.allows()
    circuit.failed()
    assert circuit.state is CircuitState.OPEN and circuit.reopens_at == clock.now() + timedelta(seconds=30)


def test_a_success_resets_the_count(clock):
    circuit = CircuitBreaker(clock, failures_to_open=2, cooldown=timedelta(seconds=30))
    circuit.failed()
    circuit.succeeded()
    circuit.failed()
    assert circuit.state is CircuitState.CLOSED


@pytest.fixture
async def store(tmp_path, clock):
    opened = await SqliteStore.open(tmp_path / "g.db", clock)
    yield opened
    await opened.close()


def meta_routing(store, clock) -> Routing:
    return Routing(
        [Provider.META],
        clock,
        GatewayMetrics("sqlite"),
        failover=[],
        rates={Provider.META: 1000},
        failures_to_open=1,
        cooldown=timedelta(seconds=10),
        leases=store.leases,
        owner="test",
    )


async def half_open(store, clock) -> Routing:
    routing = meta_routing(store, clock)
    with pytest.raises(SendError):
        async with routing.sending(Provider.META):
            raise SendError("meta answered 500", retryable=True)
    clock.advance(seconds=10)
    return routing


async def test_a_failed_trial_opens_the_circuit_again_and_a_successful_one_closes_it(store, clock):
    routing = await half_open(store, clock)
    with pytest.raises(SendError):
        async with routing.sending(Provider.META) as trial:
            assert trial
            raise SendError("meta did not answer in time", retryable=True, code="timeout")
    assert routing.held_until(Provider.META) == clock.now() + timedelta(seconds=10)
    clock.advance(seconds=10)
    async with routing.sending(Provider.META) as trial:
        assert trial
    assert routing.held_until(Provider.META) is None


async def test_while_the_trial_is_under_way_others_are_held_a_few_seconds_not_sent_round_at_once(store, clock):
    routing = await half_open(store, clock)
    async with routing.sending(Provider.META):
        with pytest.raises(CircuitOpen) as bounced:
            routing.route(OutboundMessage(recipient="+919812345678", text="hi", provider="meta"))
        assert bounced.value.until == clock.now() + TRIAL_WAIT


@pytest.mark.parametrize(
    "ending",
    [SendError("invalid recipient", retryable=False, code="131026"), KeyError("messages"), asyncio.CancelledError()],
    ids=["refused", "bug", "cancelled"],
)
async def test_a_trial_that_ends_without_a_verdict_is_released_for_the_next_send(store, clock, ending):
    routing = await half_open(store, clock)
    with pytest.raises(type(ending)):
        async with routing.sending(Provider.META):
            raise ending
    async with routing.sending(Provider.META) as trial:
        assert trial, "the next send may be the trial; the circuit is not stuck half-open"
