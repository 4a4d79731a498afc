"""A microbenchmark for issue 16 §3, on SQLite in a temporary folder (or a MongoDB server given
with --mongo): what one page of the admin API's lists costs at its start and deep into them,
with `--rows` rows each: templates (two versions of each), waiting handovers and dead letters,
read through the store port as the admin routes read them. Run on purpose:

    python -m bench.listing_pages [--rows N] [--limit N] [--mongo mongodb://host/db]
"""

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.storage.mongo import MongoStore
from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.handover.card import NAMESPACE, ConversationCard, HandoverState
from gateway.models import OutboundMessage
from gateway.ports.records import JobState

START = datetime(2026, 12, 1, tzinfo=UTC)
REPEATS = 50


async def _fill(store: Any, rows: int) -> None:
    """`rows` latest templates (each saved twice), waiting conversation cards and dead jobs."""
    for n in range(rows):
        for body in ("first", "second"):
            await store.templates.save(f"template_{n:06d}", "en", body)
        contact = f"+1555{n:07d}"
        card = ConversationCard(contact=contact, version=1, state=HandoverState.WAITING, requested_at=START)
        card.last_activity_at = START + timedelta(seconds=n)
        await store.records.put(NAMESPACE, contact, card.model_dump(mode="json"))
        await store.queue.enqueue(OutboundMessage(recipient=contact, text="x"), max_attempts=1)
        claimed = await store.queue.claim("bench", timedelta(minutes=1))
        await store.queue.fail(claimed.id, "bench", "refused")


async def _cursors(read: Callable[[Any], Awaitable[list]], key: Callable[[Any], Any]) -> list[Any]:
    """The cursor of every page, walking the whole list once."""
    cursors, after = [None], None
    while page := await read(after):
        after = key(page[-1])
        cursors.append(after)
    return cursors[:-1]


async def _microseconds(read: Callable[[Any], Awaitable[list]], after: Any) -> float:
    await read(after)
    started = time.perf_counter()
    for _ in range(REPEATS):
        await read(after)
    return (time.perf_counter() - started) / REPEATS * 1e6


async def _measure(store: Any, rows: int, limit: int) -> None:
    lists: dict[str, tuple[Callable[[Any], Awaitable[list]], Callable[[Any], Any]]] = {
        "templates": (lambda after: store.templates.page(limit + 1, after), lambda t: (t.name, t.language)),
        "handovers": (
            lambda after: store.records.page(NAMESPACE, "last_activity_at", {"state": "waiting"}, limit + 1, after),
            lambda record: (record[1]["last_activity_at"], record[0]),
        ),
        "dead letters": (
            lambda after: store.queue.list(JobState.DEAD, limit + 1, after),
            lambda job: (job.due_at, job.id),
        ),
    }
    for name, (read, key) in lists.items():
        cursors = await _cursors(read, key)
        first = await _microseconds(read, cursors[0])
        deep = await _microseconds(read, cursors[int(len(cursors) * 0.95)])
        print(
            f"{name:>12}: page 1 {first:.0f} us, page {int(len(cursors) * 0.95) + 1} of {len(cursors)} "
            f"{deep:.0f} us ({deep / first:.2f}x; {rows} rows, {limit} a page)"
        )


async def main(rows: int, limit: int, mongo: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        if mongo:
            store = await MongoStore.open(mongo, SystemClock(), server_clock=False)
        else:
            store = await SqliteStore.open(Path(folder) / "gateway.db", SystemClock())
        try:
            started = time.perf_counter()
            await _fill(store, rows)
            print(f"{store.backend}: filled in {time.perf_counter() - started:.0f} s")
            await _measure(store, rows, limit)
        finally:
            if mongo:
                await store.database.client.drop_database(store.database.name)
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--mongo", help="a MongoDB URL whose database the run fills and then drops")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.limit, arguments.mongo))
