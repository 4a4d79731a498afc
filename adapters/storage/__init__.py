"""Store adapters: SQLite (embedded default) and MongoDB (production), chosen by URL."""

from datetime import timedelta
from pathlib import Path

from gateway.clock import Clock
from gateway.ports.store import Store


async def open_store(url: str, clock: Clock, log_retention: timedelta | None = None) -> Store:
    """Open the store `GATEWAY_STORE_URL` names: `sqlite:///path` or `mongodb://host/db`."""
    if url.startswith("sqlite:///"):
        from adapters.storage.sqlite import SqliteStore

        return await SqliteStore.open(Path(url.removeprefix("sqlite:///")), clock)
    from adapters.storage.mongo import MongoStore

    return await MongoStore.open(url, clock, log_retention)
