"""Buttons and lists on channels without them: numbered text, and typed answers read back as presses."""

from datetime import UTC, datetime

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.models import InboundKind, InboundMessage, OutboundMessage
from gateway.ports.channel import Capabilities
from gateway.inbound.text_menus import TextMenus, chosen, numbered

PLAIN = Capabilities(buttons=False, lists=False)
MENU = {
    "button": "Menu",
    "sections": [
        {
            "title": "Quality",
            "rows": [
                {"id": "defects.report", "title": "Report a defect"},
                {"id": "defects.track", "title": "Track a defect"},
            ],
        },
        {"title": "Orders", "rows": [{"id": "orders.status", "title": "Order status"}]},
    ],
}


@pytest.fixture
async def menus(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "g.db", clock)
    yield TextMenus(store.records)
    await store.close()


def typed(text: str) -> InboundMessage:
    return InboundMessage(
        provider="twilio",
        provider_message_id=f"SM-{text}",
        sender="+919812345678",
        timestamp=datetime(2026, 1, 5, tzinfo=UTC),
        kind="text",
        text=text,
    )


def test_a_list_becomes_numbered_lines_across_sections():
    as_text, shown = numbered(OutboundMessage(recipient="+919812345678", text="What do you need?", list=MENU))
    assert as_text.text == "What do you need?\n\n1. Report a defect\n2. Track a defect\n3. Order status"
    assert as_text.list is None and shown["kind"] == "list_reply" and len(shown["options"]) == 3


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("2", "b"),
        (" 2. ", "b"),
        ("TALK TO AGENT", "b"),
        ("track order", "a"),
        ("3", None),
        ("0", None),
        ("yes", None),
        ("٢", "b"),
        ("①", None),
        ("²", None),
        ("1" * 5000, None),
    ],
)
def test_an_answer_picks_by_number_or_title(answer, picked):
    options = [{"id": "a", "title": "Track order"}, {"id": "b", "title": "Talk to agent"}]
    option = chosen(answer, options)
    assert (option["id"] if option else None) == picked


async def test_replying_2_to_a_numbered_list_is_the_second_rows_press(menus):
    sent = await menus.render_for(PLAIN, OutboundMessage(recipient="+919812345678", text="Menu", list=MENU))
    assert "2. Track a defect" in sent.text
    pressed = await menus.resolve(typed("2"))
    assert (pressed.kind, pressed.reply_id, pressed.reply_title) == (
        InboundKind.LIST_REPLY,
        "defects.track",
        "Track a defect",
    )
    assert (await menus.resolve(typed("2"))).kind is InboundKind.TEXT, "an answered menu is forgotten"


async def test_buttons_are_read_back_as_button_presses_by_title(menus):
    buttons = [{"id": "sev.low", "title": "Low"}, {"id": "sev.high", "title": "High"}]
    await menus.render_for(PLAIN, OutboundMessage(recipient="+919812345678", text="Severity?", buttons=buttons))
    pressed = await menus.resolve(typed("high"))
    assert (pressed.kind, pressed.reply_id) == (InboundKind.BUTTON_REPLY, "sev.high")


async def test_native_channels_get_the_message_unchanged(menus):
    message = OutboundMessage(recipient="+919812345678", text="Menu", list=MENU)
    assert await menus.render_for(Capabilities(buttons=True, lists=True), message) is message
    assert (await menus.resolve(typed("2"))).kind is InboundKind.TEXT


async def test_text_that_matches_no_option_passes_through(menus):
    await menus.render_for(PLAIN, OutboundMessage(recipient="+919812345678", text="Menu", list=MENU))
    assert (await menus.resolve(typed("where is my order?"))).text == "where is my order?"
    assert (await menus.resolve(typed("1"))).reply_id == "defects.report", "the menu is still remembered"
