"""The store port: the repositories the gateway needs, and nothing of SQL or MongoDB.

`adapters/storage/sqlite/` and `adapters/storage/mongo/` implement it and pass one contract
suite (`tests/adapters/storage/test_*_contract.py`). Times come from the clock each store is
built with, so leases and expiry follow the injected clock; MongoDB in production times queue
leases by the server's clock instead, which every host shares.
"""

import base64
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from gateway.models import DeliveryStatus, InboundMessage, OutboundMessage, Priority, Provider, StatusUpdate
from gateway.ports.records import (
    ContactSettings,
    Fence,
    Job,
    JobState,
    Lease,
    LogEntry,
    LogPage,
    LogQuery,
    LogStatus,
    Session,
    StatusEvent,
    TemplateVersion,
)

DEFAULT_MAX_ATTEMPTS = 5


def replied_contact(message: OutboundMessage) -> str | None:
    """The contact whose replies `message` must leave in order with, or None for a message that
    may interleave (notifications, bulk)."""
    return message.recipient if message.priority == Priority.REPLY else None


INBOX_LEASE = "inbox:"
WAITING_SCAN = 8
"""How many of the oldest unprocessed messages a look for waiting contacts reads at a time per
contact it wants, where the store cannot skip held contacts' messages as it reads."""


def inbox_lease(contact: str) -> str:
    """The name of the lease whose holder processes a contact's inbound messages."""
    return INBOX_LEASE + contact


class NotFound(LookupError):
    """The record named does not exist."""


class StaleSession(RuntimeError):
    """Someone else saved this contact's session since it was loaded."""


class LeaseLost(RuntimeError):
    """A write carried a fence whose lease has since changed hands: another process now does
    this work, and the stale holder must stop."""


class TemplateRepository(Protocol):
    async def save(
        self,
        name: str,
        language: str,
        body: str,
        *,
        category: str | None = None,
        provider_template: dict[str, Any] | None = None,
        saved_by: str = "operator",
    ) -> TemplateVersion:
        """Store a new version; earlier versions are kept."""

    async def get(self, name: str, language: str) -> TemplateVersion | None:
        """The latest version."""

    async def versions(self, name: str, language: str) -> list[TemplateVersion]:
        """Every version, newest first."""

    async def rollback(self, name: str, language: str, version: int) -> TemplateVersion:
        """Save a copy of `version` as the newest; raises NotFound."""

    async def page(self, limit: int, after: tuple[str, str] | None = None) -> list[TemplateVersion]:
        """Up to `limit` of the latest versions by name and language, those after `after` (a name
        and language) when given; read from an index of latest versions, so a page costs the same
        however many templates, versions and pages come before it."""

    async def list(self) -> list[TemplateVersion]:
        """The latest version of every template, by name and language."""


class MessageLog(Protocol):
    async def record_inbound(self, message: InboundMessage) -> bool:
        """Store a received message; False (and nothing stored) when its provider id is known."""

    async def mark_processed(self, entry_id: str, error: str | None = None, *, fence: Fence | None = None) -> None:
        """Note that an inbound message has been handled, so no process does it again; `error`
        says why it went unanswered, for operators reading the log through the API. Raises
        LeaseLost when `fence` is no longer the lease's current token."""

    async def unprocessed_inbound(self, limit: int = 100) -> list[LogEntry]:
        """Inbound messages stored but not yet handled, oldest first."""

    async def waiting_contacts(self, limit: int) -> list[str]:
        """Up to `limit` contacts with unprocessed messages whose inbox lease nobody holds live,
        those whose oldest such message waited longest first; the messages of contacts being
        processed do not hide the others (on MongoDB, up to 10,000 of them)."""

    async def unprocessed_from(self, contact: str, limit: int) -> list[LogEntry]:
        """A contact's inbound messages not yet handled, oldest first."""

    async def record_outbound(self, entry_id: str, message: OutboundMessage, provider: Provider | None) -> LogEntry:
        """Log a message the gateway is about to send, as `queued`; recording the same id
        again returns the entry already logged."""

    async def set_outbound_status(
        self,
        entry_id: str,
        status: LogStatus,
        *,
        provider: Provider | None = None,
        provider_message_id: str | None = None,
        error: str | None = None,
        sent: dict[str, Any] | None = None,
    ) -> None:
        """Record what the queue did with an outbound message (sent, dead, suppressed); `sent`
        replaces the logged message with what actually went out (a rendered template). It never
        overrides a provider's report, and once the provider id is known, reports that arrived
        before it are applied. With `sent`, a message not logged yet (the outbox logs it just
        after queueing it, and a worker may be quicker) is logged now, with this status."""

    async def add_status(self, update: StatusUpdate) -> bool:
        """Keep a provider's status report (a redelivered one once) and move the message forward
        by it; False when no logged message has that id yet (the report waits for it)."""

    async def outbound_counts(self, since: datetime) -> list[tuple[str, str | None, str, int]]:
        """Outbound messages logged since `since`, counted by UTC day (YYYY-MM-DD), provider and status."""

    async def active_contacts(self, since: datetime) -> int:
        """How many contacts wrote in since `since`."""

    async def get(self, entry_id: str) -> LogEntry | None:
        """One entry with its status history."""

    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        """Delete entries and status reports older than `before` (GATEWAY_LOG_RETENTION_DAYS),
        except inbound messages still waiting to be processed; returns how many entries went."""

    async def query(self, query: LogQuery) -> LogPage:
        """Entries matching the filters, newest first, one page at a time."""


class OutboundQueue(Protocol):
    async def enqueue(
        self, message: OutboundMessage, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, follows: str | None = None
    ) -> Job:
        """Add a job due at `message.send_at` (or now), to be sent after the job `follows` ends;
        a known idempotency key returns its job."""

    async def claim(self, owner: str, lease: timedelta) -> Job | None:
        """Atomically take the most urgent due job (or one whose lease expired) for `lease`. A reply
        is not taken while an earlier reply to the same contact is queued or sending, so a
        contact's replies reach the provider in the order they were enqueued; a job that follows
        another is not taken while that one is queued or sending."""

    async def record_sent(self, job_id: str, owner: str, provider_message_id: str) -> bool:
        """Note the provider's id on a claimed job as soon as it is sent, before the ack, so a
        worker that takes it over after a crash acks it instead of sending it twice."""

    async def ack(self, job_id: str, owner: str, provider_message_id: str) -> bool:
        """Mark a claimed job sent; False when `owner` no longer holds its lease."""

    async def retry(self, job_id: str, owner: str, error: str, retry_at: datetime) -> Job | None:
        """Put a claimed job back for `retry_at`, or make it dead when its attempts are spent."""

    async def postpone(self, job_id: str, owner: str, reason: str, until: datetime) -> Job | None:
        """Put a claimed job back for `until` without spending an attempt: it never reached the
        provider (an open circuit, a store error while preparing it)."""

    async def fail(self, job_id: str, owner: str, error: str) -> Job | None:
        """Make a claimed job dead at once, with the reason."""

    async def suppress(self, job_id: str, owner: str, reason: str) -> Job | None:
        """End a claimed job unsent because the contact opted out, with the reason."""

    async def requeue(self, job_id: str) -> Job | None:
        """Put a dead or suppressed job back in the queue, due now, with its attempts reset; the
        jobs that follow it and were suppressed (because it did not go) come back to wait for it."""

    async def get(self, job_id: str) -> Job | None: ...

    async def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state."""

    async def list(self, state: JobState, limit: int = 50, after: tuple[datetime, str] | None = None) -> list[Job]:
        """Jobs in one state, oldest due first; with `after` (a due time and job id), those after it."""

    async def purge_finished(self, before: datetime, batch: int = 500) -> int:
        """Delete sent and suppressed jobs last changed before `before`, `batch` at a time, and
        say how many; dead jobs stay until an operator requeues them. A purged job's idempotency
        key is free again."""


class SettingsRepository(Protocol):
    async def get(self, key: str) -> Any | None:
        """A global setting, or None."""

    async def set(self, key: str, value: Any) -> None:
        """Set a global setting to any JSON value."""

    async def many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The global settings among `keys` that are set, by key, in one read."""

    async def starting_with(self, prefix: str) -> dict[str, Any]:
        """The global settings whose key starts with `prefix` (e.g. every `roles.`), by key in order."""

    async def contact(self, contact: str) -> ContactSettings:
        """A contact's settings; empty when none were saved."""

    async def update_contact(self, contact: str, changes: dict[str, Any]) -> ContactSettings:
        """Merge `changes` into a contact's settings; a None value removes that key."""

    async def contacts(self, limit: int = 100, after: str | None = None) -> list[ContactSettings]:
        """Contacts with settings, in order of their id, starting after `after`."""


class SessionRepository(Protocol):
    async def load(self, contact: str) -> Session | None:
        """The contact's live session, or None when there is none or it expired."""

    async def save(
        self,
        contact: str,
        data: dict[str, Any],
        *,
        expected_version: int,
        ttl: timedelta,
        fence: Fence | None = None,
    ) -> Session:
        """Write the session if its version is still `expected_version` (0: no live session),
        else raise StaleSession; raise LeaseLost when `fence` is no longer its lease's token."""

    async def delete(self, contact: str) -> None: ...


class LeaseRepository(Protocol):
    async def acquire(self, name: str, owner: str, ttl: timedelta) -> int | None:
        """Take or extend the lease; its fencing token (growing each time it changes hands),
        or None while another owner holds it live."""

    async def renew(self, name: str, owner: str, token: int, ttl: timedelta) -> bool:
        """Extend a live lease still held under `token`; False when it was lost."""

    async def release(self, name: str, owner: str, token: int) -> None:
        """Give the lease up now, if still held under `token`."""

    async def holders(self, prefix: str) -> list[Lease]:
        """The live leases whose name starts with `prefix`, by name."""

    async def purge_expired(self, before: datetime) -> int:
        """Delete leases that ran out before `before` and say how many: one a contact, a sender
        start or a circuit would otherwise stay for ever. A name taken again after its purge
        starts its tokens afresh, so `before` must be long past any live holder."""


class PluginRecords(Protocol):
    async def put(self, plugin: str, key: str, document: dict[str, Any]) -> None:
        """Create or replace one of a plugin's records."""

    async def insert(self, plugin: str, key: str, document: dict[str, Any]) -> bool:
        """Create a record only if its key is new, atomically: of any number of writers racing
        for one key, across processes, exactly one gets True; the others get False and change nothing."""

    async def swap(self, plugin: str, key: str, document: dict[str, Any], *, version: int) -> bool:
        """Compare-and-set: write `document` only while the stored record's `version` field is
        `version` (0: only while there is no record), across processes; False, and nothing
        written, when someone else wrote it first. The caller bumps `version` in `document`."""

    async def get(self, plugin: str, key: str) -> dict[str, Any] | None: ...

    async def delete(self, plugin: str, key: str) -> bool: ...

    async def find(self, plugin: str, where: dict[str, Any] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """A plugin's records whose top-level fields equal `where`, most recently written first."""

    async def page(
        self,
        plugin: str,
        by: str,
        where: dict[str, Any] | None = None,
        limit: int = 100,
        after: tuple[Any, str] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """A plugin's records whose top-level fields equal `where`, as (key, document), the greatest
        top-level field `by` first (records without it last), then the greatest key; with `after`
        (the `by` value and key of a previous page's last record), those that follow it."""

    async def next_sequence(self, plugin: str, name: str) -> int:
        """The next number of a plugin's counter (1, 2, …), unique across processes."""

    async def add(self, plugin: str, name: str, amount: int) -> int:
        """Add `amount` to a plugin's counter, atomically; returns the new total."""

    async def sequences(self, plugin: str) -> dict[str, int]:
        """Every counter of a plugin, by name, as far as it has counted."""


class Store(Protocol):
    backend: str
    templates: TemplateRepository
    log: MessageLog
    queue: OutboundQueue
    settings: SettingsRepository
    sessions: SessionRepository
    records: PluginRecords
    leases: LeaseRepository

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""

    async def close(self) -> None: ...


def encode_cursor(created_at: datetime, entry_id: str) -> str:
    """An opaque page cursor: the position of the last entry of a page."""
    raw = json.dumps([created_at.isoformat(), entry_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Read a cursor made by encode_cursor; a tampered one raises ValueError."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, entry_id = json.loads(base64.urlsafe_b64decode(padded))
        moment = datetime.fromisoformat(created_at)
        if moment.tzinfo is None or not (isinstance(entry_id, str) and entry_id.isascii()):
            raise ValueError("a naive time or an id the gateway never makes")
        return moment, entry_id
    except (ValueError, TypeError, RecursionError) as error:
        raise ValueError("cursor is not one this gateway issued") from error


DELIVERY_RANK = {LogStatus.QUEUED: 0, LogStatus.SENT: 1, LogStatus.DELIVERED: 2, LogStatus.READ: 3}


def statuses_before(status: LogStatus) -> list[LogStatus]:
    """Statuses a provider report of `status` may replace: delivery only moves forward,
    and a failure replaces anything short of dead or suppressed."""
    if status is LogStatus.FAILED:
        return [*DELIVERY_RANK, LogStatus.FAILED]
    return [earlier for earlier, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[status]]


BEFORE_THE_PROVIDER = [LogStatus.QUEUED, LogStatus.DEAD, LogStatus.SUPPRESSED]
"""Statuses the queue's own outcome (sent, dead, suppressed) may replace: once the provider has
reported on a message, its report stands."""


def furthest_report(reports: Sequence[StatusEvent]) -> StatusEvent | None:
    """Of a message's reports, the one that leaves it furthest along: a failure, else the
    highest delivery status; applying it alone equals applying them all in any order."""
    failures = [report for report in reports if report.status is DeliveryStatus.FAILED]
    if failures:
        return failures[-1]
    return max(reports, key=lambda report: DELIVERY_RANK[LogStatus(report.status.value)], default=None)


def describe_error(update: StatusUpdate | StatusEvent) -> str | None:
    """A provider's failure as one line for the log: `code: text`."""
    return ": ".join(part for part in (update.error_code, update.error_text) if part) or None
