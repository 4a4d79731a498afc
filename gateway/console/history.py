"""A conversation as operators read it: the message log turned into bubbles, each saying who
spoke (the contact, the bot, an operator, a notification), what the contact saw, and how far
an outbound message got."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.media.logged import LoggedMedia, logged_media
from gateway.models import Priority
from gateway.ports.media import MediaStore
from gateway.ports.records import Direction, LogEntry, LogQuery, LogStatus
from gateway.ports.store import MessageLog

PAGE = 100
"""Messages a conversation page shows at once; older ones are a link away."""

DELIVERY_WORDS = {
    LogStatus.QUEUED: "queued",
    LogStatus.SENT: "sent",
    LogStatus.DELIVERED: "delivered",
    LogStatus.READ: "read",
    LogStatus.FAILED: "failed",
    LogStatus.DEAD: "not sent",
    LogStatus.SUPPRESSED: "not sent",
}
"""How an outbound message's status reads, beside its ticks, for every operator and screen reader."""


@dataclass(frozen=True, slots=True)
class Option:
    """A button or list row as the contact saw it."""

    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    title: str | None
    rows: list[Option]


@dataclass(frozen=True, slots=True)
class Place:
    """A location a contact shared, with a link to see it on OpenStreetMap."""

    latitude: float
    longitude: float

    @classmethod
    def of(cls, location: dict[str, Any] | None) -> "Place | None":
        return None if not location else cls(location["latitude"], location["longitude"])

    @property
    def map_url(self) -> str:
        at = f"{self.latitude}/{self.longitude}"
        return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=17/{at}"


@dataclass(frozen=True, slots=True)
class Bubble:
    """One message of the conversation."""

    id: str
    inbound: bool
    author: str
    """"contact", "bot", "notification", or the name of the operator who wrote it."""
    at: datetime
    text: str | None
    buttons: list[Option] = field(default_factory=list)
    list_button: str | None = None
    sections: list[Section] = field(default_factory=list)
    attachment: LoggedMedia | None = None
    place: Place | None = None
    template: str | None = None
    status: LogStatus = LogStatus.RECEIVED
    error: str | None = None

    @property
    def delivery(self) -> str:
        """The outbound status in words ("delivered"); empty for a message the contact sent."""
        return "" if self.inbound else DELIVERY_WORDS.get(self.status, self.status.value)

    @property
    def by_operator(self) -> bool:
        return not self.inbound and self.author not in ("bot", "notification")


@dataclass(frozen=True, slots=True)
class History:
    bubbles: list[Bubble]
    older: str | None
    """The cursor of the messages before these, when there are any."""


async def read(log: MessageLog, media: MediaStore, contact: str, before: str | None = None) -> History:
    """The latest PAGE messages of a contact (or those before the cursor `before`), oldest
    first, with what the media store says of their files."""
    page = await log.query(LogQuery(contact=contact, limit=PAGE, cursor=before))
    entries = list(reversed(page.entries))
    return History([bubble(entry, await logged_media(entry, media)) for entry in entries], page.next_cursor)


def bubble(entry: LogEntry, attachment: LoggedMedia | None = None) -> Bubble:
    """One log entry, with its media as the store has it, as the operator sees it."""
    payload = entry.payload
    inbound = entry.direction is Direction.INBOUND
    list_menu = payload.get("list") or {}
    return Bubble(
        id=entry.id,
        inbound=inbound,
        author="contact" if inbound else _author(payload),
        at=entry.created_at,
        text=_text(payload, inbound),
        buttons=[Option(button["title"]) for button in payload.get("buttons") or []],
        list_button=list_menu.get("button"),
        sections=[
            Section(section.get("title"), [Option(row["title"], row.get("description")) for row in section["rows"]])
            for section in list_menu.get("sections", [])
        ],
        attachment=attachment,
        place=Place.of(payload.get("location")),
        template=_template_name(payload),
        status=entry.status,
        error=entry.error,
    )


def _author(payload: dict[str, Any]) -> str:
    if payload.get("sent_by"):
        return str(payload["sent_by"])
    return "bot" if payload.get("priority") == Priority.REPLY else "notification"


def _text(payload: dict[str, Any], inbound: bool) -> str | None:
    if not inbound:
        return payload.get("text")
    if payload.get("kind") in ("button_reply", "list_reply"):
        return payload.get("reply_title") or payload.get("reply_id")
    if payload.get("kind") == "location" and payload.get("location"):
        place = payload["location"]
        return place.get("name") or place.get("address") or f"{place['latitude']}, {place['longitude']}"
    return payload.get("text")


def _template_name(payload: dict[str, Any]) -> str | None:
    template = payload.get("provider_template") or payload.get("template")
    return template.get("name") if template else None
