"""What people write in English, and what they should notice in the bot's answer."""

import pytest

from tests.conversation_quality.talk import (
    MAIN_MENU,
    Row,
    converse,
    ids,
    never_says,
    says,
    still_notified,
)

HELLO = "hi"

ROWS = [
    # a first message picks the language
    Row("hi", then=(says("core.menu.body"), MAIN_MENU)),
    Row("Hello!", then=(says("core.menu.body"), MAIN_MENU)),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(HELLO, "please stop sending me the menu", then=(never_says("core.stopped"), still_notified())),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_english(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "en", row)
