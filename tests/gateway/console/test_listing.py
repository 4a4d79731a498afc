"""The inbox's order, search and filters."""

from datetime import UTC, datetime, timedelta

from gateway.console.listing import InboxQuery, number, shown
from gateway.handover.card import ConversationCard, HandoverState
from gateway.models import Provider

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def card(contact: str, minutes_ago: int, **fields) -> ConversationCard:
    return ConversationCard(contact=contact, last_activity_at=AT - timedelta(minutes=minutes_ago), **fields)


CARDS = [
    card("+15550000001", 1, name="Ana", last_message="where is my order?", provider=Provider.META, tags=["orders"]),
    card("+15550000002", 5, name="Bo", state=HandoverState.WAITING, provider=Provider.TWILIO),
    card("+15550000003", 3, name="Cy", pinned=True, last_message="thanks", provider=Provider.META),
    card("+919812345678", 2, state=HandoverState.ASSIGNED, assigned_to="alice", tags=["billing", "orders"]),
]


def names(cards: list[ConversationCard]) -> list[str | None]:
    return [card.name or card.contact for card in cards]


def test_waiting_first_then_pinned_then_most_recent():
    assert names(shown(CARDS, InboxQuery())) == ["Bo", "Cy", "Ana", "+919812345678"]


def test_search_by_name_text_or_number_however_typed():
    assert names(shown(CARDS, InboxQuery(text="ana"))) == ["Ana"]
    assert names(shown(CARDS, InboxQuery(text="MY ORDER"))) == ["Ana"]
    assert names(shown(CARDS, InboxQuery(text="98123 45678"))) == ["+919812345678"]
    assert names(shown(CARDS, InboxQuery(text="+91 98123-45678"))) == ["+919812345678"]
    assert shown(CARDS, InboxQuery(text="nobody")) == []


def test_filters_by_state_tag_and_provider():
    assert names(shown(CARDS, InboxQuery(state=HandoverState.WAITING))) == ["Bo"]
    assert names(shown(CARDS, InboxQuery(tag="orders"))) == ["Ana", "+919812345678"]
    assert names(shown(CARDS, InboxQuery(provider=Provider.META))) == ["Cy", "Ana"]
    assert names(shown(CARDS, InboxQuery(provider=Provider.META, text="thanks"))) == ["Cy"]


def test_numbers_are_masked_unless_shown_in_full():
    assert number("+919812345678", full=False) == "*********5678"
    assert number("+919812345678", full=True) == "+919812345678"
