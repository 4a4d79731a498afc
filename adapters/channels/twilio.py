"""Twilio Programmable Messaging for WhatsApp: form-encoded webhooks signed with
`X-Twilio-Signature` over the public URL, sends to the Messages API, and contacts' files
fetched from `MediaUrl0` (see shared/providers/twilio.md)."""

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import aiohttp
from pydantic import ValidationError

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

SECRET_VARIABLE = "TWILIO_AUTH_TOKEN"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY_CHARS = 1600
DEFAULT_API_HOST = "api.twilio.com"

_STATUSES = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
_MEDIA_KINDS = {kind.value: kind for kind in MediaKind}
_SENDABLE_MEDIA = frozenset({MediaKind.IMAGE, MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.DOCUMENT})
"""Twilio's "Guidance on WhatsApp Media Messages" lists images, audio, video and documents (PDF)
for sending; stickers are not among them, so the gateway sends those as a link."""
# twilio.md §5: transient codes; every other refusal is permanent.
_RETRYABLE_CODES = {20429, 63017, 63018, 63012, 63023}


# ------------------------------------------------------------------ verify


def signature(url: str, params: list[tuple[str, str]], auth_token: str) -> str:
    """Twilio's signature: base64 HMAC-SHA1 of the URL followed by every parameter name and
    value, names sorted and each name's distinct values sorted."""
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    signed = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str) -> list[str]:
    """Twilio is inconsistent about default ports, so its SDK accepts the URL with and without."""
    parts = urlsplit(url)
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    with_port = parts._replace(netloc=f"{host}:{parts.port or default_port}")
    without_port = parts._replace(netloc=host) if parts.port in (None, default_port) else parts
    return list(dict.fromkeys([url, urlunsplit(with_port), urlunsplit(without_port)]))


def verify(url: str, body: bytes, headers: Mapping[str, str], auth_token: str) -> None:
    """Check `X-Twilio-Signature` for the public `url` and the form parameters, in constant time."""
    received = headers.get(SIGNATURE_HEADER)
    if not received:
        raise WebhookRejected(401, "missing_signature", f"{SIGNATURE_HEADER} header is missing")
    try:
        params = _form(body)
    except WebhookRejected:
        # no valid signature covers a body that is not a form, so it is refused as forged, not as malformed
        raise WebhookRejected(403, "bad_signature", f"{SIGNATURE_HEADER} does not match the body") from None
    for candidate in _url_variants(url):
        if hmac.compare_digest(header_bytes(received), signature(candidate, params, auth_token).encode()):
            return
    raise WebhookRejected(403, "bad_signature", f"{SIGNATURE_HEADER} does not match the URL and parameters")


def _form(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise malformed("body is not a form-encoded parameter list") from None


# ------------------------------------------------------------------ parse


def parse(body: bytes, received_at: datetime) -> ParsedWebhook:
    """An inbound message or a status callback; Twilio sends no timestamp, so receipt time stands in."""
    form = dict(_form(body))
    try:
        if "MessageStatus" in form:
            status = _status(form, received_at)
            return ParsedWebhook(statuses=[status] if status else [])
        return ParsedWebhook(messages=[_message(form, received_at)])
    except KeyError as missing:
        raise malformed(f"missing parameter {missing.args[0]}") from None
    except ValidationError as error:
        raise malformed(first_problem(error)) from None
    except ValueError as error:
        raise malformed(str(error)) from None


def _message(form: dict[str, str], received_at: datetime) -> InboundMessage:
    common = {
        "provider": Provider.TWILIO,
        "provider_message_id": form["MessageSid"],
        "sender": form["From"],
        "recipient": form.get("To"),
        "business_number_id": form.get("To", "").removeprefix("whatsapp:") or None,
        "timestamp": received_at,
        "profile_name": form.get("ProfileName"),
        "raw": form,
    }
    try:
        return InboundMessage(**common, **_kind_fields(form))
    except ValidationError as error:
        log.info("twilio message kept as unsupported: %s", first_problem(error))
        return InboundMessage(**common, kind=InboundKind.UNSUPPORTED, text=form.get("Body") or None)


def _kind_fields(form: dict[str, str]) -> dict[str, Any]:
    body = form.get("Body") or None
    if form.get("ButtonPayload"):
        return {
            "kind": InboundKind.BUTTON_REPLY,
            "reply_id": form["ButtonPayload"],
            "reply_title": form.get("ButtonText") or body,
        }
    if form.get("ListId"):
        return {
            "kind": InboundKind.LIST_REPLY,
            "reply_id": form["ListId"],
            "reply_title": form.get("ListTitle") or body,
        }
    if form.get("MediaUrl0"):
        mime_type = form.get("MediaContentType0")
        media = {
            "url": form["MediaUrl0"],
            "mime_type": mime_type,
            "caption": body,
            "kind": _MEDIA_KINDS.get(form.get("MessageType", "")),
            "voice": _is_voice_note(mime_type),
        }
        return {"kind": InboundKind.MEDIA, "media": media}
    if form.get("Latitude") and form.get("Longitude"):
        location = {
            "latitude": form["Latitude"],
            "longitude": form["Longitude"],
            "name": form.get("Label"),
            "address": form.get("Address"),
        }
        return {"kind": InboundKind.LOCATION, "location": location}
    if body is not None and form.get("MessageType", "text") in ("text", "interactive", "button"):
        return {"kind": InboundKind.TEXT, "text": body}
    return {"kind": InboundKind.UNSUPPORTED, "text": body}


def _is_voice_note(mime_type: str | None) -> bool:
    """Inferred: Twilio sends no voice flag, but WhatsApp records every voice note as Ogg Opus
    (`audio/ogg`), while audio files people attach are mostly MP3, AAC or M4A."""
    return (mime_type or "").split(";")[0].strip().lower() == "audio/ogg"


def _status(form: dict[str, str], received_at: datetime) -> StatusUpdate | None:
    state = _STATUSES.get(form["MessageStatus"])
    if state is None:
        log.info("ignoring twilio status %r", form["MessageStatus"])
        return None
    return StatusUpdate(
        provider=Provider.TWILIO,
        provider_message_id=form["MessageSid"],
        status=state,
        timestamp=received_at,
        recipient=form.get("To"),
        error_code=form.get("ErrorCode") or None,
        error_text=form.get("ErrorMessage") or None,
        raw=form,
    )


# ------------------------------------------------------------------ send


def form_fields(message: OutboundMessage, sender: str, status_callback: str) -> dict[str, str]:
    """The Messages API form for a canonical message; buttons and lists never get here
    (Twilio only sends them as Content templates), the gateway numbers them as text."""
    if is_bsuid(message.recipient):
        raise SendError("twilio cannot reach a WhatsApp user by business-scoped id", retryable=False, code="recipient")
    if message.buttons is not None or message.list is not None:
        raise SendError("twilio sends buttons and lists only as Content templates", retryable=False, code="unsupported")
    fields = {"To": f"whatsapp:{message.recipient}", "From": f"whatsapp:{sender}", "StatusCallback": status_callback}
    if message.provider_template is not None:
        template = message.provider_template
        if not template.name.startswith("HX"):
            raise SendError(
                f"twilio sends templates by content SID (HX…); {template.name!r} is not one",
                retryable=False,
                code="template",
            )
        variables = {str(number): value for number, value in enumerate(template.parameters, start=1)}
        return fields | {"ContentSid": template.name, "ContentVariables": json.dumps(variables)}
    # Twilio shows no caption under a document ("Guidance on WhatsApp Media Messages"); the
    # caption still goes as Body rather than be dropped here unseen
    text = message.text if message.media is None else message.media.caption
    if text and len(text) > MAX_BODY_CHARS:
        raise SendError(
            f"twilio takes at most {MAX_BODY_CHARS} characters, got {len(text)}", retryable=False, code="too_long"
        )
    if message.media is not None:
        if message.media.url is None:
            raise SendError("twilio sends media only by a link, and this media has none", retryable=False, code="media")
        fields["MediaUrl"] = str(message.media.url)
    if text:
        fields["Body"] = text
    return fields


def typing_indicator_url(api_base: str) -> str:
    """Where the typing indicator goes: Twilio serves it from messaging.twilio.com, not from the
    Messages API's host; a changed TWILIO_API_BASE (a stand-in, staging) serves both."""
    base = "https://messaging.twilio.com" if urlsplit(api_base).hostname == DEFAULT_API_HOST else api_base
    return f"{base.rstrip('/')}/v2/Indicators/Typing.json"


def classify(answer: ProviderAnswer) -> SendError:
    """A failed send as a SendError, retryable by Twilio's documented codes."""
    code = answer.body.get("code") if isinstance(answer.body, dict) else None
    text = f"twilio answered {answer.status}" + (f" ({code}) {answer.body.get('message', '')}".rstrip() if code else "")
    retryable = answer.status == 429 or answer.status >= 500 or code in _RETRYABLE_CODES
    return SendError(
        text,
        retryable=retryable,
        code=str(code) if code is not None else str(answer.status),
        retry_after=retry_after(answer.headers) if retryable else None,
    )


class TwilioChannel:
    """Twilio marks a message read only with the typing indicator (public beta); it has no read
    receipt on its own (twilio.md)."""

    provider = Provider.TWILIO
    capabilities = Capabilities(buttons=False, lists=False, media=_SENDABLE_MEDIA, typing_indicator=True)
    content_types = ("application/x-www-form-urlencoded",)
    acknowledgement = Acknowledgement("text/xml", b'<?xml version="1.0" encoding="UTF-8"?><Response/>')

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        whatsapp_number: str,
        api_base: str,
        status_callback: str,
        download_timeout: aiohttp.ClientTimeout = DOWNLOAD_TIMEOUT,
    ) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._api_base = api_base
        self._download_timeout = download_timeout
        self._number = whatsapp_number.removeprefix("whatsapp:")
        self._messages_url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._typing_url = typing_indicator_url(api_base)
        self._status_callback = status_callback

    def verify(self, request: WebhookRequest) -> None:
        verify(request.url, request.body, request.headers, self._auth_token)

    def parse(self, request: WebhookRequest, received_at: datetime) -> ParsedWebhook:
        return parse(request.body, received_at)

    async def send(self, message: OutboundMessage, http: aiohttp.ClientSession) -> str:
        fields = form_fields(message, message.business_number_id or self._number, self._status_callback)
        answer = await self._post(self._messages_url, fields, http)
        if not isinstance(answer.body, dict) or not answer.body.get("sid"):
            raise SendError("twilio accepted the message but returned no sid", retryable=False)
        return answer.body["sid"]

    async def fetch_media(self, media: Media, max_bytes: int, http: aiohttp.ClientSession) -> Download:
        """GET `MediaUrl0` with HTTP basic auth (account SID and token), which Twilio answers with a
        redirect to the file on another host; the credentials go only to the API's own host."""
        return await fetch_link(
            http,
            media,
            "twilio",
            api_base=self._api_base,
            credentials=self._authorization,
            max_bytes=max_bytes,
            timeout=self._download_timeout,
        )

    @property
    def _authorization(self) -> dict[str, str]:
        return {"Authorization": aiohttp.encode_basic_auth(self._account_sid, self._auth_token)}

    async def mark_read(
        self, provider_message_id: str, business_number_id: str | None, *, typing: bool, http: aiohttp.ClientSession
    ) -> None:
        """The typing indicator on the contact's message (its SID), which also marks it read."""
        await self._post(self._typing_url, {"messageId": provider_message_id, "channel": "whatsapp"}, http)

    async def _post(self, url: str, fields: dict[str, str], http: aiohttp.ClientSession) -> ProviderAnswer:
        answer = await post(http, url, "twilio", data=fields, headers=self._authorization)
        if not answer.ok:
            raise classify(answer)
        return answer
