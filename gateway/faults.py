"""Which failures are worth trying again: a store, network or provider hiccup passes on its
own, a bug or bad data does not. Every loop asks here, so they all agree."""

import sqlite3

import aiohttp
from pymongo.errors import AutoReconnect, ConnectionFailure, ExecutionTimeout, PyMongoError, WTimeoutError

_TRANSIENT = (
    TimeoutError,
    ConnectionError,
    aiohttp.ClientError,
    sqlite3.OperationalError,
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    WTimeoutError,
)
"""sqlite3.OperationalError is "database is locked" and disk I/O; AutoReconnect covers
NotPrimaryError, the usual error of a replica set election."""


def is_transient(error: BaseException) -> bool:
    """Whether the same work may well succeed if tried again a little later."""
    if isinstance(error, _TRANSIENT):
        return True
    return isinstance(error, PyMongoError) and (
        error.has_error_label("RetryableWriteError") or error.has_error_label("TransientTransactionError")
    )
