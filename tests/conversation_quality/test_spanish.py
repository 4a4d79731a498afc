"""What people write in Spanish, and what they should notice in the bot's answer."""

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

HELLO = "hola"
STATUS = order_status(HELLO)
ORDER_4411 = same_as(*STATUS, "4411")

ROWS = [
    # a first message picks the language
    Row("hola", then=(says("core.menu.body"), MAIN_MENU)),
    # references as people write them
    Row(*STATUS, "ORD-4411", then=ORDER_4411),
    Row(*STATUS, "#4411", then=ORDER_4411),
    Row(*STATUS, "pedido 4411", then=ORDER_4411),
    Row(*STATUS, "4411.", then=ORDER_4411),
    Row(*STATUS, "Pedido #4411", then=ORDER_4411),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(HELLO, "no quiero parar las entregas", then=(never_says("core.stopped"), still_notified())),
    # a stranger learns nothing of another customer's data
    Row(*STATUS, "4411", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_spanish(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "es", row)
