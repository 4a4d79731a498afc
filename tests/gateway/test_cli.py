"""The `wa-gateway` command as an operator runs it: a real process, real signals."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_gateway(*arguments: str, cwd: Path, **environment: str) -> subprocess.Popen:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("GATEWAY_", "META_", "TWILIO_", "MYOPERATOR_"))}
    env |= {"PYTHONPATH": str(REPO)} | environment
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", *arguments],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, process: subprocess.Popen) -> bytes:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gateway exited early: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return response.read()
        except OSError:
            time.sleep(0.1)
    pytest.fail("gateway did not answer /healthz within 20 s")


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


@pytest.mark.parametrize(("command", "says"), [("serve", "Serve webhooks"), ("worker", "outbound queue worker")])
def test_each_command_explains_itself(tmp_path, command, says):
    process = run_gateway(command, "--help", cwd=tmp_path)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and says in output
