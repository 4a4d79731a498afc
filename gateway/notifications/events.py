"""Business events in, notifications out: plugins declare event types; the core validates an
event, works out its recipients and queues one job per recipient, idempotently by event id."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from gateway.clock import Clock
from gateway.models import ContactId
from gateway.notifications.notifier import Notifier
from gateway.ports.store import Store

EVENTS_NAMESPACE = "gateway.events"


@dataclass(frozen=True)
class EventType:
    """A business event a plugin turns into notifications: the template it sends, the data
    keys it needs (and which must be numbers), who receives it (the event's recipients and/or
    roles from settings), and optionally when (`send_at` from the data; None sends at once;
    it raises EventRejected for data it cannot read)."""

    type: str
    template: str
    required: tuple[str, ...]
    roles: tuple[str, ...] = ()
    to_recipients: bool = True
    numeric: tuple[str, ...] = ()
    send_at: Callable[[dict[str, Any]], datetime | None] | None = None


MAX_RECIPIENTS = 10_000
"""One broadcast (a delivery delay to every subscriber) fits in one event and in the 1 MiB body."""


class Event(BaseModel):
    """What a business system posts to /api/v1/events."""

    id: str = Field(min_length=1, max_length=200, description="the event's own id; a replay enqueues nothing new")
    type: str = Field(min_length=1)
    data: dict[str, Any] = Field(default_factory=dict)
    recipients: list[ContactId] = Field(default_factory=list, max_length=MAX_RECIPIENTS)


class EventRejected(ValueError):
    """An event that cannot be turned into notifications; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


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
    ) -> None:
        self.types = types
        self._store = store
        self._notifier = notifier
        self._clock = clock
        self._tell_plugins = tell_plugins

    async def publish(self, event: Event) -> Published:
        """Queue the event's notifications; a replayed id finds the same jobs and adds none."""
        kind = self.types.get(event.type)
        if kind is None:
            raise EventRejected("type", f"unknown event type {event.type!r}; known: {', '.join(sorted(self.types))}")
        missing = [key for key in kind.required if key not in event.data]
        if missing:
            raise EventRejected(f"data.{missing[0]}", f"{event.type} needs data {', '.join(missing)}")
        for key in kind.numeric:
            if key in event.data and (
                isinstance(event.data[key], bool) or not isinstance(event.data[key], int | float)
            ):
                raise EventRejected(f"data.{key}", f"{key} must be a number, such as 1860 or 499.5")
        recipients = await self._recipients(kind, event)
        if not recipients:
            roles = f" and no one holds the role {' or '.join(kind.roles)}" if kind.roles else ""
            raise EventRejected("recipients", f"{event.type} has no recipients{roles}")
        send_at = kind.send_at(event.data) if kind.send_at else None
        replay = await self._store.records.get(EVENTS_NAMESPACE, event.id) is not None
        jobs = await self._notifier.notify(
            kind.template, recipients, event.data, key=f"event:{event.id}", send_at=send_at
        )
        if not replay:
            record = event.model_dump(mode="json") | {"received_at": self._clock.now().isoformat(), "jobs": jobs}
            await self._store.records.put(EVENTS_NAMESPACE, event.id, record)
            await self._tell_plugins(event.model_dump(mode="json"))
        return Published(event.id, jobs, replay)

    async def _recipients(self, kind: EventType, event: Event) -> list[str]:
        """The event's own recipients (when its type takes them) and the members of its roles;
        the notifier sends each once."""
        recipients = list(event.recipients) if kind.to_recipients else []
        return [*recipients, *await self._notifier.members(kind.roles)]
