"""What WhatsApp accepts: the content types of each kind of media and their size limits, as
the Cloud API documents them ("Supported media types"). A contact's file outside these is
refused, whatever its provider relayed."""

from collections.abc import Mapping
from types import MappingProxyType

from gateway.models import MediaKind

MB = 1024 * 1024
KB = 1024

MAX_BYTES: Mapping[MediaKind, int] = MappingProxyType(
    {
        MediaKind.IMAGE: 5 * MB,
        MediaKind.VIDEO: 16 * MB,
        MediaKind.AUDIO: 16 * MB,
        MediaKind.DOCUMENT: 100 * MB,
        MediaKind.STICKER: 500 * KB,
    }
)
"""The largest file of each kind; a sticker's is an animated one's (a static sticker's is
STATIC_STICKER_MAX_BYTES)."""
STATIC_STICKER_MAX_BYTES = 100 * KB
LARGEST = max(MAX_BYTES.values())
"""The limit for a file whose kind the provider did not say."""

CONTENT_TYPES: Mapping[MediaKind, frozenset[str]] = MappingProxyType(
    {
        MediaKind.IMAGE: frozenset({"image/jpeg", "image/png"}),
        MediaKind.STICKER: frozenset({"image/webp"}),
        MediaKind.VIDEO: frozenset({"video/mp4", "video/3gpp"}),
        MediaKind.AUDIO: frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
        MediaKind.DOCUMENT: frozenset(
            {
                "application/pdf",
                "text/plain",
                "text/csv",
                "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            }
        ),
    }
)
"""The content types WhatsApp accepts for each kind (csv beside text/plain: a spreadsheet
exported as text is what a factory sends)."""
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
"""Documents with no signature in their bytes, taken as declared."""

_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "video/3gp": "video/3gpp",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/opus": "audio/ogg",
    "application/csv": "text/csv",
}
"""Names phones and providers use for the same types."""
_KINDS = {content_type: kind for kind, types in CONTENT_TYPES.items() for content_type in types}


def normalized(content_type: str | None) -> str | None:
    """The bare type, lower case and by its standard name: `audio/ogg; codecs=opus` is `audio/ogg`."""
    if not content_type:
        return None
    bare = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(bare, bare) or None


def kind_of(content_type: str | None) -> MediaKind | None:
    """The kind WhatsApp sends a file of this type as; None for a type it does not accept."""
    bare = normalized(content_type)
    return _KINDS.get(bare) if bare else None


def max_bytes(kind: MediaKind | None) -> int:
    """The size limit of a kind; the largest when the kind is not known."""
    return MAX_BYTES[kind] if kind is not None else LARGEST
