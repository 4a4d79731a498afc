"""MyOperator's WhatsApp API: Webhooks v2 events authenticated by a shared secret header
(MyOperator signs nothing), sends to `/chat/messages`, and contacts' files fetched from the
`link` their event carries (see shared/providers/myoperator.md).

Where myoperator.md marks a shape [assumed] (replies, media, statuses), the parser accepts
fields either inside `data.context` or directly in `data`, and keeps the raw event."""

import hmac
import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aiohttp
import phonenumbers
from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.channels.fields import as_text, text_at, value_at
from adapters.channels.http import DOWNLOAD_TIMEOUT, ProviderAnswer, fetch_link, post, retry_after
from gateway.models import (
    DeliveryStatus,
    InboundKind,
    InboundMessage,
    Media,
    MediaKind,
    OutboundMessage,
    Provider,
    StatusUpdate,
)
from gateway.phone import is_bsuid
from gateway.ports.channel import (
    Acknowledgement,
    Capabilities,
    Download,
    ParsedWebhook,
    SendError,
    WebhookRejected,
    WebhookRequest,
    header_bytes,
    malformed,
)
from gateway.validation import first_problem

log = logging.getLogger(__name__)

SECRET_VARIABLE = "MYOPERATOR_WEBHOOK_SECRET"
SECRET_HEADER = "X-Webhook-Key"
"""The header MyOperator's webhook (API Key auth) is configured to send the secret in."""

_MEDIA_TYPES = {kind.value: kind for kind in MediaKind}
_SENDABLE_MEDIA = frozenset({MediaKind.IMAGE, MediaKind.DOCUMENT})
"""MyOperator's KB documents sending images by link, and integrators send documents the same way;
audio, video and stickers are not found, so the gateway sends those as a link [assumed]."""
_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
_PERMANENT_CODES = {"CHAT_4001", "CHAT_0302", "CHAT_0303", "CHAT_0304"}
_EXCESS_FRACTION = re.compile(r"(\.\d{6})\d+")


def verify(headers: Mapping[str, str], secret: str) -> None:
    """Compare the shared secret header in constant time."""
    received = headers.get(SECRET_HEADER)
    if not received:
        raise WebhookRejected(401, "missing_signature", f"{SECRET_HEADER} header is missing")
    if not hmac.compare_digest(header_bytes(received), secret.encode()):
        raise WebhookRejected(403, "bad_signature", f"{SECRET_HEADER} does not match MYOPERATOR_WEBHOOK_SECRET")


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    status: Any = None
    data: Any = None


class _Event(BaseModel):
    """The event's envelope is checked here; its content where it is read, so content of the wrong
    shape makes an unsupported message rather than a refused event."""

    model_config = ConfigDict(extra="allow")
    event_id: str
    event_type: str
    timestamp: str
    customer_identifier: str
    system_identifier: str | None = None
    payload: _Payload


def parse(body: bytes) -> ParsedWebhook:
    """One Webhooks v2 event: a received message, a delivery status, or an event we ignore."""
    try:
        event = _Event.model_validate_json(body)
    except ValidationError as error:
        raise malformed(first_problem(error)) from None
    try:
        timestamp = datetime.fromisoformat(_EXCESS_FRACTION.sub(r"\1", event.timestamp))
        if event.event_type == "message.received":
            return ParsedWebhook(messages=[_message(event, timestamp)])
        state = _STATUSES.get(as_text(event.payload.status) or event.event_type.removeprefix("message."))
        if event.event_type.startswith("message.") and state is not None:
            return ParsedWebhook(statuses=[_status(event, state, timestamp)])
    except ValidationError as error:
        raise malformed(first_problem(error)) from None
    except ValueError:  # fromisoformat's message repeats the value, which is not echoed
        raise malformed("timestamp is not an ISO 8601 time") from None
    log.info("ignoring myoperator event %.60r", event.event_type)
    return ParsedWebhook()


def _message(event: _Event, timestamp: datetime) -> InboundMessage:
    data = event.payload.data
    common = {
        "provider": Provider.MYOPERATOR,
        "provider_message_id": event.payload.id,
        "sender": event.customer_identifier,
        "business_number_id": event.system_identifier,
        "timestamp": timestamp,
        "profile_name": text_at(data, "profile", "name"),
        "raw": event.model_dump(),
    }
    try:
        return InboundMessage(**common, **_kind_fields(data if isinstance(data, dict) else {}))
    except ValidationError as error:
        log.info("myoperator message kept as unsupported: %s", first_problem(error))
        return InboundMessage(**common, kind=InboundKind.UNSUPPORTED)


def _kind_fields(data: dict[str, Any]) -> dict[str, Any]:
    kind = text_at(data, "type")
    context = data.get("context")
    context = context if isinstance(context, dict) else {}
    if kind == "text":
        return {"kind": InboundKind.TEXT, "text": context.get("body") or data.get("body")}
    if kind == "interactive":
        reply_kind = text_at(context, "type")
        if reply_kind in ("button_reply", "list_reply"):
            reply = context.get(reply_kind)
            return {
                "kind": InboundKind(reply_kind),
                "reply_id": value_at(reply, "id"),
                "reply_title": value_at(reply, "title"),
            }
    if kind == "button":
        button = context.get("button") or context
        return {
            "kind": InboundKind.BUTTON_REPLY,
            "reply_id": value_at(button, "payload") or value_at(button, "text"),
            "reply_title": value_at(button, "text"),
        }
    if kind in _MEDIA_TYPES:
        fields = context | {key: value for key, value in data.items() if key not in ("type", "context")}
        media = {
            "url": fields.get("link") or fields.get("url"),
            "media_id": fields.get("id"),
            "mime_type": fields.get("mime_type"),
            "caption": fields.get("caption"),
            "filename": fields.get("filename"),
            "kind": _MEDIA_TYPES[kind],
            "voice": fields.get("voice") is True,
        }
        return {"kind": InboundKind.MEDIA, "media": media}
    if kind == "location":
        location = context or data
        return {
            "kind": InboundKind.LOCATION,
            "location": {key: location.get(key) for key in ("latitude", "longitude", "name", "address")},
        }
    return {"kind": InboundKind.UNSUPPORTED}


def _status(event: _Event, state: DeliveryStatus, timestamp: datetime) -> StatusUpdate:
    error = (event.payload.model_extra or {}).get("error") or value_at(event.payload.data, "error")
    return StatusUpdate(
        provider=Provider.MYOPERATOR,
        provider_message_id=event.payload.id,
        status=state,
        timestamp=timestamp,
        recipient=event.customer_identifier,
        error_code=text_at(error, "code"),
        error_text=text_at(error, "message") or text_at(error, "title"),
        raw=event.model_dump(),
    )


def body(message: OutboundMessage, phone_number_id: str, reference: str | None) -> dict[str, Any]:
    """The `/chat/messages` body: MyOperator wants the country code and national number apart."""
    if is_bsuid(message.recipient):
        raise SendError(
            "myoperator cannot reach a WhatsApp user by business-scoped id", retryable=False, code="recipient"
        )
    if message.buttons is not None or message.list is not None:
        raise SendError("myoperator's send API has no buttons or lists", retryable=False, code="unsupported")
    number = phonenumbers.parse(message.recipient)
    return {
        "phone_number_id": message.business_number_id or phone_number_id,
        "customer_country_code": str(number.country_code),
        "customer_number": str(number.national_number),
        "data": _data(message),
        "reply_to": None,
        "myop_ref_id": reference,
    }


def _data(message: OutboundMessage) -> dict[str, Any]:
    if message.provider_template is not None:
        template = message.provider_template
        context = {
            "template_name": template.name,
            "language": template.language,
            "body": {str(number): value for number, value in enumerate(template.parameters, start=1)},
        }
        return {"type": "template", "context": context}
    if message.media is not None:
        if message.media.url is None:
            raise SendError("myoperator sends media only by a link; this media has none", retryable=False, code="media")
        media = {"type": message.media.kind.value, "link": str(message.media.url)}
        optional = {"caption": message.media.caption, "filename": message.media.filename}
        return media | {key: value for key, value in optional.items() if value}
    return {"type": "text", "context": {"body": message.text, "preview_url": False}}


def classify(answer: ProviderAnswer) -> SendError:
    """A failed send as a SendError: MyOperator's account codes and 4xx are permanent."""
    code = str(answer.body.get("code")) if isinstance(answer.body, dict) and answer.body.get("code") else None
    detail = answer.body.get("message") if isinstance(answer.body, dict) else None
    text = f"myoperator answered {answer.status}" + (f" ({code})" if code else "") + (f" {detail}" if detail else "")
    retryable = (answer.status == 429 or answer.status >= 500) and code not in _PERMANENT_CODES
    return SendError(
        text,
        retryable=retryable,
        code=code or str(answer.status),
        retry_after=retry_after(answer.headers) if retryable else None,
    )


class MyOperatorChannel:
    provider = Provider.MYOPERATOR
    capabilities = Capabilities(buttons=False, lists=False, media=_SENDABLE_MEDIA)
    content_types = ("application/json",)
    acknowledgement = Acknowledgement("application/json", b'{"status":"ok"}')

    def __init__(
        self,
        *,
        api_key: str,
        company_id: str,
        phone_number_id: str,
        webhook_secret: str,
        api_base: str,
        download_timeout: aiohttp.ClientTimeout = DOWNLOAD_TIMEOUT,
    ) -> None:
        self._api_key = api_key
        self._company_id = company_id
        self._phone_number_id = phone_number_id
        self._webhook_secret = webhook_secret
        self._api_base = api_base
        self._download_timeout = download_timeout
        self._messages_url = f"{api_base.rstrip('/')}/chat/messages"

    def verify(self, request: WebhookRequest) -> None:
        verify(request.headers, self._webhook_secret)

    def parse(self, request: WebhookRequest, received_at: datetime) -> ParsedWebhook:
        return parse(request.body)

    async def send(self, message: OutboundMessage, http: aiohttp.ClientSession) -> str:
        answer = await post(
            http,
            self._messages_url,
            "myoperator",
            json=body(message, self._phone_number_id, message.idempotency_key),
            headers=self._authorization | {"Accept": "application/json"},
        )
        if not answer.ok:
            raise classify(answer)
        try:
            return answer.body["data"]["message_id"]
        except (KeyError, TypeError):
            raise SendError("myoperator accepted the message but returned no message_id", retryable=False) from None

    async def fetch_media(self, media: Media, max_bytes: int, http: aiohttp.ClientSession) -> Download:
        """GET the event's `link` [assumed: myoperator.md shows the link but not how it is
        authorised]: with the API key when the link is on the API's own host, which is the only
        host that key is for, and as it is (a public or pre-signed link) anywhere else."""
        return await fetch_link(
            http,
            media,
            "myoperator",
            api_base=self._api_base,
            credentials=self._authorization,
            max_bytes=max_bytes,
            timeout=self._download_timeout,
        )

    @property
    def _authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}", "X-MYOP-COMPANY-ID": self._company_id}
