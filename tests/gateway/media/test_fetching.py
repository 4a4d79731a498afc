import asyncio
import hashlib
import logging
import sqlite3
import struct
import threading

import aiohttp
import pytest

from adapters.storage.media.disk import DiskMediaStore
from gateway.media import fetching
from gateway.media.fetching import MediaFetcher
from gateway.media.limits import MAX_BYTES
from gateway.media.sniffing import checked
from gateway.metrics import GatewayMetrics
from gateway.models import InboundMessage, Media, MediaKind, MediaRefusal, Provider
from gateway.ports.channel import ChannelSet, Download, MediaUnavailable
from gateway.ports.media import MediaState, MediaStoreError
from tests.gateway.media.samples import office_document, pdf, picture, webp_claiming

SENDER = "919812345678"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Hiccups:
    """A media store whose first `count` writes fail as the disk adapter reports a locked
    database, or with `error`."""

    def __init__(self, media, count: int, error: Exception | None = None) -> None:
        self._media = media
        self._count = count
        self._error = error

    async def put(self, *args, **kwargs):
        if self._count:
            self._count -= 1
            if self._error is not None:
                raise self._error
            locked = sqlite3.OperationalError("database is locked")
            raise MediaStoreError("the media index refused the record") from locked
        return await self._media.put(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._media, name)


class FakeChannel:
    """A provider whose files answer from a script: a Download, or an exception to raise."""

    provider = Provider.META

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[Media, int]] = []

    async def fetch_media(self, media, max_bytes, http):
        self.calls.append((media, max_bytes))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class Pauses(list):
    """The pauses the fetcher asked for, taken at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def metrics() -> GatewayMetrics:
    return GatewayMetrics("sqlite")


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


@pytest.fixture
async def media_store(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    yield media
    await media.close()


def fetcher_for(channel, media_store, metrics, pauses) -> MediaFetcher:
    channels = ChannelSet({Provider.META: channel} if channel else {}, {})
    return MediaFetcher(channels, media_store, None, metrics, pause=pauses)  # the fake channel needs no HTTP session


def photo_message(clock, **media) -> InboundMessage:
    return InboundMessage(
        provider=Provider.META,
        provider_message_id="wamid.PHOTO1",
        sender=SENDER,
        timestamp=clock.now(),
        kind="media",
        media=Media(**({"media_id": "1029384756", "mime_type": "image/jpeg", "kind": MediaKind.IMAGE} | media)),
    )


def fetched_count(metrics: GatewayMetrics, outcome: str) -> float:
    return metrics.registry.get_sample_value("gateway_media_fetches_total", {"provider": "meta", "outcome": outcome})


async def test_a_photo_is_stored_with_its_digest_type_size_and_message(clock, media_store, metrics, pauses):
    photo = picture("JPEG")
    channel = FakeChannel(Download(photo, "image/jpeg"))
    message = photo_message(clock)

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    [record] = await media_store.of_message(message.id)
    assert fetched.media.stored_id == record.id and fetched.media.unavailable is None
    assert await media_store.read(record.id) == photo
    assert (fetched.media.kind, fetched.media.mime_type) == (MediaKind.IMAGE, "image/jpeg")
    assert (record.sha256, record.size) == (hashlib.sha256(photo).hexdigest(), len(photo))
    assert record.content_type == "image/jpeg"
    assert (record.message_id, record.attempts) == (message.id, 1)
    assert channel.calls == [(message.media, 5 * 1024 * 1024)]  # an image is read to WhatsApp's 5 MB at most
    assert fetched_count(metrics, "stored") == 1


async def test_the_type_stored_is_the_one_the_bytes_show(clock, media_store, metrics, pauses):
    channel = FakeChannel(Download(picture("PNG"), "image/jpeg"))

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.mime_type == (await media_store.get(fetched.media.stored_id)).content_type == "image/png"


async def test_a_kind_the_provider_does_not_say_comes_from_the_checked_type(clock, media_store, metrics, pauses):
    channel = FakeChannel(Download(pdf(), "application/pdf", "report.pdf"))
    message = photo_message(clock, kind=None, mime_type="application/pdf")

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    assert fetched.media.kind is MediaKind.DOCUMENT
    assert (await media_store.get(fetched.media.stored_id)).filename == "report.pdf"
    assert channel.calls[0][1] == 100 * 1024 * 1024


async def test_a_passing_failure_is_tried_again_after_a_short_pause(clock, media_store, metrics, pauses):
    failing = MediaUnavailable("Meta answered 500", retryable=True)
    channel = FakeChannel(failing, Download(picture("JPEG"), "image/jpeg"))

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.stored_id is not None
    assert pauses == [1.0] and (await media_store.get(fetched.media.stored_id)).attempts == 2


async def test_a_network_error_counts_as_a_passing_failure(clock, media_store, metrics, pauses):
    channel = FakeChannel(aiohttp.ServerDisconnectedError(), TimeoutError(), Download(picture("JPEG"), "image/jpeg"))

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.stored_id is not None and pauses == [1.0, 4.0]


async def test_three_passing_failures_leave_the_file_unavailable_within_seconds(clock, media_store, metrics, pauses):
    channel = FakeChannel(*[MediaUnavailable("Meta answered 500", retryable=True)] * 3)
    message = photo_message(clock)

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    assert fetched.media.unavailable == "Meta answered 500 (gave up after 3 attempts)"
    assert fetched.media.stored_id is None and fetched.media.kind is MediaKind.IMAGE
    assert pauses == [1.0, 4.0]
    [record] = await media_store.of_message(message.id)
    assert (record.state, record.attempts, record.message_id) == (MediaState.UNAVAILABLE, 3, message.id)
    assert fetched_count(metrics, "failed") == 1


async def test_a_file_that_is_gone_is_unavailable_at_once(clock, media_store, metrics, pauses):
    channel = FakeChannel(MediaUnavailable("the file is gone (404)", retryable=False))

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.unavailable == "the file is gone (404)"
    assert pauses == [] and len(channel.calls) == 1
    assert fetched_count(metrics, "unavailable") == 1


async def test_a_file_that_lies_about_its_type_is_refused_and_not_kept(clock, media_store, metrics, pauses):
    channel = FakeChannel(Download(pdf(), "image/jpeg"))
    message = photo_message(clock)

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    assert fetched.media.unavailable == "the file was declared image/jpeg but its bytes are application/pdf"
    [record] = await media_store.of_message(message.id)
    assert (record.state, record.error, record.size) == (MediaState.UNAVAILABLE, fetched.media.unavailable, 0)
    assert fetched_count(metrics, "refused") == 1
    again = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)
    assert again.media.refused is fetched.media.refused is MediaRefusal.WRONG_TYPE, "a turn run again says why too"
    assert len(channel.calls) == 1


async def test_a_file_over_its_kinds_limit_is_refused_though_the_channel_let_it_through(
    clock, media_store, metrics, pauses
):
    big = picture("PNG", (1350, 1350), noisy=True, compress_level=0)
    channel = FakeChannel(Download(big, "image/png"))

    message = photo_message(clock, mime_type="image/png")

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    assert "over WhatsApp's limit of 5.0 MB" in fetched.media.unavailable
    assert [record.state for record in await media_store.of_message(message.id)] == [MediaState.UNAVAILABLE]


async def test_a_bug_in_a_channel_leaves_the_file_unavailable_and_the_message_goes_on(
    clock, media_store, metrics, pauses, caplog
):
    channel = FakeChannel(KeyError("url"))

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.unavailable == "the download failed (KeyError); the gateway log has the details"
    assert pauses == [] and fetched_count(metrics, "error") == 1
    assert any(record.exc_info for record in caplog.records)


async def test_a_provider_with_no_channel_to_fetch_from_leaves_the_file_unavailable(
    clock, media_store, metrics, pauses
):
    fetched = await fetcher_for(None, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.unavailable == "the meta channel cannot fetch files"


async def test_a_turn_run_again_reuses_the_file_without_downloading_it_again(clock, media_store, metrics, pauses):
    channel = FakeChannel(Download(picture("JPEG"), "image/jpeg"))
    fetcher = fetcher_for(channel, media_store, metrics, pauses)
    message = photo_message(clock)

    first = await fetcher.fetched(message)
    again = await fetcher.fetched(message)

    assert again == first and len(channel.calls) == 1 and len(await media_store.of_message(message.id)) == 1


async def test_an_unavailable_file_is_not_tried_again_on_a_turn_run_again(clock, media_store, metrics, pauses):
    channel = FakeChannel(MediaUnavailable("the file is gone (404)", retryable=False))
    fetcher = fetcher_for(channel, media_store, metrics, pauses)
    message = photo_message(clock)

    await fetcher.fetched(message)
    again = await fetcher.fetched(message)

    assert again.media.unavailable == "the file is gone (404)" and len(channel.calls) == 1


async def test_a_file_already_in_the_media_store_is_left_as_it_is(clock, media_store, metrics, pauses):
    channel = FakeChannel()
    message = photo_message(clock, media_id=None, stored_id="media-from-the-simulator")

    assert await fetcher_for(channel, media_store, metrics, pauses).fetched(message) is message
    assert channel.calls == []


async def test_a_store_hiccup_while_storing_is_waited_out_without_downloading_again(
    clock, media_store, metrics, pauses
):
    channel = FakeChannel(Download(picture("JPEG"), "image/jpeg"))

    fetched = await fetcher_for(channel, Hiccups(media_store, 2), metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.stored_id is not None
    assert len(channel.calls) == 1 and pauses == [1.0, 2.0]


async def test_a_media_store_that_cannot_keep_the_file_leaves_it_unavailable(clock, media_store, metrics, pauses):
    full = MediaStoreError("cannot write to the media directory: No space left on device")
    channel = FakeChannel(Download(picture("JPEG"), "image/jpeg"))

    fetched = await fetcher_for(channel, Hiccups(media_store, 1, full), metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.unavailable == (
        "the media store could not keep the file (cannot write to the media directory: No space left on device)"
    )
    assert pauses == [] and fetched_count(metrics, "error") == 1


async def test_the_outcome_is_logged_with_the_message_id_and_the_number_masked(
    clock, media_store, metrics, pauses, caplog
):
    channel = FakeChannel(MediaUnavailable("the file is gone (404)", retryable=False))
    message = photo_message(clock)

    with caplog.at_level(logging.INFO, logger="gateway.media.fetching"):
        await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    [logged] = [record.getMessage() for record in caplog.records]
    assert message.id in logged and "the file is gone (404)" in logged
    assert SENDER not in logged and SENDER[-4:] in logged


async def test_a_sticker_that_is_a_decompression_bomb_is_refused_and_the_message_goes_on(
    clock, media_store, metrics, pauses
):
    channel = FakeChannel(Download(webp_claiming((16384, 16384)), "image/webp"))
    message = photo_message(clock, mime_type="image/webp", kind=MediaKind.STICKER)

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    assert "claims more pixels than any sticker has" in fetched.media.unavailable
    assert fetched_count(metrics, "refused") == 1


async def test_a_file_is_checked_off_the_event_loop(clock, media_store, metrics, pauses, monkeypatch):
    checked_on: list[int] = []

    def noting_the_thread(*args):
        checked_on.append(threading.get_ident())
        return checked(*args)

    monkeypatch.setattr(fetching, "checked", noting_the_thread)
    channel = FakeChannel(Download(office_document("word/", after=50), DOCX, "minutes.docx"))
    message = photo_message(clock, mime_type=DOCX, kind=MediaKind.DOCUMENT)

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(message)

    assert fetched.media.stored_id is not None
    assert checked_on and threading.get_ident() not in checked_on, "the contact's file was opened on the event loop"


async def test_a_bug_in_the_check_leaves_the_file_unavailable_and_the_message_goes_on(
    clock, media_store, metrics, pauses, monkeypatch, caplog
):
    def broken(*args):
        raise struct.error("unpack requires a buffer of 46 bytes")

    monkeypatch.setattr(fetching, "checked", broken)
    channel = FakeChannel(Download(picture("JPEG"), "image/jpeg"))

    fetched = await fetcher_for(channel, media_store, metrics, pauses).fetched(photo_message(clock))

    assert fetched.media.unavailable == "the file could not be checked (error); the gateway log has the details"
    assert fetched_count(metrics, "error") == 1 and any(record.exc_info for record in caplog.records)


class HeldDocuments:
    """A provider whose documents download until `release` is set, and whose photos come at once."""

    provider = Provider.META

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.downloading = 0
        self.most = 0

    async def fetch_media(self, media, max_bytes, http):
        if media.kind is not MediaKind.DOCUMENT:
            return Download(picture("JPEG"), "image/jpeg")
        self.downloading += 1
        self.most = max(self.most, self.downloading)
        try:
            await self.release.wait()
            return Download(pdf(), "application/pdf", "report.pdf")
        finally:
            self.downloading -= 1


async def test_a_burst_of_documents_downloads_a_few_at_a_time_and_photos_pass_them(
    clock, media_store, metrics, pauses
):
    channel = HeldDocuments()
    fetcher = fetcher_for(channel, media_store, metrics, pauses)
    at_once = fetching.DOWNLOAD_BUDGET_BYTES // MAX_BYTES[MediaKind.DOCUMENT]
    burst = [
        asyncio.create_task(fetcher.fetched(photo_message(clock, mime_type="application/pdf", kind=MediaKind.DOCUMENT)))
        for _ in range(at_once + 3)
    ]

    photo = await fetcher.fetched(photo_message(clock))

    assert photo.media.stored_id is not None, "a photo waited behind documents"
    assert channel.downloading == at_once, "more documents were held in memory at once than the budget allows"
    channel.release.set()
    documents = await asyncio.gather(*burst)
    assert all(document.media.stored_id is not None for document in documents)
    assert channel.most == at_once and 1 <= at_once <= 4
