"""Business events in, notifications out: plugins declare event types; the core validates an
event, records its id before any work, works out its recipients and queues one job per
recipient, idempotently by event id, even when several posts of one id race."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.clock import Clock
from gateway.models import ContactId, OutboundMedia
from gateway.notifications.notifier import Notifier
from gateway.ports.store import Store

EVENTS_NAMESPACE = "gateway.events"
TOLD_NAMESPACE = "gateway.events.told"
"""One record per event whose plugins were told (on_event), so they hear of it at most once."""
COMPARED = ("type", "data", "recipients")
"""What a replay must repeat of the first post; its id names one event."""
log = logging.getLogger(__name__)

Attachments = Callable[[str, dict[str, Any]], Awaitable[Sequence[OutboundMedia]]]
"""Files to send a recipient after an event's template (a bill as a PDF), made from the
recipient and the event's data."""


class EventData(BaseModel):
    """The base of an event type's data model: its fields are checked (dates are dates, enums
    are enums) and shown in the OpenAPI document; keys it does not name pass to the template."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True)
class EventType:
    """A business event a plugin turns into notifications: the template it sends, its `data`
    model (an EventData subclass, checked at the door; or, as before, the `required` keys and
    which of them are `numeric`), who receives it (the event's recipients and/or roles from
    settings), optionally when (`send_at` from the data; None sends at once; a time already
    past by more than LATE_GRACE is refused), and files sent after the template to each
    recipient (`attachments`; if making them fails, the template goes alone)."""

    type: str
    template: str
    required: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    to_recipients: bool = True
    numeric: tuple[str, ...] = ()
    send_at: Callable[[dict[str, Any]], datetime | None] | None = None
    attachments: Attachments | None = None
    data: type[EventData] | None = None


LATE_GRACE = timedelta(minutes=15)
"""A scheduled notification whose moment passed longer ago than this is refused, not sent late."""


MAX_RECIPIENTS = 10_000
"""One broadcast (a delivery delay to every subscriber) fits in one event and in the 1 MiB body."""


class Event(BaseModel):
    """What a business system posts to /api/v1/events; a key it does not name is refused, so a
    misspelt `recipients` is not silently dropped."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(
        min_length=1,
        max_length=200,
        description="the event's own id: posted again with the same type, data and recipients it is a replay "
        "and queues nothing new; with others it is refused (409)",
    )
    type: str = Field(min_length=1, description="one of the event types the plugins registered")
    data: dict[str, Any] = Field(default_factory=dict, description="what the type takes, as its model says")
    recipients: list[ContactId] = Field(
        default_factory=list,
        max_length=MAX_RECIPIENTS,
        description="who to notify, besides the holders of the type's roles; a type that goes only to its "
        "roles takes none",
    )


class EventRejected(ValueError):
    """An event that cannot be turned into notifications; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class EventConflict(ValueError):
    """A replayed event id whose type, data or recipients differ from the first post's."""

    def __init__(self, event_id: str, differing: list[str]) -> None:
        super().__init__(
            f"event {event_id} was first posted with other {' and '.join(differing)}; "
            "an event id names one event, so post a changed event under a new id"
        )
        self.differing = differing


def _comparable(name: str, value: Any) -> Any:
    """Recipients are a set: a replay may list them in another order."""
    return sorted(value) if name == "recipients" else value


@dataclass(frozen=True)
class Published:
    event_id: str
    jobs: list[str]
    replay: bool


class EventService:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        types: dict[str, EventType],
        clock: Clock,
        tell_plugins: Callable[[dict[str, Any]], Awaitable[object]],
        enrich: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        self.types = types
        self._store = store
        self._notifier = notifier
        self._clock = clock
        self._tell_plugins = tell_plugins
        self._enrich = enrich

    async def publish(self, event: Event) -> Published:
        """Record the event's id, then queue its notifications and tell plugins. A replayed id
        finds the first post's jobs and adds none, or queues them if the first post was cut
        short before it did; plugins hear of an event at most once."""
        kind = self._kind_of(event)
        data = self._checked(kind, event)
        send_at = self._send_at(kind, data)
        recipients = await self._recipients(kind, event)
        if not recipients:
            roles = f" and no one holds the role {' or '.join(kind.roles)}" if kind.roles else ""
            raise EventRejected("recipients", f"{event.type} has no recipients{roles}")
        posted = event.model_dump(mode="json")
        # the id is recorded before any work, so of posts racing on one id exactly one is the first
        record = posted | {"received_at": self._clock.now().isoformat(), "jobs": None}
        first = await self._store.records.insert(EVENTS_NAMESPACE, event.id, record)
        if not first:
            record = await self._first_post_of(posted)
        if record["jobs"] is not None:
            return Published(event.id, record["jobs"], replay=not first)
        # not queued yet: this is the first post, or the first is still at it or was cut short;
        # queueing again is safe, since the jobs carry idempotency keys
        if self._enrich is not None:
            data |= await self._enrich(posted | {"data": data})
        key = f"event:{event.id}"
        jobs = await self._queue(kind, recipients, event.model_copy(update={"data": data}), key, send_at)
        await self._store.records.put(EVENTS_NAMESPACE, event.id, record | {"jobs": jobs})
        if await self._store.records.insert(TOLD_NAMESPACE, event.id, {"at": self._clock.now().isoformat()}):
            await self._tell_plugins(posted)
        return Published(event.id, jobs, replay=not first)

    async def _queue(
        self, kind: EventType, recipients: list[str], event: Event, key: str, send_at: datetime | None
    ) -> list[str]:
        """The template for every recipient; with attachments, each recipient's own after it."""
        if kind.attachments is None:
            return await self._notifier.notify(kind.template, recipients, event.data, key=key, send_at=send_at)
        jobs = []
        for recipient in dict.fromkeys(recipients):
            files = await self._attachments(kind.attachments, recipient, event)
            jobs += await self._notifier.notify(
                kind.template, [recipient], event.data, key=key, send_at=send_at, attachments=files
            )
        return jobs

    @staticmethod
    async def _attachments(make: Attachments, recipient: str, event: Event) -> Sequence[OutboundMedia]:
        """A recipient's files; none when making them fails, so the notification still goes."""
        try:
            return await make(recipient, event.data)
        except Exception:
            log.exception("Attachments for %s event %s failed; its template goes alone", event.type, event.id)
            return ()

    def _kind_of(self, event: Event) -> EventType:
        """The event's type, once its data has every key the type needs, numbers where it needs them."""
        kind = self.types.get(event.type)
        if kind is None:
            raise EventRejected("type", f"unknown event type {event.type!r}; known: {', '.join(sorted(self.types))}")
        if event.recipients and not kind.to_recipients:
            roles = " and ".join(kind.roles)
            raise EventRejected("recipients", f"{event.type} goes to the holders of {roles}; it takes no recipients")
        missing = [key for key in kind.required if key not in event.data]
        if missing:
            raise EventRejected(f"data.{missing[0]}", f"{event.type} needs data {', '.join(missing)}")
        for key in kind.numeric:
            if key in event.data and (
                isinstance(event.data[key], bool) or not isinstance(event.data[key], int | float)
            ):
                raise EventRejected(f"data.{key}", f"{key} must be a number, such as 1860 or 499.5")
        return kind

    def _send_at(self, kind: EventType, data: dict[str, Any]) -> datetime | None:
        """When the type schedules it; refused when that moment is long past (a shift in 2020)."""
        send_at = kind.send_at(data) if kind.send_at else None
        if send_at is not None and send_at < self._clock.now() - LATE_GRACE:
            raise EventRejected("data", f"{kind.type} would have been sent at {send_at.isoformat()}, which has passed")
        return send_at

    @staticmethod
    def _checked(kind: EventType, event: Event) -> dict[str, Any]:
        """The event's data as its type's model reads it (dates as ISO strings for the
        templates), or EventRejected naming the first field to fix."""
        if kind.data is None:
            return event.data
        try:
            return kind.data.model_validate(event.data).model_dump(mode="json")
        except ValidationError as error:
            problem = error.errors(include_input=False, include_url=False)[0]
            where = ".".join(str(part) for part in ("data", *problem["loc"]))
            raise EventRejected(where, problem["msg"].removeprefix("Value error, ")) from None

    async def _first_post_of(self, posted: dict[str, Any]) -> dict[str, Any]:
        """The record the first post under this id left; EventConflict when this post differs from it."""
        record = await self._store.records.get(EVENTS_NAMESPACE, posted["id"])
        if record is None:
            raise RuntimeError(f"event {posted['id']} was recorded, then deleted: the gateway never deletes one")
        differing = [name for name in COMPARED if _comparable(name, record[name]) != _comparable(name, posted[name])]
        if differing:
            raise EventConflict(posted["id"], differing)
        return record

    async def _recipients(self, kind: EventType, event: Event) -> list[str]:
        """The event's own recipients (when its type takes them) and the members of its roles;
        the notifier sends each once."""
        recipients = list(event.recipients) if kind.to_recipients else []
        return [*recipients, *await self._notifier.members(kind.roles)]
