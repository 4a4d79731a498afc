"""Slow clients are cut off: a request head or body sent a byte at a time cannot hold a
connection for ever (real time, briefly: the timeouts are the server's own)."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway import slow_clients
from gateway.testing import meta_headers
from tests.gateway_fixtures import META_SECRET, meta_text

REPO = Path(__file__).resolve().parents[2]


async def trickle(host: str, port: int, head: bytes, drip: bytes, seconds: float) -> tuple[float, bytes]:
    """Send `head`, then `drip` every 0.1 s; how long until the server answered or closed, and what it said."""
    reader, writer = await asyncio.open_connection(host, port)
    started = time.monotonic()
    writer.write(head)
    answer = b""
    try:
        while time.monotonic() - started < seconds and not answer:
            try:
                answer = await asyncio.wait_for(reader.read(4096), 0.1)
                if not answer:
                    break
            except TimeoutError:
                writer.write(drip)
                await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
    return time.monotonic() - started, answer


@pytest.mark.slow
async def test_a_body_sent_a_byte_at_a_time_is_answered_408_after_the_deadline(gateway, monkeypatch):
    monkeypatch.setattr(slow_clients, "BODY_SECONDS", 0.5)
    head = b"POST /webhooks/meta HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 9999\r\n\r\n"
    waited, answer = await trickle(gateway.host, gateway.port, head, b" ", seconds=5)
    assert answer.startswith(b"HTTP/1.1 408") and 0.5 <= waited < 2


@pytest.mark.slow
async def test_a_body_that_arrives_in_time_is_handled_however_long_the_handler_then_takes(gateway, monkeypatch):
    monkeypatch.setattr(slow_clients, "BODY_SECONDS", 0.3)
    body = json.dumps(meta_text()).encode()
    headers = meta_headers(body, META_SECRET) | {"Content-Length": str(len(body))}
    head = b"POST /webhooks/meta HTTP/1.1\r\nHost: gw\r\n" + b"".join(
        f"{name}: {value}\r\n".encode() for name, value in headers.items()
    )
    reader, writer = await asyncio.open_connection(gateway.host, gateway.port)
    writer.write(head + b"\r\n" + body[:10])
    await asyncio.sleep(0.1)
    writer.write(body[10:])
    answer = await asyncio.wait_for(reader.read(4096), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200")


@pytest.mark.slow
def test_serve_disconnects_a_client_that_never_finishes_its_request_head(tmp_path):
    port = _free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GATEWAY_", "META_", "TWILIO_", "MYOPERATOR_"))
    } | {"PYTHONPATH": str(REPO), "GATEWAY_PORT": str(port), "GATEWAY_STORE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    program = (
        "import sys; from gateway import cli, slow_clients; "
        "slow_clients.IDLE_SECONDS = 1.0; sys.exit(cli.main(['serve']))"
    )
    server = subprocess.Popen([sys.executable, "-c", program], cwd=tmp_path, env=environment, stdout=subprocess.PIPE)
    try:
        server.stdout.readline()  # the start-up banner
        waited, answer = asyncio.run(_trickle_head(port))
        # the server's idle clock starts at accept, a moment before the client's starts
        assert answer == b"" and 0.9 <= waited < 3
    finally:
        server.terminate()
        server.wait(30)


async def _trickle_head(port: int) -> tuple[float, bytes]:
    deadline = time.monotonic() + 90  # the server starting on a busy machine
    while True:
        try:
            return await trickle("127.0.0.1", port, b"GET /healthz HTTP/1.1\r\n", b"X-Slow: 1\r\n", seconds=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
