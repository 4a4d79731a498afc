"""Two OS processes sharing one store never send the same job."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from adapters.storage import open_store
from gateway.clock import SystemClock
from gateway.models import OutboundMessage
from gateway.ports.records import JobState
from tests.adapters.storage.claimer import claim_all

JOBS = 300



async def test_two_processes_claim_disjoint_jobs(store_url):
    store = await open_store(store_url, SystemClock())
    try:
        for i in range(JOBS):
            await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text=f"job {i}"))

        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, ProcessPoolExecutor(2, mp_context=context) as pool:
            start = manager.Barrier(2)
            futures = [pool.submit(claim_all, store_url, name, start) for name in ("p1", "p2")]
            first, second = (future.result(timeout=120) for future in futures)

        assert not set(first) & set(second), "a job was claimed by both processes"
        assert len(first) + len(second) == JOBS
        assert first and second, "both processes should have taken part"
        assert (await store.queue.counts())[JobState.SENT] == JOBS
    finally:
        await store.close()
