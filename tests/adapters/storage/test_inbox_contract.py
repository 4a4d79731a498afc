"""The per-contact inbox in the store: contacts waiting longest come first, a contact another
process holds is left to it, and a holder whose lease changed hands can no longer write."""

import asyncio
from datetime import timedelta

import pytest

from gateway.ports.records import Fence
from gateway.ports.store import LeaseLost, StaleSession, inbox_lease
from tests.adapters.storage.test_log_contract import inbound

TTL = timedelta(seconds=30)
KEPT = timedelta(hours=1)
ANN, BOB, CAT = "+919800000001", "+919800000002", "+919800000003"


async def store_from(store, clock, *senders: str) -> list[str]:
    """Store one message from each sender, a second apart; their ids in order."""
    ids = []
    for number, sender in enumerate(senders):
        message = inbound(clock, f"wamid.{number}", sender=sender)
        await store.log.record_inbound(message)
        ids.append(message.id)
        clock.advance(seconds=1)
    return ids


async def test_waiting_contacts_come_oldest_first_once_each(store, clock):
    await store_from(store, clock, BOB, ANN, BOB, CAT)
    assert await store.log.waiting_contacts(10) == [BOB, ANN, CAT]
    assert await store.log.waiting_contacts(2) == [BOB, ANN]


async def test_a_contact_someone_holds_is_left_to_them_until_its_lease_expires(store, clock):
    await store_from(store, clock, ANN, BOB)
    await store.leases.acquire(inbox_lease(ANN), "other", TTL)
    assert await store.log.waiting_contacts(10) == [BOB]
    clock.advance(seconds=31)
    assert await store.log.waiting_contacts(10) == [ANN, BOB]


async def test_a_contact_with_everything_processed_is_not_waiting(store, clock):
    first, second = await store_from(store, clock, ANN, ANN)
    await store.log.mark_processed(first)
    assert await store.log.waiting_contacts(10) == [ANN]
    await store.log.mark_processed(second)
    assert await store.log.waiting_contacts(10) == []


async def test_a_held_contacts_backlog_does_not_hide_the_contacts_behind_it(store, clock):
    await store_from(store, clock, *[ANN] * 100, BOB, CAT)
    await store.leases.acquire(inbox_lease(ANN), "other", TTL)
    assert await store.log.waiting_contacts(2) == [BOB, CAT]


async def test_a_contacts_unprocessed_messages_come_oldest_first(store, clock):
    first, _, third, _ = await store_from(store, clock, ANN, BOB, ANN, ANN)
    await store.log.mark_processed(first)
    pending = await store.log.unprocessed_from(ANN, 10)
    assert [entry.id for entry in pending][:1] == [third] and len(pending) == 2
    assert [entry.contact for entry in pending] == [ANN, ANN]
    assert len(await store.log.unprocessed_from(ANN, 1)) == 1


async def test_mark_processed_is_refused_to_a_stale_holder(store, clock):
    (entry,) = await store_from(store, clock, ANN)
    name = inbox_lease(ANN)
    stale = await store.leases.acquire(name, "a", TTL)
    clock.advance(seconds=31)
    current = await store.leases.acquire(name, "b", TTL)
    with pytest.raises(LeaseLost):
        await store.log.mark_processed(entry, fence=Fence(name, stale))
    assert [pending.id for pending in await store.log.unprocessed_inbound()] == [entry]
    await store.log.mark_processed(entry, fence=Fence(name, current))
    assert await store.log.unprocessed_inbound() == []


async def test_a_session_save_is_refused_to_a_stale_holder(store, clock):
    name = inbox_lease(ANN)
    stale = await store.leases.acquire(name, "a", TTL)
    saved = await store.sessions.save(ANN, {"step": 1}, expected_version=0, ttl=KEPT, fence=Fence(name, stale))
    clock.advance(seconds=31)
    current = await store.leases.acquire(name, "b", TTL)
    with pytest.raises(LeaseLost):
        await store.sessions.save(ANN, {"step": 2}, expected_version=saved.version, ttl=KEPT, fence=Fence(name, stale))
    assert (await store.sessions.load(ANN)).data == {"step": 1}
    moved = await store.sessions.save(
        ANN, {"step": 2}, expected_version=saved.version, ttl=KEPT, fence=Fence(name, current)
    )
    assert moved.data == {"step": 2}


async def test_a_fenced_save_still_needs_the_version_it_read(store):
    name = inbox_lease(ANN)
    token = await store.leases.acquire(name, "a", TTL)
    await store.sessions.save(ANN, {"step": 1}, expected_version=0, ttl=KEPT, fence=Fence(name, token))
    with pytest.raises(StaleSession):
        await store.sessions.save(ANN, {"step": 2}, expected_version=0, ttl=KEPT, fence=Fence(name, token))


async def test_of_two_processes_racing_for_one_contact_one_wins(store, clock):
    await store_from(store, clock, ANN)
    tokens = await asyncio.gather(*(store.leases.acquire(inbox_lease(ANN), f"p{n}", TTL) for n in range(10)))
    assert len([token for token in tokens if token is not None]) == 1
