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
