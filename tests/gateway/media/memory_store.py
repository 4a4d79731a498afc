"""A media store in memory, for tests of what uses one (the adapters have their own contract suite)."""

import hashlib

from gateway.clock import Clock
from gateway.models import MediaKind, new_id
from gateway.ports.media import MediaState, StoredMedia
from gateway.ports.store import NotFound


class MemoryMediaStore:
    backend = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.records: dict[str, StoredMedia] = {}
        self.files: dict[str, bytes] = {}

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
        if cache_key is not None and (known := await self.cached(cache_key)) is not None:
            return known
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
        )
        self.records[stored.id], self.files[stored.id] = stored, data
        return stored

    async def get(self, media_id: str) -> StoredMedia | None:
        return self.records.get(media_id)

    async def read(self, media_id: str) -> bytes:
        if media_id not in self.files:
            raise NotFound(f"no media {media_id}")
        return self.files[media_id]

    async def cached(self, cache_key: str) -> StoredMedia | None:
        return next((s for s in self.records.values() if s.cache_key == cache_key), None)
