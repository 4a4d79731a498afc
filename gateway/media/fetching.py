"""A contact's file, fetched from its provider after the webhook has answered, checked and
kept in the media store before the conversation sees the message. A download that fails for a
reason that passes (a timeout, a 5xx) is tried again after a short pause, briefly, as a Meta
file's URL lasts only minutes; a file that cannot be had, or is refused, is recorded as
unavailable with the reason, and the message goes on without it."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar, cast

import aiohttp

from gateway.faults import is_transient, patiently
from gateway.media.budget import ByteBudget
from gateway.media.limits import MB, kind_of, max_bytes
from gateway.media.sniffing import Refused, checked
from gateway.metrics import GatewayMetrics
from gateway.models import InboundMessage, Media, MediaRefusal
from gateway.phone import mask
from gateway.ports.channel import ChannelSet, Download, MediaFetchChannel, MediaUnavailable
from gateway.ports.media import MediaState, MediaStore, MediaStoreError, StoredMedia

log = logging.getLogger(__name__)

T = TypeVar("T")
Pause = Callable[[float], Awaitable[None]]

PAUSES_SECONDS = (1.0, 4.0)
"""The pauses before the second and third attempts at a download that failed for a passing
reason: three attempts within seconds, well inside the five minutes a Meta URL lasts."""
DOWNLOAD_BUDGET_BYTES = 256 * MB
"""Contacts' files one process holds in memory at once, each counted at its kind's limit: two
100 MB documents, sixteen videos or fifty photos side by side; the others wait for room, so a
burst of large documents cannot exhaust the process's memory."""
STORE_RETRY_FIRST_SECONDS = 1.0
STORE_RETRY_LONGEST_SECONDS = 60.0
"""A store hiccup while recording the outcome is tried again, as the inbox does, so a file
already downloaded is not downloaded again."""


@dataclass(frozen=True, slots=True)
class _Attempts:
    """How the downloads went: the file, or why not and the outcome's class for the metrics."""

    count: int
    download: Download | None = None
    failure: str = ""
    outcome: str = "stored"
    refused: MediaRefusal | None = None


class MediaFetcher:
    def __init__(
        self,
        channels: ChannelSet,
        media: MediaStore,
        http: aiohttp.ClientSession,
        metrics: GatewayMetrics,
        *,
        pause: Pause = asyncio.sleep,
    ) -> None:
        self._channels = channels
        self._media = media
        self._http = http
        self._metrics = metrics
        self._pause = pause
        self._budget = ByteBudget(DOWNLOAD_BUDGET_BYTES)

    async def fetched(self, message: InboundMessage) -> InboundMessage:
        """The message with its file's `stored_id`, checked `kind` and `mime_type`, or with
        `unavailable` saying why not. A message fetched before (its turn run again) reuses the
        earlier record; one whose file is already stored (the simulator's) is returned as it is."""
        media = message.media
        if media is None or media.stored_id is not None or media.unavailable is not None:
            return message
        look_up = partial(self._media.of_message, message.id)
        earlier = await self._patiently(f"looking up the file of message {message.id}", look_up)
        if earlier:
            return message.model_copy(update={"media": _as_recorded(media, earlier[0])})
        limit = max_bytes(media.kind or kind_of(media.mime_type))
        async with self._budget.reserved(limit):  # held until the bytes are in the media store
            fetched = await self._fetch(message, media, limit)
        return message.model_copy(update={"media": fetched})

    async def _fetch(self, message: InboundMessage, media: Media, limit: int) -> Media:
        started = time.perf_counter()
        attempts = await self._download(message, media, limit)
        self._metrics.media_fetch_duration.labels(message.provider.value).observe(time.perf_counter() - started)
        if attempts.download is None:
            return await self._unavailable(message, media, attempts)
        download = attempts.download
        declared = media.mime_type or download.content_type
        try:
            # off the event loop: the contact's bytes decide how long a check takes (a ZIP's directory)
            found = await asyncio.to_thread(checked, download.data, declared, media.kind)
        except Refused as refused:
            refusal = _Attempts(attempts.count, download, refused.reason, "refused", refused.refusal)
            return await self._unavailable(message, media, refusal)
        except Exception as error:
            log.exception("checking the file of message %s failed", message.id)
            failure = f"the file could not be checked ({type(error).__name__}); the gateway log has the details"
            return await self._unavailable(message, media, _Attempts(attempts.count, download, failure, "error"))
        put = partial(
            self._media.put,
            download.data,
            content_type=found.content_type,
            kind=found.kind,
            filename=media.filename or download.filename,
            message_id=message.id,
            attempts=attempts.count,
        )
        try:
            stored = await self._patiently(f"storing the file of message {message.id}", put)
        except MediaStoreError as error:
            failure = f"the media store could not keep the file ({error})"
            return await self._unavailable(message, media, _Attempts(attempts.count, download, failure, "error"))
        self._metrics.media_fetches.labels(message.provider.value, "stored").inc()
        self._metrics.media_bytes.labels(found.kind.value).observe(stored.size)
        log.info(
            "stored the %s of message %s from %s as %s (%s, %d bytes)",
            found.kind.value,
            message.id,
            mask(message.sender),
            stored.id,
            stored.content_type,
            stored.size,
        )
        return _as_recorded(media, stored)

    async def _download(self, message: InboundMessage, media: Media, limit: int) -> _Attempts:
        channel = self._channels.get(message.provider)
        if not hasattr(channel, "fetch_media"):
            failure = f"the {message.provider.value} channel cannot fetch files"
            return _Attempts(0, failure=failure, outcome="unavailable")
        fetch = partial(cast(MediaFetchChannel, channel).fetch_media, media, limit, self._http)
        count = 0
        while True:
            count += 1
            try:
                return _Attempts(count, await fetch())
            except MediaUnavailable as error:
                if error.refused is not None:
                    return _Attempts(count, failure=error.message, outcome="refused", refused=error.refused)
                failure, retryable = error.message, error.retryable
            except Exception as error:
                if not is_transient(error):
                    log.exception("fetching the file of message %s failed", message.id)
                    failure = f"the download failed ({type(error).__name__}); the gateway log has the details"
                    return _Attempts(count, failure=failure, outcome="error")
                failure, retryable = f"the download failed ({type(error).__name__})", True
            if not retryable:
                return _Attempts(count, failure=failure, outcome="unavailable")
            if count > len(PAUSES_SECONDS):
                return _Attempts(count, failure=f"{failure} (gave up after {count} attempts)", outcome="failed")
            pause = PAUSES_SECONDS[count - 1]
            log.info("fetching the file of message %s failed (%s); trying again in %.0f s", message.id, failure, pause)
            await self._pause(pause)

    async def _unavailable(self, message: InboundMessage, media: Media, attempts: _Attempts) -> Media:
        declared = media.mime_type or (attempts.download.content_type if attempts.download else None)
        record = partial(
            self._media.put_unavailable,
            message_id=message.id,
            kind=media.kind or kind_of(declared),
            content_type=declared,
            error=attempts.failure,
            attempts=attempts.count,
            refused=attempts.refused,
        )
        recorded = await self._patiently(f"recording the file of message {message.id} unavailable", record)
        self._metrics.media_fetches.labels(message.provider.value, attempts.outcome).inc()
        log.warning(
            "the file of message %s from %s is unavailable (%s, %d attempts): %s",
            message.id,
            mask(message.sender),
            attempts.outcome,
            attempts.count,
            attempts.failure,
        )
        return _as_recorded(media, recorded)

    async def _patiently(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`, tried again for as long as the store fails transiently."""
        return await patiently(
            what,
            attempt,
            first=STORE_RETRY_FIRST_SECONDS,
            longest=STORE_RETRY_LONGEST_SECONDS,
            on_retry=self._metrics.inbox_retries.inc,
            pause=self._pause,
            transient=_hiccup,
        )


def _hiccup(error: BaseException) -> bool:
    """A store failure that passes, whether raised as it is or as the cause of a MediaStoreError."""
    return is_transient(error) or (isinstance(error, MediaStoreError) and is_transient(error.__cause__ or error))


def _as_recorded(media: Media, record: StoredMedia) -> Media:
    """The message's media as the media store recorded it."""
    if record.state is MediaState.STORED:
        return media.model_copy(update={"stored_id": record.id, "kind": record.kind, "mime_type": record.content_type})
    return media.model_copy(
        update={
            "kind": media.kind or record.kind,
            "unavailable": record.error or "the file could not be fetched",
            "refused": record.refused,
        }
    )
