"""Meta's WhatsApp Cloud API: `X-Hub-Signature-256` webhooks, the GET handshake, sends to
`/{phone_number_id}/messages`, contacts' files fetched by media id and ours uploaded to
`/{phone_number_id}/media` (see shared/providers/meta.md)."""

import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
from pydantic import BaseModel, Field, ValidationError

from adapters.channels.fields import as_text, text_at, value_at
from adapters.channels.http import DOWNLOAD_TIMEOUT, FileRefused, ProviderAnswer, call, download, post, too_large
from gateway.models import (
    DeliveryStatus,
    InboundKind,
    InboundMessage,
    Media,
    MediaKind,
    OutboundMedia,
    OutboundMessage,
    Provider,
    ProviderTemplate,
    StatusUpdate,
)
from gateway.phone import is_bsuid
from gateway.ports.channel import (
    Acknowledgement,
    Capabilities,
    Download,
    MediaUnavailable,
    ParsedWebhook,
    SendError,
    WebhookRejected,
    WebhookRequest,
    header_bytes,
    malformed,
)
from gateway.validation import first_problem

log = logging.getLogger(__name__)

SECRET_VARIABLE = "META_APP_SECRET"
SIGNATURE_HEADER = "X-Hub-Signature-256"

_MEDIA_TYPES = {kind.value: kind for kind in MediaKind}
_MEDIA_FIELDS = {"media_id": "id", "url": "url", "mime_type": "mime_type", "caption": "caption", "filename": "filename"}
_LOCATION_FIELDS = ("latitude", "longitude", "name", "address")
_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "played": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
_EXPIRED_FILE = {401, 403, 404}
"""How the file host answers a media URL past its ~5 minutes (meta.md §1): resolve the id again."""
_LATEST_UNIX_SECONDS = 253402300799  # the last second of year 9999, the last a datetime holds
# Codes meta.md lists as transient, with the wait it advises where it gives one (seconds).
_RETRYABLE_CODES: dict[int, float | None] = {
    130429: None,
    131056: 6.0,
    4: 60.0,
    80007: 60.0,
    131048: 3600.0,
    131049: 6 * 3600.0,
    131000: None,
    131016: None,
    2: None,
    131057: 120.0,
}


# ------------------------------------------------------------------ verify


def sign(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], app_secret: str) -> None:
    """Check the HMAC-SHA256 of the exact bytes received against the header, in constant time."""
    received = headers.get(SIGNATURE_HEADER)
    if not received:
        raise WebhookRejected(401, "missing_signature", f"{SIGNATURE_HEADER} header is missing")
    if not hmac.compare_digest(header_bytes(received.strip().lower()), sign(body, app_secret).encode()):
        raise WebhookRejected(403, "bad_signature", f"{SIGNATURE_HEADER} does not match the body")


def handshake(query: Mapping[str, str], verify_token: str) -> str:
    """Meta's subscription check: echo `hub.challenge` only when the token matches."""
    token = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise WebhookRejected(403, "bad_verify_token", "hub.verify_token does not match META_VERIFY_TOKEN")
    return query.get("hub.challenge", "")


# ------------------------------------------------------------------ parse


class _Value(BaseModel):
    """A change's value: the envelope is checked here, each item where it is read, so that an
    item nobody can read never costs the others in the batch. Fields nobody reads are ignored, and
    the defaults are made fresh rather than deep-copied: this is on every webhook's path."""

    metadata: dict[str, Any] = Field(default_factory=dict)
    contacts: list[Any] = Field(default_factory=list)
    messages: list[Any] = Field(default_factory=list)
    statuses: list[Any] = Field(default_factory=list)
    errors: list[Any] = Field(default_factory=list)


class _Change(BaseModel):
    field: str
    value: _Value


class _Entry(BaseModel):
    changes: list[_Change]


class _Envelope(BaseModel):
    object: str
    entry: list[_Entry]


def parse(body: bytes) -> ParsedWebhook:
    """Every message and status in every entry and change of one POST. A message whose content is
    not understood is kept as unsupported; an item without an id, sender or time is left out and
    logged, and only a body with nothing readable in it is refused."""
    try:
        envelope = _Envelope.model_validate_json(body)
    except ValidationError as error:
        raise malformed(first_problem(error)) from None
    if envelope.object != "whatsapp_business_account":
        raise malformed("object is not whatsapp_business_account")
    parsed, unreadable = ParsedWebhook(), []
    for entry_index, entry in enumerate(envelope.entry):
        for change_index, change in enumerate(entry.changes):
            if change.field != "messages":
                continue
            where = f"entry {entry_index}, change {change_index}"
            for error in change.value.errors:
                code, title = text_at(error, "code"), text_at(error, "title")
                log.warning("meta reported a system error: %.40r %.200r", code, title)
            for index, message in enumerate(change.value.messages):
                try:
                    parsed.messages.append(_message(message, change.value))
                except ValueError as error:
                    unreadable.append(f"{where}, message {index}: {_describe(error)}")
            for index, status in enumerate(change.value.statuses):
                try:
                    parsed.statuses.extend(filter(None, [_status(status)]))
                except ValueError as error:
                    unreadable.append(f"{where}, status {index}: {_describe(error)}")
    for problem in unreadable:
        log.warning("left out an unreadable meta item: %s", problem)
    if unreadable and not parsed.messages and not parsed.statuses:
        raise malformed(unreadable[0])
    return parsed


def _describe(error: ValueError) -> str:
    return first_problem(error) if isinstance(error, ValidationError) else str(error)


def _timestamp(value: Any) -> datetime:
    """Meta's unix seconds (sent as a string) as a UTC time."""
    seconds = as_text(value) or ""
    if not seconds.isdecimal() or len(seconds) > 12 or int(seconds) > _LATEST_UNIX_SECONDS:
        raise ValueError("timestamp is not a time in unix seconds")
    return datetime.fromtimestamp(int(seconds), UTC)


def _message(message: Any, value: _Value) -> InboundMessage:
    if not isinstance(message, dict):
        raise ValueError("not an object")
    sender = text_at(message, "from") or text_at(message, "from_user_id")
    contact = _contact_for(sender, value.contacts)
    common = {
        "provider": Provider.META,
        "provider_message_id": text_at(message, "id"),
        "sender": sender or text_at(contact, "wa_id") or text_at(contact, "user_id"),
        "recipient": text_at(value.metadata, "display_phone_number"),
        "business_number_id": text_at(value.metadata, "phone_number_id"),
        "timestamp": _timestamp(message.get("timestamp")),
        "profile_name": text_at(contact, "profile", "name"),
        "raw": message,
    }
    try:
        return InboundMessage(**common, **_kind_fields(message))
    except ValidationError as error:
        log.info("meta message kept as unsupported: %s", first_problem(error))
        return InboundMessage(**common, kind=InboundKind.UNSUPPORTED)


def _contact_for(sender: str | None, contacts: list[Any]) -> Any:
    for contact in contacts:
        if sender is not None and sender in (text_at(contact, "wa_id"), text_at(contact, "user_id")):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _kind_fields(message: dict[str, Any]) -> dict[str, Any]:
    kind = text_at(message, "type")
    if kind == "text":
        return {"kind": InboundKind.TEXT, "text": value_at(message, "text", "body")}
    if kind == "interactive":
        reply_kind = text_at(message, "interactive", "type")
        if reply_kind in ("button_reply", "list_reply"):
            reply = value_at(message, "interactive", reply_kind)
            return {
                "kind": InboundKind(reply_kind),
                "reply_id": value_at(reply, "id"),
                "reply_title": value_at(reply, "title"),
            }
    if kind == "button":
        return {
            "kind": InboundKind.BUTTON_REPLY,
            "reply_id": value_at(message, "button", "payload") or value_at(message, "button", "text"),
            "reply_title": value_at(message, "button", "text"),
        }
    if kind in _MEDIA_TYPES:
        media = {ours: value_at(message, kind, theirs) for ours, theirs in _MEDIA_FIELDS.items()}
        voice = value_at(message, kind, "voice") is True
        return {"kind": InboundKind.MEDIA, "media": media | {"kind": _MEDIA_TYPES[kind], "voice": voice}}
    if kind == "location":
        return {
            "kind": InboundKind.LOCATION,
            "location": {key: value_at(message, "location", key) for key in _LOCATION_FIELDS},
        }
    return {"kind": InboundKind.UNSUPPORTED}


def _status(status: Any) -> StatusUpdate | None:
    state = _STATUSES.get(text_at(status, "status") or "")
    if state is None:
        log.info("ignoring meta status %.40r", text_at(status, "status"))
        return None
    errors = value_at(status, "errors")
    error = errors[0] if isinstance(errors, list) and errors else {}
    title, details = text_at(error, "title"), text_at(error, "error_data", "details")
    return StatusUpdate(
        provider=Provider.META,
        provider_message_id=text_at(status, "id"),
        status=state,
        timestamp=_timestamp(value_at(status, "timestamp")),
        recipient=text_at(status, "recipient_id") or text_at(status, "recipient_user_id"),
        error_code=text_at(error, "code"),
        error_text=" — ".join(part for part in (title, details) if part) or None,
        raw=status,
    )


# ------------------------------------------------------------------ send


def payload(message: OutboundMessage) -> dict[str, Any]:
    """The `/messages` body for a canonical message."""
    body: dict[str, Any] = {"messaging_product": "whatsapp"}
    if is_bsuid(message.recipient):
        body["recipient"] = message.recipient
    else:
        body["to"] = message.recipient.removeprefix("+")
    if message.provider_template is not None:
        return body | {"type": "template", "template": _template(message.provider_template)}
    if message.buttons is not None:
        buttons = [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in message.buttons]
        interactive = {"type": "button", "body": {"text": message.text}, "action": {"buttons": buttons}}
        return body | {"type": "interactive", "interactive": interactive}
    if message.list is not None:
        action = message.list.model_dump(exclude_none=True)
        interactive = {"type": "list", "body": {"text": message.text}, "action": action}
        return body | {"type": "interactive", "interactive": interactive}
    if message.media is not None:
        media = _media_reference(message.media)
        if message.media.caption:
            media["caption"] = message.media.caption
        if message.media.filename and message.media.kind is MediaKind.DOCUMENT:
            media["filename"] = message.media.filename
        return body | {"type": message.media.kind.value, message.media.kind.value: media}
    return body | {"type": "text", "text": {"body": message.text, "preview_url": False}}


def _media_reference(media: OutboundMedia) -> dict[str, Any]:
    """Meta's id for an upload when the worker has one, else the link Meta fetches the file from."""
    if media.provider_media_id is not None:
        return {"id": media.provider_media_id}
    if media.url is not None:
        return {"link": str(media.url)}
    raise SendError("the media has neither an upload id nor a link to send", retryable=False, code="media")


def _template(template: ProviderTemplate) -> dict[str, Any]:
    reference: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        values = [{"type": "text", "text": value} for value in template.parameters]
        reference["components"] = [{"type": "body", "parameters": values}]
    return reference


def read_receipt(provider_message_id: str, *, typing: bool) -> dict[str, Any]:
    """The `/messages` body that marks a contact's message read, with "typing…" when `typing`."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": provider_message_id}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body


def classify(answer: ProviderAnswer) -> SendError:
    """A failed send as a SendError, retryable by Meta's documented codes."""
    error = (answer.body or {}).get("error", {}) if isinstance(answer.body, dict) else {}
    code = error.get("code")
    text = f"meta answered {answer.status}" + (f" (#{code}) {error.get('message', '')}".rstrip() if code else "")
    if code in _RETRYABLE_CODES:
        return SendError(text, retryable=True, code=str(code), retry_after=_RETRYABLE_CODES[code])
    retryable = answer.status == 429 or answer.status >= 500
    return SendError(text, retryable=retryable, code=str(code) if code is not None else str(answer.status))


class MetaChannel:
    """The Cloud API for one business number: META_PHONE_NUMBER_ID, the only one it sends from."""

    provider = Provider.META
    capabilities = Capabilities(buttons=True, lists=True, read_receipts=True, typing_indicator=True)
    upload_lifetime = timedelta(days=30)
    """Meta keeps an uploaded file for 30 days."""
    content_types = ("application/json",)
    acknowledgement = Acknowledgement("text/plain", b"")

    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        app_secret: str,
        verify_token: str,
        api_base: str,
        api_version: str,
        download_timeout: aiohttp.ClientTimeout = DOWNLOAD_TIMEOUT,
    ) -> None:
        self._access_token = access_token
        self._phone_number_id = phone_number_id
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._api = f"{api_base.rstrip('/')}/{api_version}"
        self._download_timeout = download_timeout

    def verify(self, request: WebhookRequest) -> None:
        verify(request.body, request.headers, self._app_secret)

    def _check_sender(self, business_number_id: str | None) -> None:
        """A reply to a message that came to another number of the app is refused, not sent from
        this one: the contact's 24-hour window is open with that number only (meta.md §6), and
        the id, put in the URL as it came, would let a payload choose where the token is sent."""
        if business_number_id not in (None, self._phone_number_id):
            raise SendError(
                f"the message came to Meta business number id {business_number_id[:40]!r}, but this "
                f"gateway sends only from META_PHONE_NUMBER_ID ({self._phone_number_id})",
                retryable=False,
                code="business_number",
            )

    def parse(self, request: WebhookRequest, received_at: datetime) -> ParsedWebhook:
        return parse(request.body)

    def handshake(self, query: Mapping[str, str]) -> str:
        return handshake(query, self._verify_token)

    async def send(self, message: OutboundMessage, http: aiohttp.ClientSession) -> str:
        self._check_sender(message.business_number_id)
        answer = await self._post(payload(message), http)
        try:
            return answer.body["messages"][0]["id"]
        except (KeyError, IndexError, TypeError):
            raise SendError("meta accepted the message but returned no message id", retryable=False) from None

    async def mark_read(
        self, provider_message_id: str, business_number_id: str | None, *, typing: bool, http: aiohttp.ClientSession
    ) -> None:
        self._check_sender(business_number_id)
        await self._post(read_receipt(provider_message_id, typing=typing), http)

    async def fetch_media(self, media: Media, max_bytes: int, http: aiohttp.ClientSession) -> Download:
        """Resolve the media id to a short-lived URL and download it with the same bearer token;
        a URL that expired before it was read is resolved once more."""
        if media.media_id is None:
            raise MediaUnavailable("meta gave no media id for the file", retryable=False)
        try:
            return await self._resolve_and_download(media.media_id, media.filename, max_bytes, http)
        except FileRefused as refused:
            if refused.status not in _EXPIRED_FILE:
                raise
            log.info("meta media %.80s: its URL answered %d, resolving it again", media.media_id, refused.status)
        return await self._resolve_and_download(media.media_id, media.filename, max_bytes, http)

    async def _resolve_and_download(
        self, media_id: str, filename: str | None, max_bytes: int, http: aiohttp.ClientSession
    ) -> Download:
        url, declared_type = await self._resolve(media_id, max_bytes, http)
        got = await download(
            http, url, "meta", max_bytes=max_bytes, headers=self._authorization, timeout=self._download_timeout
        )
        return Download(got.data, declared_type or got.content_type, filename or got.filename)

    async def _resolve(self, media_id: str, max_bytes: int, http: aiohttp.ClientSession) -> tuple[str, str | None]:
        """The file's URL and declared type, from `GET /{media-id}`; a file Meta says is larger
        than `max_bytes` is refused before it is downloaded."""
        url = f"{self._api}/{quote(media_id, safe='')}"
        try:
            answer = await call(http, "GET", url, "meta", headers=self._authorization)
        except SendError as error:
            raise MediaUnavailable(str(error), retryable=error.retryable) from None
        if not answer.ok:
            refused = classify(answer)
            raise MediaUnavailable(f"{refused} for media {media_id:.80}", retryable=refused.retryable)
        url, size = text_at(answer.body, "url"), text_at(answer.body, "file_size") or ""
        if url is None:
            raise MediaUnavailable(f"meta gave no URL for media {media_id:.80}", retryable=False)
        if size.isdecimal() and int(size) > max_bytes:
            raise too_large("meta", max_bytes)
        return url, text_at(answer.body, "mime_type")

    async def upload_media(
        self, data: bytes, content_type: str, filename: str | None, http: aiohttp.ClientSession
    ) -> str:
        """Upload a file to the number's `/media` (multipart) and return Meta's id for it."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", content_type)
        form.add_field("file", data, filename=filename or "file", content_type=content_type)
        answer = await post(
            http, f"{self._api}/{self._phone_number_id}/media", "meta", data=form, headers=self._authorization
        )
        if not answer.ok:
            raise classify(answer)
        media_id = text_at(answer.body, "id")
        if media_id is None:
            raise SendError("meta accepted the upload but returned no id", retryable=False)
        return media_id

    @property
    def _authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._access_token}"}

    async def _post(self, body: dict[str, Any], http: aiohttp.ClientSession) -> ProviderAnswer:
        """POST to the number's `/messages`, where Meta takes sends and read receipts alike."""
        answer = await post(
            http, f"{self._api}/{self._phone_number_id}/messages", "meta", json=body, headers=self._authorization
        )
        if not answer.ok:
            raise classify(answer)
        return answer
