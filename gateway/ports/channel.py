"""The channel port: what every provider adapter offers the gateway.

An adapter verifies a webhook before it parses it, parses into canonical models, and sends
canonical messages; it never sees plugins, and the core never sees provider payloads.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp

from gateway.models import (
    InboundMessage,
    Media,
    MediaKind,
    MediaRefusal,
    OutboundMessage,
    Provider,
    StatusUpdate,
)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel renders natively; the gateway falls back to text for the rest."""

    buttons: bool = False
    lists: bool = False
    media: frozenset[MediaKind] = frozenset(MediaKind)
    templates: bool = True
    read_receipts: bool = False
    """The provider's API marks a contact's message read (blue ticks) on its own."""
    typing_indicator: bool = False
    """The provider's API marks a contact's message read and shows "typing…" until the reply."""


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A webhook as received: `url` is the public URL the provider called."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """The body a provider expects in a webhook's 200 answer."""

    content_type: str
    body: bytes


class WebhookRejected(Exception):
    """A webhook refused: `status` is the HTTP answer, `reason` a short metric label."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


def malformed(message: str) -> WebhookRejected:
    return WebhookRejected(400, "malformed", message)


def header_bytes(value: str) -> bytes:
    """A header's value as bytes for a constant-time compare. A header may carry any byte, which
    aiohttp keeps as a lone surrogate; encoded as such it matches no valid secret and raises nothing."""
    return value.encode("utf-8", "surrogatepass")


class SendError(Exception):
    """A provider refused or failed to take a message; `retryable` says whether trying
    again later can succeed, `retry_after` (seconds) when the provider said how long."""

    def __init__(
        self, message: str, *, retryable: bool, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after


class Channel(Protocol):
    provider: Provider
    capabilities: Capabilities
    content_types: tuple[str, ...]
    acknowledgement: Acknowledgement

    def verify(self, request: WebhookRequest) -> None:
        """Raise WebhookRejected unless the request carries the provider's valid signature."""

    def parse(self, request: WebhookRequest, received_at: datetime) -> ParsedWebhook:
        """Turn a verified webhook into canonical messages and statuses; raise
        WebhookRejected(400) with the reason when it cannot be read."""

    async def send(self, message: OutboundMessage, http: aiohttp.ClientSession) -> str:
        """Hand one message to the provider's API and return its message id; raise SendError."""


@dataclass(frozen=True, slots=True)
class Download:
    """A contact's file as the provider handed it over."""

    data: bytes
    content_type: str | None = None
    filename: str | None = None


class MediaUnavailable(Exception):
    """A contact's file could not be had: `retryable` when trying again later can succeed
    (a timeout, a 5xx), not when it is gone, refused or too large."""

    def __init__(self, message: str, *, retryable: bool, refused: MediaRefusal | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.message = message
        self.refused = refused


class MediaFetchChannel(Channel, Protocol):
    """A channel whose contacts' files are downloaded from the provider's API."""

    async def fetch_media(self, media: Media, max_bytes: int, http: aiohttp.ClientSession) -> Download:
        """The file `media` points to, read to at most `max_bytes` (more raises MediaUnavailable
        at once, without reading the rest); raise MediaUnavailable."""


class MediaUploadChannel(Channel, Protocol):
    """A channel that can upload a file once and send it by the provider's id (Meta)."""

    upload_lifetime: timedelta
    """How long the provider keeps an upload; a stored id older than this is uploaded again."""

    async def upload_media(
        self, data: bytes, content_type: str, filename: str | None, http: aiohttp.ClientSession
    ) -> str:
        """Upload a file and return the provider's id for it; raise SendError."""


class HandshakeChannel(Channel, Protocol):
    """A channel whose provider checks the webhook with a GET before subscribing (Meta)."""

    def handshake(self, query: Mapping[str, str]) -> str:
        """The body to answer the check with; raise WebhookRejected when it must fail."""


class ReadReceiptChannel(Channel, Protocol):
    """A channel whose provider can show a contact their message read; its capabilities say
    whether alone, with the typing indicator, or both, and only those calls are made."""

    async def mark_read(
        self, provider_message_id: str, business_number_id: str | None, *, typing: bool, http: aiohttp.ClientSession
    ) -> None:
        """Mark the contact's message (the provider's id for it, and the business number it came
        to) read, showing "typing…" when `typing`; raise SendError."""


@dataclass(frozen=True, slots=True)
class ChannelSet:
    """The configured channels, and for every provider the variable its webhook needs."""

    enabled: Mapping[Provider, Channel]
    secret_variables: Mapping[Provider, str]

    def get(self, provider: Provider) -> Channel | None:
        return self.enabled.get(provider)
