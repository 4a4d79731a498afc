"""Send rates hold for the whole deployment: the senders on one store divide each provider's
rate among themselves by their heartbeat leases (on the injected clock), and each paces its
share evenly."""

import os
from datetime import timedelta

import pytest

from gateway.appkeys import STORE
from gateway.metrics import GatewayMetrics
from gateway.models import Provider
from gateway.app import create_app
from gateway.outbound.rate import SENDERS, Pacer, SendRates
from gateway.outbound.routing import Routing
from gateway.settings import Role
from tests.adapters.storage.conftest import store  # noqa: F401  (SQLite and the mongo adapter, as the contract suite)
from tests.gateway.flaky_leases import FlakyLeases

RATES = {Provider.META: 20, Provider.TWILIO: 80}


def sender(store, owner: str, metrics: GatewayMetrics | None = None) -> SendRates:
    return SendRates(store.leases, owner, RATES, metrics or GatewayMetrics("sqlite"))


def shares(*senders: SendRates) -> list[dict[Provider, float]]:
    return [{provider: pacer.rate for provider, pacer in rates.pacers.items()} for rates in senders]


async def test_two_senders_on_one_store_send_at_the_configured_rate_together(store):
    metrics = GatewayMetrics("sqlite")
    a, b = sender(store, "a", metrics), sender(store, "b")
    await a.beat()
    assert shares(a) == [RATES], "alone, a sender takes the whole rate"
    await b.beat()
    await a.beat()
    assert shares(a, b) == [{Provider.META: 10, Provider.TWILIO: 40}] * 2
    assert metrics.registry.get_sample_value("gateway_senders") == 2
    assert metrics.registry.get_sample_value("gateway_send_rate", {"provider": "meta"}) == 10


async def test_a_sender_that_stops_beating_stops_counting_after_one_ttl(store, clock):
    a, b = sender(store, "a"), sender(store, "b")
    await a.beat()
    await b.beat()
    clock.advance(seconds=9)
    await b.beat()
    assert shares(b) == [{Provider.META: 10, Provider.TWILIO: 40}], "a's heartbeat is still live"
    clock.advance(seconds=2)
    await b.beat()
    assert shares(b) == [RATES] and b.senders == 1


async def test_a_sender_that_leaves_stops_counting_at_the_others_next_beat(store):
    a, b = sender(store, "a"), sender(store, "b")
    await a.beat()
    await b.beat()
    await a.leave()
    await b.beat()
    assert shares(b) == [RATES]
    assert await store.leases.holders(SENDERS) == [await lease_of(store, "b")]


async def lease_of(store, owner: str):
    [lease] = [lease for lease in await store.leases.holders(SENDERS) if lease.owner == owner]
    return lease


def test_sends_are_spaced_evenly_at_the_rate_with_no_burst():
    pacer = Pacer(20)
    assert [pacer.reserve(100.0) for _ in range(4)] == pytest.approx([0, 0.05, 0.10, 0.15])


def test_a_new_rate_applies_from_the_next_send():
    pacer = Pacer(20)
    pacer.reserve(100.0)
    pacer.rate = 10
    assert [pacer.reserve(100.0) for _ in range(2)] == pytest.approx([0.05, 0.15])


def test_an_idle_pacer_saves_up_no_burst():
    pacer = Pacer(20)
    pacer.reserve(100.0)
    assert [pacer.reserve(200.0) for _ in range(2)] == pytest.approx([0, 0.05])


async def test_a_process_cut_off_from_the_store_keeps_its_last_share(store, clock):
    leases = FlakyLeases(store.leases)
    a, b = meta_routing(leases, clock, "a"), meta_routing(store.leases, clock, "b")
    for routing in (a, b, a):
        await routing.beat()
    leases.down = True
    clock.advance(seconds=11)
    await a.beat()
    assert a.pace(Provider.META).rate == 10, "half of 20 a second, as at its last beat, not the whole rate"


def meta_routing(leases, clock, owner: str) -> Routing:
    return Routing(
        [Provider.META],
        clock,
        GatewayMetrics("sqlite"),
        failover=[],
        rates={Provider.META: 20},
        failures_to_open=5,
        cooldown=timedelta(seconds=60),
        leases=leases,
        owner=owner,
    )


async def test_a_gateway_that_sends_counts_among_the_senders_and_an_ingest_only_one_does_not(
    aiohttp_client, provider_settings, clock
):
    sending = await aiohttp_client(create_app(provider_settings, clock=clock, entry_points=False))
    ingest = provider_settings.model_copy(update={"role": Role.INGEST})
    await aiohttp_client(create_app(ingest, clock=clock, entry_points=False))
    [lease] = await sending.app[STORE].leases.holders(SENDERS)
    assert f":{os.getpid()}:" in lease.owner
    exposed = await (await sending.get("/metrics")).text()
    assert "gateway_senders 1.0" in exposed
