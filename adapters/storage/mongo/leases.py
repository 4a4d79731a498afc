"""Named leases with fencing tokens in MongoDB: one holder at a time across processes and hosts."""

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.storage.mongo.documents import aware
from adapters.storage.mongo.retry import Retry, idempotent
from gateway.clock import Clock
from gateway.ports.records import Lease


class MongoLeases:
    def __init__(self, collection: Any, clock: Clock, retry: Retry) -> None:
        self._leases = collection
        self._clock = clock
        self._retry = retry

    async def acquire(self, name: str, owner: str, ttl: timedelta) -> int | None:
        now = self._clock.now()
        try:
            document = await self._leases.find_one_and_update(
                {"_id": name, "owner": owner, "expires_at": {"$gt": now}},
                {"$set": {"expires_at": now + ttl}},
                return_document=ReturnDocument.AFTER,
            )
            if document is None:
                document = await self._leases.find_one_and_update(
                    {"_id": name, "$or": [{"expires_at": {"$lte": now}}, {"owner": owner}]},
                    {"$set": {"owner": owner, "expires_at": now + ttl}, "$inc": {"token": 1}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
        except DuplicateKeyError:
            return None  # the upsert collided with a live lease another owner holds
        return document["token"]

    async def renew(self, name: str, owner: str, token: int, ttl: timedelta) -> bool:
        now = self._clock.now()
        result = await self._leases.update_one(
            {"_id": name, "owner": owner, "token": token, "expires_at": {"$gt": now}},
            {"$set": {"expires_at": now + ttl}},
        )
        return result.matched_count == 1

    @idempotent
    async def release(self, name: str, owner: str, token: int) -> None:
        # expire rather than delete, so the next holder's token still grows
        await self._leases.update_one(
            {"_id": name, "owner": owner, "token": token}, {"$set": {"expires_at": self._clock.now()}}
        )

    @idempotent
    async def holders(self, prefix: str) -> list[Lease]:
        now = self._clock.now()
        cursor = self._leases.find({"_id": {"$gte": prefix, "$lt": prefix + "\uffff"}, "expires_at": {"$gt": now}})
        return [_lease(document) async for document in cursor.sort("_id", 1)]


    @idempotent
    async def purge_expired(self, before: datetime) -> int:
        return (await self._leases.delete_many({"expires_at": {"$lt": before}})).deleted_count


def _lease(document: dict[str, Any]) -> Lease:
    return Lease(document["_id"], document["owner"], document["token"], aware(document["expires_at"]))

