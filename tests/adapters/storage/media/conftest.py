"""Media store fixtures: the contract suite runs once per adapter: disk, GridFS over the
in-process MongoDB stand-in, and GridFS on a real server when GATEWAY_TEST_MONGO_URL is set."""

from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.storage.media.disk import DiskMediaStore
from adapters.storage.media.gridfs import GridFSMediaStore
from tests.adapters.storage.conftest import MONGO_URL, fresh_database_url
from tests.adapters.storage.mongomock_server import MongomockServer


@pytest.fixture(scope="session")
def stand_in() -> Iterator[MongomockServer]:
    server = MongomockServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mongo_stand_in(stand_in: MongomockServer) -> Iterator[MongomockServer]:
    """The stand-in with an empty database and no faults left over."""
    yield stand_in
    stand_in.drop()
    stand_in.clear_faults()


@pytest.fixture(
    params=[
        "disk",
        "gridfs",
        pytest.param(
            "gridfs-mongo",
            marks=pytest.mark.skipif(
                MONGO_URL is None, reason="real MongoDB leg: set GATEWAY_TEST_MONGO_URL to run it"
            ),
        ),
    ]
)
async def media(request: pytest.FixtureRequest, clock, tmp_path) -> AsyncIterator:
    if request.param == "disk":
        opened = await DiskMediaStore.open(tmp_path / "media", clock)
    elif request.param == "gridfs":
        server = request.getfixturevalue("mongo_stand_in")
        opened = await GridFSMediaStore.connect(server.url, clock)
    else:
        opened = await GridFSMediaStore.connect(fresh_database_url(MONGO_URL), clock)
    try:
        yield opened
    finally:
        if request.param == "gridfs-mongo":
            await opened._client.drop_database(opened._database.name)
        await opened.close()
