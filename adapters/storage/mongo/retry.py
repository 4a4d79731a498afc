"""Riding out a replica set election: idempotent operations are tried again, with a bounded
backoff, when MongoDB fails in a way that passes (NotPrimary, a dropped connection, a timeout).

The driver already retries each retryable read and write within the operation timeout, with
the same transaction number, so the server applies a write once; this adds the rest of an
election's worth of patience for operations that are safe to repeat whole.
"""

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pymongo.errors import PyMongoError

from gateway.faults import is_transient

log = logging.getLogger(__name__)

T = TypeVar("T")

PAUSES_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""30.5 s in all, beside each attempt's own operation timeout: an election takes 10-12 s."""


class Retry:
    """How an idempotent operation is tried again: the pauses between attempts, and how to wait
    (tests pass a sleep that returns at once)."""

    def __init__(
        self,
        pauses: Sequence[float] = PAUSES_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.pauses = tuple(pauses)
        self._sleep = sleep

    async def run(self, name: str, operation: Callable[[], Awaitable[T]]) -> T:
        """Run `operation`, again after each pause while it fails transiently; the last error is raised."""
        for attempt, pause in enumerate(self.pauses, start=1):
            try:
                return await operation()
            except PyMongoError as error:
                if not is_transient(error):
                    raise
                log.warning(
                    "mongo %s failed (%s), trying again in %.1f s (attempt %d of %d)",
                    name,
                    type(error).__name__,
                    pause,
                    attempt,
                    len(self.pauses) + 1,
                )
            await self._sleep(pause)
        return await operation()


def idempotent(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Mark a repository method as safe to repeat whole, so its object's `_retry` rides out an election."""

    @functools.wraps(method)
    async def retried(self: Any, *arguments: Any, **keywords: Any) -> T:
        return await self._retry.run(method.__qualname__, lambda: method(self, *arguments, **keywords))

    return retried
