"""A microbenchmark for issue 16: the CPU one gateway costs to build and start with the four
built-in plugins on a fresh SQLite store (what every test gateway pays, and each `serve` once),
and what a command that loads the plugins costs (`wa-gateway plugins`, a new process). Run on
purpose, with the tree to measure first on PYTHONPATH:

    python -m bench.gateway_startup [--gateways N]
"""

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from gateway.settings import Settings
from gateway.testing import FakeClock
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin


async def _gateway(folder: str, n: int) -> float:
    """CPU seconds of this process (every thread) to build and start one gateway."""
    settings = Settings(_env_file=None, store_url=f"sqlite:///{folder}/gateway-{n}.db", simulator=True)
    plugins = [OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()]
    started = time.process_time()
    client = TestClient(TestServer(create_app(settings, clock=FakeClock(), plugins=plugins, entry_points=False)))
    await client.start_server()
    cpu = time.process_time() - started
    await client.close()
    return cpu


async def _gateways(count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        await _gateway(folder, -1)  # the first pays for the render processes and caches
        return [await _gateway(folder, n) for n in range(count)]


def _command_cpu() -> float:
    """CPU seconds of a `wa-gateway plugins` process, start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "gateway", "plugins"], cwd=folder, env=os.environ, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, default=40)
    arguments = parser.parse_args()
    times = asyncio.run(_gateways(arguments.gateways))
    print(f"gateway build and start: median {statistics.median(times) * 1000:.1f} ms CPU over {len(times)}")
    commands = [_command_cpu() for _ in range(3)]
    print(f"wa-gateway plugins: median {statistics.median(commands):.2f} s CPU over 3 processes")


if __name__ == "__main__":
    main()
