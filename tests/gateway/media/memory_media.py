"""A media store in memory, for the outbound tests: what the port promises, nothing more."""

import hashlib
from collections.abc import AsyncIterator
from datetime import datetime

from gateway.clock import Clock
from gateway.models import MediaKind, new_id
from gateway.ports.media import MediaState, ProviderUpload, StoredMedia
from gateway.ports.store import NotFound

CHUNK = 4096


class MemoryMediaStore:
    backend = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.records: dict[str, StoredMedia] = {}
        self.files: dict[str, bytes] = {}
        self.reads = 0

    async def put(
        self,
        data: bytes,
        *,
        content_type: str,
        kind: MediaKind,
        filename: str | None = None,
        message_id: str | None = None,
        cache_key: str | None = None,
        attempts: int = 0,
    ) -> StoredMedia:
        stored = StoredMedia(
            id=new_id(),
            state=MediaState.STORED,
            kind=kind,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            filename=filename,
            message_id=message_id,
            cache_key=cache_key,
            created_at=self._clock.now(),
            attempts=attempts,
        )
        self.records[stored.id], self.files[stored.id] = stored, data
        return stored

    async def put_unavailable(
        self, *, message_id: str, kind: MediaKind | None, content_type: str | None, error: str, attempts: int
    ) -> StoredMedia:
        stored = StoredMedia(
            id=new_id(),
            state=MediaState.UNAVAILABLE,
            kind=kind,
            content_type=content_type,
            message_id=message_id,
            created_at=self._clock.now(),
            attempts=attempts,
            error=error,
        )
        self.records[stored.id] = stored
        return stored

    async def get(self, media_id: str) -> StoredMedia | None:
        return self.records.get(media_id)

    async def read(self, media_id: str) -> bytes:
        self.reads += 1
        if media_id not in self.files:
            raise NotFound(media_id)
        return self.files[media_id]

    async def chunks(self, media_id: str) -> AsyncIterator[bytes]:
        data = await self.read(media_id)
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]

    async def of_message(self, message_id: str) -> list[StoredMedia]:
        return [stored for stored in self.records.values() if stored.message_id == message_id]

    async def cached(self, cache_key: str) -> StoredMedia | None:
        return next((stored for stored in self.records.values() if stored.cache_key == cache_key), None)

    async def remember_upload(self, media_id: str, provider: str, upload: ProviderUpload) -> None:
        stored = self.records[media_id]
        self.records[media_id] = stored.model_copy(update={"uploads": stored.uploads | {provider: upload}})

    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        gone = [media_id for media_id, stored in self.records.items() if stored.created_at < before]
        for media_id in gone:
            del self.records[media_id]
            self.files.pop(media_id, None)
        return len(gone)

    async def close(self) -> None:
        pass
