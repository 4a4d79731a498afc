"""How fast GET /api/v1/stats answers with a million log entries on the embedded SQLite
store: the first call after a start (cold caches) and the p95 of 20 calls after it."""

import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from adapters.storage.sqlite import SqliteStore
from bench.harness import Row
from gateway.app import create_app
from gateway.clock import SystemClock
from gateway.settings import Settings

TOKEN = "bench-token"
BUDGET_MS = 200
CALLS = 21


def fill(path: Path, entries: int, now: datetime) -> None:
    """Write `entries` log rows straight into a migrated database: 30 days, 20,000 contacts,
    about half inbound, outbound spread over providers and delivery statuses."""
    chance = random.Random(1)
    providers = ("meta", "twilio", "myoperator")
    statuses = ("sent", "delivered", "read", "read", "failed", "dead")
    start = int((now - timedelta(days=30)).timestamp() * 1_000_000)
    span = 30 * 24 * 3600 * 1_000_000

    def rows():
        for number in range(entries):
            created = start + chance.randrange(span)
            contact = f"+9198{chance.randrange(20_000):08d}"
            provider = chance.choice(providers)
            if number % 2:
                yield (
                    f"{created:016x}{number:016x}",
                    "inbound",
                    provider,
                    f"w{number}",
                    contact,
                    "received",
                    1,
                    None,
                    "{}",
                    created,
                )
            else:
                yield (
                    f"{created:016x}{number:016x}",
                    "outbound",
                    provider,
                    f"o{number}",
                    contact,
                    chance.choice(statuses),
                    1,
                    None,
                    "{}",
                    created,
                )

    with sqlite3.connect(path) as connection:
        connection.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())


async def measure(path: Path, calls: int) -> list[float]:
    settings = Settings(_env_file=None, store_url=f"sqlite:///{path}", admin_token=TOKEN, simulator=True)
    client = TestClient(TestServer(create_app(settings, entry_points=False, run_worker=False)))
    await client.start_server()
    try:
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            response = await client.get("/api/v1/stats", headers={"Authorization": f"Bearer {TOKEN}"})
            body = await response.json()
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, body
        return timings
    finally:
        await client.close()


def run(options) -> list[Row]:
    if options.store_url:
        return [Row("stats", "not run: this scenario fills a SQLite file directly", f"< {BUDGET_MS} ms", None)]
    return asyncio.run(_run(options.entries))


async def _run(entries: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = await SqliteStore.open(path, SystemClock())
        await store.close()
        fill(path, entries, datetime.now(UTC))
        timings = await measure(path, CALLS)
    warm = timings[1:]
    p95 = statistics.quantiles(warm, n=20)[18]
    return [
        Row(
            f"stats at {entries:,} log entries",
            f"p50 {statistics.median(warm):.0f} ms, p95 {p95:.0f} ms (first call after start {timings[0]:.0f} ms)",
            f"< {BUDGET_MS} ms",
            p95 < BUDGET_MS,
        )
    ]
