"""What plugins are given to send files: store one, render one from a pure function (cached by
content), read one back; and `attachment` to reply with it."""

import logging
from collections.abc import Awaitable
from typing import Any

from gateway.media.rendering import Make, Renderer, RenderingFailed
from gateway.models import Content, MediaKind, OutboundMedia
from gateway.ports.media import MediaStore, MediaStoreError, StoredMedia

log = logging.getLogger(__name__)


class PluginMedia:
    def __init__(self, store: MediaStore, renderer: Renderer) -> None:
        self._store = store
        self._renderer = renderer

    async def store(
        self, data: bytes, *, content_type: str, kind: MediaKind, filename: str | None = None
    ) -> StoredMedia:
        """Keep a file the plugin already has (a photo from its backend) to send it."""
        return await self._store.put(data, content_type=content_type, kind=kind, filename=filename)

    async def render(
        self, make: Make, *args: Any, kind: MediaKind, content_type: str, filename: str | None = None, version: str
    ) -> StoredMedia:
        """Run `make(*args) -> bytes` off the event loop and keep its file; the same `make`,
        `version` and arguments again return that file without rendering. `make` is a
        module-level function of its arguments alone (JSON-able values or pydantic models)."""
        return await self._renderer.render(
            make, *args, kind=kind, content_type=content_type, filename=filename, version=version
        )

    async def read(self, media_id: str) -> bytes:
        """A stored file's bytes; raises gateway.ports.store.NotFound."""
        return await self._store.read(media_id)

    async def get(self, media_id: str) -> StoredMedia | None:
        return await self._store.get(media_id)


def attachment(stored: StoredMedia, *, caption: str | None = None) -> OutboundMedia:
    """A stored file as a reply's media (`Content(media=attachment(stored, caption=...))`); a
    document keeps its filename, which WhatsApp shows."""
    if stored.kind is None:
        raise ValueError(f"stored file {stored.id} has no kind: it was never stored as a file to send")
    filename = stored.filename if stored.kind is MediaKind.DOCUMENT else None
    return OutboundMedia(kind=stored.kind, media_id=stored.id, caption=caption, filename=filename)


async def file_then(making: Awaitable[OutboundMedia], text: Content) -> list[Content]:
    """A reply's file (a chart, a bill) before its text; the text alone, logged, when the file
    cannot be made, so what the contact asked for never depends on a drawing."""
    try:
        return [Content(media=await making), text]
    except (RenderingFailed, MediaStoreError) as error:
        log.error("a file for a reply could not be made (%s); its text goes alone", error)
        return [text]
