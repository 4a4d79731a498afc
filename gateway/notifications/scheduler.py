"""Plugins' periodic jobs (SLA checks, reminders), run once per period across the whole
deployment: every process that runs conversations is a candidate, only the holder of the
`scheduler` lease in the store runs jobs, and when each job is next due is kept in the store,
so a new leader carries on where the last one stopped. Jobs must still be idempotent: a job
cut off by a leader's death runs again under the next, and a leader that stalls past its
lease may overlap its successor once."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from gateway.clock import Clock
from gateway.faults import is_transient
from gateway.notifications.leadership import Leadership
from gateway.ports.store import PluginRecords

if TYPE_CHECKING:
    from gateway.plugins import PluginHost

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=15)
"""How long a leader that stops renewing (it died, or lost the store) keeps the lease: the
longest the deployment goes without a scheduler."""
TICK_SECONDS = 1.0
"""How often the leader renews its lease and looks for due jobs, and candidates try to lead."""
NEXT_RUNS_NAMESPACE = "gateway.scheduler"
"""Records keyed by job name: when each job is next due."""
JOB_TIMEOUT_SECONDS = 60.0
"""Longest a job may run: one that hangs is cut off, recorded, and run again at its next turn."""
RETRY_FIRST = timedelta(seconds=5)
"""After a store or network hiccup a job runs again this soon, then twice as long each time,
never later than its own period."""


@dataclass(frozen=True)
class PeriodicJob:
    """`run` is awaited every `every` across the deployment, first as soon as a process leads
    that finds it never run."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[None]]


class Scheduler:
    def __init__(
        self,
        jobs: list[tuple[str, PeriodicJob]],
        host: "PluginHost",
        clock: Clock,
        records: PluginRecords,
        leadership: Leadership,
    ) -> None:
        self._jobs = jobs
        self._host = host
        self._clock = clock
        self._records = records
        self._leadership = leadership
        self._hiccups: dict[str, int] = {}
        # the loop and a direct caller (a test) never both run a job that is due once
        self._ticking = asyncio.Lock()

    async def run_once(self) -> list[str]:
        """If this process leads, run every job that is due by the clock, side by side, keeping
        the lease meanwhile; one that raises or hangs is recorded and the rest run."""
        async with self._ticking:
            if not await self._leadership.hold():
                return []
            now = self._clock.now()
            due = [(plugin, job) for plugin, job in self._jobs if await self._next_run(job, now) <= now]
            await self._run_while_leading([self._run(plugin, job, now) for plugin, job in due])
            return [job.name for _, job in due]

    async def _next_run(self, job: PeriodicJob, now: datetime) -> datetime:
        """When the job is next due, as whichever process led last recorded it; a job never run is due now."""
        recorded = await self._records.get(NEXT_RUNS_NAMESPACE, job.name)
        return datetime.fromisoformat(recorded["next_run"]) if recorded else now

    async def _run_while_leading(self, runs: list[Awaitable[None]]) -> None:
        """Await the jobs while renewing the lease; if it is lost, cut them off: another process
        leads now, and runs them again at once, since their next run was not recorded."""
        if not runs:
            return
        jobs = asyncio.gather(*runs)
        renewing = asyncio.ensure_future(self._leadership.keep(TICK_SECONDS))
        try:
            await asyncio.wait([jobs, renewing], return_when=asyncio.FIRST_COMPLETED)
            if not jobs.done():
                log.warning("lost the scheduler lease while jobs ran; they are cut off")
                jobs.cancel()
            await asyncio.gather(jobs, return_exceptions=True)
        finally:
            # the jobs' outcome is read here too, so a scheduler stopped mid-job ends quietly
            jobs.cancel()
            renewing.cancel()
            await asyncio.gather(jobs, renewing, return_exceptions=True)

    async def _run(self, plugin: str, job: PeriodicJob, now: datetime) -> None:
        """Run one job and record when it runs next: a period on, or sooner after a hiccup; any
        other failure counts against the plugin."""
        next_run = now + job.every
        limit = asyncio.timeout(JOB_TIMEOUT_SECONDS)
        try:
            async with limit:
                await job.run()
        except Exception as error:
            if not limit.expired() and is_transient(error):
                next_run = now + self._pause_after_hiccup(job, error)
            else:
                if limit.expired():
                    error = TimeoutError(f"still running after {JOB_TIMEOUT_SECONDS:.0f} s; cut off")
                self._hiccups.pop(job.name, None)
                self._host.count_error(plugin, f"job:{job.name}", error)
        else:
            self._hiccups.pop(job.name, None)
        await self._record_next_run(job, next_run)

    def _pause_after_hiccup(self, job: PeriodicJob, error: Exception) -> timedelta:
        hiccups = self._hiccups.get(job.name, 0)
        pause = min(job.every, RETRY_FIRST * 2**hiccups)
        self._hiccups[job.name] = hiccups + 1
        log.warning("job %s hit a hiccup (%s); running it again in %s", job.name, type(error).__name__, pause)
        return pause

    async def _record_next_run(self, job: PeriodicJob, next_run: datetime) -> None:
        """Record when the job runs next, for this leader and the next; if the store cannot take
        it, the job runs again at the next tick (jobs are idempotent) rather than never."""
        try:
            await self._records.put(NEXT_RUNS_NAMESPACE, job.name, {"next_run": next_run.isoformat()})
        except Exception as error:
            log.warning(
                "could not record when job %s runs next (%s); it runs again at the next tick",
                job.name,
                type(error).__name__,
                exc_info=not is_transient(error),
            )

    async def run(self) -> None:
        """Stand as a candidate, and run due jobs while leading, until cancelled; then step down."""
        try:
            while True:
                try:
                    await self.run_once()
                except Exception as error:
                    if not is_transient(error):
                        raise
                    log.warning("the scheduler hit a store hiccup (%s); trying again", type(error).__name__)
                await asyncio.sleep(TICK_SECONDS)
        finally:
            await self._leadership.release()
