"""The memory allowance for files in flight: what fits goes, the rest waits its turn."""

import asyncio

from gateway.media.budget import ByteBudget


async def test_a_reservation_waits_until_enough_is_given_back():
    budget = ByteBudget(100)
    first = budget.reserved(60)
    await first.__aenter__()
    waiting = asyncio.create_task(anext_reservation(budget, 50))
    small = budget.reserved(40)
    await small.__aenter__()  # what fits beside the first goes at once

    await first.__aexit__(None, None, None)

    assert await waiting == 90 and budget.used == 40
    await small.__aexit__(None, None, None)
    assert budget.used == 0


async def test_a_file_larger_than_the_whole_budget_goes_alone_rather_than_never():
    budget = ByteBudget(100)
    async with budget.reserved(250):
        assert budget.used == 100


async def test_a_reservation_given_up_while_waiting_takes_nothing():
    budget = ByteBudget(100)
    async with budget.reserved(100):
        waiting = asyncio.create_task(anext_reservation(budget, 10))
        await asyncio.sleep(0)
        assert not waiting.done()
        waiting.cancel()
    assert budget.used == 0


async def anext_reservation(budget: ByteBudget, size: int) -> int:
    """Reserve `size`; return what the budget has in use while holding it."""
    async with budget.reserved(size):
        return budget.used
