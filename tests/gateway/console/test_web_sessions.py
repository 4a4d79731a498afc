"""Console sessions in the store, on SQLite and the mongo adapter: only a hash of the id is
kept, and sessions expire when idle and at the latest a day after sign-in, on the injected clock."""

import json

from gateway.console.web_sessions import NAMESPACE, WebSessions, record_key
from tests.adapters.storage.conftest import store  # noqa: F401  (SQLite and the mongo adapter, as the contract suite)
from tests.gateway.console.conftest import OvertakenReads


async def test_the_store_never_holds_the_session_id(store, clock):
    session_id, session = await WebSessions(store, clock).start("alice")
    [document] = await store.records.find(NAMESPACE)
    assert session_id not in json.dumps(document)
    assert document["operator"] == "alice" and document["csrf"] == session.csrf
    assert (await WebSessions(store, clock).find(session_id)).operator == "alice"


async def test_every_sign_in_gets_a_new_id_and_csrf_token(store, clock):
    sessions = WebSessions(store, clock)
    first_id, first = await sessions.start("alice")
    second_id, second = await sessions.start("alice")
    assert first_id != second_id and first.csrf != second.csrf
    assert len(first_id) >= 43, "32 random bytes, URL-safe"


async def test_a_session_left_alone_for_12_hours_is_over(store, clock):
    sessions = WebSessions(store, clock)
    session_id, _ = await sessions.start("alice")
    clock.advance(hours=11, minutes=59)
    assert await sessions.find(session_id) is not None
    clock.advance(hours=11, minutes=59)
    assert await sessions.find(session_id) is not None, "use keeps it alive"
    clock.advance(hours=12)
    assert await sessions.find(session_id) is None
    assert await store.records.find(NAMESPACE) == [], "an expired session is deleted when met"


async def test_a_session_in_constant_use_ends_a_day_after_sign_in(store, clock):
    sessions = WebSessions(store, clock)
    session_id, _ = await sessions.start("alice")
    for _ in range(23):
        clock.advance(hours=1)
        assert await sessions.find(session_id) is not None
    clock.advance(hours=1)
    assert await sessions.find(session_id) is None


async def test_ending_a_session_ends_only_that_one(store, clock):
    sessions = WebSessions(store, clock)
    ending, _ = await sessions.start("alice")
    staying, _ = await sessions.start("alice")
    await sessions.end(ending)
    assert await sessions.find(ending) is None
    assert await sessions.find(staying) is not None


async def test_signing_in_clears_the_operators_expired_sessions(store, clock):
    sessions = WebSessions(store, clock)
    await sessions.start("alice")
    await sessions.start("bob")
    clock.advance(days=2)
    await sessions.start("alice")
    assert sorted(document["operator"] for document in await store.records.find(NAMESPACE)) == ["alice", "bob"]


async def test_a_sign_out_elsewhere_is_not_undone_by_a_request_noting_its_use(store, clock):
    session_id, _ = await WebSessions(store, clock).start("alice")
    clock.advance(minutes=5)

    async def sign_out_elsewhere():
        await WebSessions(store, clock).end(session_id)

    racing = WebSessions(OvertakenReads(store, record_key(session_id), sign_out_elsewhere), clock)
    assert await racing.find(session_id) is None
    assert await WebSessions(store, clock).find(session_id) is None
