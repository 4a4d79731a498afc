"""Stored media as the queue worker sends it: by a signed link, by an upload the provider keeps
(made once, reused until it expires), as text with the link where the channel cannot show the
kind; a file missing from the store fails that job alone, and the log never keeps the link."""

import asyncio
from datetime import timedelta
from random import Random
from urllib.parse import urlsplit

import pytest

from adapters.storage.media.disk import DiskMediaStore
from adapters.storage.sqlite import SqliteStore
from gateway.media.links import MediaLinks
from gateway.metrics import GatewayMetrics
from gateway.models import MediaKind, OutboundMessage, Priority, Provider
from gateway.notifications.delivery import DeliveryRules
from gateway.notifications.template_service import TemplateService
from gateway.outbound.attachments import Attachments
from gateway.outbound.routing import Routing
from gateway.outbound.worker import LEASE, QueueWorker
from gateway.ports.channel import Capabilities, ChannelSet, SendError
from gateway.ports.records import JobState, LogStatus

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEY = b"k" * 32
CONTACT = "+919812345678"


class Channel:
    """A channel that records what it was asked to send, showing only `kinds` of media."""

    provider = Provider.TWILIO

    def __init__(self, kinds=frozenset(MediaKind)) -> None:
        self.capabilities = Capabilities(media=frozenset(kinds))
        self.sent: list[OutboundMessage] = []

    async def send(self, message, http) -> str:
        self.sent.append(message)
        return f"SM{len(self.sent)}"


class UploadingChannel(Channel):
    """A channel that takes uploads (as Meta does), failing them as scripted."""

    provider = Provider.META
    upload_lifetime = timedelta(days=30)

    def __init__(self, *failures: SendError) -> None:
        super().__init__()
        self.uploads: list[tuple[bytes, str, str | None]] = []
        self.failures = list(failures)

    async def upload_media(self, data, content_type, filename, http) -> str:
        self.uploads.append((data, content_type, filename))
        if self.failures:
            raise self.failures.pop(0)
        return f"upload-{len(self.uploads)}"


@pytest.fixture
async def store(tmp_path, clock):
    opened = await SqliteStore.open(tmp_path / "g.db", clock)
    yield opened
    await opened.close()


@pytest.fixture
async def media(tmp_path, clock):
    opened = await DiskMediaStore.open(tmp_path / "media", clock)
    yield opened
    await opened.close()


@pytest.fixture
def links(clock):
    return MediaLinks("https://gw.example.com", KEY, timedelta(hours=1), clock)


async def photo(media):
    return await media.put(PHOTO, content_type="image/png", kind=MediaKind.IMAGE, filename="defect.png")


async def send(store, media, links, clock, channel, **media_fields):
    """Queue a reply with `media_fields` for `channel`'s provider and let a worker deliver it."""
    message = OutboundMessage(
        recipient=CONTACT, provider=channel.provider, priority=Priority.REPLY, media=media_fields
    )
    job = await store.queue.enqueue(message, max_attempts=3)
    await store.log.record_outbound(job.id, message, channel.provider)
    claimed = await store.queue.claim("w", LEASE)
    await worker_for(store, clock, channel, Attachments(media, links, clock)).deliver(claimed, "w")
    return job.id


def worker_for(store, clock, channel, attachments: Attachments, concurrency: int = 4) -> QueueWorker:
    routing = Routing(
        [channel.provider],
        clock,
        GatewayMetrics("sqlite"),
        failover=[],
        rates={channel.provider: 1000},
        failures_to_open=5,
        cooldown=timedelta(seconds=60),
        leases=store.leases,
        owner="test",
    )
    return QueueWorker(
        store,
        ChannelSet({channel.provider: channel}, {}),
        None,
        clock,
        DeliveryRules(store, TemplateService(store), clock),
        routing,
        GatewayMetrics("sqlite"),
        concurrency=concurrency,
        chance=Random(7),
        attachments=attachments,
    )


def verified(links, url) -> bool:
    _, _, media_id, expires, signature = urlsplit(str(url)).path.split("/")
    return links.verify(media_id, expires, signature) is not None


async def test_a_stored_file_goes_as_a_signed_link_and_the_log_keeps_only_its_id(store, media, links, clock):
    stored = await photo(media)
    channel = Channel()
    job_id = await send(store, media, links, clock, channel, kind="image", media_id=stored.id, caption="Crack")
    [sent] = channel.sent
    assert sent.media.media_id == stored.id and sent.media.caption == "Crack"
    assert str(sent.media.url).startswith(f"https://gw.example.com/media/{stored.id}/")
    assert verified(links, sent.media.url)
    entry = await store.log.get(job_id)
    assert entry.status is LogStatus.SENT
    assert entry.payload["media"] == {"kind": "image", "media_id": stored.id, "caption": "Crack"}


async def test_a_kind_the_channel_cannot_show_goes_as_text_with_caption_name_and_link(store, media, links, clock):
    report = await media.put(b"%PDF-1.7 report", content_type="application/pdf", kind=MediaKind.DOCUMENT)
    channel = Channel(kinds={MediaKind.IMAGE})
    bill = {"kind": "document", "media_id": report.id, "caption": "Your bill", "filename": "bill.pdf"}
    job_id = await send(store, media, links, clock, channel, **bill)
    [sent] = channel.sent
    caption, filename, link = sent.text.split("\n")
    assert (sent.media, caption, filename) == (None, "Your bill", "bill.pdf")
    assert verified(links, link)
    assert link not in str((await store.log.get(job_id)).payload)


async def test_a_public_url_the_channel_cannot_show_goes_as_that_url_in_text(store, media, links, clock):
    channel = Channel(kinds=set())
    await send(store, media, links, clock, channel, kind="video", url="https://cdn.example.com/sop.mp4")
    assert channel.sent[0].text == "https://cdn.example.com/sop.mp4"


async def test_a_file_missing_from_the_store_fails_that_job_with_the_reason(store, media, links, clock):
    gone = await media.put_unavailable(
        message_id="m1", kind=MediaKind.IMAGE, content_type="image/png", error="404 at the provider", attempts=3
    )
    channel = Channel()
    unknown = await send(store, media, links, clock, channel, kind="image", media_id="0" * 32)
    unavailable = await send(store, media, links, clock, channel, kind="image", media_id=gone.id)
    assert channel.sent == []
    assert (await store.queue.get(unknown)).state is JobState.DEAD
    assert (await store.log.get(unknown)).error == f"media {'0' * 32} is not in the media store"
    assert (await store.log.get(unavailable)).error == f"media {gone.id} is unavailable: 404 at the provider"


async def test_an_upload_is_made_once_reused_for_30_days_then_made_again(store, media, links, clock):
    stored = await photo(media)
    channel = UploadingChannel()
    await send(store, media, links, clock, channel, kind="image", media_id=stored.id)
    clock.advance(days=29, hours=23)
    await send(store, media, links, clock, channel, kind="image", media_id=stored.id)
    assert [sent.media.provider_media_id for sent in channel.sent] == ["upload-1", "upload-1"]
    assert channel.uploads == [(PHOTO, "image/png", "defect.png")]
    clock.advance(hours=1)
    await send(store, media, links, clock, channel, kind="image", media_id=stored.id)
    assert channel.sent[-1].media.provider_media_id == "upload-2"
    assert (await media.get(stored.id)).uploads["meta"].id == "upload-2"


async def test_an_upload_the_provider_refuses_falls_back_to_the_link(store, media, links, clock):
    stored = await photo(media)
    channel = UploadingChannel(SendError("meta answered 400: unsupported file", retryable=False, code="400"))
    job_id = await send(store, media, links, clock, channel, kind="image", media_id=stored.id)
    [sent] = channel.sent
    assert sent.media.provider_media_id is None and verified(links, sent.media.url)
    assert (await media.get(stored.id)).uploads == {}
    assert (await store.queue.get(job_id)).state is JobState.SENT


async def test_an_upload_that_outlasts_the_provider_timeout_sends_the_link_instead(store, media, links, clock):
    """A large file on a slow uplink times out the same way at every attempt; Meta fetches the
    link itself, so the file still reaches the contact now."""
    stored = await photo(media)
    channel = UploadingChannel(SendError("meta did not answer in time", retryable=True, code="timeout"))
    job_id = await send(store, media, links, clock, channel, kind="image", media_id=stored.id)
    [sent] = channel.sent
    assert sent.media.provider_media_id is None and verified(links, sent.media.url)
    assert (await store.queue.get(job_id)).state is JobState.SENT


async def test_an_upload_to_a_provider_that_is_down_retries_the_job(store, media, links, clock):
    stored = await photo(media)
    channel = UploadingChannel(SendError("meta answered 503", retryable=True, code="503"))
    job_id = await send(store, media, links, clock, channel, kind="image", media_id=stored.id)
    assert channel.sent == []
    job = await store.queue.get(job_id)
    assert job.state is JobState.QUEUED and job.last_error == "503: meta answered 503"


class Watched(Attachments):
    """Attachments that say when a job asks for its file's upload, and when a read of the media
    store ends, so a held upload can wait until every job has decided what to do."""

    def __init__(self, media, links, clock) -> None:
        super().__init__(media, links, clock)
        self.asked = 0
        self.reads = [0, 0]  # begun, ended
        self.changed = asyncio.Event()
        get = media.get

        async def watched_get(media_id):
            self.reads[0] += 1
            try:
                return await get(media_id)
            finally:
                self.reads[1] += 1
                self.changed.set()

        media.get = watched_get

    async def uploaded(self, channel, message, http):
        self.asked += 1
        self.changed.set()
        return await super().uploaded(channel, message, http)


class HeldUploads(UploadingChannel):
    """Holds each upload until `jobs` jobs have asked for one and no read of the store is under
    way: a job that would upload the file on its own has decided to by then."""

    def __init__(self, watched: Watched, jobs: int, *failures: SendError) -> None:
        super().__init__(*failures)
        self._watched = watched
        self._jobs = jobs

    async def upload_media(self, data, content_type, filename, http) -> str:
        watched = self._watched
        while watched.asked < self._jobs or watched.reads[0] != watched.reads[1]:
            watched.changed.clear()
            await watched.changed.wait()
        return await super().upload_media(data, content_type, filename, http)


async def fan_out(store, clock, channel, attachments, stored, recipients) -> list[str]:
    """A notification's attachment queued to each recipient (inside their 24-hour window) and
    sent by that many jobs at once, as the worker's loops would; returns the job ids."""
    jobs = []
    for recipient in recipients:
        await store.settings.update_contact(recipient, {"last_inbound_at": clock.now().isoformat()})
        message = OutboundMessage(
            recipient=recipient,
            provider=channel.provider,
            priority=Priority.NOTIFICATION,
            media={"kind": "document", "media_id": stored.id, "filename": "bill.pdf"},
        )
        jobs.append(job := await store.queue.enqueue(message, max_attempts=3))
        await store.log.record_outbound(job.id, message, channel.provider)
    claimed = [await store.queue.claim(f"w{n}", LEASE) for n in range(len(recipients))]
    worker = worker_for(store, clock, channel, attachments, concurrency=len(recipients))
    async with asyncio.timeout(10):  # an upload held for ever fails the test instead of hanging it
        await asyncio.gather(*(worker.deliver(job, f"w{n}") for n, job in enumerate(claimed)))
    return [job.id for job in jobs]


RECIPIENTS = [f"+9198123456{n:02d}" for n in range(8)]


async def test_one_file_sent_to_many_at_once_is_uploaded_once(store, media, links, clock):
    bill = await media.put(b"%PDF-1.7 bill", content_type="application/pdf", kind=MediaKind.DOCUMENT)
    watched = Watched(media, links, clock)
    channel = HeldUploads(watched, len(RECIPIENTS))
    job_ids = await fan_out(store, clock, channel, watched, bill, RECIPIENTS)
    assert channel.uploads == [(b"%PDF-1.7 bill", "application/pdf", "bill.pdf")]
    assert sorted(sent.recipient for sent in channel.sent) == RECIPIENTS
    assert {sent.media.provider_media_id for sent in channel.sent} == {"upload-1"}
    assert [(await store.queue.get(job_id)).state for job_id in job_ids] == [JobState.SENT] * len(RECIPIENTS)


async def test_a_shared_upload_the_provider_refuses_sends_every_job_by_the_link(store, media, links, clock):
    bill = await media.put(b"%PDF-1.7 bill", content_type="application/pdf", kind=MediaKind.DOCUMENT)
    watched = Watched(media, links, clock)
    refused = SendError("meta answered 400: unsupported file", retryable=False, code="400")
    channel = HeldUploads(watched, len(RECIPIENTS), *[refused] * len(RECIPIENTS))
    await fan_out(store, clock, channel, watched, bill, RECIPIENTS)
    assert len(channel.uploads) == 1
    assert len(channel.sent) == len(RECIPIENTS)
    assert all(sent.media.provider_media_id is None and verified(links, sent.media.url) for sent in channel.sent)


async def test_a_shared_upload_to_a_provider_that_is_down_retries_every_job(store, media, links, clock):
    bill = await media.put(b"%PDF-1.7 bill", content_type="application/pdf", kind=MediaKind.DOCUMENT)
    watched = Watched(media, links, clock)
    down = SendError("meta answered 503", retryable=True, code="503")
    channel = HeldUploads(watched, len(RECIPIENTS), *[down] * len(RECIPIENTS))
    job_ids = await fan_out(store, clock, channel, watched, bill, RECIPIENTS)
    assert len(channel.uploads) == 1 and channel.sent == []
    for job_id in job_ids:
        job = await store.queue.get(job_id)
        assert job.state is JobState.QUEUED and job.last_error == "503: meta answered 503"
