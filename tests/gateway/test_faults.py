"""The one classification of errors every loop uses: retry, or fail the item."""

import sqlite3

import aiohttp
import pytest
from pymongo.errors import DuplicateKeyError, NotPrimaryError, OperationFailure

from gateway.faults import is_transient, patiently


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


class Flaky:
    """Work that fails with each of `errors` in turn, then answers "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


class Pauses(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_a_hiccup_is_waited_out_with_pauses_doubling_to_the_longest():
    work, pauses, retries = Flaky(*[sqlite3.OperationalError("database is locked")] * 5), Pauses(), []
    answer = await patiently(
        "storing", work, first=1.0, longest=6.0, on_retry=lambda: retries.append(1), pause=pauses
    )
    assert answer == "done" and work.calls == 6
    assert pauses == [1.0, 2.0, 4.0, 6.0, 6.0] and len(retries) == 5


async def test_a_bug_is_raised_at_once_without_a_pause():
    work, pauses = Flaky(KeyError("x")), Pauses()
    with pytest.raises(KeyError):
        await patiently("storing", work, first=1.0, longest=60.0, on_retry=lambda: None, pause=pauses)
    assert work.calls == 1 and pauses == []


async def test_the_caller_may_say_what_else_passes():
    wrapped = RuntimeError("refused")
    wrapped.__cause__ = TimeoutError()
    work, pauses = Flaky(wrapped), Pauses()
    answer = await patiently(
        "storing",
        work,
        first=1.0,
        longest=60.0,
        on_retry=lambda: None,
        pause=pauses,
        transient=lambda error: is_transient(error.__cause__ or error),
    )
    assert answer == "done" and pauses == [1.0]
