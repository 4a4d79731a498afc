"""What people write in English, and what they should notice in the bot's answer."""

import pytest

from tests.conversation_quality.talk import (
    MAIN_MENU,
    NOT_STOPPED,
    STAFF,
    STOP_ASKED_TO_CONFIRM,
    STOP_IN_A_FORM,
    STRANGER,
    UNDERSTOOD,
    Row,
    Tap,
    TapEarlier,
    Wait,
    converse,
    defect_report,
    files,
    ids,
    never_says,
    offers,
    offers_something,
    order_status,
    pause_deliveries,
    says,
    same_as,
)

HELLO = "hi"
STATUS = order_status(HELLO)
ORDER_4411 = same_as(*STATUS, "4411")
PAUSE = pause_deliveries(HELLO)

ROWS = [
    # a first message picks the language
    Row("hi", then=(says("core.menu.body"), MAIN_MENU)),
    Row("Hello!", then=(says("core.menu.body"), MAIN_MENU)),
    Row("good morning", then=(says("core.menu.body"), MAIN_MENU)),
    Row("hey there 👋", then=(says("core.menu.body"), MAIN_MENU)),
    # references as people write them
    Row(*STATUS, "ORD-4411", then=ORDER_4411),
    Row(*STATUS, "#4411", then=ORDER_4411),
    Row(*STATUS, "order 4411", then=ORDER_4411),
    Row(*STATUS, "4411.", then=ORDER_4411),
    Row(*STATUS, "ord 4411", then=ORDER_4411),
    Row(HELLO, "where is my order 4411?", then=ORDER_4411),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(*STATUS, "stop", then=STOP_IN_A_FORM),
    Row(HELLO, "please stop sending me the menu", then=NOT_STOPPED),
    Row(HELLO, "STOP", then=STOP_ASKED_TO_CONFIRM),
    Row(HELLO, "STOP", Tap("core.stop.all"), then=says("core.stopped")),
    # small talk gets a short friendly answer
    Row(HELLO, "thanks", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "thank you so much!", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "ok", then=(*UNDERSTOOD, says("core.small_talk.okay"))),
    Row(HELLO, "👍", then=(*UNDERSTOOD, says("core.small_talk.okay"))),
    Row(HELLO, "bye", then=(*UNDERSTOOD, says("core.small_talk.bye"))),
    # never a dead end
    Row(HELLO, Tap("orders.menu"), Tap("orders.recent"), then=offers_something()),
    Row(*STATUS, "4411", then=offers_something()),
    # a stale menu gets the question on screen, and costs no attempt
    Row(*STATUS, TapEarlier("billing.menu"), then=(says("orders.ask_order"), never_says("orders.bad_order"))),
    Row(*STATUS, *[TapEarlier("billing.menu")] * 3, "4411", then=ORDER_4411),
    # a double tap records once, and is not "not understood"
    Row(*defect_report(HELLO), Tap("defects.severity.low"), TapEarlier("defects.severity.low"), phone=STAFF,
        then=(never_says("core.not_understood"), never_says("core.choose_option"))),  # fmt: skip
    # nothing lost silently
    Row(*STATUS, "hi", then=(says("core.paused"), offers("core.form.continue"))),
    Row(*STATUS, "hi", Tap("core.form.continue"), then=says("orders.ask_order")),
    Row(*STATUS, Wait(minutes=31), "4411", then=says("core.paused.timeout")),
    # dates as people write them
    Row(*PAUSE, "15 Dec", then=same_as(*PAUSE, "2026-12-15")),
    Row(*PAUSE, "24/12", then=same_as(*PAUSE, "2026-12-24")),
    Row(*PAUSE, "tomorrow", then=same_as(*PAUSE, "2026-12-02")),
    # a first message with a word Hinglish also writes ("mere") is still answered in English; "delivery" opens deliveries
    Row("my delivery is a mere 2 days late, any news?", phone=STRANGER, then=says("orders.no_deliveries")),
    # a stranger learns nothing of another customer's data
    Row(*STATUS, "4411", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
    Row(HELLO, "where is my order 4411?", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
    Row(*PAUSE, phone=STRANGER, then=(says("billing.no_subscription"), never_says("billing.ask_until"))),
    # files: a photo answers a photo step, and anywhere else is explained without a strike
    *files(HELLO, "skip"),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_english(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "en", row)
