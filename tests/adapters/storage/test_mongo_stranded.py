"""On MongoDB a job that waits (a contact's next reply, a notification's file) is let go by a
second write after the job before it ends; a process that dies between the two, or a store that
fails the second, must not leave it waiting for ever: the next claim that finds nothing lets it
go, and on a queue that never runs dry a claim every 30 s looks. (SQLite's claim reads the job before in the same query, so it has no second write.)"""

from datetime import timedelta

import pytest

from adapters.storage.mongo import MongoStore
from gateway.models import OutboundMessage, Priority
from tests.adapters.storage.async_mongomock import AsyncDatabase

LEASE = timedelta(seconds=30)
CONTACT = "+14155550100"


class Killed(Exception):
    """The process died here."""


@pytest.fixture
async def store(clock):
    opened = MongoStore(AsyncDatabase(), clock)
    await opened.create_indexes()
    yield opened
    await opened.close()


def dies(*_arguments) -> None:
    raise Killed()


async def test_a_file_whose_template_ended_as_its_process_died_is_still_sent(store, monkeypatch):
    template = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="your bill is due"))
    bill = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="the bill"), follows=template.id)
    await store.queue.claim("w1", LEASE)
    with monkeypatch.context() as dying:
        dying.setattr(store.queue, "_let_followers_go", dies)
        with pytest.raises(Killed):
            await store.queue.ack(template.id, "w1", "wamid.1")
    assert (await store.queue.claim("w2", LEASE)).id == bill.id


async def test_a_file_queued_after_its_template_was_sent_by_a_process_that_died_is_still_sent(store, monkeypatch):
    template = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="your bill is due"))
    await store.queue.claim("w1", LEASE)
    await store.queue.ack(template.id, "w1", "wamid.1")
    with monkeypatch.context() as dying:
        dying.setattr(store.queue, "_let_go_if_followed_ended", dies)
        with pytest.raises(Killed):
            await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="the bill"), follows=template.id)
    assert (await store.queue.claim("w2", LEASE)).message["text"] == "the bill"


async def test_a_reply_whose_earlier_reply_ended_as_its_process_died_is_still_sent(store, monkeypatch):
    first = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="first", priority=Priority.REPLY))
    second = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="second", priority=Priority.REPLY))
    await store.queue.claim("w1", LEASE)
    with monkeypatch.context() as dying:
        dying.setattr(store.queue, "_let_next_reply_go", dies)
        with pytest.raises(Killed):
            await store.queue.ack(first.id, "w1", "wamid.1")
    assert (await store.queue.claim("w2", LEASE)).id == second.id


async def test_a_job_still_waiting_for_one_in_flight_is_not_let_go(store):
    template = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="your bill is due"))
    await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="the bill"), follows=template.id)
    await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="first", priority=Priority.REPLY))
    await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="second", priority=Priority.REPLY))
    taken = {(await store.queue.claim(f"w{n}", LEASE)).message["text"] for n in (1, 2)}
    assert taken == {"your bill is due", "first"}
    assert await store.queue.claim("w3", LEASE) is None


async def test_a_stranded_file_is_let_go_while_the_queue_stays_busy(store, monkeypatch, clock):
    template = await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="your bill is due"))
    await store.queue.enqueue(OutboundMessage(recipient=CONTACT, text="the bill"), follows=template.id)
    await store.queue.claim("w1", LEASE)
    with monkeypatch.context() as dying:
        dying.setattr(store.queue, "_let_followers_go", dies)
        with pytest.raises(Killed):
            await store.queue.ack(template.id, "w1", "wamid.1")
    for n in range(5):  # a backlog that outlasts the test: no claim finds nothing
        await store.queue.enqueue(OutboundMessage(recipient="+14155550199", text=f"bulk {n}", priority=Priority.BULK))

    async def sent_next() -> str:
        job = await store.queue.claim("w2", LEASE)
        await store.queue.ack(job.id, "w2", "wamid.n")
        return job.message["text"]

    assert [await sent_next(), await sent_next()] == ["bulk 0", "bulk 1"], "a busy process looks every 30 s"
    clock.advance(seconds=30)
    assert [await sent_next(), await sent_next()] == ["bulk 2", "the bill"]

