"""What people write in Hindi, and what they should notice in the bot's answer."""

import pytest

from tests.conversation_quality.talk import (
    MAIN_MENU,
    STRANGER,
    Row,
    converse,
    ids,
    never_says,
    order_status,
    says,
    same_as,
    still_notified,
)

HELLO = "नमस्ते"
STATUS = order_status(HELLO)
ORDER_4411 = same_as(*STATUS, "4411")

ROWS = [
    # a first message picks the language
    Row("नमस्ते", then=(says("core.menu.body"), MAIN_MENU)),
    # references as people write them
    Row(*STATUS, "ORD-4411", then=ORDER_4411),
    Row(*STATUS, "#4411", then=ORDER_4411),
    Row(*STATUS, "ऑर्डर 4411", then=ORDER_4411),
    Row(*STATUS, "४४११", then=ORDER_4411),
    Row(*STATUS, "order no. 4411", then=ORDER_4411),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(HELLO, "डिलीवरी रोकें नहीं", then=(never_says("core.stopped"), still_notified())),
    # a stranger learns nothing of another customer's data
    Row(*STATUS, "4411", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_hindi(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "hi", row)
