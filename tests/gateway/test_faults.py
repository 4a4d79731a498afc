"""The one classification of errors every loop uses: retry, or fail the item."""

import sqlite3

import aiohttp
import pytest
from pymongo.errors import DuplicateKeyError, NotPrimaryError, OperationFailure

from gateway.faults import is_transient


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        NotPrimaryError("not primary"),
        TimeoutError(),
        aiohttp.ServerDisconnectedError(),
        OperationFailure("write conflict", details={"errorLabels": ["TransientTransactionError"]}),
    ],
)
def test_hiccups_are_worth_retrying(error):
    assert is_transient(error)


@pytest.mark.parametrize(
    "error", [ZeroDivisionError(), KeyError("x"), ValueError("bad date"), DuplicateKeyError("dup"), OperationFailure("bad")]
)
def test_bugs_and_bad_data_are_not(error):
    assert not is_transient(error)


def test_sqlite_tells_a_locked_database_from_a_missing_table(tmp_path):
    holder = sqlite3.connect(tmp_path / "db", isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    waiter = sqlite3.connect(tmp_path / "db", timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        waiter.execute("SELECT * FROM t")
    with pytest.raises(sqlite3.OperationalError) as missing:
        holder.execute("SELECT * FROM no_such_table")
    assert is_transient(locked.value) and not is_transient(missing.value)
