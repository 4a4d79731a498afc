"""The outbound queue in MongoDB: each claim is one find_one_and_update with a lease."""

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.storage.mongo.documents import aware
from gateway.clock import Clock
from gateway.models import OutboundMessage, new_id
from gateway.ports.records import Job, JobState
from gateway.ports.store import DEFAULT_MAX_ATTEMPTS

_URGENT_FIRST = [("priority", -1), ("due_at", 1)]


class MongoQueue:
    def __init__(self, collection: Any, clock: Clock) -> None:
        self._jobs = collection
        self._clock = clock

    async def enqueue(self, message: OutboundMessage, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Job:
        now = self._clock.now()
        document = {
            "_id": new_id(),
            "message": message.model_dump(mode="json", exclude_none=True),
            "state": JobState.QUEUED.value,
            "priority": int(message.priority),
            "due_at": message.send_at or now,
            "attempts": 0,
            "max_attempts": max_attempts,
            "created_at": now,
            "updated_at": now,
        }
        if message.idempotency_key is not None:
            document["idempotency_key"] = message.idempotency_key
        try:
            await self._jobs.insert_one(document)
        except DuplicateKeyError:
            document = await self._jobs.find_one({"idempotency_key": message.idempotency_key})
        return _job(document)

    async def claim(self, owner: str, lease: timedelta) -> Job | None:
        now = self._clock.now()
        document = await self._jobs.find_one_and_update(
            {
                "$or": [
                    {"state": JobState.QUEUED.value, "due_at": {"$lte": now}},
                    {"state": JobState.SENDING.value, "lease_expires_at": {"$lte": now}},
                ]
            },
            [
                {
                    "$set": {
                        "recovered": {"$eq": ["$state", JobState.SENDING.value]},
                        "state": JobState.SENDING.value,
                        "lease_owner": {"$literal": owner},
                        "lease_expires_at": now + lease,
                        "updated_at": now,
                        "attempts": {"$add": ["$attempts", 1]},
                    }
                }
            ],
            sort=_URGENT_FIRST,
            return_document=ReturnDocument.AFTER,
        )
        return _job(document) if document else None

    async def record_sent(self, job_id: str, owner: str, provider_message_id: str) -> bool:
        result = await self._jobs.update_one(
            {"_id": job_id, "state": JobState.SENDING.value, "lease_owner": owner},
            {"$set": {"provider_message_id": provider_message_id}},
        )
        return result.modified_count == 1 or result.matched_count == 1

    async def ack(self, job_id: str, owner: str, provider_message_id: str) -> bool:
        changes = {"state": JobState.SENT.value, "provider_message_id": provider_message_id, "last_error": None}
        return await self._finish(job_id, owner, changes) is not None

    async def retry(self, job_id: str, owner: str, error: str, retry_at: datetime) -> Job | None:
        held = await self._jobs.find_one({"_id": job_id, "lease_owner": owner, "state": JobState.SENDING.value})
        if held is None:
            return None
        spent = held["attempts"] >= held["max_attempts"]
        changes = {
            "state": (JobState.DEAD if spent else JobState.QUEUED).value,
            "due_at": retry_at,
            "last_error": error,
        }
        return await self._finish(job_id, owner, changes, attempts=held["attempts"])

    async def postpone(self, job_id: str, owner: str, reason: str, until: datetime) -> Job | None:
        return await self._finish(
            job_id,
            owner,
            {"state": JobState.QUEUED.value, "due_at": until, "last_error": reason},
            refund=True,
        )

    async def fail(self, job_id: str, owner: str, error: str) -> Job | None:
        return await self._finish(job_id, owner, {"state": JobState.DEAD.value, "last_error": error})

    async def suppress(self, job_id: str, owner: str, reason: str) -> Job | None:
        return await self._finish(job_id, owner, {"state": JobState.SUPPRESSED.value, "last_error": reason})

    async def _finish(
        self, job_id: str, owner: str, changes: dict[str, Any], *, refund: bool = False, **unchanged: Any
    ) -> Job | None:
        """End a claim: applies only while `owner` still holds the job's lease; `refund` gives
        back the attempt the claim spent."""
        update: dict[str, Any] = {
            "$set": changes | {"lease_owner": None, "lease_expires_at": None, "updated_at": self._clock.now()}
        }
        if refund:
            update["$inc"] = {"attempts": -1}
        document = await self._jobs.find_one_and_update(
            {"_id": job_id, "lease_owner": owner, "state": JobState.SENDING.value, **unchanged},
            update,
            return_document=ReturnDocument.AFTER,
        )
        return _job(document) if document else None

    async def requeue(self, job_id: str) -> Job | None:
        now = self._clock.now()
        document = await self._jobs.find_one_and_update(
            {"_id": job_id, "state": {"$in": [JobState.DEAD.value, JobState.SUPPRESSED.value]}},
            {"$set": {"state": JobState.QUEUED.value, "attempts": 0, "due_at": now, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        return _job(document) if document else None

    async def get(self, job_id: str) -> Job | None:
        document = await self._jobs.find_one({"_id": job_id})
        return _job(document) if document else None

    async def counts(self) -> dict[JobState, int]:
        counts = {state: 0 for state in JobState}
        cursor = await self._jobs.aggregate([{"$group": {"_id": "$state", "count": {"$sum": 1}}}])
        async for row in cursor:
            counts[JobState(row["_id"])] = row["count"]
        return counts

    async def list(self, state: JobState, limit: int = 50) -> list[Job]:
        cursor = self._jobs.find({"state": state.value}).sort([("due_at", 1), ("_id", 1)]).limit(limit)
        return [_job(document) for document in await cursor.to_list(limit)]


def _job(document: dict[str, Any]) -> Job:
    return Job(
        id=document["_id"],
        message=document["message"],
        state=JobState(document["state"]),
        priority=document["priority"],
        due_at=aware(document["due_at"]),
        attempts=document["attempts"],
        max_attempts=document["max_attempts"],
        created_at=aware(document["created_at"]),
        updated_at=aware(document["updated_at"]),
        idempotency_key=document.get("idempotency_key"),
        lease_owner=document.get("lease_owner"),
        lease_expires_at=aware(document.get("lease_expires_at")),
        provider_message_id=document.get("provider_message_id"),
        last_error=document.get("last_error"),
        recovered=document.get("recovered", False),
    )
