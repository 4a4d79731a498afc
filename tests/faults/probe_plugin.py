"""An installed plugin for real-process tests: its periodic job and its `on_event` append the
process id to files named in the environment, so a test sees which process did what, when."""

import os
from pathlib import Path

from tests.faults.send_workers import REPO
from tests.gateway.test_plugin_discovery import install

PERIOD_SECONDS = 2
SOURCE = f"""
import os
import time
from datetime import timedelta

from gateway.hookspecs import hookimpl
from gateway.notifications.scheduler import PeriodicJob


def note(variable: str, what: str) -> None:
    with open(os.environ[variable], "a") as lines:
        lines.write(f"{{os.getpid()}} {{time.time()}} {{what}}\\n")


async def tick() -> None:
    note("PROBE_RUNS", "probe.tick")


class Probe:
    @hookimpl
    def register_jobs(self):
        return [PeriodicJob("probe.tick", timedelta(seconds={PERIOD_SECONDS}), tick)]

    @hookimpl
    def on_event(self, event, context):
        note("PROBE_EVENTS", event["id"])


plugin = Probe()
"""


def install_probe(tmp_path: Path) -> dict[str, str]:
    """Install the probe in a site directory under `tmp_path`; the variables a gateway process
    needs to load it, and where it writes (`PROBE_RUNS`, `PROBE_EVENTS`)."""
    site = tmp_path / "site-packages"
    site.mkdir()
    install(site, "wa-probe", "1.0.0", "wa_probe", SOURCE, "probe")
    return {
        "PYTHONPATH": f"{REPO}{os.pathsep}{site}",
        "PROBE_RUNS": str(tmp_path / "runs.txt"),
        "PROBE_EVENTS": str(tmp_path / "events.txt"),
    }


def notes_in(path: str) -> list[tuple[int, float, str]]:
    """(pid, time, what) of each note the probe wrote so far."""
    if not Path(path).exists():
        return []
    lines = Path(path).read_text().splitlines()
    return [(int(pid), float(at), what) for pid, at, what in (line.split() for line in lines)]
