"""Canonical messages: the one language adapters, the engine, plugins and the queue speak.

Provider payloads become these models at the edge; WhatsApp's limits are enforced here so
that a message that would be refused by every provider never reaches the queue.
"""

import random
import time
from functools import cache
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    HttpUrl,
    model_validator,
)
from pydantic_core import CoreSchema

from gateway.phone import contact_id_pattern, is_simulated, to_contact_id, to_e164

MAX_BODY_CHARS = 4096
MAX_BUTTONS = 3
MAX_BUTTON_TITLE_CHARS = 20
MAX_LIST_ROWS = 10
MAX_CAPTION_CHARS = 1024
MAX_PROFILE_NAME_CHARS = 100


def _phone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("phone number must be a string such as +14155550100")
    return to_e164(value)


Phone = Annotated[str, BeforeValidator(_phone)]
"""A phone number, normalized to E.164 from any form a provider uses."""


def _contact(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("contact must be a string: an E.164 phone number or a business-scoped user id")
    return to_contact_id(value)


@cache
def contact_id_schema() -> dict[str, Any]:
    """ContactId's JSON schema; built when a document first asks, as its pattern reads every
    country's phone metadata (some 70 ms), which no process needs to start."""
    return {
        "type": "string",
        "pattern": contact_id_pattern(),
        "description": "an E.164 phone number (+ country code and a number of a length possible there), or a "
        "Meta business-scoped user id; either after `sim:` for a simulated contact",
    }


class _ContactIdSchema:
    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return dict(contact_id_schema())


ContactId = Annotated[str, BeforeValidator(_contact), _ContactIdSchema()]
"""Who a contact is: an E.164 phone number, or a Meta business-scoped user id when the
user has a username and WhatsApp withholds their number."""


def _shortened(value: str | None) -> str | None:
    return None if value is None else value[:MAX_PROFILE_NAME_CHARS]


ProfileName = Annotated[str | None, AfterValidator(_shortened)]
"""The name a contact gave their profile, cut short so that greeting them by it always fits in
a message (the whole name stays in the raw payload)."""


_INT64 = range(-(2**63), 2**63)


def _storable(value: Any) -> Any:
    """A provider's payload as every store can keep it: integers beyond 64 bits (which orjson and
    BSON refuse) become strings, and NUL bytes (which BSON refuses in keys) leave the keys."""
    if isinstance(value, dict):
        return {key.replace("\x00", "\ufffd"): _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        return str(value)
    return value


RawPayload = Annotated[dict[str, Any], AfterValidator(_storable)]
"""The provider's payload, kept as sent as far as the stores allow."""


_last_id_ns = 0


def new_id() -> str:
    """A fresh gateway id: 32 hex characters, nanoseconds then randomness, so ids sort in the
    order they were made and entries logged in the same instant still list in order. The
    randomness only separates processes (ids are not secrets), so it comes from `random`,
    reseeded after a fork, not from a system call per id."""
    global _last_id_ns
    _last_id_ns = max(time.time_ns(), _last_id_ns + 1)
    return f"{_last_id_ns:016x}{random.getrandbits(64):016x}"


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range in UTC") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]


class Provider(StrEnum):
    """The channels a message can travel through."""

    TWILIO = "twilio"
    META = "meta"
    MYOPERATOR = "myoperator"
    SIMULATOR = "simulator"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------- inbound


class InboundKind(StrEnum):
    TEXT = "text"
    BUTTON_REPLY = "button_reply"
    LIST_REPLY = "list_reply"
    MEDIA = "media"
    LOCATION = "location"
    UNSUPPORTED = "unsupported"


class MediaKind(StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"
    VIDEO = "video"
    AUDIO = "audio"
    STICKER = "sticker"


class MediaRefusal(StrEnum):
    """Why the gateway refused a contact's file, as the contact is told: sending it again as it
    is would be refused again."""

    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"


class Media(_Model):
    """Media a contact sent: the provider gives a URL, a media id to fetch, or both (the
    simulator stores the file itself). Once the inbox has fetched it, `stored_id` names it in
    the media store; when it could not be fetched or was refused, `unavailable` says why, and
    `refused` which of the refusals the contact is told of."""

    url: HttpUrl | None = None
    media_id: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None
    kind: MediaKind | None = Field(default=None, description="what the provider says it is; None when it does not say")
    voice: bool = Field(default=False, description="an audio message recorded as a voice note")
    stored_id: str | None = None
    unavailable: str | None = None
    refused: MediaRefusal | None = Field(default=None, description="set when the gateway refused the file itself")

    @model_validator(mode="after")
    def _locatable(self) -> Self:
        if self.url is None and self.media_id is None and self.stored_id is None:
            raise ValueError("media needs a url, a provider media id or a stored id")
        return self


class Location(_Model):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


_REQUIRED_BY_KIND = {
    InboundKind.TEXT: "text",
    InboundKind.BUTTON_REPLY: "reply_id",
    InboundKind.LIST_REPLY: "reply_id",
    InboundKind.MEDIA: "media",
    InboundKind.LOCATION: "location",
}


class InboundMessage(_Model):
    """One message a contact sent, whatever provider carried it."""

    id: str = Field(default_factory=new_id, description="gateway id")
    provider: Provider
    provider_message_id: str = Field(min_length=1)
    sender: ContactId
    recipient: Phone | None = Field(default=None, description="the business number it was sent to")
    business_number_id: str | None = Field(
        default=None, description="the provider's id for that business number, which replies are sent from"
    )
    timestamp: UtcDatetime
    profile_name: ProfileName = None
    kind: InboundKind
    text: str | None = None
    reply_id: str | None = None
    reply_title: str | None = None
    media: Media | None = None
    location: Location | None = None
    raw: RawPayload = Field(default_factory=dict, description="the provider's payload, kept as sent")
    request_id: str | None = Field(
        default=None, description="the webhook request that brought it, for following it in logs"
    )

    @model_validator(mode="after")
    def _kind_has_its_content(self) -> Self:
        field = _REQUIRED_BY_KIND.get(self.kind)
        if field is not None and getattr(self, field) is None:
            raise ValueError(f"a {self.kind.value} message needs {field}")
        return self

    @model_validator(mode="after")
    def _simulated_contacts_only_from_the_simulator(self) -> Self:
        """No provider can speak for a simulated contact, nor the simulator for a real one."""
        if is_simulated(self.sender) != (self.provider is Provider.SIMULATOR):
            raise ValueError("only the simulator speaks for simulated contacts (sim:…), and only for them")
        return self


# ---------------------------------------------------------------- outbound


class Button(_Model):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=MAX_BUTTON_TITLE_CHARS)


class ListRow(_Model):
    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=24)
    description: str | None = Field(default=None, max_length=72)


class ListSection(_Model):
    title: str | None = Field(default=None, max_length=24)
    rows: list[ListRow] = Field(min_length=1)


class ListMenu(_Model):
    """A list message: a button that opens up to 10 rows grouped in sections."""

    button: str = Field(min_length=1, max_length=MAX_BUTTON_TITLE_CHARS)
    sections: list[ListSection] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _within_whatsapp_limits(self) -> Self:
        rows = [row for section in self.sections for row in section.rows]
        if len(rows) > MAX_LIST_ROWS:
            raise ValueError(f"a list holds at most {MAX_LIST_ROWS} rows in all, got {len(rows)}")
        ids = [row.id for row in rows]
        if len(set(ids)) != len(ids):
            raise ValueError("list row ids must be unique")
        if len(self.sections) > 1 and any(section.title is None for section in self.sections):
            raise ValueError("every section needs a title when a list has more than one")
        return self


class OutboundMedia(_Model):
    """Media to send: a file in the media store (`media_id`), which the gateway serves to the
    provider under an expiring signed link or uploads, or a public `url` the provider fetches."""

    kind: MediaKind
    url: HttpUrl | None = None
    media_id: str | None = Field(default=None, min_length=1, description="a file in the gateway's media store")
    caption: str | None = Field(default=None, max_length=MAX_CAPTION_CHARS)
    filename: str | None = Field(default=None, max_length=240)
    provider_media_id: str | None = Field(
        default=None, description="set by the queue worker: the provider's id for an upload of `media_id`"
    )

    @model_validator(mode="after")
    def _located_once(self) -> Self:
        if self.media_id is None and self.url is None:
            raise ValueError("media needs a media_id (a stored file) or a url")
        return self

    @model_validator(mode="after")
    def _audio_has_no_caption(self) -> Self:
        if self.kind in (MediaKind.AUDIO, MediaKind.STICKER) and self.caption:
            raise ValueError("WhatsApp does not show captions on audio or stickers")
        return self


class TemplateRef(_Model):
    """A stored notification template, rendered with `parameters` as its context when the job is
    sent; `language` defaults to the contact's."""

    name: str = Field(min_length=1)
    language: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)


class ProviderTemplate(_Model):
    """A template the provider approved, sent as it is: a Meta or MyOperator template name and
    language, or a Twilio content SID, with its parameters in order. The only kind of message
    WhatsApp delivers outside the 24-hour window."""

    name: str = Field(min_length=1)
    language: str = "en"
    parameters: list[str] = Field(default_factory=list)


class Priority(IntEnum):
    """Higher goes first: a reply to someone waiting beats a bulk notification."""

    BULK = 0
    NOTIFICATION = 5
    REPLY = 10


class Content(_Model):
    """What to say: text, text with buttons or a list, media, or a template. Plugins answer
    with Content; the gateway addresses it as an OutboundMessage."""

    text: str | None = Field(default=None, min_length=1, max_length=MAX_BODY_CHARS)
    buttons: list[Button] | None = Field(default=None, min_length=1, max_length=MAX_BUTTONS)
    list: ListMenu | None = None
    media: OutboundMedia | None = None
    template: TemplateRef | None = None
    provider_template: ProviderTemplate | None = None

    @model_validator(mode="after")
    def _one_kind_of_content(self) -> Self:
        if self.template is not None or self.provider_template is not None:
            others = (self.text, self.buttons, self.list, self.media)
            if any(part is not None for part in others) or (self.template and self.provider_template):
                raise ValueError("a template message carries no text, buttons, list, media or other template")
            return self
        if self.buttons is not None and self.list is not None:
            raise ValueError("a message has either buttons or a list, not both")
        if (self.buttons is not None or self.list is not None) and self.text is None:
            raise ValueError("buttons and lists need a text body")
        if self.media is not None and (self.buttons is not None or self.list is not None):
            raise ValueError("media cannot carry buttons or a list")
        if self.text is None and self.media is None:
            raise ValueError("a message needs text, media or a template")
        if self.buttons is not None and len({button.id for button in self.buttons}) != len(self.buttons):
            raise ValueError("button ids must be unique")
        return self


class OutboundMessage(Content):
    """One message to send, with who it goes to and how."""

    recipient: ContactId
    provider: Provider | None = None
    business_number_id: str | None = Field(default=None, description="send from this business number")
    priority: Priority = Priority.NOTIFICATION
    send_at: UtcDatetime | None = None
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)
    request_id: str | None = Field(default=None, description="the request that led to it, for following it in logs")
    sent_by: str | None = Field(
        default=None, min_length=1, max_length=100, description="the operator who wrote it; none for the bot"
    )

    @classmethod
    def addressed(cls, content: Content, recipient: str, **addressing: Any) -> "OutboundMessage":
        """Address a plugin's Content to a recipient."""
        return cls(**content.model_dump(exclude_none=True), recipient=recipient, **addressing)


# ---------------------------------------------------------------- status


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class StatusUpdate(_Model):
    """A provider's report on a message the gateway sent."""

    provider: Provider
    provider_message_id: str = Field(min_length=1)
    status: DeliveryStatus
    timestamp: UtcDatetime
    recipient: ContactId | None = None
    error_code: str | None = None
    error_text: str | None = None
    raw: RawPayload = Field(default_factory=dict)
