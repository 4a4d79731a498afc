"""A writer run in its own OS process by the two-process compare-and-set test."""

import asyncio
from multiprocessing.synchronize import Barrier

from adapters.storage import open_store
from gateway.clock import SystemClock

NAMESPACE, KEY = "gateway.conversations", "+14155550100"


def add_one_each(url: str, times: int, start: Barrier) -> int:
    """Add 1 to the record's `count` `times` times by compare-and-set, reading it again after
    each lost race; return how many races were lost."""
    return asyncio.run(_add_one_each(url, times, start))


async def _add_one_each(url: str, times: int, start: Barrier) -> int:
    store = await open_store(url, SystemClock())
    lost = 0
    try:
        start.wait()
        for _ in range(times):
            while True:
                stored = await store.records.get(NAMESPACE, KEY)
                version = stored["version"]
                written = {"version": version + 1, "count": stored["count"] + 1}
                if await store.records.swap(NAMESPACE, KEY, written, version=version):
                    break
                lost += 1
    finally:
        await store.close()
    return lost
