"""The configured send rate holds for the deployment: two `wa-gateway worker` processes on one
SQLite file, Meta's rate set to 20 a second, send 500 notifications to a stand-in
at about 20 a second together, not 20 each, and every job once."""

import asyncio
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from adapters.storage.sqlite.connection import to_micros
from gateway.clock import SystemClock
from gateway.outbound.rate import HEARTBEAT_SECONDS, SENDERS
from tests.faults.send_workers import enqueue, job_states, start_worker, until
from tests.stand_in_provider import Answer, StandInProvider

pytestmark = pytest.mark.slow

JOBS = 500
RATE = 20
WINDOW_SECONDS = 6.0
ACCEPTED = Answer(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.RATE"}]}, delay=0.01)


async def test_two_workers_send_at_the_configured_rate_together(tmp_path, aiohttp_server):
    meta = await StandInProvider(ACCEPTED).start(aiohttp_server)
    database = tmp_path / "gateway.db"
    texts = [f"job {n}" for n in range(JOBS)]
    await enqueue(database, texts)
    workers = [
        start_worker(database, meta.base, tmp_path / f"worker-{name}.log", META_SEND_RATE=str(RATE))
        for name in ("a", "b")
    ]
    try:
        await until(lambda: live_senders(database) == 2, 30, *workers)
        await asyncio.sleep(HEARTBEAT_SECONDS + 0.5)  # the first has counted the second at its next beat
        start = time.monotonic()
        await asyncio.sleep(WINDOW_SECONDS)
        rate = sum(start <= request.at < start + WINDOW_SECONDS for request in meta.requests) / WINDOW_SECONDS
        assert len(meta.requests) < JOBS, "jobs were still waiting when the window closed: the rate was not starved"
        await until(lambda: job_states(database) == {"sent": JOBS}, 60, *workers)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=20)

    arrivals = Counter(request.json()["text"]["body"] for request in meta.requests)
    print(f"\ntwo workers at META_SEND_RATE={RATE}: {rate:.1f} sends/s together over {WINDOW_SECONDS:.0f} s")
    assert RATE * 0.75 <= rate <= RATE * 1.25, "the two together keep to the one configured rate"
    assert sorted(arrivals) == sorted(texts) and set(arrivals.values()) == {1}, "every job sent once"
    for name in ("a", "b"):
        assert "Traceback" not in (tmp_path / f"worker-{name}.log").read_text()


def live_senders(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM leases WHERE name LIKE ? AND expires_at > ?",
            (SENDERS + "%", to_micros(SystemClock().now())),
        ).fetchone()
    return count
