"""Plugins' periodic jobs (SLA checks, reminders), run by `serve`. Jobs must be idempotent,
since every gateway process runs them: notifications they queue carry idempotency keys."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from gateway.clock import Clock

if TYPE_CHECKING:
    from gateway.plugins import PluginHost

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0


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

    async def run_once(self) -> list[str]:
        """Run every job that is due by the clock; one that raises is recorded and the rest run."""
        now = self._clock.now()
        ran = []
        for plugin, job in self._jobs:
            if self._next.get(job.name, now) > now:
                continue
            self._next[job.name] = now + job.every
            try:
                await job.run()
            except Exception as error:
                self._host.count_error(plugin, f"job:{job.name}", error)
            ran.append(job.name)
        return ran

    async def run(self) -> None:
        """Run due jobs until cancelled."""
        while True:
            await self.run_once()
            await asyncio.sleep(TICK_SECONDS)
