"""A file attached on the simulator page, read from its multipart form and checked as a
contact's file from a provider is: no larger than WhatsApp allows its kind, and its bytes the
type it claims. A refusal is an HTTP error whose message says what to change."""

import asyncio
from dataclasses import dataclass

from aiohttp import BodyPartReader, hdrs, web

from gateway.media.limits import kind_of, max_bytes
from gateway.media.sniffing import Checked, Refused, checked
from gateway.models import MAX_CAPTION_CHARS
from gateway.phone import InvalidPhoneNumber, to_simulated_contact

FIELDS = frozenset({"phone", "caption", "file"})
CHUNK_BYTES = 64 * 1024
MEGABYTE = 1024 * 1024


class Unfit(Exception):
    """An upload refused: the HTTP status to answer and what to change."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Attached:
    """A file from the page, checked: who sent it, its bytes, what they are, its name and caption."""

    contact: str
    data: bytes
    checked: Checked
    filename: str | None
    caption: str | None


async def attached(request: web.Request) -> Attached:
    """The page's form (`phone`, `file`, optional `caption`), read and checked; raises Unfit."""
    if request.content_type != "multipart/form-data":
        raise Unfit(415, "attach a file as multipart/form-data with the fields phone, file and caption")
    try:
        fields, file = await _form(request)
    except ValueError as error:  # aiohttp's word for a body that is no multipart form
        raise Unfit(400, f"the form could not be read: {error}") from None
    data, declared, filename = file
    contact = _contact(fields.get("phone"))
    if not data:
        raise Unfit(400, "file: choose a file to attach")
    caption = fields.get("caption", "").strip() or None
    if caption is not None and len(caption) > MAX_CAPTION_CHARS:
        raise Unfit(400, f"caption: at most {MAX_CAPTION_CHARS} characters")
    try:
        found = await asyncio.to_thread(checked, data, declared, None)  # its bytes decide how long it takes
    except Refused as refused:
        raise Unfit(415, f"file: {refused.reason}") from None
    return Attached(contact, data, found, filename, caption)


async def _form(request: web.Request) -> tuple[dict[str, str], tuple[bytes | None, str | None, str | None]]:
    """The text fields, and the file's bytes, declared type and name."""
    fields: dict[str, str] = {}
    file: tuple[bytes | None, str | None, str | None] = (None, None, None)
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader) or part.name not in FIELDS:
            raise Unfit(400, f"unexpected field {getattr(part, 'name', None)!r}: send phone, file and caption")
        if part.name == "file":
            declared = part.headers.get(hdrs.CONTENT_TYPE)
            file = await _capped(part, max_bytes(kind_of(declared)), _too_large(declared)), declared, part.filename
        else:
            too_long = f"{part.name}: at most {MAX_CAPTION_CHARS} characters"
            fields[part.name] = (await _capped(part, 4 * MAX_CAPTION_CHARS, too_long)).decode("utf-8", "replace")
    return fields, file


async def _capped(part: BodyPartReader, limit: int, too_large: str) -> bytes:
    """The part's bytes, refused (413, saying `too_large`) as soon as they pass `limit`, so an
    oversized file is never held whole."""
    read = bytearray()
    while chunk := await part.read_chunk(CHUNK_BYTES):
        read += chunk
        if len(read) > limit:
            raise Unfit(413, too_large)
    return bytes(read)


def _too_large(declared: str | None) -> str:
    kind, limit = kind_of(declared), max_bytes(kind_of(declared))
    size = f"{limit // MEGABYTE} MB" if limit % MEGABYTE == 0 else f"{limit // 1024} KB"
    return f"file: WhatsApp takes {kind.value if kind else 'any'} files of at most {size}"


def _contact(phone: str | None) -> str:
    try:
        return to_simulated_contact(phone or "")
    except InvalidPhoneNumber as error:
        raise Unfit(400, f"phone: {error}") from None
