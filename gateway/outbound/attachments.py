"""Media resolved as a job is sent: a stored file goes to the provider as a signed link it
fetches, or, to a provider that takes uploads (Meta), by the id of an upload reused while the
provider keeps it; a kind the channel cannot show goes as text with the link."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from pydantic import HttpUrl

from gateway.clock import Clock
from gateway.faults import is_transient
from gateway.media.links import MediaLinks
from gateway.media.serving import FALLBACK_TYPE
from gateway.models import OutboundMedia, OutboundMessage
from gateway.notifications.delivery import Undeliverable
from gateway.ports.channel import Capabilities, Channel, SendError
from gateway.ports.media import MediaState, MediaStore, ProviderUpload

log = logging.getLogger(__name__)


class Attachments:
    """What the worker does to a job's media before the send: link it, upload it, or make it text."""

    def __init__(self, media: MediaStore, links: MediaLinks, clock: Clock) -> None:
        self._media = media
        self._links = links
        self._clock = clock
        self._uploading: dict[tuple[str, str], asyncio.Future[str | None]] = {}

    async def linked(self, capabilities: Capabilities, message: OutboundMessage) -> OutboundMessage:
        """The message with its stored file's signed link, or as text with the link when the
        channel cannot show that kind; raises Undeliverable when the file is not in the store."""
        media = message.media
        if media is None:
            return message
        if media.media_id is not None:
            stored = await self._media.get(media.media_id)
            if stored is None:
                raise Undeliverable(f"media {media.media_id} is not in the media store")
            if stored.state is not MediaState.STORED:
                raise Undeliverable(f"media {media.media_id} is unavailable: {stored.error}")
            media = media.model_copy(update={"url": HttpUrl(self._links.url_for(media.media_id))})
        if media.kind not in capabilities.media:
            return as_text(message, media)
        return message.model_copy(update={"media": media})

    async def uploaded(
        self, channel: Channel, message: OutboundMessage, http: aiohttp.ClientSession
    ) -> OutboundMessage:
        """For a channel that sends uploads by id, the message with the provider's id for its
        stored file: the upload it keeps, while younger than it keeps uploads, else a new one.
        Jobs sending one file at once in this process share one upload (a notification's
        attachment fans out to every recipient); across processes a rare second upload is
        harmless. An upload the provider refuses, or that outlasts the provider timeout (a large
        file: trying again would time out the same way), leaves the link to be sent instead; a
        provider that is down raises its SendError, and the job is retried as for a failed send."""
        upload_media = getattr(channel, "upload_media", None)
        media = message.media
        if upload_media is None or media is None or media.media_id is None:
            return message
        key = (channel.provider.value, media.media_id)
        running = self._uploading.get(key)  # looked up with no await before it, so no flight ends unseen
        if running is None:
            flight = self._upload_id(channel, upload_media, media.media_id, media.filename, http)
            running = asyncio.ensure_future(flight)
            self._uploading[key] = running
            running.add_done_callback(lambda _: self._uploading.pop(key, None))
        upload_id = await asyncio.shield(running)
        if upload_id is None:
            return message
        return message.model_copy(update={"media": media.model_copy(update={"provider_media_id": upload_id})})

    async def _upload_id(
        self,
        channel: Channel,
        upload_media: Callable[..., Awaitable[str]],
        media_id: str,
        filename: str | None,
        http: aiohttp.ClientSession,
    ) -> str | None:
        """The provider's id for the file: the kept upload, else a new one, remembered before
        the flight ends so a job arriving after it finds it; None when the provider refused it."""
        provider, now = channel.provider.value, self._clock.now()
        stored = await self._media.get(media_id)
        kept = stored.uploads.get(provider) if stored is not None else None
        if kept is not None and now - kept.at < channel.upload_lifetime:
            return kept.id
        data = await self._media.read(media_id)  # raises NotFound when the file went since it was linked
        content_type = (stored.content_type if stored else None) or FALLBACK_TYPE
        filename = filename or (stored.filename if stored else None)
        try:
            upload_id = await upload_media(data, content_type, filename, http)
        except SendError as error:
            if error.retryable and error.code != "timeout":
                raise
            log.warning("%s did not take the upload of media %s (%s); sending its link", provider, media_id, error)
            return None
        try:
            await self._media.remember_upload(media_id, provider, ProviderUpload(id=upload_id, at=now))
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("media %s: keeping its %s upload failed (%s)", media_id, provider, type(error).__name__)
        return upload_id


def as_text(message: OutboundMessage, media: OutboundMedia) -> OutboundMessage:
    """The message as text: its own text, the caption, the file's name and the link, a line each."""
    lines = [message.text, media.caption, media.filename, str(media.url)]
    text = "\n".join(line for line in lines if line)
    return OutboundMessage.model_validate(message.model_dump(exclude={"media", "text"}) | {"text": text})


def for_log(queued: OutboundMessage, sent: OutboundMessage) -> OutboundMessage:
    """What the log keeps of a sent message: a stored file by its media_id, never the signed
    link, which expires and, while it lives, lets anyone holding it read the file."""
    if queued.media is None or queued.media.media_id is None:
        return sent
    text = sent.text if sent.media is not None else queued.text
    return sent.model_copy(update={"media": queued.media, "text": text})

