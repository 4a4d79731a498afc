"""What only a real MongoDB can show (set GATEWAY_TEST_MONGO_URL to run): leases timed by the
server's clock, and a changed retention applied to a live TTL index."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.storage.mongo import MongoStore
from gateway.models import OutboundMessage
from tests.adapters.storage.conftest import MONGO_URL, fresh_database_url

pytestmark = pytest.mark.skipif(MONGO_URL is None, reason="real MongoDB: set GATEWAY_TEST_MONGO_URL to run it")


@pytest.fixture
async def server_store(clock) -> AsyncIterator[MongoStore]:
    opened = await MongoStore.open(fresh_database_url(MONGO_URL), clock)
    try:
        yield opened
    finally:
        await opened._client.drop_database(opened._database.name)
        await opened.close()


async def test_a_lease_is_written_and_expired_by_the_server_clock(server_store, clock):
    first = await server_store.queue.enqueue(OutboundMessage(recipient="+14155550100", text="a"))
    claimed = await server_store.queue.claim("w1", timedelta(0))
    assert claimed.id == first.id
    # the injected clock stands still; only the server's clock can have expired the lease
    rescued = await server_store.queue.claim("w2", timedelta(minutes=5))
    assert rescued.id == first.id and rescued.recovered
    assert await server_store.queue.claim("w3", timedelta(minutes=5)) is None, "a live lease is never taken"


async def test_a_changed_retention_is_applied_to_the_live_index(server_store, clock):
    await server_store.create_indexes(log_retention=timedelta(days=90))
    await server_store.create_indexes(log_retention=timedelta(days=30))
    indexes = await server_store._database["log"].index_information()
    assert indexes["log_retention"]["expireAfterSeconds"] == 30 * 24 * 3600
