"""Keeps the gateway's long-running loops alive: a loop that dies is logged, counted and
started again after a pause, and while any loop is down `/readyz` says which."""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from gateway.metrics import GatewayMetrics

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0


class Supervisor:
    """Runs loops as tasks; `name` is a small fixed label (send, inbox, scheduler, gauges)
    that several loops may share."""

    def __init__(self, metrics: GatewayMetrics, *, first_pause: float = FIRST_PAUSE_SECONDS) -> None:
        self._metrics = metrics
        self._first_pause = first_pause
        self._down: Counter[str] = Counter()

    @property
    def down(self) -> list[str]:
        """Names of loops that died and are waiting to be started again."""
        return sorted(name for name, count in self._down.items() if count > 0)

    def start(self, name: str, run: Callable[[], Awaitable[None]]) -> "asyncio.Task[None]":
        """Run `run()` until the returned task is cancelled, starting it again whenever it ends."""
        self._metrics.loop_restarts.labels(name)  # exposed at 0 from the start, so increase() sees the first restart
        return asyncio.create_task(self._keep_running(name, run), name=f"loop:{name}")

    async def _keep_running(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        pause = self._first_pause
        while True:
            started = time.monotonic()
            try:
                await run()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the %s loop died", name)
            else:
                log.error("the %s loop ended, which it never should", name)
            if time.monotonic() - started > LONGEST_PAUSE_SECONDS:
                pause = self._first_pause
            log.warning("starting the %s loop again in %.1f s", name, pause)
            self._metrics.loop_restarts.labels(name).inc()
            self._down[name] += 1
            try:
                await asyncio.sleep(pause)
            finally:
                self._down[name] -= 1
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


async def stop(*tasks: "asyncio.Task[None]") -> None:
    """Cancel loops and wait until each has ended."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
