"""For the ordering tests: a hold, under which a send (or an upload) waits until each of the
worker's other loops has looked for work and found none, so a message that could overtake the
one held would; and a run of the worker's loops until the queue is empty."""

import asyncio

from gateway.metrics import GatewayMetrics
from gateway.ports.records import JobState
from gateway.supervision import Supervisor, stop


class HeldUntilOthersLooked:
    """Counts the claims that find nothing on `store`'s queue; `hold()` returns once `loops - 1`
    more have, or once `release()` is called (something overtook the held message)."""

    def __init__(self, store, loops: int) -> None:
        self._loops = loops
        self._empty_claims = 0
        self._released_at: int | None = None
        self._released = asyncio.Event()
        claim = store.queue.claim

        async def counted_claim(owner, lease):
            job = await claim(owner, lease)
            self._empty_claims += job is None
            if self._released_at is not None and self._empty_claims >= self._released_at:
                self._released.set()
            return job

        store.queue.claim = counted_claim

    async def hold(self) -> None:
        self._released.clear()
        self._released_at = self._empty_claims + self._loops - 1
        await self._released.wait()
        self._released_at = None

    def release(self) -> None:
        self._released.set()


async def run_until_sent(store, worker, clock) -> None:
    """Run the worker's loops until no job is queued or sending, moving the clock on whenever
    only retries are left; a job held back for ever fails the test instead of hanging it."""
    loops = worker.start(Supervisor(GatewayMetrics("sqlite"), first_pause=0))
    try:
        async with asyncio.timeout(10):
            while (counts := await store.queue.counts())[JobState.QUEUED] + counts[JobState.SENDING]:
                if not counts[JobState.SENDING]:
                    clock.advance(seconds=5)  # a job put back for a retry falls due
                worker.wake()
                await asyncio.sleep(0)
    finally:
        await stop(*loops)
