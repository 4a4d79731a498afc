"""Store fixtures: the contract suite runs once per backend."""

import os
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from adapters.storage.mongo import MongoStore
from adapters.storage.sqlite import SqliteStore
from tests.adapters.storage.async_mongomock import AsyncDatabase

MONGO_URL = os.environ.get("GATEWAY_TEST_MONGO_URL")


@pytest.fixture(
    params=[
        "sqlite",
        "mongomock",
        pytest.param(
            "mongo",
            marks=pytest.mark.skipif(
                MONGO_URL is None, reason="real MongoDB leg: set GATEWAY_TEST_MONGO_URL to run it"
            ),
        ),
    ]
)
async def store(request: pytest.FixtureRequest, clock, tmp_path) -> AsyncIterator:
    if request.param == "sqlite":
        opened = await SqliteStore.open(tmp_path / "gateway.db", clock)
    elif request.param == "mongomock":
        opened = MongoStore(AsyncDatabase(), clock)
        await opened.create_indexes()
    else:
        # the contract moves leases by the injected clock; test_mongo_server.py covers the server's
        opened = await MongoStore.open(fresh_database_url(MONGO_URL), clock, server_clock=False)
    try:
        yield opened
    finally:
        if request.param == "mongo":
            await opened._client.drop_database(opened._database.name)
        await opened.close()


def fresh_database_url(url: str) -> str:
    """The server in `url` with a database of this test's own, dropped afterwards."""
    base, _, query = url.partition("?")
    base = base.rstrip("/").rsplit("/", 1)[0] if base.count("/") > 2 else base.rstrip("/")
    return f"{base}/gateway_test_{uuid4().hex[:12]}" + (f"?{query}" if query else "")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "mongo",
            marks=pytest.mark.skipif(
                MONGO_URL is None, reason="real MongoDB leg: set GATEWAY_TEST_MONGO_URL to run it"
            ),
        ),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A store several OS processes open by its URL: a SQLite file, or a database of its own on
    the real MongoDB server when GATEWAY_TEST_MONGO_URL is set."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return fresh_database_url(MONGO_URL)
