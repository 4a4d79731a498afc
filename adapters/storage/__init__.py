"""Store adapters: SQLite (embedded default) and MongoDB (production), chosen by URL."""

import sqlite3
from datetime import timedelta
from pathlib import Path

from pymongo.errors import PyMongoError

from gateway.clock import Clock
from gateway.ports.store import Store


async def open_store(url: str, clock: Clock, log_retention: timedelta | None = None) -> Store:
    """Open the store `GATEWAY_STORE_URL` names: `sqlite:///path` or `mongodb://host/db`."""
    if url.startswith("sqlite:///"):
        from adapters.storage.sqlite import SqliteStore

        return await SqliteStore.open(Path(url.removeprefix("sqlite:///")), clock)
    from adapters.storage.mongo import MongoStore

    return await MongoStore.open(url, clock, log_retention)


STORE_ERRORS = (OSError, sqlite3.Error, PyMongoError)
"""What opening or using a store raises when it cannot be reached or refuses the work."""


def unreachable_store(backend: str, error: BaseException) -> str:
    """One line saying which store failed and why (PyMongo's reasons run to many lines)."""
    reason = (str(error).splitlines() or [type(error).__name__])[0]
    reason = reason if len(reason) <= 200 else reason[:200] + "…"
    return f"cannot reach the {backend} store: {reason}"
