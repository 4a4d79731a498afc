"""How fast GET /api/v1/stats answers with a million log entries, on the embedded SQLite store.

Run on purpose, never in the test suite:  python bench/stats_at_scale.py [--entries 1000000]
Prints a table and appends it to BENCHMARKS.md with the date, commit, machine and command.
"""

import argparse
import asyncio
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.storage.sqlite import SqliteStore  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.clock import SystemClock  # noqa: E402
from gateway.settings import Settings  # noqa: E402

TOKEN = "bench-token"
BUDGET_MS = 200


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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=21, help="the first is reported apart, with cold caches")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = await SqliteStore.open(path, SystemClock())
        await store.close()
        filling = time.perf_counter()
        fill(path, arguments.entries, datetime.now(UTC))
        filled_in = time.perf_counter() - filling
        timings = await measure(path, arguments.calls)
    warm = timings[1:]
    p50, p95 = statistics.median(warm), statistics.quantiles(warm, n=20)[18]
    verdict = "met" if p95 < BUDGET_MS else "MISSED"
    report(arguments, filled_in, timings[0], p50, p95, verdict)


def report(arguments, filled_in: float, first: float, p50: float, p95: float, verdict: str) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    table = "\n".join(
        [
            f"### GET /api/v1/stats at {arguments.entries:,} log entries (SQLite)",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"Python {platform.python_version()}; `python bench/stats_at_scale.py --entries {arguments.entries} --calls {arguments.calls}`",
            "",
            "| figure | value |",
            "|---|---|",
            f"| filling the log | {filled_in:.1f} s |",
            f"| first call (cold caches) | {first:.0f} ms |",
            f"| p50 of the {arguments.calls - 1} calls after it | {p50:.0f} ms |",
            f"| p95 of the {arguments.calls - 1} calls after it | {p95:.0f} ms |",
            f"| budget (warm p95) | < {BUDGET_MS} ms: {verdict} |",
            "",
        ]
    )
    print(table)
    with (REPO / "BENCHMARKS.md").open("a") as benchmarks:
        benchmarks.write(table + "\n")


if __name__ == "__main__":
    asyncio.run(main())
