"""The message log in MongoDB: inbound dedupe rests on a unique index, never on a prior read;
a provider's status reports only ever move a message forward."""

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from adapters.storage.mongo.documents import aware
from adapters.storage.mongo.fences import check_fence
from adapters.storage.mongo.retry import Retry, idempotent
from gateway.clock import Clock
from gateway.models import (
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    Provider,
    StatusUpdate,
)
from gateway.ports.records import (
    Direction,
    Fence,
    LogEntry,
    LogPage,
    LogQuery,
    LogStatus,
    StatusEvent,
)
from gateway.ports.store import (
    BEFORE_THE_PROVIDER,
    WAITING_SCAN,
    decode_cursor,
    describe_error,
    encode_cursor,
    furthest_report,
    inbox_lease,
    statuses_before,
)

WAITING_READ_AT_MOST = 10_000
"""Unprocessed messages a look for waiting contacts reads at most: contacts behind a deeper
backlog of held ones wait until it shrinks."""
_NEWEST_FIRST = [("created_at", -1), ("_id", -1)]


def dedupe_key(provider: Provider, provider_message_id: str) -> str:
    return f"{provider.value}:{provider_message_id}"


class MongoMessageLog:
    def __init__(self, log: Any, statuses: Any, leases: Any, clock: Clock, retry: Retry) -> None:
        self._log = log
        self._statuses = statuses
        self._leases = leases
        self._clock = clock
        self._retry = retry

    @idempotent
    async def record_inbound(self, message: InboundMessage) -> bool:
        """A retry whose earlier attempt was stored after all meets its own document: that
        counts as stored (True), or the message would be taken for a redelivery and never
        handled; only another delivery's document makes it a duplicate."""
        try:
            await self._log.insert_one(
                {
                    "_id": message.id,
                    "direction": Direction.INBOUND.value,
                    "provider": message.provider.value,
                    "provider_message_id": message.provider_message_id,
                    "dedupe": dedupe_key(message.provider, message.provider_message_id),
                    "contact": message.sender,
                    "status": LogStatus.RECEIVED.value,
                    "processed": False,
                    "payload": message.model_dump(mode="json"),
                    "created_at": message.timestamp,
                }
            )
        except DuplicateKeyError:
            return await self._log.count_documents({"_id": message.id}, limit=1) == 1
        return True

    @idempotent
    async def mark_processed(self, entry_id: str, error: str | None = None, *, fence: Fence | None = None) -> None:
        await check_fence(self._leases, fence)
        await self._log.update_one({"_id": entry_id}, {"$set": {"processed": True, "error": error}})

    @idempotent
    async def unprocessed_inbound(self, limit: int = 100) -> list[LogEntry]:
        cursor = self._log.find({"direction": Direction.INBOUND.value, "processed": False})
        documents = await cursor.sort([("created_at", 1), ("_id", 1)]).limit(limit).to_list(limit)
        return [_entry(document) for document in documents]

    @idempotent
    async def waiting_contacts(self, limit: int) -> list[str]:
        # the oldest unprocessed messages in growing batches, leaving out contacts someone holds
        found: list[str] = []
        seen: set[str] = set()
        read, batch = 0, limit * WAITING_SCAN
        while len(found) < limit and read < WAITING_READ_AT_MOST:
            cursor = self._log.find({"direction": Direction.INBOUND.value, "processed": False}, {"contact": 1})
            cursor = cursor.sort([("created_at", 1), ("_id", 1)]).skip(read).limit(batch)
            contacts = [document["contact"] async for document in cursor]
            if not contacts:
                break
            read, batch = read + batch, batch * 2
            fresh = [contact for contact in dict.fromkeys(contacts) if contact not in seen]
            seen.update(fresh)
            held = self._leases.find(
                {"_id": {"$in": [inbox_lease(contact) for contact in fresh]}, "expires_at": {"$gt": self._clock.now()}},
                {"_id": 1},
            )
            taken = {document["_id"] async for document in held}
            found += [contact for contact in fresh if inbox_lease(contact) not in taken]
        return found[:limit]

    @idempotent
    async def unprocessed_from(self, contact: str, limit: int) -> list[LogEntry]:
        cursor = self._log.find({"contact": contact, "direction": Direction.INBOUND.value, "processed": False})
        documents = await cursor.sort([("created_at", 1), ("_id", 1)]).limit(limit).to_list(limit)
        return [_entry(document) for document in documents]

    @idempotent
    async def record_outbound(self, entry_id: str, message: OutboundMessage, provider: Provider | None) -> LogEntry:
        document = {
            "_id": entry_id,
            "direction": Direction.OUTBOUND.value,
            "provider": provider.value if provider else None,
            "provider_message_id": None,
            "contact": message.recipient,
            "status": LogStatus.QUEUED.value,
            "processed": True,
            "payload": message.model_dump(mode="json", exclude_none=True),
            "created_at": self._clock.now(),
        }
        await self._log.update_one({"_id": entry_id}, {"$setOnInsert": document}, upsert=True)
        return _entry(await self._log.find_one({"_id": entry_id}))

    @idempotent
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
        changes: dict[str, Any] = {"status": status.value, "error": error}
        if sent is not None:
            changes["payload"] = sent
        if provider is not None:
            changes["provider"] = provider.value
        if provider_message_id is not None:
            changes["provider_message_id"] = provider_message_id
        before = [earlier.value for earlier in BEFORE_THE_PROVIDER]
        update: dict[str, Any] = {"$set": changes}
        if sent is not None:  # logged here if the outbox has not logged it yet
            new = {"contact": sent.get("recipient"), "processed": True, "created_at": self._clock.now()}
            new |= {"provider": None, "provider_message_id": None}
            update["$setOnInsert"] = {field: value for field, value in new.items() if field not in changes}
        try:
            await self._log.update_one(
                {"_id": entry_id, "direction": Direction.OUTBOUND.value, "status": {"$in": before}},
                update,
                upsert=sent is not None,
            )
        except DuplicateKeyError:
            pass  # logged already, and a provider's report has moved it on
        if provider_message_id is not None:
            await self._catch_up(entry_id)

    async def _catch_up(self, entry_id: str) -> None:
        """Apply the reports that arrived before the message's provider id was recorded. A report
        stored after this read finds the provider id already recorded and applies itself."""
        document = await self._log.find_one({"_id": entry_id})
        if document is None:
            return
        report = furthest_report(_entry(document, await self._history(document)).status_history)
        if report is not None:
            await self._move_forward({"_id": entry_id}, report)

    async def _move_forward(self, match: dict[str, Any], report: StatusUpdate | StatusEvent) -> None:
        """Apply a provider's report to the logged message `match` finds, if it moves it forward."""
        status = LogStatus(report.status.value)
        changes: dict[str, Any] = {"status": status.value}
        if status is LogStatus.FAILED:
            changes["error"] = describe_error(report)
        earlier = [s.value for s in statuses_before(status)]
        await self._log.update_one(match | {"status": {"$in": earlier}}, {"$set": changes})

    @idempotent
    async def add_status(self, update: StatusUpdate) -> bool:
        try:
            await self._statuses.insert_one(
                {
                    # one document per report: a redelivered webhook meets this id and adds nothing
                    "_id": f"{update.provider.value}:{update.provider_message_id}:{update.status.value}:"
                    f"{update.timestamp.isoformat()}",
                    "provider": update.provider.value,
                    "provider_message_id": update.provider_message_id,
                    "status": update.status.value,
                    "at": update.timestamp,
                    "error_code": update.error_code,
                    "error_text": update.error_text,
                    "recorded_at": self._clock.now(),
                }
            )
        except DuplicateKeyError:
            pass
        match = {
            "direction": Direction.OUTBOUND.value,
            "provider": update.provider.value,
            "provider_message_id": update.provider_message_id,
        }
        await self._move_forward(match, update)
        return await self._log.count_documents(match, limit=1) == 1

    @idempotent
    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        """Nothing to do: the TTL indexes made at start-up (adapters/storage/mongo/indexes.py)
        have MongoDB delete entries and status reports past the retention."""
        return 0

    async def outbound_counts(self, since: datetime) -> list[tuple[str, str | None, str, int]]:
        day = {"$dateToString": {"format": "%Y-%m-%d", "date": "$created_at"}}
        cursor = await self._log.aggregate(
            [
                {"$match": {"direction": Direction.OUTBOUND.value, "created_at": {"$gte": since}}},
                {"$group": {"_id": {"day": day, "provider": "$provider", "status": "$status"}, "count": {"$sum": 1}}},
            ]
        )
        rows = [(r["_id"]["day"], r["_id"]["provider"], r["_id"]["status"], r["count"]) async for r in cursor]
        return sorted(rows, key=lambda row: (row[0], row[1] or "", row[2]))

    @idempotent
    async def active_contacts(self, since: datetime) -> int:
        cursor = await self._log.aggregate(
            [
                {"$match": {"direction": Direction.INBOUND.value, "created_at": {"$gte": since}}},
                {"$group": {"_id": "$contact"}},
                {"$count": "contacts"},
            ]
        )
        counted = [row async for row in cursor]
        return counted[0]["contacts"] if counted else 0

    @idempotent
    async def get(self, entry_id: str) -> LogEntry | None:
        document = await self._log.find_one({"_id": entry_id})
        return _entry(document, await self._history(document)) if document else None

    async def _history(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        """The provider's reports on a logged outbound message, oldest first."""
        if document["direction"] != Direction.OUTBOUND.value or not document.get("provider_message_id"):
            return []
        cursor = self._statuses.find(
            {"provider": document["provider"], "provider_message_id": document["provider_message_id"]}
        )
        return await cursor.sort([("at", 1)]).to_list(None)

    @idempotent
    async def query(self, query: LogQuery) -> LogPage:
        cursor = self._log.find(_filters(query)).sort(_NEWEST_FIRST).limit(query.limit + 1)
        documents = await cursor.to_list(query.limit + 1)
        entries = [_entry(document) for document in documents[: query.limit]]
        more = len(documents) > query.limit
        return LogPage(entries, encode_cursor(entries[-1].created_at, entries[-1].id) if more else None)


def _filters(query: LogQuery) -> dict[str, Any]:
    filters: dict[str, Any] = {
        field: str(value)
        for field, value in (
            ("contact", query.contact),
            ("direction", query.direction),
            ("status", query.status),
            ("provider", query.provider),
        )
        if value is not None
    }
    window = {op: moment for op, moment in (("$gte", query.since), ("$lt", query.until)) if moment is not None}
    if window:
        filters["created_at"] = window
    if query.cursor is not None:
        created_at, entry_id = decode_cursor(query.cursor)
        filters["$or"] = [{"created_at": {"$lt": created_at}}, {"created_at": created_at, "_id": {"$lt": entry_id}}]
    return filters


def _entry(document: dict[str, Any], history: list[dict[str, Any]] = ()) -> LogEntry:
    return LogEntry(
        id=document["_id"],
        direction=Direction(document["direction"]),
        provider=Provider(document["provider"]) if document.get("provider") else None,
        contact=document["contact"],
        status=LogStatus(document["status"]),
        created_at=aware(document["created_at"]),
        payload=document["payload"],
        provider_message_id=document.get("provider_message_id"),
        processed=document.get("processed", False),
        error=document.get("error"),
        status_history=tuple(
            StatusEvent(
                status=DeliveryStatus(event["status"]),
                at=aware(event["at"]),
                error_code=event.get("error_code"),
                error_text=event.get("error_text"),
            )
            for event in history
        ),
    )
