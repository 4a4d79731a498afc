"""`wa-gateway worker` OS processes sending through Meta to a stand-in, on one SQLite file, for
the fault-injection tests of the send path: start them, kill them, read what became of the jobs."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import OutboundMessage
from tests.gateway_fixtures import META_SECRET

REPO = Path(__file__).resolve().parents[2]
CONTACT = "+919812345678"


def start_worker(database: Path, api_base: str, log: Path, **variables: str) -> subprocess.Popen:
    """`wa-gateway worker` on the SQLite file with Meta pointed at `api_base`; output to `log`."""
    return start_gateway("worker", database, api_base, log, GATEWAY_LOG_LEVEL="WARNING", **variables)


def start_gateway(command: str, database: Path, api_base: str, log: Path, **variables: str) -> subprocess.Popen:
    """`wa-gateway COMMAND` as a real process on the SQLite file, Meta pointed at `api_base`,
    output appended to `log` unbuffered, so a kill loses no line already written."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("GATEWAY_", "META_"))}
    env |= {
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "GATEWAY_STORE_URL": f"sqlite:///{database}",
        "META_ACCESS_TOKEN": "EAAG-token",
        "META_PHONE_NUMBER_ID": "106540352242922",
        "META_APP_SECRET": META_SECRET,
        "META_VERIFY_TOKEN": "verify-me",
        "META_API_BASE": api_base,
        "META_SEND_RATE": "1000",
        **variables,
    }
    with log.open("a") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", command], cwd=database.parent, env=env, stdout=output, stderr=output
        )


async def enqueue(database: Path, texts: list[str]) -> None:
    """Queue one Meta message per text to a contact inside the 24-hour window."""
    store = await SqliteStore.open(database, SystemClock())
    try:
        await store.settings.update_contact(CONTACT, {"last_inbound_at": SystemClock().now().isoformat()})
        for text in texts:
            message = OutboundMessage(recipient=CONTACT, text=text, provider="meta")
            job = await store.queue.enqueue(message)
            await store.log.record_outbound(job.id, message, message.provider)
    finally:
        await store.close()


def job_states(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as connection:
        return Counter(state for (state,) in connection.execute("SELECT state FROM queue"))


def attempts(database: Path) -> list[int]:
    with sqlite3.connect(database) as connection:
        return [count for (count,) in connection.execute("SELECT attempts FROM queue")]


def end_leases_of(database: Path, pid: int) -> int:
    """End now the leases a killed process held, as their time limits would have: the jobs it
    had in hand and the contacts whose messages it processed go to the others. Returns how many
    jobs it had."""
    with sqlite3.connect(database) as connection:
        owner = f"%:{pid}:%"
        connection.execute("UPDATE leases SET expires_at = 0 WHERE owner LIKE ?", (owner,))
        return connection.execute(
            "UPDATE queue SET lease_expires_at = 0 WHERE state = 'sending' AND lease_owner LIKE ?", (owner,)
        ).rowcount


async def until(condition, seconds: float, *processes: subprocess.Popen) -> None:
    """Wait, in real time, for real processes to bring `condition()` about."""
    async with asyncio.timeout(seconds):
        while not condition():
            for process in processes:
                assert process.poll() is None, f"worker {process.pid} exited with {process.returncode}"
            await asyncio.sleep(0.05)
