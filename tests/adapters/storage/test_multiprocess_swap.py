"""Two OS processes changing one record by compare-and-set lose no update: what keeps operators,
inbox lease holders and the time-out job from overwriting each other's change to a card."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from adapters.storage import open_store
from gateway.clock import SystemClock
from tests.adapters.storage.swapper import KEY, NAMESPACE, add_one_each

TIMES = 200



@pytest.mark.slow
async def test_two_processes_adding_by_compare_and_set_lose_no_update(store_url):
    store = await open_store(store_url, SystemClock())
    try:
        await store.records.put(NAMESPACE, KEY, {"version": 1, "count": 0})
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, ProcessPoolExecutor(2, mp_context=context) as pool:
            start = manager.Barrier(2)
            futures = [pool.submit(add_one_each, store_url, TIMES, start) for _ in range(2)]
            lost = sum(future.result(timeout=120) for future in futures)
        print(f"compare-and-set races lost and tried again: {lost}")
        assert await store.records.get(NAMESPACE, KEY) == {"version": 1 + 2 * TIMES, "count": 2 * TIMES}
    finally:
        await store.close()
