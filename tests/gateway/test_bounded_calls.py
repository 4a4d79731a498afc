"""A call in a bounded process that dies or hangs in one long step is ended, and the pool is
replaced so the calls after it still run."""

import os
import signal

import pytest

from gateway.bounded_calls import MIB, BoundedCalls, Budget, OverBudget


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def add(a: int, b: int) -> int:
    return a + b


def one_long_step() -> int:
    return sum(range(10**11))  # one C call: an alarm cannot interrupt it


async def test_a_call_whose_process_dies_fails_and_the_next_call_runs():
    calls = BoundedCalls(Budget(seconds=1, memory_bytes=64 * MIB), preload=[])
    with pytest.raises(OverBudget, match="the process running it died"):
        await calls.call(die)
    assert await calls.call(add, 2, 3) == 5


@pytest.mark.slow
async def test_a_step_no_alarm_can_stop_is_killed_at_its_cpu_limit():
    calls = BoundedCalls(Budget(seconds=0.1, memory_bytes=64 * MIB), preload=[])
    with pytest.raises(OverBudget, match="the process running it died"):
        await calls.call(one_long_step)
    assert await calls.call(add, 2, 3) == 5
