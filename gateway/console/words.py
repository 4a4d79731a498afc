"""How the console says things: where a conversation stands, who wrote a message, how far
it got, and when; the pages' templates call these."""

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from gateway.console.history import Bubble
from gateway.media.logged import LoggedMedia
from gateway.handover.card import ConversationCard, HandoverState
from gateway.ports.records import LogStatus

TICKS = {
    LogStatus.SENT: "✓",
    LogStatus.DELIVERED: "✓✓",
    LogStatus.READ: "✓✓",
    LogStatus.FAILED: "!",
    LogStatus.DEAD: "!",
}
"""The marks WhatsApp users know; the words beside them say the same for everyone."""


STATES = {HandoverState.BOT: "with the bot", HandoverState.WAITING: "waiting", HandoverState.CLOSED: "closed"}


def clock(moment: datetime | None) -> str:
    """A time in UTC, saying so; the page's script shows it in the browser's own zone."""
    return "" if moment is None else moment.strftime("%d %b %H:%M UTC")


def state_words(card: ConversationCard, operator: str) -> str:
    """Where a conversation stands, for the operator reading it."""
    if card.state is HandoverState.ASSIGNED:
        return "assigned to you" if card.assigned_to == operator else f"assigned to {card.assigned_to}"
    return STATES[card.state]


def author_words(bubble: Bubble, card: ConversationCard, number: Callable[[str], str]) -> str:
    """Who wrote a message: the contact by name (or number), the bot, a notification, or the operator."""
    return (card.name or number(card.contact)) if bubble.inbound else bubble.author


def ticks(status: LogStatus) -> str:
    return TICKS.get(status, "…")


def conversation_path(contact: str) -> str:
    return "/console/contacts/" + quote(contact, safe="")


def media_address(media: LoggedMedia) -> str | None:
    """Where the page loads a file: the console's own route for a stored one (never a public
    link), or the link the bot sent; None while there is nothing to load."""
    return "/console/media/" + quote(media.media_id, safe="") if media.media_id else media.url


WORDS = {
    "clock": clock,
    "state_words": state_words,
    "author_words": author_words,
    "ticks": ticks,
    "conversation_path": conversation_path,
    "media_address": media_address,
}
"""What every console template of the inbox and conversations may call."""
