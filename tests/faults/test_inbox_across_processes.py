"""Issue 12: one contact's messages posted to several real `wa-gateway serve` processes on one
SQLite file, alternately, as a load balancer spreads them. Whichever process holds the
contact's inbox lease processes them: each once, in the order received, and the replies reach
the provider in that order; the same with a process killed (-9) midway and started again, and
across a rolling restart of every process with a backlog."""

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import InboundMessage
from gateway.testing import meta_headers
from tests.faults.send_workers import end_leases_of, start_gateway
from tests.faults.test_kill_turns import TURN_STARTED, MetaApi, free_port, healthy, serve
from tests.gateway_fixtures import META_SECRET, meta_text

pytestmark = pytest.mark.slow

MESSAGES = 200
CONTACT = "919812345678"


def webhook(n: int) -> bytes:
    payload = meta_text(f"wamid.IN{n:03d}", f"message {n}", sender=CONTACT)
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()))
    return json.dumps(payload).encode()


async def post(session: aiohttp.ClientSession, port: int, body: bytes) -> bool:
    try:
        async with session.post(
            f"http://127.0.0.1:{port}/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET)
        ) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


def rows(database: Path, query: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as connection:
        return connection.execute(query).fetchall()


async def all_sent(database: Path, replies: int, seconds: float = 90) -> None:
    """Wait until every inbound message is processed and `replies` replies have been sent."""
    async with asyncio.timeout(seconds):
        while True:
            [(unprocessed,)] = rows(database, "SELECT count(*) FROM log WHERE direction = 'inbound' AND processed = 0")
            [(sent,)] = rows(database, "SELECT count(*) FROM queue WHERE state = 'sent'")
            if unprocessed == 0 and sent >= replies:
                return
            await asyncio.sleep(0.1)


def outcome(database: Path, logs: list[Path]) -> dict:
    """What became of the contact's messages: turns started per message, replies queued per
    message, and the messages in the order their replies were queued and reached the provider."""
    received = {message_id: wamid for wamid, message_id in rows(
        database, "SELECT provider_message_id, id FROM log WHERE direction = 'inbound'"
    )}
    queued = [key for (key,) in rows(database, "SELECT idempotency_key FROM queue ORDER BY rowid")]
    # the queue's own record of what the stand-in answered: the log's copy is written after the ack
    sent = rows(database, "SELECT idempotency_key, provider_message_id FROM queue WHERE state = 'sent'")
    turns = turns_started(logs)

    def replied_to(key: str) -> str:
        return received[key.split(":")[1]]

    in_sent_order = sorted(sent, key=lambda pair: int(pair[1].removeprefix("wamid.OUT")))
    return {
        "received": len(received),
        "unprocessed": rows(database, "SELECT count(*) FROM log WHERE direction = 'inbound' AND processed = 0")[0][0],
        "turns": Counter(turns[message_id] for message_id in received),
        "replies per message": Counter(Counter(replied_to(key) for key in queued).values()),
        "queued in order": _in_order([replied_to(key) for key in queued]),
        "sent in order": _in_order([replied_to(key) for key, _ in in_sent_order]),
        "replies": len(queued),
    }


def turns_started(logs: list[Path]) -> Counter[str]:
    """How many times each message's turn started, by message id, from the processes' logs."""
    return Counter(
        line.split(TURN_STARTED)[1].split(" ")[0]
        for log in logs
        for line in log.read_text().splitlines()
        if TURN_STARTED in line
    )


def processed(database: Path) -> int:
    return rows(database, "SELECT count(*) FROM log WHERE direction = 'inbound' AND processed = 1")[0][0]


def _in_order(wamids: list[str]) -> bool:
    return wamids == sorted(wamids)


class ServeProcesses:
    """`wa-gateway serve` processes on one SQLite file, each on its own port and log, Meta
    pointed at a stand-in; stopped with SIGTERM when the block ends."""

    def __init__(self, tmp_path: Path, api_base: str, count: int) -> None:
        self.database, self._api_base = tmp_path / "gateway.db", api_base
        self.ports = [free_port() for _ in range(count)]
        self.logs = [tmp_path / f"serve{n}.log" for n in range(count)]
        self.processes = [self._start(n) for n in range(count)]

    def _start(self, n: int) -> subprocess.Popen:
        return serve(self.ports[n], self.database, self._api_base, self.logs[n])

    async def healthy(self, session: aiohttp.ClientSession, *numbers: int) -> None:
        for n in numbers or range(len(self.processes)):
            await healthy(session, f"http://127.0.0.1:{self.ports[n]}", self.processes[n])

    def restart(self, n: int, stop_signal: signal.Signals) -> None:
        """Stop process `n` with `stop_signal` (its leases ended as their time would have after
        a kill) and start it again."""
        process = self.processes[n]
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) in (0, -signal.SIGKILL)
        if stop_signal is signal.SIGKILL:
            end_leases_of(self.database, process.pid)
        self.processes[n] = self._start(n)

    def __enter__(self) -> "ServeProcesses":
        return self

    def __exit__(self, *exception: object) -> None:
        for process in self.processes:
            process.terminate()
            process.wait()


@pytest.mark.parametrize("processes", [2, 3])
async def test_one_contacts_messages_spread_over_processes_are_processed_once_in_order(
    tmp_path, aiohttp_server, processes
):
    api = MetaApi()
    api_base = str((await aiohttp_server(api.app)).make_url("")).rstrip("/")
    with ServeProcesses(tmp_path, api_base, processes) as gateways:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await gateways.healthy(session)
            for n in range(MESSAGES):
                assert await post(session, gateways.ports[n % processes], webhook(n))
        await all_sent(gateways.database, MESSAGES)
    result = outcome(gateways.database, gateways.logs)
    print(f"\n{processes} processes: {result}")
    assert result["received"] == MESSAGES and result["unprocessed"] == 0, result
    assert result["turns"] == {1: MESSAGES}, f"each message's turn ran once: {result}"
    assert result["replies per message"] == {1: MESSAGES}, result
    assert result["queued in order"] and result["sent in order"], result


async def test_a_process_killed_midway_and_started_again_loses_nothing_and_repeats_nothing(tmp_path, aiohttp_server):
    api = MetaApi()
    api_base = str((await aiohttp_server(api.app)).make_url("")).rstrip("/")
    with ServeProcesses(tmp_path, api_base, 2) as gateways:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await gateways.healthy(session)
            for n in range(MESSAGES):
                if n == MESSAGES // 2:
                    gateways.restart(0, signal.SIGKILL)
                    await gateways.healthy(session, 0)
                while not await post(session, gateways.ports[n % 2], webhook(n)):
                    await asyncio.sleep(0.05)
        await all_sent(gateways.database, MESSAGES)
    result = outcome(gateways.database, gateways.logs)
    print(f"\nkill -9 midway: {result}")
    assert result["received"] == MESSAGES and result["unprocessed"] == 0, result
    assert set(result["turns"]) <= {1, 2} and result["turns"][2] <= 1, f"only a turn the kill cut short ran again: {result}"
    assert result["replies per message"] == {1: MESSAGES}, f"no reply twice: {result}"
    assert result["queued in order"] and result["sent in order"], result


async def leave_backlog(database: Path, messages: int, contacts: int) -> None:
    store = await SqliteStore.open(database, SystemClock())
    try:
        for n in range(messages):
            await store.log.record_inbound(
                InboundMessage(
                    provider="meta",
                    provider_message_id=f"wamid.LEFT{n:04d}",
                    sender=f"+91980{n % contacts:07d}",
                    business_number_id="106540352242922",
                    timestamp=datetime.now(UTC),
                    kind="text",
                    text=f"left {n}",
                )
            )
    finally:
        await store.close()


async def test_a_rolling_restart_through_a_backlog_runs_no_turn_twice(tmp_path, aiohttp_server):
    api = MetaApi()
    api_base = str((await aiohttp_server(api.app)).make_url("")).rstrip("/")
    backlog = 1_000
    await leave_backlog(tmp_path / "gateway.db", backlog, contacts=50)
    restarts = []
    with ServeProcesses(tmp_path, api_base, 2) as gateways:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await gateways.healthy(session)
            for n in range(2):  # each in turn stopped as a deploy does, and started again
                restarts.append(processed(gateways.database))
                gateways.restart(n, signal.SIGTERM)
                await gateways.healthy(session, n)
        await all_sent(gateways.database, 0)
    turns = turns_started(gateways.logs)
    print(f"\nrolling restart: processed at each stop {restarts}; turns per message {Counter(turns.values())}")
    assert restarts[0] < backlog, "the first stop came while a backlog waited"
    assert len(turns) == backlog and set(turns.values()) == {1}, "no message processed twice"


async def test_serve_as_ingest_only_stores_and_a_worker_answers_in_order(tmp_path, aiohttp_server):
    api = MetaApi()
    api_base = str((await aiohttp_server(api.app)).make_url("")).rstrip("/")
    database, port = tmp_path / "gateway.db", free_port()
    logs = [tmp_path / "ingest.log", tmp_path / "worker.log"]
    ingest = start_gateway(
        "serve", database, api_base, logs[0], GATEWAY_PORT=str(port), GATEWAY_ROLE="ingest", GATEWAY_LOG_LEVEL="INFO"
    )
    worker = start_gateway("worker", database, api_base, logs[1], GATEWAY_LOG_LEVEL="INFO")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await healthy(session, f"http://127.0.0.1:{port}", ingest)
            for n in range(MESSAGES // 2):
                assert await post(session, port, webhook(n))
        await all_sent(database, MESSAGES // 2)
    finally:
        for process in (ingest, worker):
            process.terminate()
            process.wait()
    result = outcome(database, logs)
    print(f"\ningest-only serve + worker: {result}")
    assert TURN_STARTED not in logs[0].read_text(), "serve in the ingest role processes nothing"
    assert result["turns"] == {1: MESSAGES // 2} and result["replies per message"] == {1: MESSAGES // 2}, result
    assert result["queued in order"] and result["sent in order"], result
