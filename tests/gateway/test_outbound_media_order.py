"""A contact's replies reach them in the order the engine gave them though the worker's loops
send side by side, also when one carries a file: the order's status, its chart (uploaded first,
or retried), then what to do next. The queue holds a contact's later reply while an earlier
one is queued or sending (OutboundQueue.claim); these tests hold the chart's upload until every
other loop has looked for work, so a later reply that could overtake it would."""


import pytest

from adapters.storage.mongo import MongoStore
from adapters.storage.sqlite import SqliteStore
from gateway.models import Content, MediaKind, OutboundMessage, Priority
from gateway.outbound.attachments import Attachments
from gateway.ports.channel import SendError
from gateway.ports.records import JobState
from tests.adapters.storage.async_mongomock import AsyncDatabase
from tests.gateway.held_sends import HeldUntilOthersLooked, run_until_sent
from tests.gateway.test_outbound_media import PHOTO, UploadingChannel, links, media, worker_for  # noqa: F401

CONTACT = "+919812345678"
LOOPS = 16


@pytest.fixture(params=["sqlite", "mongomock"])
async def store(request, tmp_path, clock):
    """Each store orders a contact's replies its own way (SQLite in the claim's query, MongoDB
    by marking the head of each contact's line)."""
    if request.param == "sqlite":
        opened = await SqliteStore.open(tmp_path / "g.db", clock)
    else:
        opened = MongoStore(AsyncDatabase(), clock)
        await opened.create_indexes()
    yield opened
    await opened.close()


class HeldUploads(UploadingChannel):
    """Holds each upload until the other loops have each found nothing to claim, or until a
    later reply overtakes the one uploading; records what reached the contact, in order."""

    def __init__(self, store, *failures: SendError) -> None:
        super().__init__(*failures)
        self.received: list[str] = []
        self._held = HeldUntilOthersLooked(store, LOOPS)

    async def upload_media(self, data, content_type, filename, http) -> str:
        await self._held.hold()
        return await super().upload_media(data, content_type, filename, http)

    async def send(self, message, http) -> str:
        self._held.release()  # a reply overtaking a held upload ends the hold, and the order shows it
        self.received.append(message.text if message.media is None else f"chart {message.media.provider_media_id}")
        return await super().send(message, http)


async def replied(store, clock, media, links, channel, chart_id: str) -> list[str]:
    """Queue the engine's three replies to one message as the inbox does, run the worker's
    loops until none is left, and return what the contact received, in order."""
    replies = [
        Content(text="Order ORD-4411 is shipped"),
        Content(media={"kind": "image", "media_id": chart_id, "caption": "ORD-4411 this week"}),
        Content(text="What next?"),
    ]
    for number, content in enumerate(replies):
        message = OutboundMessage.addressed(
            content,
            CONTACT,
            provider=channel.provider,
            priority=Priority.REPLY,
            idempotency_key=f"reply:in-1:{number}",
        )
        job = await store.queue.enqueue(message, max_attempts=3)
        await store.log.record_outbound(job.id, message, channel.provider)
    worker = worker_for(store, clock, channel, Attachments(media, links, clock), concurrency=LOOPS)
    await run_until_sent(store, worker, clock)
    return channel.received


async def chart(media):
    return await media.put(PHOTO, content_type="image/png", kind=MediaKind.IMAGE, filename="ord-4411.png")


async def test_the_status_its_chart_and_the_next_step_arrive_in_the_order_given(store, media, links, clock):
    channel = HeldUploads(store)
    received = await replied(store, clock, media, links, channel, (await chart(media)).id)
    assert received == ["Order ORD-4411 is shipped", "chart upload-1", "What next?"]


async def test_a_chart_whose_upload_is_retried_still_comes_before_the_next_step(store, media, links, clock):
    channel = HeldUploads(store, SendError("meta answered 503", retryable=True, code="503"))
    received = await replied(store, clock, media, links, channel, (await chart(media)).id)
    assert received == ["Order ORD-4411 is shipped", "chart upload-2", "What next?"]
    assert len(channel.uploads) == 2


async def test_a_chart_gone_from_the_store_does_not_hold_back_the_next_step(store, media, links, clock):
    channel = HeldUploads(store)
    received = await replied(store, clock, media, links, channel, "0" * 32)
    assert received == ["Order ORD-4411 is shipped", "What next?"]
    [dead] = await store.queue.list(JobState.DEAD)
    assert dead.last_error == f"media {'0' * 32} is not in the media store"
