"""Which failures are worth trying again: a store, network or provider hiccup passes on its
own, a bug or bad data does not. Every loop asks here, so they all agree."""

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from pymongo.errors import AutoReconnect, ConnectionFailure, ExecutionTimeout, PyMongoError, WTimeoutError

log = logging.getLogger(__name__)

T = TypeVar("T")

_TRANSIENT = (
    TimeoutError,
    ConnectionError,
    aiohttp.ClientError,
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    WTimeoutError,
)
"""AutoReconnect covers NotPrimaryError, the usual error of a replica set election."""

_SQLITE_TRANSIENT_CODES = {5, 6, 10, 13, 15}
"""SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_PROTOCOL; not SQLITE_ERROR,
which is a bug such as a missing table that no retry mends."""
_SQLITE_TRANSIENT_WORDS = ("locked", "busy", "disk i/o", "is full")


def is_transient(error: BaseException) -> bool:
    """Whether the same work may well succeed if tried again a little later."""
    if isinstance(error, _TRANSIENT):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return _sqlite_hiccup(error)
    return isinstance(error, PyMongoError) and (
        error.has_error_label("RetryableWriteError") or error.has_error_label("TransientTransactionError")
    )


def _sqlite_hiccup(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_TRANSIENT_CODES
    return any(word in str(error).casefold() for word in _SQLITE_TRANSIENT_WORDS)


async def patiently(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    first: float,
    longest: float,
    on_retry: Callable[[], object],
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    transient: Callable[[BaseException], bool] = is_transient,
) -> T:
    """`attempt()`, tried again after a pause doubling from `first` to `longest` seconds for as
    long as it fails `transient`ly (`on_retry` counts each time); any other failure is raised
    at once. For work whose only way on is a working store, such as a message already taken."""
    wait = first
    while True:
        try:
            return await attempt()
        except Exception as error:
            if not transient(error):
                raise
            log.warning("%s hit a store hiccup (%s); trying again in %.0f s", what, type(error).__name__, wait)
            on_retry()
        await pause(wait)
        wait = min(wait * 2, longest)
