"""A queue worker run in its own OS process by the two-process claim test."""

import asyncio
from datetime import timedelta
from multiprocessing.synchronize import Barrier

from adapters.storage import open_store
from gateway.clock import SystemClock


def claim_all(url: str, name: str, start: Barrier) -> list[str]:
    """Claim and ack jobs from the store at `url` until none is left; return their ids."""
    return asyncio.run(_claim_all(url, name, start))


async def _claim_all(url: str, name: str, start: Barrier) -> list[str]:
    store = await open_store(url, SystemClock())
    taken: list[str] = []
    try:
        start.wait()
        while (job := await store.queue.claim(name, timedelta(minutes=5))) is not None:
            taken.append(job.id)
            await store.queue.ack(job.id, name, f"sent-by-{name}")
    finally:
        await store.close()
    return taken
