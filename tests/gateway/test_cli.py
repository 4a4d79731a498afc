"""The `wa-gateway` command as an operator runs it: a real process, real signals."""

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import OutboundMessage

REPO = Path(__file__).resolve().parents[2]


def run_gateway(*arguments: str, cwd: Path, **environment: str) -> subprocess.Popen:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GATEWAY_", "META_", "TWILIO_", "MYOPERATOR_"))
    }
    env |= {"PYTHONPATH": str(REPO)} | environment
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", *arguments],
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, process: subprocess.Popen) -> bytes:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gateway exited early: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return response.read()
        except OSError:
            time.sleep(0.1)
    pytest.fail("gateway did not answer /healthz within 90 s")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_starts_on_the_embedded_default_and_stops_cleanly(tmp_path, stop_signal):
    port = free_port()
    process = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(port))
    try:
        assert b'"store": "sqlite"' in wait_for_health(port, process)
        assert (tmp_path / "var" / "gateway.db").exists()
        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
    assert not (tmp_path / "var" / "gateway.db-wal").exists(), "the store was not closed cleanly"


def children_of(pid: int) -> set[int]:
    """The processes whose parent is `pid`, and theirs, from /proc."""
    found, parents = set(), {pid}
    while parents:
        parent = parents.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                child = int(stat.parent.name)
                found.add(child)
                parents.add(child)
    return found


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
def test_serve_stopped_or_killed_leaves_no_template_render_process_behind(tmp_path, stop_signal):
    port = free_port()
    process = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(port))
    try:
        wait_for_health(port, process)
        renderers = children_of(process.pid)
        assert renderers, "the render processes start with the gateway"
        process.send_signal(stop_signal)
        process.wait(timeout=20)
    finally:
        process.kill()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in renderers):
        assert time.monotonic() < deadline, "render processes outlived the gateway"
        time.sleep(0.05)


def test_malformed_configuration_fails_start_up_naming_the_variable(tmp_path):
    process = run_gateway("serve", cwd=tmp_path, GATEWAY_STORE_URL="postgres://db/gateway")
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "GATEWAY_STORE_URL: must start with sqlite:/// or mongodb://" in errors
    assert "Traceback" not in errors


def test_configuration_errors_never_echo_secrets(tmp_path):
    process = run_gateway("serve", cwd=tmp_path, META_ACCESS_TOKEN="EAAG-very-secret")
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "meta is half configured: META_ACCESS_TOKEN set but META_PHONE_NUMBER_ID" in errors
    assert "EAAG-very-secret" not in errors


def test_worker_sends_queued_jobs_from_the_shared_store_and_stops_on_sigterm(tmp_path):
    store_path = tmp_path / "shared.db"
    asyncio.run(_enqueue_for_the_simulator(store_path))
    process = run_gateway("worker", cwd=tmp_path, GATEWAY_STORE_URL=f"sqlite:///{store_path}", GATEWAY_SIMULATOR="true")
    try:
        deadline = time.monotonic() + 90
        while _job_states(store_path) != ["sent"]:
            assert time.monotonic() < deadline, f"the worker did not send the job: {_job_states(store_path)}"
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


async def _enqueue_for_the_simulator(path: Path) -> None:
    store = await SqliteStore.open(path, SystemClock())
    await store.queue.enqueue(OutboundMessage(recipient="sim:+15550001111", text="from the worker", provider="simulator"))
    await store.close()


def _job_states(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [state for (state,) in connection.execute("SELECT state FROM queue")]


def test_chat_without_a_running_gateway_says_how_to_start_one(tmp_path):
    process = run_gateway("chat", "--url", f"http://127.0.0.1:{free_port()}", cwd=tmp_path)
    _, errors = process.communicate(input="", timeout=30)
    assert process.returncode == 1 and "start one with `GATEWAY_SIMULATOR=true wa-gateway serve`" in errors


@pytest.mark.parametrize(
    ("command", "says"),
    [("serve", "Serve webhooks"), ("worker", "Process conversations"), ("chat", "simulator channel")],
)
def test_each_command_explains_itself(tmp_path, command, says):
    process = run_gateway(command, "--help", cwd=tmp_path)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and says in output


def test_serve_on_a_busy_port_says_so_in_one_line_before_any_banner(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        process = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(port))
        output, errors = process.communicate(timeout=30)
    assert process.returncode == 1 and output == ""
    assert errors.startswith(f"wa-gateway serve: cannot listen on 127.0.0.1:{port}: ") and errors.count("\n") == 1


def test_serve_that_fails_to_start_prints_no_banner_only_the_reason(tmp_path):
    (tmp_path / "a-file").write_text("")
    media = tmp_path / "a-file" / "media"
    process = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(free_port()), GATEWAY_MEDIA_DIR=str(media))
    output, errors = process.communicate(timeout=60)
    assert process.returncode == 1 and output == ""
    assert "cannot create the media directory" in errors and errors.count("\n") == 1


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_unreachable_store_stops_start_up_in_one_line(tmp_path, command):
    (tmp_path / "a-file").write_text("")
    process = run_gateway(command, cwd=tmp_path, GATEWAY_STORE_URL=f"sqlite:///{tmp_path / 'a-file' / 'gateway.db'}")
    output, errors = process.communicate(timeout=30)
    assert process.returncode == 1 and output == ""
    assert errors.startswith(f"wa-gateway {command}: cannot reach the sqlite store: ") and errors.count("\n") == 1


def test_chat_refuses_an_address_that_is_not_one(tmp_path):
    process = run_gateway("chat", "--url", "notaurl", cwd=tmp_path)
    _, errors = process.communicate(input="", timeout=30)
    assert process.returncode == 2
    assert errors == "wa-gateway chat: --url: 'notaurl' is not an http:// or https:// address\n"


def test_plugins_lists_as_a_table_or_as_json(tmp_path):
    table, _ = run_gateway("plugins", cwd=tmp_path).communicate(timeout=60)
    assert table.splitlines()[0].split() == ["NAME", "VERSION", "SOURCE", "STATE", "HOOKS", "REASON"]
    listed, _ = run_gateway("plugins", "--output", "json", cwd=tmp_path).communicate(timeout=60)
    assert {"defects", "orders", "maintenance", "billing"} <= {plugin["name"] for plugin in json.loads(listed)}
