"""The simulator: a local chat channel that needs no provider. Its messages travel the same
pipeline as any provider's; its "sends" are read back from the message log by the chat page
and `wa-gateway chat`. It speaks only for simulated contacts (`sim:+…`), so it never reads or
changes a real contact's settings, sessions or log, and never takes a real contact's message."""

from datetime import datetime
from typing import Annotated, Any

import aiohttp
import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from gateway.models import (
    DeliveryStatus,
    InboundKind,
    InboundMessage,
    Location,
    OutboundMessage,
    Provider,
    StatusUpdate,
    new_id,
)
from gateway.ports.channel import (
    Acknowledgement,
    Capabilities,
    ParsedWebhook,
    SendError,
    WebhookRequest,
    malformed,
)
from gateway.phone import is_simulated, mask, to_simulated_contact
from gateway.ports.records import LogEntry
from gateway.validation import first_problem


def _simulated(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("phone must be a string such as +15550001111")
    return to_simulated_contact(value)


SimulatedContactId = Annotated[str, BeforeValidator(_simulated)]
"""The phone typed on the page (`+15550001111`), as the simulated contact it stands for (`sim:+15550001111`)."""


class SimulatedMessage(BaseModel):
    """What the chat page or a script posts: text, the press of a button or list row, or a
    location. (Files are attached through `POST /simulator/api/media`.)"""

    model_config = ConfigDict(extra="forbid")
    phone: SimulatedContactId
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    reply_id: str | None = None
    reply_title: str | None = None
    kind: InboundKind | None = None
    location: Location | None = None
    id: str | None = Field(default=None, description="a message id of your own, to test redelivery")
    name: str | None = None


class SimulatedStatus(BaseModel):
    """What the simulated phone reports about a message the gateway sent it, as a provider's
    status callback would: `message_id` is the transcript's `provider_message_id`."""

    model_config = ConfigDict(extra="forbid")
    phone: SimulatedContactId
    message_id: str = Field(min_length=1)
    status: DeliveryStatus
    error: str | None = Field(default=None, description="why it failed, with status failed")


def parse(body: bytes, received_at: datetime) -> ParsedWebhook:
    """A posted message, or with `status`, a report on a message the simulator was sent."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise malformed("the body is not JSON") from None
    if isinstance(document, dict) and "status" in document:
        return _status(document, received_at)
    try:
        posted = SimulatedMessage.model_validate(document)
        kind = posted.kind or _kind_of(posted)
        message = InboundMessage(
            provider=Provider.SIMULATOR,
            provider_message_id=posted.id or new_id(),
            sender=posted.phone,
            timestamp=received_at,
            profile_name=posted.name,
            kind=kind,
            text=posted.text,
            reply_id=posted.reply_id,
            reply_title=posted.reply_title,
            location=posted.location,
            raw=posted.model_dump(exclude_none=True),
        )
    except ValidationError as error:
        raise malformed(first_problem(error)) from None
    return ParsedWebhook(messages=[message])


def _kind_of(posted: SimulatedMessage) -> InboundKind:
    if posted.reply_id:
        return InboundKind.BUTTON_REPLY
    return InboundKind.LOCATION if posted.location else InboundKind.TEXT


def _status(document: dict[str, Any], received_at: datetime) -> ParsedWebhook:
    try:
        posted = SimulatedStatus.model_validate(document)
    except ValidationError as error:
        raise malformed(first_problem(error)) from None
    update = StatusUpdate(
        provider=Provider.SIMULATOR,
        provider_message_id=posted.message_id,
        status=posted.status,
        timestamp=received_at,
        recipient=posted.phone,
        error_text=posted.error,
        raw=posted.model_dump(exclude_none=True),
    )
    return ParsedWebhook(statuses=[update])


class SimulatorChannel:
    provider = Provider.SIMULATOR
    capabilities = Capabilities(buttons=True, lists=True, templates=False, read_receipts=True, typing_indicator=True)
    content_types = ("application/json",)
    acknowledgement = Acknowledgement("application/json", b'{"status":"accepted"}')

    def verify(self, request: WebhookRequest) -> None:
        """Nothing to check: the simulator is a local channel, on only with GATEWAY_SIMULATOR=true."""

    def parse(self, request: WebhookRequest, received_at: datetime) -> ParsedWebhook:
        return parse(request.body, received_at)

    async def send(self, message: OutboundMessage, http: aiohttp.ClientSession) -> str:
        """Delivered on the spot: the transcript reads sent messages from the log. A real
        contact's message is refused, since no chat page would ever show it."""
        if not is_simulated(message.recipient):
            raise SendError(
                f"the simulator reaches only simulated contacts (sim:+…), not {mask(message.recipient)}; "
                "configure a provider to reach real contacts",
                retryable=False,
                code="recipient",
            )
        return f"sim-{new_id()}"

    async def mark_read(
        self, provider_message_id: str, business_number_id: str | None, *, typing: bool, http: aiohttp.ClientSession
    ) -> None:
        """Done on the spot: the chat page shows no ticks on the contact's own messages."""


def transcript_entry(entry: LogEntry, media: dict[str, Any] | None) -> dict[str, Any]:
    """One bubble of the chat: who spoke, when, and what they said, offered or shared (`media`:
    its file as the page shows it); the provider's id of a message sent, which a status
    report names."""
    shown = {"id": entry.id, "direction": entry.direction, "status": entry.status, "at": entry.created_at.isoformat()}
    if entry.direction == "outbound" and entry.provider_message_id is not None:
        shown["provider_message_id"] = entry.provider_message_id
    keys = ("text", "buttons", "list", "template", "kind", "reply_id", "reply_title", "location")
    parts = {key: entry.payload[key] for key in keys if entry.payload.get(key) is not None}
    return shown | parts | ({"media": media} if media else {})
