"""Stored media under /api/v1/media: a file downloaded by an authenticated caller, and what the
message history shows of each message's media."""

from typing import Self

from aiohttp import web
from pydantic import BaseModel, Field

from gateway.admin.api import Api
from gateway.appkeys import MEDIA
from gateway.media.serving import serve
from gateway.models import MediaKind
from gateway.ports.media import MediaState, MediaStore, StoredMedia
from gateway.ports.records import Direction, LogEntry
from gateway.ports.store import NotFound

GONE = "no longer in the media store"


class MediaInfo(BaseModel):
    """A file in the media store, or the record that a contact's file could not be had."""

    id: str
    state: MediaState
    kind: MediaKind | None = None
    content_type: str | None = None
    size: int = 0
    sha256: str | None = None
    filename: str | None = None
    error: str | None = Field(default=None, description="why the file could not be had")
    attempts: int = Field(default=0, description="downloads tried for a contact's file")
    href: str = Field(description="where the file is downloaded, with the bearer token")

    @classmethod
    def of(cls, stored: StoredMedia) -> Self:
        shown = stored.model_dump(include=set(cls.model_fields) - {"href"})
        return cls(**shown, href=f"/api/v1/media/{stored.id}")

    @classmethod
    def missing(cls, media_id: str) -> Self:
        """A file a message named that the store no longer holds (purged with the log's retention)."""
        return cls(id=media_id, state=MediaState.UNAVAILABLE, error=GONE, href=f"/api/v1/media/{media_id}")


async def media_of(media: MediaStore, entry: LogEntry) -> list[MediaInfo]:
    """The media a logged message carried: what the inbox fetched for an inbound one, the stored
    file an outbound one named."""
    carried = entry.payload.get("media")
    if not carried:
        return []
    if entry.direction is Direction.INBOUND:
        return [MediaInfo.of(stored) for stored in await media.of_message(entry.id)]
    media_id = carried.get("media_id")
    if media_id is None:
        return []
    stored = await media.get(media_id)
    return [MediaInfo.of(stored) if stored is not None else MediaInfo.missing(media_id)]


def declare(api: Api) -> None:
    @api.route(
        "GET",
        "/media/{id}",
        "A stored file, with its Content-Type and its name in Content-Disposition",
        answers={
            200: "the file",
            404: "no such media, or a contact's file that could not be had (the message says why)",
        },
        returns_file=True,
    )
    async def download(request: web.Request) -> web.StreamResponse:
        media, media_id = request.config_dict[MEDIA], request.match_info["id"]
        stored = await media.get(media_id)
        if stored is None:
            raise web.HTTPNotFound(text=f"no media {media_id}")
        if stored.state is not MediaState.STORED:
            raise web.HTTPNotFound(text=f"media {media_id} is unavailable: {stored.error}")
        try:
            return await serve(request, media, stored, disposition="attachment", cache_control="private, no-store")
        except NotFound:
            raise web.HTTPNotFound(text=f"media {media_id} is {GONE}") from None
