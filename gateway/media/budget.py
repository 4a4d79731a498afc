"""A process's allowance of memory for files in flight: each file reserves the most it may
take before it is read and gives it back once done, so a burst of large files waits its turn
instead of taking all the process's memory, while small ones still fit beside them."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ByteBudget:
    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0
        self._freed = asyncio.Event()

    @asynccontextmanager
    async def reserved(self, size: int) -> AsyncIterator[None]:
        """Hold `size` bytes of the budget (all of it at most) while the block runs, first
        waiting until that much is free."""
        size = min(size, self.total)
        while self.used + size > self.total:
            await self._freed.wait()
        self.used += size
        try:
            yield
        finally:
            self.used -= size
            self._freed.set()  # wakes every waiter to look again; later ones wait on a new event
            self._freed = asyncio.Event()
