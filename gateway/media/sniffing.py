"""A contact's file checked before it is kept: its bytes, read by the `filetype` library, must
be the kind it was declared as and a type WhatsApp accepts, within that kind's size limit. A
file that lies about itself (a program or a PDF sent as a photo) is refused with the reason."""

from dataclasses import dataclass
from io import BytesIO
from zipfile import BadZipFile, ZipFile

import filetype
from PIL import Image, UnidentifiedImageError

from gateway.media.limits import STATIC_STICKER_MAX_BYTES, TEXT_TYPES, kind_of, max_bytes, normalized
from gateway.models import MediaKind, MediaRefusal

_PICTURES = frozenset({MediaKind.IMAGE, MediaKind.STICKER})
"""Kinds that are the same thing to the eye: a sticker relayed as an image is no lie."""
_OFFICE_FOLDERS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/",
}
"""Office documents are ZIP archives; filetype tells them apart by the first few entries only,
so an archive declared as one is looked into for the folder that makes it one."""


class Refused(Exception):
    """A file the gateway will not keep; `reason` says why, for the message and the log, and
    `refusal` which kind of reason it is, for the contact."""

    def __init__(self, reason: str, refusal: MediaRefusal = MediaRefusal.WRONG_TYPE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Checked:
    """What a file is: the type its bytes show (or, for plain text, the declared one) and its kind."""

    content_type: str
    kind: MediaKind


def checked(data: bytes, declared: str | None, said: MediaKind | None) -> Checked:
    """What `data` is, given the content type it was `declared` as and the kind its provider
    `said` it is (a document may be any accepted type); raises Refused."""
    claimed = normalized(declared)
    sniffed = normalized(filetype.guess_mime(data))
    if sniffed is None:
        return _text(data, claimed, said)
    if sniffed == "video/mp4" and MediaKind.AUDIO in (said, kind_of(claimed)):
        sniffed = "audio/mp4"  # sound alone in the MP4 container, as phones record it
    if sniffed == "application/zip" and claimed in _OFFICE_FOLDERS and _holds(data, _OFFICE_FOLDERS[claimed]):
        sniffed = claimed
    kind = kind_of(sniffed)
    if kind is None:
        raise Refused(f"the file is {sniffed}, which WhatsApp does not accept")
    claimed_kind = kind_of(claimed)
    if claimed_kind is not None and not _alike(claimed_kind, kind):
        raise Refused(f"the file was declared {claimed} but its bytes are {sniffed}")
    if said not in (None, MediaKind.DOCUMENT) and not _alike(said, kind):
        raise Refused(f"the file came as {said.value} but its bytes are {sniffed}")
    result = Checked(sniffed, said or kind)
    _within_limit(data, result)
    return result


def _text(data: bytes, claimed: str | None, said: MediaKind | None) -> Checked:
    """A file with no signature in its bytes: only a text document may be one."""
    if claimed in TEXT_TYPES and said in (None, MediaKind.DOCUMENT):
        result = Checked(claimed, MediaKind.DOCUMENT)
        _within_limit(data, result)
        return result
    raise Refused(f"the file's bytes are not {claimed or 'any type WhatsApp accepts'}")


def _alike(one: MediaKind, other: MediaKind) -> bool:
    return one is other or {one, other} <= _PICTURES


def _within_limit(data: bytes, result: Checked) -> None:
    limit = max_bytes(result.kind)
    if result.kind is MediaKind.STICKER and not _animated(data):
        limit = STATIC_STICKER_MAX_BYTES
    if len(data) > limit:
        message = f"the {result.kind.value} is {_size(len(data))}, over WhatsApp's limit of {_size(limit)}"
        raise Refused(message, MediaRefusal.TOO_LARGE)


def _holds(archive: bytes, folder: str) -> bool:
    """Whether a ZIP archive has entries in `folder` (its directory only is read)."""
    try:
        with ZipFile(BytesIO(archive)) as opened:
            return any(name.startswith(folder) for name in opened.namelist())
    except BadZipFile:
        return False


def _animated(data: bytes) -> bool:
    """Whether a sticker moves; one that claims more pixels than Pillow will open is refused."""
    try:
        with Image.open(BytesIO(data)) as image:
            return bool(getattr(image, "is_animated", False))
    except Image.DecompressionBombError:
        raise Refused("the sticker claims more pixels than any sticker has (a decompression bomb?)") from None
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB"
