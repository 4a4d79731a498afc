"""The outbound queue in MongoDB: each claim is one find_one_and_update with a lease, served by an
index: first a job whose lease expired, then the most urgent due job."""

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.storage.mongo.documents import aware
from adapters.storage.mongo.retry import Retry, idempotent
from gateway.clock import Clock
from gateway.models import OutboundMessage, new_id
from gateway.ports.records import Job, JobState
from gateway.ports.store import DEFAULT_MAX_ATTEMPTS, replied_contact

_URGENT_FIRST = [("priority", -1), ("due_at", 1)]
_FINISHED = [JobState.SENT.value, JobState.SUPPRESSED.value]
_UNFINISHED = [JobState.QUEUED.value, JobState.SENDING.value]
STRANDED_SCAN = 8
"""How many waiting jobs, oldest due first, a look for stranded ones reads: jobs whose turn came
while no process was left to let them go."""
STRANDED_EVERY = timedelta(seconds=30)
"""How often a busy process looks for stranded jobs anyway; an idle one looks at every claim
that finds nothing."""


class MongoQueue:
    def __init__(self, collection: Any, clock: Clock, retry: Retry, *, server_clock: bool) -> None:
        self._jobs = collection
        self._clock = clock
        self._retry = retry
        self._server_clock = server_clock
        self._next_stranded_look = clock.now()

    async def enqueue(
        self, message: OutboundMessage, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, follows: str | None = None
    ) -> Job:
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
        if (contact := replied_contact(message)) is not None:
            document |= {"reply_to": contact, "at_head": False}
        if follows is not None:
            document |= {"follows": follows, "at_head": False}
        job = await self._insert(document)
        await self._let_next_reply_go(job)
        await self._let_go_if_followed_ended(job)
        return _job(job)

    @idempotent
    async def _insert(self, job: dict[str, Any]) -> dict[str, Any]:
        """Every attempt inserts the same id, so a duplicate key is either this job's own earlier
        attempt (stored after all) or another job with the same idempotency key: that job is
        the answer, and an enqueue repeated after a timeout never makes a second job."""
        try:
            await self._jobs.insert_one(job)
        except DuplicateKeyError:
            own = await self._jobs.find_one({"_id": job["_id"]})
            return own or await self._jobs.find_one({"idempotency_key": job["idempotency_key"]})
        return job

    async def claim(self, owner: str, lease: timedelta) -> Job | None:
        """Not repeated whole: a second claim after a first that took effect would hold two jobs.
        The driver's retryable write repeats it with the same transaction number, which the
        server applies once; if that too fails, the claim is abandoned and its job, if it was
        taken, is taken over when the lease expires."""
        job = await self._take_over(owner, lease) or await self._take_due(owner, lease)
        now = self._clock.now()
        if job is None or now >= self._next_stranded_look:
            self._next_stranded_look = now + STRANDED_EVERY
            if await self._let_stranded_go() and job is None:
                job = await self._take_due(owner, lease)
        return job

    async def _take_over(self, owner: str, lease: timedelta) -> Job | None:
        if self._server_clock:
            expired: dict[str, Any] = {"$expr": {"$lte": ["$lease_expires_at", "$$NOW"]}}
        else:
            expired = {"lease_expires_at": {"$lte": self._clock.now()}}
        return await self._take({"state": JobState.SENDING.value} | expired, [("lease_expires_at", 1)], owner, lease)

    async def _take_due(self, owner: str, lease: timedelta) -> Job | None:
        due = {"state": JobState.QUEUED.value, "due_at": {"$lte": self._clock.now()}, "at_head": {"$ne": False}}
        return await self._take(due, _URGENT_FIRST, owner, lease)

    async def _take(
        self, match: dict[str, Any], sort: list[tuple[str, int]], owner: str, lease: timedelta
    ) -> Job | None:
        now = self._clock.now()
        expires: Any = {"$add": ["$$NOW", lease // timedelta(milliseconds=1)]} if self._server_clock else now + lease
        document = await self._jobs.find_one_and_update(
            match,
            [
                {
                    "$set": {
                        "recovered": {"$eq": ["$state", JobState.SENDING.value]},
                        "state": JobState.SENDING.value,
                        "lease_owner": {"$literal": owner},
                        "lease_expires_at": expires,
                        "updated_at": now,
                        "attempts": {"$add": ["$attempts", 1]},
                    }
                }
            ],
            sort=sort,
            return_document=ReturnDocument.AFTER,
        )
        return _job(document) if document else None

    @idempotent
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
        if document is None:
            return None
        await self._let_next_reply_go(document)
        await self._let_followers_go(document)
        return _job(document)

    @idempotent
    async def _let_next_reply_go(self, job: dict[str, Any]) -> None:
        """Make the earliest unfinished reply to the job's contact claimable. A reply is enqueued
        waiting and let go here, after its own insert and after each earlier reply ends, since one
        find_one_and_update cannot look at another job; setting it twice is harmless."""
        if "reply_to" not in job:
            return
        earliest = await self._jobs.find_one(
            {"reply_to": job["reply_to"], "state": {"$in": _UNFINISHED}}, {"at_head": 1}, sort=[("_id", 1)]
        )
        if earliest is not None and earliest["at_head"] is False:
            await self._jobs.update_one({"_id": earliest["_id"]}, {"$set": {"at_head": True}})

    @idempotent
    async def _let_go_if_followed_ended(self, job: dict[str, Any]) -> None:
        """Make a job claimable at once when the job it follows has already ended (or is gone). The
        ending job lets its followers go after its own update, and this reads after the insert,
        so one of the two sees the other."""
        if "follows" not in job:
            return
        followed = await self._jobs.find_one({"_id": job["follows"]}, {"state": 1})
        if followed is None or followed["state"] not in _UNFINISHED:
            await self._jobs.update_one({"_id": job["_id"], "at_head": False}, {"$set": {"at_head": True}})

    @idempotent
    async def _let_followers_go(self, job: dict[str, Any]) -> None:
        """Make the jobs that follow a job claimable once it has ended (sent, dead or suppressed)."""
        if job["state"] in _UNFINISHED:
            return
        await self._jobs.update_many({"follows": job["_id"], "at_head": False}, {"$set": {"at_head": True}})

    @idempotent
    async def _let_stranded_go(self) -> bool:
        """Let go the waiting jobs whose turn came with nobody to say so: a process that died, or a
        store that failed, between ending a job and letting the next go leaves that one waiting
        with nothing left to wake it. True when one was let go."""
        waiting = self._jobs.find(
            {"state": JobState.QUEUED.value, "at_head": False, "due_at": {"$lte": self._clock.now()}},
            {"reply_to": 1, "follows": 1},
        )
        let_go = False
        for job in await waiting.sort([("due_at", 1)]).limit(STRANDED_SCAN).to_list(STRANDED_SCAN):
            if await self._turn_came(job):
                freed = await self._jobs.update_one({"_id": job["_id"], "at_head": False}, {"$set": {"at_head": True}})
                let_go |= freed.modified_count == 1
        return let_go

    async def _turn_came(self, job: dict[str, Any]) -> bool:
        """Whether nothing a waiting job waits for is queued or sending any more: neither the job
        it follows nor an earlier reply to its contact."""
        if "follows" in job:
            followed = await self._jobs.find_one({"_id": job["follows"]}, {"state": 1})
            if followed is not None and followed["state"] in _UNFINISHED:
                return False
        if "reply_to" in job:
            earlier = {"reply_to": job["reply_to"], "state": {"$in": _UNFINISHED}, "_id": {"$lt": job["_id"]}}
            if await self._jobs.find_one(earlier, {"_id": 1}) is not None:
                return False
        return True

    async def requeue(self, job_id: str) -> Job | None:
        now = self._clock.now()
        document = await self._jobs.find_one_and_update(
            {"_id": job_id, "state": {"$in": [JobState.DEAD.value, JobState.SUPPRESSED.value]}},
            {"$set": {"state": JobState.QUEUED.value, "attempts": 0, "due_at": now, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        if document is None:
            return None
        # its followers still queued wait for it again, as SQLite's claim has them do
        await self._jobs.update_many({"follows": job_id, "state": JobState.QUEUED.value}, {"$set": {"at_head": False}})
        await self._take_back_followers(job_id, now)
        return _job(document)

    async def _take_back_followers(self, job_id: str, now: datetime) -> None:
        """Queue again, waiting for it, the jobs that follow `job_id` (and theirs) and were
        suppressed because it did not go."""
        held = [job_id]
        while held:
            suppressed = {"follows": {"$in": held}, "state": JobState.SUPPRESSED.value}
            held = [job["_id"] for job in await self._jobs.find(suppressed, {"_id": 1}).to_list(None)]
            back = {"state": JobState.QUEUED.value, "attempts": 0, "due_at": now, "updated_at": now, "at_head": False}
            await self._jobs.update_many({"_id": {"$in": held}, "state": JobState.SUPPRESSED.value}, {"$set": back})

    @idempotent
    async def get(self, job_id: str) -> Job | None:
        document = await self._jobs.find_one({"_id": job_id})
        return _job(document) if document else None

    @idempotent
    async def counts(self) -> dict[JobState, int]:
        """One count per state, each read from the state index rather than a scan of the queue."""
        return {state: await self._jobs.count_documents({"state": state.value}) for state in JobState}

    async def purge_finished(self, before: datetime, batch: int = 500) -> int:
        """Batch by batch, so no delete holds the primary long or outlasts the operation timeout."""
        purged = 0
        while deleted := await self._purge_batch(before, batch):
            purged += deleted
        return purged

    @idempotent
    async def _purge_batch(self, before: datetime, batch: int) -> int:
        old = {"state": {"$in": _FINISHED}, "updated_at": {"$lt": before}}
        ids = [job["_id"] for job in await self._jobs.find(old, {"_id": 1}).limit(batch).to_list(batch)]
        if not ids:
            return 0
        return (await self._jobs.delete_many(old | {"_id": {"$in": ids}})).deleted_count

    @idempotent
    async def list(self, state: JobState, limit: int = 50, after: tuple[datetime, str] | None = None) -> list[Job]:
        query: dict[str, Any] = {"state": state.value}
        if after:
            due, job = after
            query["$or"] = [{"due_at": {"$gt": due}}, {"due_at": due, "_id": {"$gt": job}}]
        cursor = self._jobs.find(query).sort([("due_at", 1), ("_id", 1)]).limit(limit)
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
        follows=document.get("follows"),
    )
