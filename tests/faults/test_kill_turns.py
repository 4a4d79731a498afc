"""Kill -9 of a real `wa-gateway serve` while it works through a backlog of messages in its
SQLite file and webhooks keep coming, then start it again, several times over: every message
is stored, processed and answered; a turn a kill cut short runs again on the next start, and
its replies, which carry idempotency keys (`reply:{message.id}:{n}`), are queued once."""

import asyncio
import json
import random
import signal
import socket
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import InboundMessage
from gateway.testing import meta_headers
from tests.faults.send_workers import end_leases_of, start_gateway
from tests.gateway_fixtures import META_SECRET, meta_text

pytestmark = pytest.mark.slow

BACKLOG = 1_000
POSTED = 200
MESSAGES = BACKLOG + POSTED
CONTACTS = 100
KILLS = 5
SEED = 11
TURN_STARTED = "INFO gateway.inbound.inbox: processing message "


class MetaApi:
    """Stands in for Meta's send API, numbering what it accepts."""

    def __init__(self) -> None:
        self.sent = 0
        self.app = web.Application()
        self.app.router.add_post("/{version}/{number}/messages", self._send)

    async def _send(self, request: web.Request) -> web.Response:
        self.sent += 1
        return web.json_response({"messages": [{"id": f"wamid.OUT{self.sent}"}]})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int, database: Path, api_base: str, log: Path) -> subprocess.Popen:
    """`wa-gateway serve` on the SQLite file, Meta pointed at the stand-in, logs to `log`."""
    return start_gateway("serve", database, api_base, log, GATEWAY_PORT=str(port), GATEWAY_LOG_LEVEL="INFO")


async def healthy(session: aiohttp.ClientSession, base: str, process: subprocess.Popen) -> None:
    async with asyncio.timeout(90):
        while True:
            assert process.poll() is None, "the gateway exited on its own"
            try:
                async with session.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)


def sender(n: int) -> str:
    return f"91980{n % CONTACTS:07d}"


async def leave_backlog(database: Path) -> None:
    """BACKLOG messages stored and never processed, as a previous run can leave them; stamped
    now so that the replies fall inside WhatsApp's 24-hour window."""
    store = await SqliteStore.open(database, SystemClock())
    left = [
        InboundMessage(
            provider="meta",
            provider_message_id=f"wamid.LEFT{n}",
            sender=f"+{sender(n)}",
            business_number_id="106540352242922",
            timestamp=datetime.now(UTC),
            kind="text",
            text=f"left {n}",
        )
        for n in range(BACKLOG)
    ]
    try:
        await asyncio.gather(*(store.log.record_inbound(message) for message in left))
    finally:
        await store.close()


def webhooks() -> list[bytes]:
    """One webhook per message, from the same contacts, stamped now."""
    bodies = []
    for n in range(POSTED):
        payload = meta_text(f"wamid.POSTED{n}", f"posted {n}", sender=sender(n))
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()))
        bodies.append(json.dumps(payload).encode())
    return bodies


async def deliver_all(session: aiohttp.ClientSession, base: str, bodies: list[bytes]) -> int:
    """Post every webhook as a provider does, again and again until it is answered 200, across
    kills and restarts; returns how many posts that took."""
    posts = 0
    lines = asyncio.Semaphore(16)

    async def deliver(body: bytes) -> None:
        nonlocal posts
        async with lines:
            while True:
                posts += 1
                try:
                    async with session.post(
                        f"{base}/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET)
                    ) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)

    await asyncio.gather(*(deliver(body) for body in bodies))
    return posts


def count(database: Path, query: str) -> int:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as connection:
        return connection.execute(query).fetchone()[0]


PROCESSED = "SELECT count(*) FROM log WHERE direction = 'inbound' AND processed = 1"
UNPROCESSED = "SELECT count(*) FROM log WHERE direction = 'inbound' AND processed = 0"


async def until(database: Path, query: str, at_least: int, seconds: float = 60) -> None:
    async with asyncio.timeout(seconds):
        while count(database, query) < at_least:
            await asyncio.sleep(0.02)


def kill(process: subprocess.Popen, database: Path) -> None:
    """kill -9, then end its leases as their time limits would have, so the restart takes its contacts."""
    process.send_signal(signal.SIGKILL)
    process.wait()
    end_leases_of(database, process.pid)


async def test_killed_mid_turn_again_and_again_every_message_is_processed_and_answered_once(
    tmp_path, aiohttp_server
):
    api = MetaApi()
    api_base = str((await aiohttp_server(api.app)).make_url("")).rstrip("/")
    database, log, port = tmp_path / "gateway.db", tmp_path / "gateway.log", free_port()
    base = f"http://127.0.0.1:{port}"
    chance = random.Random(SEED)
    backlog_at_kill = []
    await leave_backlog(database)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        process = serve(port, database, api_base, log)
        await healthy(session, base, process)
        posting = asyncio.ensure_future(deliver_all(session, base, webhooks()))
        try:
            for round_ in range(1, KILLS + 1):
                # each kill lands once a further share of the backlog is processed, so some is left
                share = round_ / (KILLS + 1) + chance.uniform(-0.05, 0.05)
                await until(database, PROCESSED, int(BACKLOG * share))
                kill(process, database)
                backlog_at_kill.append(count(database, UNPROCESSED))
                process = serve(port, database, api_base, log)
                await healthy(session, base, process)
            posts = await posting
            await until(database, PROCESSED, MESSAGES)
        finally:
            posting.cancel()
            process.terminate()
            process.wait()

    with closing(sqlite3.connect(database)) as connection:
        inbound = dict(connection.execute("SELECT provider_message_id, id FROM log WHERE direction = 'inbound'"))
        unprocessed = connection.execute(UNPROCESSED).fetchone()[0]
        replied = connection.execute("SELECT idempotency_key FROM queue WHERE idempotency_key LIKE 'reply:%'")
        keys = [key for (key,) in replied]
    replies = Counter(key.split(":")[1] for key in keys)
    unanswered = [wamid for wamid, message_id in inbound.items() if message_id not in replies]
    figures = {
        "messages": f"{BACKLOG} left in the store + {POSTED} posted during the kills",
        "kills": KILLS,
        "webhook posts": posts,
        "backlog at each kill": backlog_at_kill,
        "turns run again after a kill": log.read_text().count(TURN_STARTED) - MESSAGES,
        "lost": MESSAGES - len(inbound) + unprocessed + len(unanswered),
        "replies per message": sorted(set(replies.values())),
    }
    print(f"\nkill -9 mid-turn: {figures}")
    assert len(inbound) == MESSAGES and unprocessed == 0 and not unanswered, figures
    assert all(backlog_at_kill), f"every kill left a backlog to recover: {figures}"
    assert len(set(replies.values())) == 1, f"a turn run again queued its replies once: {figures}"
