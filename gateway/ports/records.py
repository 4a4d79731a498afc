"""What crosses the store port: the documents the gateway keeps, shaped by the domain."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from gateway.models import DeliveryStatus, Provider


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    """One saved version of a notification template; saving never overwrites history."""

    name: str
    language: str
    body: str
    version: int
    saved_at: datetime
    category: str | None = None
    provider_template: dict[str, Any] | None = None
    saved_by: str = "operator"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class LogStatus(StrEnum):
    """Where a logged message stands: inbound ones are received; outbound follow delivery."""

    RECEIVED = "received"
    QUEUED = DeliveryStatus.QUEUED.value
    SENT = DeliveryStatus.SENT.value
    DELIVERED = DeliveryStatus.DELIVERED.value
    READ = DeliveryStatus.READ.value
    FAILED = DeliveryStatus.FAILED.value
    DEAD = "dead"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    status: DeliveryStatus
    at: datetime
    error_code: str | None = None
    error_text: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One message in the log. Inbound entries share the gateway id of their InboundMessage;
    outbound entries share the id of the queue job that sends them."""

    id: str
    direction: Direction
    provider: Provider | None
    contact: str
    status: LogStatus
    created_at: datetime
    payload: dict[str, Any]
    provider_message_id: str | None = None
    processed: bool = False
    error: str | None = None
    status_history: tuple[StatusEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class LogQuery:
    """Filters for the message log, newest first; `cursor` continues a previous page."""

    contact: str | None = None
    direction: Direction | None = None
    status: LogStatus | None = None
    provider: Provider | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class LogPage:
    entries: list[LogEntry]
    next_cursor: str | None


class JobState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class Job:
    """An outbound message in the durable queue."""

    id: str
    message: dict[str, Any]
    state: JobState
    priority: int
    due_at: datetime
    attempts: int
    max_attempts: int
    created_at: datetime
    updated_at: datetime
    idempotency_key: str | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    provider_message_id: str | None = None
    last_error: str | None = None
    recovered: bool = False
    """Whether the latest claim took the job over from a worker whose lease had expired."""
    follows: str | None = None
    """The job this one is sent after: a notification's file follows its template."""


@dataclass(frozen=True, slots=True)
class Lease:
    """A named, time-limited right held by one owner; `token` fences out earlier holders."""

    name: str
    owner: str
    token: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Fence:
    """A lease held under `token`: a write that carries it is refused once the lease changed hands."""

    name: str
    token: int


@dataclass(frozen=True, slots=True)
class Session:
    """A contact's conversation state; `version` guards against concurrent overwrites."""

    contact: str
    data: dict[str, Any]
    version: int
    expires_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContactSettings:
    """Per-contact preferences (language, provider, opt-outs, roles) as a free-form document."""

    contact: str
    values: dict[str, Any] = field(default_factory=dict)
