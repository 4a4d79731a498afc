"""Media store adapters: a directory on disk beside the SQLite store (embedded default) and
GridFS in the MongoDB store's database (production), chosen by the store's URL."""

from typing import Any

from gateway.clock import Clock
from gateway.ports.media import MediaStore
from gateway.settings import Settings


async def open_media_store(settings: Settings, clock: Clock, store: Any = None) -> MediaStore:
    """Open the media store beside `GATEWAY_STORE_URL`'s: files under `settings.media_directory`
    for SQLite, GridFS bucket `media` for MongoDB, sharing `store`'s client when given (one
    client per process)."""
    if settings.store_url.startswith("sqlite:///"):
        from adapters.storage.media.disk import DiskMediaStore

        return await DiskMediaStore.open(settings.media_directory, clock)
    from adapters.storage.media.gridfs import GridFSMediaStore

    if store is not None:
        return await GridFSMediaStore.open(store.database, clock)
    return await GridFSMediaStore.connect(settings.store_url, clock)
