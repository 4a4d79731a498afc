"""What only the mongo adapter promises: the indexes it creates at start-up, and a retention
changed between start-ups applied the way a real server accepts."""

from datetime import timedelta

import pytest
from pymongo import ASCENDING, IndexModel
from pymongo.errors import OperationFailure

from adapters.storage.mongo import MongoStore
from tests.adapters.storage.async_mongomock import INDEX_OPTIONS_CONFLICT, AsyncDatabase

DAY = 24 * 3600


async def test_start_up_creates_unique_dedupe_queue_and_ttl_indexes(clock):
    database = AsyncDatabase()
    await MongoStore(database, clock).create_indexes(log_retention=timedelta(days=90))

    log_indexes = database.index_information("log")
    assert any(index.get("unique") and index["key"] == [("dedupe", 1)] for index in log_indexes.values())
    queue_indexes = database.index_information("queue")
    assert any(index["key"] == [("state", 1), ("priority", -1), ("due_at", 1)] for index in queue_indexes.values())
    assert database.declared_ttl["sessions"] == {"expires_at_1": 0}
    assert database.declared_ttl["log"] == {"log_retention": 90 * DAY}
    assert database.declared_ttl["statuses"] == {"statuses_retention": 90 * DAY}


async def test_without_a_retention_the_log_is_kept(clock):
    database = AsyncDatabase()
    await MongoStore(database, clock).create_indexes()
    assert database.declared_ttl.get("log", {}) == {}
    assert database.declared_ttl.get("statuses", {}) == {}


async def test_the_fake_refuses_to_recreate_an_index_with_new_options_as_the_server_does():
    database = AsyncDatabase()
    await database["log"].create_index("created_at", name="log_retention", expireAfterSeconds=DAY)
    with pytest.raises(OperationFailure) as refused:
        await database["log"].create_index("created_at", name="log_retention", expireAfterSeconds=2 * DAY)
    assert refused.value.code == INDEX_OPTIONS_CONFLICT


async def test_a_changed_retention_is_applied_in_place_and_start_up_succeeds(clock):
    database = AsyncDatabase()
    await MongoStore(database, clock).create_indexes(log_retention=timedelta(days=90))
    await MongoStore(database, clock).create_indexes(log_retention=timedelta(days=30))
    assert database.declared_ttl["log"] == {"log_retention": 30 * DAY}
    assert database.declared_ttl["statuses"] == {"statuses_retention": 30 * DAY}


async def test_a_retention_removed_stops_expiring_the_log(clock):
    database = AsyncDatabase()
    await MongoStore(database, clock).create_indexes(log_retention=timedelta(days=90))
    await MongoStore(database, clock).create_indexes()
    assert database.declared_ttl["log"] == {} and "log_retention" not in database.index_information("log")


async def test_the_unprocessed_scan_index_replaces_the_one_that_lacked_its_sort(clock):
    database = AsyncDatabase()
    old = IndexModel([("direction", ASCENDING), ("processed", ASCENDING), ("created_at", ASCENDING)])
    await database["log"].create_indexes([old])
    await MongoStore(database, clock).create_indexes()
    log_indexes = database.index_information("log")
    assert "direction_1_processed_1_created_at_1" not in log_indexes
    assert log_indexes["log_unprocessed"]["key"] == [("created_at", 1), ("_id", 1)]


async def test_start_up_marks_the_latest_versions_of_templates_saved_before_they_were_marked(clock):
    database = AsyncDatabase()
    for name, version in [("a", 1), ("a", 2), ("b", 1), ("a", 3)]:
        saved = {"name": name, "language": "en", "version": version, "body": f"{name}{version}"}
        await database["templates"].insert_one(saved | {"saved_by": "operator", "saved_at": clock.now()})
    store = MongoStore(database, clock)
    await store.create_indexes()
    await store.create_indexes()
    assert [(t.name, t.body) for t in await store.templates.page(10)] == [("a", "a3"), ("b", "b1")]
    await store.templates.save("a", "en", "a4")
    assert [(t.name, t.body) for t in await store.templates.list()] == [("a", "a4"), ("b", "b1")]
    assert database.index_information("templates")["templates_latest"]["key"] == [("name", 1), ("language", 1)]


async def test_start_up_unmarks_a_version_left_marked_latest_by_a_save_cut_short(clock):
    database = AsyncDatabase()
    store = MongoStore(database, clock)
    await store.create_indexes()
    await store.templates.save("a", "en", "a1")
    await store.templates.save("b", "en", "b1")
    # a process died after inserting version 2 and before unmarking version 1
    cut_short = {"name": "a", "language": "en", "version": 2, "body": "a2", "latest": True}
    await database["templates"].insert_one(cut_short | {"saved_by": "operator", "saved_at": clock.now()})
    assert [(t.name, t.body) for t in await store.templates.page(10)] == [("a", "a1"), ("a", "a2"), ("b", "b1")]
    await store.create_indexes()
    assert [(t.name, t.body) for t in await store.templates.page(10)] == [("a", "a2"), ("b", "b1")]
