"""A logged message's media as the simulator and the console show it: the file in the media
store, an outside link, why a contact's file could not be had, or that it is still being fetched."""

from dataclasses import dataclass, replace
from typing import Any

from gateway.media.limits import kind_of
from gateway.ports.media import MediaState, MediaStore, StoredMedia
from gateway.ports.records import Direction, LogEntry

GONE = "the file is no longer kept"
"""What a file past the media store's retention says."""


@dataclass(frozen=True, slots=True)
class LoggedMedia:
    kind: str
    """A MediaKind value, or "file" when neither the provider nor the store says."""
    media_id: str | None = None
    """The file in the media store, when it is there."""
    url: str | None = None
    """A link of the bot's own choosing, for media it sent by URL."""
    content_type: str | None = None
    filename: str | None = None
    caption: str | None = None
    unavailable: str | None = None
    """Why a contact's file could not be fetched or was refused."""
    voice: bool = False

    @property
    def fetching(self) -> bool:
        """A contact's file the inbox has yet to fetch."""
        return self.media_id is None and self.url is None and self.unavailable is None


async def logged_media(entry: LogEntry, store: MediaStore) -> LoggedMedia | None:
    """What came or went with `entry`, read from the media store; None when it had no media."""
    media: dict[str, Any] | None = entry.payload.get("media")
    if not media:
        return None
    inbound = entry.direction is Direction.INBOUND
    shown = LoggedMedia(
        kind=media.get("kind") or kind_of(media.get("mime_type")) or "file",
        url=None if inbound else media.get("url"),
        content_type=media.get("mime_type"),
        filename=media.get("filename"),
        caption=media.get("caption"),
        unavailable=media.get("unavailable"),
        voice=bool(media.get("voice")),
    )
    stored_id = media.get("stored_id") if inbound else media.get("media_id")
    if stored_id is not None:
        found = await store.get(stored_id)
        return _with_record(shown, found) if found else replace(shown, unavailable=GONE)
    if inbound and shown.unavailable is None:
        found = next(iter(await store.of_message(entry.id)), None)
        return _with_record(shown, found) if found else shown
    return shown


def _with_record(shown: LoggedMedia, found: StoredMedia) -> LoggedMedia:
    """The store's word on the file: its checked kind and type, and whether it is there."""
    if found.state is MediaState.UNAVAILABLE:
        return LoggedMedia(shown.kind, caption=shown.caption, unavailable=found.error or "unknown", voice=shown.voice)
    return LoggedMedia(
        kind=found.kind.value if found.kind else shown.kind,
        media_id=found.id,
        content_type=found.content_type or shown.content_type,
        filename=shown.filename or found.filename,
        caption=shown.caption,
        voice=shown.voice,
    )

