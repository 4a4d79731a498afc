"""Leases: one live holder per name, and a fencing token that outlasts every earlier holder."""

import asyncio
from datetime import timedelta

TTL = timedelta(seconds=30)


async def test_a_live_lease_has_one_holder_until_it_expires(store, clock):
    assert await store.leases.acquire("scheduler", "a", TTL) == 1
    assert await store.leases.acquire("scheduler", "b", TTL) is None
    clock.advance(seconds=31)
    assert await store.leases.acquire("scheduler", "b", TTL) == 2


async def test_the_holder_reacquiring_keeps_its_token(store, clock):
    token = await store.leases.acquire("scheduler", "a", TTL)
    clock.advance(seconds=10)
    assert await store.leases.acquire("scheduler", "a", TTL) == token
    clock.advance(seconds=25)
    assert await store.leases.acquire("scheduler", "b", TTL) is None


async def test_renewing_extends_the_lease_and_a_stale_holder_cannot(store, clock):
    old = await store.leases.acquire("scheduler", "a", TTL)
    clock.advance(seconds=20)
    assert await store.leases.renew("scheduler", "a", old, TTL)
    clock.advance(seconds=20)
    assert await store.leases.acquire("scheduler", "b", TTL) is None
    clock.advance(seconds=11)
    new = await store.leases.acquire("scheduler", "b", TTL)
    assert new > old
    assert not await store.leases.renew("scheduler", "a", old, TTL)
    await store.leases.release("scheduler", "a", old)
    assert await store.leases.acquire("scheduler", "c", TTL) is None


async def test_a_released_lease_is_free_at_once_with_a_greater_token(store):
    token = await store.leases.acquire("scheduler", "a", TTL)
    await store.leases.release("scheduler", "a", token)
    assert not await store.leases.renew("scheduler", "a", token, TTL)
    assert await store.leases.acquire("scheduler", "b", TTL) == token + 1


async def test_concurrent_acquirers_get_one_winner(store, clock):
    await store.leases.acquire("scheduler", "old", TTL)
    clock.advance(seconds=31)
    tokens = await asyncio.gather(*(store.leases.acquire("scheduler", f"w{n}", TTL) for n in range(20)))
    assert [token for token in tokens if token is not None] == [2]


async def test_holders_lists_live_leases_by_prefix(store, clock):
    await store.leases.acquire("worker:b", "b", TTL)
    await store.leases.acquire("worker:a", "a", timedelta(seconds=5))
    await store.leases.acquire("scheduler", "a", TTL)
    assert [(lease.name, lease.owner) for lease in await store.leases.holders("worker:")] == [
        ("worker:a", "a"),
        ("worker:b", "b"),
    ]
    clock.advance(seconds=6)
    [lease] = await store.leases.holders("worker:")
    assert lease.name == "worker:b" and lease.token == 1 and lease.expires_at == clock.now() + timedelta(seconds=24)


async def test_leases_run_out_before_a_time_are_purged_and_live_ones_kept(store, clock):
    await store.leases.acquire("inbox:+919800000001", "a", TTL)
    clock.advance(seconds=31)
    await store.leases.acquire("inbox:+919800000002", "b", TTL)
    assert await store.leases.purge_expired(clock.now()) == 1
    assert [lease.owner for lease in await store.leases.holders("inbox:")] == ["b"]
    assert await store.leases.acquire("inbox:+919800000001", "c", TTL) == 1, "a purged name starts afresh"
