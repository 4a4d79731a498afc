"""The mongo adapter against a replica set's faults, over the wire (mockupdb): what it asks of
the server, and what it does on a stepdown, a dropped connection, a duplicate-key race and a
reply that never comes."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from pymongo.errors import PyMongoError

from adapters.storage.mongo import MongoStore
from adapters.storage.mongo.connection import connect
from adapters.storage.mongo.indexes import INDEXES
from adapters.storage.mongo.retry import Retry
from gateway.faults import is_transient
from gateway.models import InboundMessage, OutboundMessage
from gateway.ports.records import JobState
from tests.adapters.storage.mongo_wire import (
    ReplicaSetPrimary,
    cut_off,
    documents,
    duplicate_key,
    never_answered,
    not_primary,
)

LEASE = timedelta(seconds=30)


class RecordedPauses:
    """Retry's sleep: notes each pause and returns at once."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaSetPrimary]:
    started = ReplicaSetPrimary()
    started.url = started.start()
    yield started
    started.stop()


@pytest.fixture
def primary(server: ReplicaSetPrimary) -> ReplicaSetPrimary:
    server.reset()
    return server


@pytest.fixture
def pauses() -> RecordedPauses:
    return RecordedPauses()


def open_store(url: str, clock, pauses: RecordedPauses) -> MongoStore:
    client = connect(url)
    return MongoStore(client.get_default_database(), clock, client, server_clock=True, retry=Retry(sleep=pauses))


@pytest.fixture
async def store(primary, clock, pauses) -> AsyncIterator[MongoStore]:
    opened = open_store(primary.url, clock, pauses)
    yield opened
    await opened.close()


@pytest.fixture
async def impatient_store(primary, clock, pauses) -> AsyncIterator[MongoStore]:
    """Operations time out after 0.3 s, so a fault can outlast the driver's own retries."""
    opened = open_store(primary.url + "&timeoutMS=300", clock, pauses)
    yield opened
    await opened.close()


def job_document(job_id: str, clock, **fields) -> dict:
    now = clock.now()
    return {
        "_id": job_id,
        "message": {"recipient": "+14155550100", "text": "hi"},
        "state": "queued",
        "priority": 0,
        "due_at": now,
        "attempts": 0,
        "max_attempts": 5,
        "created_at": now,
        "updated_at": now,
    } | fields


def inbound(clock) -> InboundMessage:
    return InboundMessage(
        provider="meta", provider_message_id="wamid.A", sender="+919812345678", kind="text", text="hi",
        timestamp=clock.now(),
    )


async def test_writes_wait_for_a_majority_and_reads_go_to_the_primary(store, primary):
    job = await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text="hi"))
    primary.script("find", documents(job_document(job.id, store.queue._clock)))
    await store.queue.get(job.id)

    assert primary.commands("insert")[0]["writeConcern"] == {"w": "majority"}
    assert primary.commands("find")[0].get("$readPreference", {"mode": "primary"}) == {"mode": "primary"}


async def test_a_write_refused_by_a_stepping_down_primary_is_retried_and_applied_once(store, primary):
    primary.script("insert", not_primary, not_primary, not_primary)
    job = await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text="hi"))

    inserts = primary.commands("insert")
    assert len(inserts) == 4, "three refusals, then the write"
    # one session and one transaction number: the server applies the write once however often it is sent
    assert len({(str(insert["lsid"]), insert["txnNumber"]) for insert in inserts}) == 1
    assert {insert["documents"][0]["_id"] for insert in inserts} == {job.id}


async def test_a_read_whose_connection_drops_twice_is_read_again(store, primary, clock):
    primary.script("find", cut_off, cut_off, documents(job_document("job-1", clock)))
    job = await store.queue.get("job-1")
    assert job is not None and job.id == "job-1"


async def test_a_stepdown_mid_claim_repeats_the_same_claim_so_no_job_is_claimed_twice(store, primary, clock):
    taken = job_document("job-1", clock, state="sending", lease_owner="w", attempts=1)
    primary.script("findAndModify", not_primary, lambda request: request.ok(value=None))
    primary.script("findAndModify", lambda request: request.ok(value=taken))

    claimed = await store.queue.claim("w", LEASE)

    assert claimed.id == "job-1"
    take_over, retried, take_due = (
        {field: value for field, value in claim.items() if field != "maxTimeMS"}
        for claim in primary.commands("findAndModify")
    )
    assert retried == take_over, "the refused claim is sent again as it was, in the same transaction"
    assert (str(take_due["lsid"]), take_due["txnNumber"]) != (str(take_over["lsid"]), take_over["txnNumber"])


async def test_a_claim_whose_stepdown_outlasts_the_timeout_is_abandoned_not_repeated(impatient_store, primary, pauses):
    primary.script("findAndModify", *[not_primary] * 1000)

    with pytest.raises(PyMongoError) as failed:
        await impatient_store.queue.claim("w", LEASE)

    assert is_transient(failed.value), "the worker backs off and claims again later"
    claims = primary.commands("findAndModify")
    assert len({(str(claim["lsid"]), claim["txnNumber"]) for claim in claims}) == 1, (
        "never a second claim beside a first that may have won"
    )
    assert pauses.pauses == []


async def test_leases_are_timed_by_the_server_clock(store, primary):
    await store.queue.claim("w", LEASE)
    take_over, take_due = primary.commands("findAndModify")
    assert take_over["query"]["$expr"] == {"$lte": ["$lease_expires_at", "$$NOW"]}
    assert take_due["update"][0]["$set"]["lease_expires_at"] == {"$add": ["$$NOW", 30_000]}


async def test_an_inbound_message_stored_by_an_attempt_that_timed_out_counts_as_stored(
    impatient_store, primary, clock, pauses
):
    message = inbound(clock)
    primary.script("insert", never_answered, duplicate_key("_id_"))
    primary.script("aggregate", documents({"_id": 1, "n": 1}))

    assert await impatient_store.log.record_inbound(message), "its own first attempt: new, so it is handled"
    assert len(pauses.pauses) == 1


async def test_an_inbound_message_another_delivery_stored_first_is_a_duplicate(store, primary, clock):
    primary.script("insert", duplicate_key("dedupe_1"))
    primary.script("aggregate", documents())
    assert not await store.log.record_inbound(inbound(clock))


async def test_an_enqueue_that_races_another_with_the_same_key_returns_that_job(store, primary, clock):
    primary.script("insert", duplicate_key("idempotency_key_1"))
    primary.script("find", documents(), documents(job_document("job-first", clock, idempotency_key="order-42")))
    job = await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text="hi", idempotency_key="order-42"))
    assert job.id == "job-first"


async def test_an_enqueue_stored_by_an_attempt_that_timed_out_returns_its_own_job(impatient_store, primary, clock):
    primary.script("insert", never_answered, duplicate_key("_id_"))
    own: dict = {}

    def found_own(request) -> bool:
        own_id = primary.commands("insert")[0]["documents"][0]["_id"]
        own.update(job_document(own_id, clock))
        return documents(own)(request) if request.doc["filter"] == {"_id": own_id} else documents()(request)

    primary.script("find", found_own, documents())
    job = await impatient_store.queue.enqueue(OutboundMessage(recipient="+14155550100", text="hi"))
    assert job.id == own["_id"]


async def test_a_purge_refused_by_a_stepping_down_primary_is_tried_again(store, primary, clock, pauses):
    primary.script("find", documents({"_id": "job-1"}), documents({"_id": "job-1"}), documents())
    primary.script("delete", not_primary)
    # a multi-document delete is no retryable write: the adapter itself tries it again
    assert await store.queue.purge_finished(clock.now()) == 1
    assert pauses.pauses == [0.5]


async def test_queue_counts_are_one_count_per_state_that_the_state_index_serves(store, primary):
    assert await store.queue.counts() == {state: 0 for state in JobState}
    first_stages = [command["pipeline"][0] for command in primary.commands("aggregate")]
    assert first_stages == [{"$match": {"state": state.value}} for state in JobState]


async def test_index_builds_at_start_up_are_not_cut_short_by_the_operation_timeout(primary, clock, pauses):
    store = open_store(primary.url, clock, pauses)
    try:
        primary.script("listIndexes", *[documents()] * 3)
        await store.create_indexes()
    finally:
        await store.close()
    builds = primary.commands("createIndexes")
    assert builds and all("maxTimeMS" not in build for build in builds)


async def test_each_step_of_the_claim_is_served_by_an_index(store, primary):
    await store.queue.claim("w", LEASE)
    queue_indexes = [list(index.document["key"]) for index in INDEXES["queue"]]
    for claim in primary.commands("findAndModify"):
        assert isinstance(claim["query"].get("state"), str), "one state per step: an $or of two has no index"
        wanted = ["state", *claim["sort"]]
        assert wanted in [keys[: len(wanted)] for keys in queue_indexes], f"no index serves {wanted}"
