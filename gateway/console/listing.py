"""The inbox's list: which conversations an operator's search and filters keep, in the order
they need attention (waiting first, pinned next, then the most recently active)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.handover.card import ConversationCard, HandoverState
from gateway.models import Provider
from gateway.phone import mask

_LONG_AGO = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """What the inbox's search box and filters ask for; empty fields keep everything."""

    text: str = ""
    state: HandoverState | None = None
    tag: str = ""
    provider: Provider | None = None

    @property
    def empty(self) -> bool:
        return not (self.text or self.state or self.tag or self.provider)


def shown(cards: list[ConversationCard], query: InboxQuery) -> list[ConversationCard]:
    """The cards that match `query`, in the inbox's order."""
    kept = [card for card in cards if _matches(card, query)]
    kept.sort(key=lambda card: card.last_activity_at or _LONG_AGO, reverse=True)
    kept.sort(key=lambda card: (card.state is not HandoverState.WAITING, not card.pinned))
    return kept


def _matches(card: ConversationCard, query: InboxQuery) -> bool:
    if query.state is not None and card.state is not query.state:
        return False
    if query.tag and query.tag not in card.tags:
        return False
    if query.provider is not None and card.provider is not query.provider:
        return False
    return not query.text or _mentions(card, query.text)


def _mentions(card: ConversationCard, text: str) -> bool:
    """Whether the card's number, name or last message holds `text`; a number matches on its
    digits, however it was typed."""
    wanted = text.casefold()
    digits = "".join(character for character in text if character.isdigit())
    if digits and len(digits) == len(text.replace("+", "").replace(" ", "").replace("-", "")):
        return digits in "".join(character for character in card.contact if character.isdigit())
    return any(wanted in (field or "").casefold() for field in (card.name, card.last_message, card.contact))


def number(contact: str, full: bool) -> str:
    """A contact's number as the inbox shows it: masked unless the deployment shows them in full."""
    return contact if full else mask(contact)


def tags_of(cards: list[ConversationCard]) -> list[str]:
    """Every tag in use, for the tag filter."""
    return sorted({tag for card in cards for tag in card.tags})
