"""Two real `wa-gateway serve` processes on one SQLite file, with an installed plugin whose
periodic job notes each run: only one runs the job, once per period; kill -9 of that one and
the other takes over within one lease and keeps the period."""

import asyncio
import signal
import subprocess
import time

import aiohttp
import pytest

from gateway.notifications.scheduler import LEASE_TTL
from tests.faults.probe_plugin import PERIOD_SECONDS, install_probe, notes_in
from tests.faults.send_workers import start_gateway
from tests.faults.test_kill_turns import free_port, healthy

pytestmark = pytest.mark.slow


async def until_runs(path: str, condition, seconds: float, *processes: subprocess.Popen) -> list[tuple[int, float]]:
    """(pid, time) of the probe job's runs, once `condition` holds of them."""
    async with asyncio.timeout(seconds):
        while not condition(runs := [(pid, at) for pid, at, _ in notes_in(path)]):
            for process in processes:
                assert process.poll() is None, f"serve {process.pid} exited with {process.returncode}"
            await asyncio.sleep(0.05)
    return runs


async def leads(session: aiohttp.ClientSession, port: int) -> bool:
    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
        return "gateway_scheduler_leader 1.0" in await response.text()


async def test_one_of_two_processes_runs_the_job_once_per_period_and_the_other_takes_over_a_killed_leader(tmp_path):
    probe = install_probe(tmp_path)
    database, runs_file = tmp_path / "gateway.db", probe["PROBE_RUNS"]
    ports = list({free_port(), free_port(), free_port()})[:2]
    processes = {
        port: start_gateway(
            "serve", database, "http://127.0.0.1:9", tmp_path / f"serve-{port}.log", GATEWAY_PORT=str(port), **probe
        )
        for port in ports
    }
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for port, process in processes.items():
                await healthy(session, f"http://127.0.0.1:{port}", process)
            runs = await until_runs(runs_file, lambda runs: len(runs) >= 5, 30, *processes.values())
            [leader_pid] = {pid for pid, _ in runs}
            leader = next(port for port, process in processes.items() if process.pid == leader_pid)
            [other] = [port for port in ports if port != leader]
            assert await leads(session, leader) and not await leads(session, other)

            processes[leader].send_signal(signal.SIGKILL)
            processes[leader].wait()
            killed_at = time.time()
            runs = await until_runs(runs_file, lambda runs: runs[-1][0] == processes[other].pid, 30, processes[other])
            took_over_in, seen = runs[-1][1] - killed_at, len(runs)
            runs = await until_runs(runs_file, lambda runs: len(runs) >= seen + 2, 10, processes[other])
            assert await leads(session, other)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
                process.wait()

    gaps = [later - earlier for (_, earlier), (_, later) in zip(runs, runs[1:])]
    print(f"\nrun gaps {min(gaps):.2f}-{max(gaps):.2f} s; the other took over {took_over_in:.1f} s after the kill")
    # a run notes the time it ran, a little after its tick, so gaps wander below the period by
    # that much; two runs in one period would be far closer
    assert min(gaps) >= PERIOD_SECONDS / 2, "never twice in one period, across the take-over too"
    assert took_over_in <= LEASE_TTL.total_seconds() + 3, "within one lease (and a tick, and the period)"
