"""One reference per idempotency key, whichever run of a turn asks first and however many race."""

import asyncio

from adapters.storage.sqlite import SqliteStore
from gateway.idempotency import reference_for


async def test_runs_of_one_turn_share_one_reference_even_side_by_side(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "gateway.db", clock)
    records = store.records

    async def new_reference() -> str:
        return f"T-{await records.next_sequence('demo', 'ticket')}"

    try:
        runs = (reference_for(records, "demo", "ticket", "msg-1", new_reference) for _ in range(5))
        raced = await asyncio.gather(*runs)
        assert len(set(raced)) == 1
        assert await reference_for(records, "demo", "ticket", "msg-1", new_reference) == raced[0], "and later"
        assert await reference_for(records, "demo", "defect", "msg-1", new_reference) != raced[0], "per kind"
    finally:
        await store.close()
