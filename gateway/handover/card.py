"""A contact's conversation card: whether the bot or a person answers them, and what the
console's inbox shows of them. One per contact, kept in the store and changed only by
compare-and-set on `version`, since operators, the inbox and the time-out job all write it."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from gateway.models import Provider, UtcDatetime

NAMESPACE = "gateway.conversations"
"""The records holding the cards, keyed by contact."""
PREVIEW_CHARS = 120

SortableTime = Annotated[
    UtcDatetime,
    PlainSerializer(lambda moment: moment.isoformat(timespec="microseconds"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time kept in UTC and written in JSON always to the microsecond, so that its text sorts as
the time does: the store orders the handover list by the stored text. Cards last written
before this form (`10:00:05Z`) sort among new ones to the second, not within it, until written again."""


class HandoverState(StrEnum):
    BOT = "bot"
    WAITING = "waiting"
    ASSIGNED = "assigned"
    CLOSED = "closed"


HELD = (HandoverState.WAITING, HandoverState.ASSIGNED)
"""States in which people answer the contact and the bot stays silent."""


class HandoverReason(StrEnum):
    ASKED = "asked"
    """The contact wrote a trigger word."""
    MENU = "menu"
    """Help -> Talk to a person."""
    PLUGIN = "plugin"
    """A plugin handed over; `detail` says why."""
    API = "api"
    """POST /api/v1/handovers/{phone}."""
    OPERATOR = "operator"
    """An operator took a bot conversation from the console."""


class HandoverOutcome(StrEnum):
    HANDED_BACK = "handed_back"
    CLOSED = "closed"
    CONTACT_RETURNED = "contact_returned"
    WAIT_TIMEOUT = "wait_timeout"
    IDLE_TIMEOUT = "idle_timeout"


class ConversationCard(BaseModel):
    """One contact's conversation as the console's inbox lists it."""

    contact: str
    version: int = 0
    state: HandoverState = HandoverState.BOT
    handover_id: str | None = None
    reason: HandoverReason | None = None
    detail: str | None = None
    requested_at: datetime | None = None
    assigned_at: datetime | None = None
    first_reply_at: datetime | None = None
    ended_at: datetime | None = None
    assigned_to: str | None = Field(default=None, description="the operator's name")
    outcome: HandoverOutcome | None = None
    name: str | None = Field(default=None, description="the contact's profile name")
    provider: Provider | None = None
    last_activity_at: SortableTime | None = None
    last_message: str | None = Field(default=None, max_length=PREVIEW_CHARS)
    last_inbound_at: datetime | None = Field(default=None, description="the 24-hour window starts here")
    last_inbound_id: str | None = Field(default=None, description="the message noted last, so a retry counts once")
    unread: int = 0
    tags: list[str] = Field(default_factory=list)
    pinned: bool = False
    blocked: bool = Field(default=False, description="mirror of the contact setting `blocked`, which is authoritative")

    @property
    def held(self) -> bool:
        """Whether people answer this contact now, and the bot stays silent."""
        return self.state in HELD
