"""Business events in, notifications out: plugins declare event types; the core validates an
event, works out its recipients and queues one job per recipient, idempotently by event id."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from gateway.clock import Clock
from gateway.models import ContactId, OutboundMessage, Priority, TemplateRef
from gateway.outbox import Outbox
from gateway.phone import InvalidPhoneNumber, to_contact_id
from gateway.ports.store import Store

log = logging.getLogger(__name__)

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


class Event(BaseModel):
    """What a business system posts to /api/v1/events."""

    id: str = Field(min_length=1, max_length=200, description="the event's own id; a replay enqueues nothing new")
    type: str = Field(min_length=1)
    data: dict[str, Any] = Field(default_factory=dict)
    recipients: list[ContactId] = Field(default_factory=list, max_length=1000)


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


def role_key(role: str) -> str:
    """The global setting holding a role's members, e.g. `roles.supervisors`."""
    return f"roles.{role}"


class EventService:
    def __init__(self, store: Store, outbox: Outbox, types: dict[str, EventType], clock: Clock) -> None:
        self.types = types
        self._store = store
        self._outbox = outbox
        self._clock = clock

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
        jobs = []
        for recipient in recipients:
            message = OutboundMessage(
                recipient=recipient,
                template=TemplateRef(name=kind.template, parameters=event.data),
                priority=Priority.NOTIFICATION,
                send_at=send_at,
                idempotency_key=f"event:{event.id}:{recipient}",
            )
            jobs.append((await self._outbox.enqueue(message)).id)
        if not replay:
            record = event.model_dump(mode="json") | {"received_at": self._clock.now().isoformat(), "jobs": jobs}
            await self._store.records.put(EVENTS_NAMESPACE, event.id, record)
        return Published(event.id, jobs, replay)

    async def _recipients(self, kind: EventType, event: Event) -> list[str]:
        recipients = list(event.recipients) if kind.to_recipients else []
        for role in kind.roles:
            for member in await self._store.settings.get(role_key(role)) or []:
                try:
                    recipients.append(to_contact_id(member))
                except InvalidPhoneNumber:
                    log.warning("role %s holds an entry that is not a phone number; skipped", role)
        return list(dict.fromkeys(recipients))
