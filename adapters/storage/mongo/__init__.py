"""The production store: MongoDB through PyMongo's asynchronous API, written for a replica set."""

from datetime import timedelta
from typing import Any

from pymongo import AsyncMongoClient

from adapters.storage.mongo.connection import connect
from adapters.storage.mongo.documents import (
    MongoPluginRecords,
    MongoSessions,
    MongoSettings,
    MongoTemplates,
)
from adapters.storage.mongo.indexes import create_indexes
from adapters.storage.mongo.leases import MongoLeases
from adapters.storage.mongo.log import MongoMessageLog
from adapters.storage.mongo.queue import MongoQueue
from adapters.storage.mongo.retry import Retry
from gateway.clock import Clock


class MongoStore:
    """The store port over a MongoDB database; open it with `MongoStore.open`.

    `server_clock` times the queue's leases by the server's clock ($$NOW), so hosts whose clocks
    disagree never take a live lease from each other; without it leases follow the injected
    clock, as tests that move time and the in-process fake need."""

    backend = "mongo"

    def __init__(
        self,
        database: Any,
        clock: Clock,
        client: AsyncMongoClient | None = None,
        *,
        server_clock: bool = False,
        retry: Retry | None = None,
    ) -> None:
        self._database = database
        self._client = client
        retry = retry or Retry()
        self.templates = MongoTemplates(database["templates"], clock, retry)
        self.log = MongoMessageLog(database["log"], database["statuses"], database["leases"], clock, retry)
        self.queue = MongoQueue(database["queue"], clock, retry, server_clock=server_clock)
        self.settings = MongoSettings(database["settings"], database["contacts"], retry)
        self.sessions = MongoSessions(database["sessions"], database["leases"], clock, retry)
        self.records = MongoPluginRecords(database["records"], database["counters"], clock, retry)
        self.leases = MongoLeases(database["leases"], clock, retry)

    @classmethod
    async def open(
        cls, url: str, clock: Clock, log_retention: timedelta | None = None, *, server_clock: bool = True
    ) -> "MongoStore":
        """Connect to the database named in `url` and create its indexes."""
        client = connect(url)
        try:
            store = cls(client.get_default_database(), clock, client, server_clock=server_clock)
            await store.create_indexes(log_retention)
        except BaseException:
            await client.close()
            raise
        return store

    async def create_indexes(self, log_retention: timedelta | None = None) -> None:
        """Create every index the repositories query by, and mark templates' latest versions
        saved before they were marked; idempotent, run at each start-up."""
        await create_indexes(self._database, log_retention)
        await self.templates.mark_latest()

    @property
    def database(self) -> Any:
        """The database, for the media store's GridFS bucket to share this client."""
        return self._database

    async def ping(self) -> None:
        await self._database.command("ping")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
