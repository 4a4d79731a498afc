"""The SQLite connection thread commits work that queued up together, without letting one
piece's failure undo another's."""

import asyncio
import sqlite3
import threading
from contextlib import asynccontextmanager

import pytest

from adapters.storage.sqlite.connection import URGENT_WAITS_FOR, Database, transaction


@pytest.fixture
async def database(tmp_path):
    opened = Database(tmp_path / "g.db")
    await opened.open()
    await opened.run(lambda connection: connection.execute("CREATE TABLE t (x INTEGER UNIQUE)"))
    yield opened
    await opened.close()


def insert(value: int):
    return lambda connection: connection.execute("INSERT INTO t VALUES (?)", (value,)).rowcount


def stored(database: Database) -> list[int]:
    with sqlite3.connect(database.path) as reader:
        return [row[0] for row in reader.execute("SELECT x FROM t ORDER BY x")]


@asynccontextmanager
async def thread_held(database: Database):
    """Keep the database thread busy with one piece of work until the block ends, so work
    queued inside the block waits and then runs as one batch."""
    started, release = threading.Event(), threading.Event()

    def hold(connection):
        started.set()
        release.wait(5)

    busy = asyncio.ensure_future(database.run(hold))
    await asyncio.to_thread(started.wait, 5)
    try:
        yield
    finally:
        release.set()
        await busy


def queue(database: Database, works, urgent: bool = False) -> list[asyncio.Future]:
    """Start `works` on the database; they are on its queue once the loop has turned once."""
    return [asyncio.ensure_future(database.run(work, urgent=urgent)) for work in works]


async def queued_behind_a_busy_thread(database: Database, works, urgent=()) -> list:
    """Run `works` (and `urgent` ones) as one batch behind a busy thread."""
    async with thread_held(database):
        waiting = queue(database, works) + queue(database, urgent, urgent=True)
        await asyncio.sleep(0)
    return await asyncio.gather(*waiting, return_exceptions=True)


async def test_work_that_queued_up_runs_in_one_transaction_and_a_failure_undoes_only_itself(database):
    def insert_then_fail(connection):
        connection.execute("INSERT INTO t VALUES (3)")
        raise ValueError("plugin bug")

    results = await queued_behind_a_busy_thread(
        database,
        [
            lambda connection: connection.in_transaction,
            insert(1),
            insert_then_fail,
            insert(1),
            insert(2),
        ],
    )
    assert results[0] is True
    assert results[1] == 1 and results[4] == 1
    assert isinstance(results[2], ValueError) and isinstance(results[3], sqlite3.IntegrityError)
    assert stored(database) == [1, 2]


async def test_a_transaction_inside_a_batch_is_undone_alone(database):
    def two_rows_atomically(connection):
        def work(inner):
            inner.execute("INSERT INTO t VALUES (10)")
            inner.execute("INSERT INTO t VALUES (5)")

        return transaction(connection, work)

    results = await queued_behind_a_busy_thread(database, [insert(5), two_rows_atomically, insert(6)])
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert stored(database) == [5, 6]


async def test_urgent_work_jumps_the_line(database):
    ran = []

    def noting(value: int):
        def work(connection):
            ran.append(value)
            return insert(value)(connection)

        return work

    await queued_behind_a_busy_thread(database, [noting(1), noting(2)], urgent=[noting(3)])
    assert ran == [3, 1, 2]
    assert stored(database) == [1, 2, 3]


async def test_urgent_work_cuts_a_long_batch_short_instead_of_waiting_it_out(database):
    ran, reached, gate = [], threading.Event(), threading.Event()

    def noting(value: int, wait: bool = False):
        def work(connection):
            if wait:
                reached.set()
                gate.wait(5)
            ran.append(value)
            return insert(value)(connection)

        return work

    async with thread_held(database):
        batch = queue(database, [noting(value, wait=value == 5) for value in range(100)])
        await asyncio.sleep(0)
    await asyncio.to_thread(reached.wait, 5)
    urgent = queue(database, [noting(1000)], urgent=True)
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(*urgent, *batch)
    assert ran.index(1000) == URGENT_WAITS_FOR
    assert [value for value in ran if value != 1000] == list(range(100))
    assert len(stored(database)) == 101


async def test_closing_finishes_the_work_already_queued(tmp_path):
    database = Database(tmp_path / "g.db")
    await database.open()
    await database.run(lambda connection: connection.execute("CREATE TABLE t (x INTEGER UNIQUE)"))
    pending = [asyncio.ensure_future(database.run(insert(value))) for value in range(50)]
    await asyncio.sleep(0)
    await database.close()
    assert await asyncio.gather(*pending) == [1] * 50
    assert stored(database) == list(range(50))
    with pytest.raises(RuntimeError, match="closed"):
        await database.run(insert(99))
