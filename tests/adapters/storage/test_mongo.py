"""What only the mongo adapter promises: the indexes it creates at start-up."""

from datetime import timedelta

from adapters.storage.mongo import MongoStore
from tests.adapters.storage.async_mongomock import AsyncDatabase


async def test_start_up_creates_unique_dedupe_queue_and_ttl_indexes(clock):
    database = AsyncDatabase()
    await MongoStore(database, clock).create_indexes(log_retention=timedelta(days=90))

    log_indexes = database.index_information("log")
    assert any(index.get("unique") and index["key"] == [("dedupe", 1)] for index in log_indexes.values())
    queue_indexes = database.index_information("queue")
    assert any(index["key"] == [("state", 1), ("priority", -1), ("due_at", 1)] for index in queue_indexes.values())
    assert database.declared_ttl["sessions"] == {"expires_at_1": 0}
    assert database.declared_ttl["log"] == {"log_retention": 90 * 24 * 3600}


async def test_without_a_retention_the_log_is_kept(clock):
    database = AsyncDatabase()
    await MongoStore(database, clock).create_indexes()
    assert database.declared_ttl.get("log", {}) == {}
