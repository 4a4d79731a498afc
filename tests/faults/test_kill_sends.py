"""Kill -9 of `wa-gateway worker` processes mid-send, across 1,000 jobs on one SQLite file:
two workers send; one is killed, then the other, then both at once, and each is started
again. Nothing is lost (every job reaches the provider and ends sent), and only sends in
flight at a kill are made twice: at most the loops a killed process had, per kill."""

import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from gateway.settings import Settings
from tests.faults.send_workers import end_leases_of, enqueue, job_states, start_worker, until
from tests.stand_in_provider import Answer, StandInProvider

pytestmark = pytest.mark.slow

JOBS = 1_000
LOOPS_PER_WORKER = Settings.model_fields["worker_concurrency"].default
KILL_ROUNDS = ((250, ("a",)), (500, ("b",)), (750, ("a", "b")))
"""After how many sends reached the provider, which workers are killed."""

ACCEPTED = Answer(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.KILL"}]}, delay=0.02)


async def test_kill_9_of_send_workers_loses_no_job_and_repeats_only_sends_in_flight(tmp_path, aiohttp_server):
    meta = await StandInProvider(ACCEPTED).start(aiohttp_server)
    database = tmp_path / "gateway.db"
    texts = [f"job {n}" for n in range(JOBS)]
    await enqueue(database, texts)

    def start(name: str) -> subprocess.Popen:
        return start_worker(database, meta.base, tmp_path / f"worker-{name}.log")

    workers = {name: start(name) for name in ("a", "b")}
    killed = 0
    try:
        for sends, victims in KILL_ROUNDS:
            await until(lambda sends=sends: len(meta.requests) >= sends, 60, *workers.values())
            for name in victims:
                kill_9(workers[name], database)
                killed += 1
            for name in victims:
                workers[name] = start(name)
        await until(lambda: job_states(database) == {"sent": JOBS}, 60, *workers.values())
    finally:
        for worker in workers.values():
            worker.terminate()
            worker.wait(timeout=20)

    arrivals = Counter(request.json()["text"]["body"] for request in meta.requests)
    lost = [text for text in texts if arrivals[text] == 0]
    duplicated = sum(count - 1 for count in arrivals.values())
    print(f"\nkill -9 mid-send: {JOBS} jobs, {killed} workers killed, {len(lost)} lost, {duplicated} sent twice")
    assert lost == []
    assert duplicated <= killed * LOOPS_PER_WORKER, "only sends in flight at a kill may be repeated"
    for name in workers:
        assert "Traceback" not in (tmp_path / f"worker-{name}.log").read_text()


def kill_9(worker: subprocess.Popen, database: Path) -> None:
    """SIGKILL, and end the leases the process held, as the next 60 s would have."""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    end_leases_of(database, worker.pid)
