"""What only the SQLite adapter promises: WAL, a versioned schema, and a file created on demand."""

import asyncio
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from adapters.storage.sqlite import SqliteStore
from adapters.storage.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from gateway.clock import SystemClock
from gateway.models import OutboundMessage


async def test_first_start_creates_the_file_in_wal_mode_at_the_current_schema(tmp_path, clock):
    path = tmp_path / "nested" / "gateway.db"
    store = await SqliteStore.open(path, clock)
    await store.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "g.db", clock)
    job = await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text="kept"))
    await store.close()

    reopened = await SqliteStore.open(tmp_path / "g.db", clock)
    try:
        assert (await reopened.queue.get(job.id)).message["text"] == "kept"
    finally:
        await reopened.close()


async def test_a_database_from_a_newer_gateway_is_refused(tmp_path, clock):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this gateway"):
        await SqliteStore.open(path, clock)


async def test_a_closed_store_says_so(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "g.db", clock)
    await store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.ping()


async def test_a_version_1_database_is_migrated_to_the_current_schema(tmp_path, clock):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        for statement in MIGRATIONS[0]:
            connection.execute(statement)
        connection.execute("PRAGMA user_version = 1")
        connection.execute(
            "INSERT INTO log VALUES ('a', 'inbound', 'meta', 'w1', '+14155550100', 'received', 1, NULL, '{}', 0)"
        )
    store = await SqliteStore.open(path, clock)
    await store.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {row[1] for row in connection.execute("PRAGMA index_list(log)")}
        assert "log_direction_created" in indexes
        assert connection.execute("SELECT COUNT(*) FROM log").fetchone()[0] == 1, "data survives the migration"


def _open_and_close(path: str) -> str:
    """In a process of its own: open the store on `path`, as a starting gateway does."""
    async def run() -> None:
        store = await SqliteStore.open(Path(path), SystemClock())
        await store.close()

    try:
        asyncio.run(run())
    except Exception as error:
        return repr(error)
    return "opened"


@pytest.mark.slow
def test_processes_opening_one_new_file_at_once_all_open_it(tmp_path):
    context = multiprocessing.get_context("spawn")
    with context.Pool(6) as pool:
        for trial in range(30):
            path = str(tmp_path / f"new{trial}.db")
            assert pool.map(_open_and_close, [path] * 6) == ["opened"] * 6


async def test_templates_saved_before_latest_versions_were_marked_page_after_the_migration(tmp_path, clock):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        marking = next(n for n, statements in enumerate(MIGRATIONS) if "templates_latest" in "".join(statements))
        for statements in MIGRATIONS[:marking]:
            for statement in statements:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {marking}")
        for name, version in [("a", 1), ("a", 2), ("b", 1), ("a", 3)]:
            connection.execute(
                "INSERT INTO templates VALUES (?, 'en', ?, ?, NULL, NULL, 'operator', 0)", (name, version, f"{name}{version}")
            )
    store = await SqliteStore.open(path, clock)
    try:
        assert [(t.name, t.body) for t in await store.templates.page(10)] == [("a", "a3"), ("b", "b1")]
        await store.templates.save("a", "en", "a4")
        assert [(t.name, t.body) for t in await store.templates.list()] == [("a", "a4"), ("b", "b1")]
    finally:
        await store.close()
