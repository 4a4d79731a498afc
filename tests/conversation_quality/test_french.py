"""What people write in French, and what they should notice in the bot's answer."""

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

HELLO = "bonjour"

ROWS = [
    # a first message picks the language
    Row("bonjour", then=(says("core.menu.body"), MAIN_MENU)),
    Row("Salut", then=(says("core.menu.body"), MAIN_MENU)),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(HELLO, "je veux arrêter les livraisons", then=(never_says("core.stopped"), still_notified())),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_french(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "fr", row)
