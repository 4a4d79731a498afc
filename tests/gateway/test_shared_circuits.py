"""A provider's circuit is shared by the deployment through the store: one process's evidence
of an outage holds the provider back in the others after their next heartbeat, and after the
cool-down one trial across the deployment decides, on the injected clock."""

from datetime import timedelta

import pytest

from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Provider
from gateway.outbound.routing import TRIAL_WAIT, CircuitOpen, Routing
from gateway.outbound.shared_circuits import TRIAL_LEASE
from gateway.ports.channel import SendError
from tests.adapters.storage.conftest import store  # noqa: F401  (SQLite and the mongo adapter, as the contract suite)
from tests.gateway.flaky_leases import FlakyLeases

COOLDOWN = timedelta(seconds=60)
MESSAGE = OutboundMessage(recipient="+919812345678", text="hi", provider="meta")


def process(leases, clock, owner: str, metrics: GatewayMetrics | None = None) -> Routing:
    """One gateway process's routing: Meta only, open after two failures in a row."""
    return Routing(
        [Provider.META],
        clock,
        metrics or GatewayMetrics("sqlite"),
        failover=[],
        rates={Provider.META: 1000},
        failures_to_open=2,
        cooldown=COOLDOWN,
        leases=leases,
        owner=owner,
    )


async def fail(routing: Routing) -> None:
    with pytest.raises(SendError):
        async with routing.sending(Provider.META):
            raise SendError("meta answered 503", retryable=True, code="503")


async def opened_by_a(store, clock) -> tuple[Routing, Routing]:
    """Processes a and b; a's circuit opens and b has had its heartbeat since."""
    a, b = process(store.leases, clock, "a"), process(store.leases, clock, "b")
    await fail(a)
    await fail(a)
    await b.beat()
    return a, b


async def test_a_circuit_one_process_opens_is_open_in_another_after_its_heartbeat(store, clock):
    metrics = GatewayMetrics("sqlite")
    a, b = process(store.leases, clock, "a"), process(store.leases, clock, "b", metrics)
    await fail(a)
    await fail(a)
    assert b.held_until(Provider.META) is None, "b has not heard yet: no store read per send"
    await b.beat()
    assert b.held_until(Provider.META) == a.held_until(Provider.META) == clock.now() + COOLDOWN
    with pytest.raises(CircuitOpen):
        b.route(MESSAGE)
    assert metrics.registry.get_sample_value("gateway_circuit_state", {"provider": "meta"}) == 2


async def test_after_the_cool_down_one_trial_decides_and_a_failed_one_holds_everyone_back_again(store, clock):
    a, b = await opened_by_a(store, clock)
    clock.advance(seconds=60)
    with pytest.raises(SendError):
        async with a.sending(Provider.META) as trial:
            assert trial
            with pytest.raises(CircuitOpen) as bounced:
                async with b.sending(Provider.META):
                    pass
            assert bounced.value.until == clock.now() + TRIAL_WAIT, "b waits for a's trial, not a cool-down"
            raise SendError("meta answered 503", retryable=True, code="503")
    await b.beat()
    assert b.held_until(Provider.META) == clock.now() + COOLDOWN


async def test_a_successful_trial_closes_the_circuit_in_the_others_at_their_next_heartbeat(store, clock):
    a, b = await opened_by_a(store, clock)
    clock.advance(seconds=60)
    async with a.sending(Provider.META) as trial:
        assert trial
        await b.beat()
        with pytest.raises(CircuitOpen):
            b.route(MESSAGE)
    await b.beat()
    assert b.held_until(Provider.META) is None
    async with b.sending(Provider.META) as trial:
        assert not trial, "b sends as usual, with no trial of its own"


async def test_a_process_turned_away_from_a_trial_that_ended_between_its_heartbeats_is_not_stuck(store, clock):
    a, b = await opened_by_a(store, clock)
    clock.advance(seconds=60)
    async with a.sending(Provider.META):
        with pytest.raises(CircuitOpen):
            async with b.sending(Provider.META):
                pass
    await b.beat()
    async with b.sending(Provider.META) as trial:
        assert trial, "b missed a's verdict, so it sends one trial of its own"
    async with b.sending(Provider.META) as trial:
        assert not trial


async def test_a_trial_whose_process_died_passes_to_another_after_its_lease(store, clock):
    a, b = await opened_by_a(store, clock)
    clock.advance(seconds=60)
    await a.sending(Provider.META).__aenter__()  # a takes the trial and is killed before it ends
    await b.beat()
    with pytest.raises(CircuitOpen):
        b.route(MESSAGE)
    clock.advance(seconds=TRIAL_LEASE.total_seconds())
    await b.beat()
    async with b.sending(Provider.META) as trial:
        assert trial


async def test_a_process_cut_off_from_the_store_still_opens_and_tries_alone(store, clock):
    leases = FlakyLeases(store.leases)
    a = process(leases, clock, "a")
    leases.down = True
    await fail(a)
    await fail(a)
    assert a.held_until(Provider.META) == clock.now() + COOLDOWN
    clock.advance(seconds=60)
    async with a.sending(Provider.META) as trial:
        assert trial
    assert a.held_until(Provider.META) is None
