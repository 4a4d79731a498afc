"""The production store: MongoDB through PyMongo's asynchronous API."""

from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel

from adapters.storage.mongo.documents import (
    MongoPluginRecords,
    MongoSessions,
    MongoSettings,
    MongoTemplates,
)
from adapters.storage.mongo.log import MongoMessageLog
from adapters.storage.mongo.queue import MongoQueue
from gateway.clock import Clock

_INDEXES: dict[str, list[IndexModel]] = {
    "templates": [IndexModel([("name", ASCENDING), ("language", ASCENDING), ("version", DESCENDING)], unique=True)],
    "log": [
        IndexModel("dedupe", unique=True, partialFilterExpression={"dedupe": {"$type": "string"}}),
        IndexModel([("provider_message_id", ASCENDING), ("direction", ASCENDING)]),
        IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("contact", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("direction", ASCENDING), ("processed", ASCENDING), ("created_at", ASCENDING)]),
        IndexModel(
            [("direction", ASCENDING), ("created_at", ASCENDING), ("provider", ASCENDING), ("status", ASCENDING)]
        ),
    ],
    "statuses": [IndexModel([("provider_message_id", ASCENDING), ("at", ASCENDING)])],
    "queue": [
        IndexModel("idempotency_key", unique=True, partialFilterExpression={"idempotency_key": {"$type": "string"}}),
        IndexModel([("state", ASCENDING), ("priority", DESCENDING), ("due_at", ASCENDING)]),
        IndexModel([("state", ASCENDING), ("lease_expires_at", ASCENDING)]),
    ],
    "sessions": [IndexModel("expires_at", expireAfterSeconds=0)],
    "records": [
        IndexModel([("plugin", ASCENDING), ("key", ASCENDING)], unique=True),
        IndexModel([("plugin", ASCENDING), ("updated_at", DESCENDING)]),
    ],
}


class MongoStore:
    """The store port over a MongoDB database; open it with `MongoStore.open`."""

    backend = "mongo"

    def __init__(self, database: Any, clock: Clock, client: AsyncMongoClient | None = None) -> None:
        self._database = database
        self._client = client
        self.templates = MongoTemplates(database["templates"], clock)
        self.log = MongoMessageLog(database["log"], database["statuses"], clock)
        self.queue = MongoQueue(database["queue"], clock)
        self.settings = MongoSettings(database["settings"], database["contacts"])
        self.sessions = MongoSessions(database["sessions"], clock)
        self.records = MongoPluginRecords(database["records"], database["counters"], clock)

    @classmethod
    async def open(cls, url: str, clock: Clock, log_retention: timedelta | None = None) -> "MongoStore":
        """Connect to the database named in `url` and create its indexes."""
        client: AsyncMongoClient = AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000)
        try:
            store = cls(client.get_default_database(), clock, client)
            await store.create_indexes(log_retention)
        except BaseException:
            await client.close()
            raise
        return store

    async def create_indexes(self, log_retention: timedelta | None = None) -> None:
        """Create every index the repositories query by; idempotent, run at each start-up."""
        for collection, indexes in _INDEXES.items():
            await self._database[collection].create_indexes(indexes)
        if log_retention is not None:
            await self._database["log"].create_index(
                "created_at", name="log_retention", expireAfterSeconds=int(log_retention.total_seconds())
            )

    async def ping(self) -> None:
        await self._database.command("ping")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
