"""Run a function in a pool of separate processes, each call within a time and a memory budget,
so that code operators write (templates) can neither stall the event loop nor exhaust the
gateway's memory: a thread could not be stopped or capped, a process can."""

import asyncio
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import FrameType
from typing import Any, TypeVar

Result = TypeVar("Result")

PROCESSES = 2
GATEWAY_WATCH_SECONDS = 1.0
"""How often a pool process checks that the gateway that started it still runs."""
MIB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    seconds: float
    memory_bytes: int


class OverBudget(Exception):
    """A call ran past its time or memory budget; the message says which, for an operator."""


class BoundedCalls:
    """A lazily started pool of processes, shared by every event loop of this process; a pool
    broken by a process that died (past its CPU limit, or killed) is replaced."""

    def __init__(self, budget: Budget, preload: list[str]) -> None:
        self._budget = budget
        self._preload = preload
        self._pool: ProcessPoolExecutor | None = None

    async def call(self, function: Callable[..., Result], *args: Any) -> Result:
        """`function(*args)` in a pool process; raises OverBudget, or whatever `function` raised.
        A call that finds the pool broken by another is tried once more on a fresh pool."""
        loop = asyncio.get_running_loop()
        for _ in range(2):
            pool = self._running_pool()
            try:
                return await loop.run_in_executor(pool, _within_budget, self._budget, function, *args)
            except BrokenProcessPool:
                self._replace(pool)
        raise OverBudget("the process running it died (past its CPU or memory limit)")

    def _running_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(self._preload)
            self._pool = ProcessPoolExecutor(
                PROCESSES,
                mp_context=context,
                initializer=_prepare_process,
                initargs=(self._budget.memory_bytes, os.getpid()),
            )
        return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:
            self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)


def _prepare_process(memory_bytes: int, gateway_pid: int) -> None:
    """Cap the new process's address space at what it uses now plus the budget, so an allocation
    past it raises MemoryError in the call instead of swapping the host; arm the time budget;
    watch for the gateway's death."""
    threading.Thread(target=_exit_without, args=(gateway_pid,), name="gateway-watch", daemon=True).start()
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (in_use + memory_bytes, hard))
    signal.signal(signal.SIGALRM, _on_alarm)


def _exit_without(gateway_pid: int) -> None:
    """Exit once the gateway is gone: one killed outright never shuts its pool down, and these
    processes (and the forkserver, which lives as long as they do) would outlive it."""
    while True:
        time.sleep(GATEWAY_WATCH_SECONDS)
        try:
            os.kill(gateway_pid, 0)
        except ProcessLookupError:
            os._exit(0)


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` in the call stops it."""


_running = False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    # An alarm that lands after the call has finished must not break the pool's own code.
    if _running:
        raise _OutOfTime


def _within_budget(budget: Budget, function: Callable[..., Result], *args: Any) -> Result:
    """In a pool process: the call, interrupted by an alarm at the time budget, and killed by the
    kernel (SIGXCPU) a second later if it is stuck in one long step that an alarm cannot stop."""
    global _running
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_limit = int(used.ru_utime + used.ru_stime + budget.seconds) + 2
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, hard))
    try:
        _running = True
        signal.setitimer(signal.ITIMER_REAL, budget.seconds)
        try:
            return function(*args)
        finally:
            _running = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:
        raise OverBudget(f"took longer than {budget.seconds:g} s") from None
    except MemoryError:
        raise OverBudget(f"needed more than {budget.memory_bytes // MIB} MiB of memory") from None
