"""Plugins' periodic jobs (SLA checks, reminders), run by `serve`. Jobs must be idempotent,
since every gateway process runs them: notifications they queue carry idempotency keys."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from gateway.clock import Clock
from gateway.faults import is_transient

if TYPE_CHECKING:
    from gateway.plugins import PluginHost

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
JOB_TIMEOUT_SECONDS = 60.0
"""Longest a job may run: one that hangs is cut off, recorded, and run again at its next turn."""
RETRY_FIRST = timedelta(seconds=5)
"""After a store or network hiccup a job runs again this soon, then twice as long each time,
never later than its own period."""


@dataclass(frozen=True)
class PeriodicJob:
    """`run` is awaited every `every`, first at start-up."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[None]]


class Scheduler:
    def __init__(self, jobs: list[tuple[str, PeriodicJob]], host: "PluginHost", clock: Clock) -> None:
        self._jobs = jobs
        self._host = host
        self._clock = clock
        self._next: dict[str, datetime] = {}
        self._hiccups: dict[str, int] = {}

    async def run_once(self) -> list[str]:
        """Run every job that is due by the clock, side by side; one that raises or hangs is
        recorded and the rest run."""
        now = self._clock.now()
        due = [(plugin, job) for plugin, job in self._jobs if self._next.get(job.name, now) <= now]
        for _, job in due:
            self._next[job.name] = now + job.every
        await asyncio.gather(*(self._run(plugin, job, now) for plugin, job in due))
        return [job.name for _, job in due]

    async def _run(self, plugin: str, job: PeriodicJob, now: datetime) -> None:
        """Run one job; a hiccup brings its next run forward, any other failure counts against the plugin."""
        limit = asyncio.timeout(JOB_TIMEOUT_SECONDS)
        try:
            async with limit:
                await job.run()
        except Exception as error:
            if limit.expired():
                error = TimeoutError(f"still running after {JOB_TIMEOUT_SECONDS:.0f} s; cut off")
            elif is_transient(error):
                self._retry_soon(job, now, error)
                return
            self._host.count_error(plugin, f"job:{job.name}", error)
        self._hiccups.pop(job.name, None)

    def _retry_soon(self, job: PeriodicJob, now: datetime, error: Exception) -> None:
        hiccups = self._hiccups.get(job.name, 0)
        pause = min(job.every, RETRY_FIRST * 2**hiccups)
        self._hiccups[job.name] = hiccups + 1
        self._next[job.name] = now + pause
        log.warning("job %s hit a hiccup (%s); running it again in %s", job.name, type(error).__name__, pause)

    async def run(self) -> None:
        """Run due jobs until cancelled."""
        while True:
            await self.run_once()
            await asyncio.sleep(TICK_SECONDS)
