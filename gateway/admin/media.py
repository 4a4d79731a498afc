"""Stored media under /api/v1/media: a file uploaded to be sent, a file downloaded by an
authenticated caller, and what the message history shows of each message's media."""

import asyncio
from collections.abc import AsyncIterator
from typing import Self

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, Field

from gateway.admin.api import Api, Query, answer, invalid_field, query_of
from gateway.appkeys import MEDIA
from gateway.media.limits import max_bytes
from gateway.media.serving import serve
from gateway.media.sniffing import Refused, checked
from gateway.models import MediaKind
from gateway.ports.media import MediaState, MediaStore, MediaStoreError, StoredMedia
from gateway.ports.records import Direction, LogEntry
from gateway.ports.store import NotFound

GONE = "no longer in the media store"
PIECE_BYTES = 256 * 1024
UPLOAD_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": "with its type and name"}},
            "additionalProperties": False,
        }
    },
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
}
"""A form's `file` part, or the file itself as the body with its own Content-Type (any type)."""
MALFORMED = (HttpProcessingError, ValueError, AssertionError)
"""What aiohttp's multipart reader raises on a body it cannot read (it asserts on some)."""


class Upload(Query):
    kind: MediaKind | None = Field(
        default=None, description="send it as this kind; else the kind its bytes show (any file may be a document)"
    )
    filename: str | None = Field(default=None, min_length=1, max_length=240, description="else the form part's")


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


async def _pieces_of(request: web.Request) -> tuple[AsyncIterator[bytes], str | None, str | None]:
    """The uploaded file in pieces, with the type and name it was declared with: a multipart
    form's `file` part, else the whole body."""
    if request.content_type != "multipart/form-data":
        return request.content.iter_chunked(PIECE_BYTES), request.headers.get(hdrs.CONTENT_TYPE), None
    try:
        async for part in await request.multipart():
            if isinstance(part, BodyPartReader) and part.name == "file":
                return _chunks(part), part.headers.get(hdrs.CONTENT_TYPE), part.filename
    except MALFORMED:
        raise _unreadable() from None
    raise invalid_field("file", "a multipart upload needs a part named file")


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    try:
        while piece := await part.read_chunk(PIECE_BYTES):
            yield piece
    except MALFORMED:
        raise _unreadable() from None


def _unreadable() -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text="the multipart body cannot be read")


async def _read(pieces: AsyncIterator[bytes], kind: MediaKind | None) -> bytes:
    """The whole file, refused with a 413 as soon as it passes its kind's limit (the largest
    while the kind is not known), without reading the rest."""
    limit, data = max_bytes(kind), bytearray()
    async for piece in pieces:
        data += piece
        if len(data) > limit:
            what = f"{kind.value} media" if kind is not None else "any media"
            reason = f"the file is over {limit:,} bytes, WhatsApp's limit for {what}"
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data), text=reason)
    return bytes(data)


def _base_name(filename: str | None) -> str | None:
    """A file name without the folders a browser or a script may have sent with it."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() if filename else ""
    return name[:240] or None


def declare(api: Api) -> None:
    @api.route(
        "POST",
        "/media",
        "Upload a file to send: a form's `file` part, or the raw file with its Content-Type; "
        "send it with `media.media_id` in POST /messages",
        query=Upload,
        body_content=UPLOAD_BODY,
        answers={
            201: "stored",
            400: "a multipart body that cannot be read",
            413: "larger than WhatsApp takes for its kind (image 5 MB, video and audio 16 MB, document 100 MB)",
            422: "empty, a type WhatsApp does not take, or bytes that are not what they were declared as",
            503: "the media store could not keep the file",
        },
        returns=MediaInfo,
    )
    async def upload(request: web.Request) -> web.Response:
        asked = query_of(request, Upload)
        pieces, declared, filename = await _pieces_of(request)
        data = await _read(pieces, asked.kind)
        if not data:
            raise invalid_field("file", "the file is empty")
        try:
            # off the event loop: the caller's bytes decide how long a check takes (a ZIP's directory)
            found = await asyncio.to_thread(checked, data, declared, asked.kind)
        except Refused as refusal:
            raise invalid_field("file", refusal.reason) from None
        try:
            stored = await request.config_dict[MEDIA].put(
                data, content_type=found.content_type, kind=found.kind, filename=asked.filename or _base_name(filename)
            )
        except MediaStoreError as error:
            raise web.HTTPServiceUnavailable(text=f"the media store refused the file: {error}") from None
        return answer(MediaInfo.of(stored), status=201)

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
