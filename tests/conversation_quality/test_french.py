"""What people write in French, and what they should notice in the bot's answer."""

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

HELLO = "bonjour"
STATUS = order_status(HELLO)
ORDER_4411 = same_as(*STATUS, "4411")
PAUSE = pause_deliveries(HELLO)

ROWS = [
    # a first message picks the language
    Row("bonjour", then=(says("core.menu.body"), MAIN_MENU)),
    Row("Salut", then=(says("core.menu.body"), MAIN_MENU)),
    Row("bonsoir", then=(says("core.menu.body"), MAIN_MENU)),
    Row("coucou 😊", then=(says("core.menu.body"), MAIN_MENU)),
    # a clear greeting in French switches to it, and says so
    Row("hi", "bonjour", then=(says("core.language.switched"), MAIN_MENU)),
    # references as people write them
    Row(*STATUS, "ORD-4411", then=ORDER_4411),
    Row(*STATUS, "#4411", then=ORDER_4411),
    Row(*STATUS, "commande 4411", then=ORDER_4411),
    Row(*STATUS, "4411.", then=ORDER_4411),
    Row(*STATUS, "Commande n° 4411", then=ORDER_4411),
    Row(HELLO, "où est ma commande 4411 ?", then=ORDER_4411),
    Row(HELLO, "ou en est ma commande 4411", then=ORDER_4411),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(*STATUS, "stop", then=STOP_IN_A_FORM),
    Row(*STATUS, "arrêt", then=STOP_IN_A_FORM),
    Row(HELLO, "je veux arrêter les livraisons", then=NOT_STOPPED),
    Row(HELLO, "ARRÊT", then=STOP_ASKED_TO_CONFIRM),
    Row(HELLO, "ARRÊT", Tap("core.stop.all"), then=says("core.stopped")),
    # small talk gets a short friendly answer
    Row(HELLO, "merci", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "merci beaucoup !", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "d'accord", then=(*UNDERSTOOD, says("core.small_talk.okay"))),
    Row(HELLO, "👍", then=(*UNDERSTOOD, says("core.small_talk.okay"))),
    Row(HELLO, "au revoir", then=(*UNDERSTOOD, says("core.small_talk.bye"))),
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
    Row(*STATUS, HELLO, then=(says("core.paused"), offers("core.form.continue"))),
    Row(*STATUS, HELLO, Tap("core.form.continue"), then=says("orders.ask_order")),
    Row(*STATUS, Wait(minutes=31), "4411", then=says("core.paused.timeout")),
    # dates as people write them
    Row(*PAUSE, "15 déc.", then=same_as(*PAUSE, "2026-12-15")),
    Row(*PAUSE, "15 décembre", then=same_as(*PAUSE, "2026-12-15")),
    Row(*PAUSE, "24/12", then=same_as(*PAUSE, "2026-12-24")),
    Row(*PAUSE, "demain", then=same_as(*PAUSE, "2026-12-02")),
    # a first message with a word Hinglish also writes ("mere") is still answered in French
    Row("c'est pour ma mere", phone=STRANGER, then=says("core.not_understood")),
    # a stranger learns nothing of another customer's data
    Row(*STATUS, "4411", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
    Row(HELLO, "où est ma commande 4411 ?", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
    Row(*PAUSE, phone=STRANGER, then=(says("billing.no_subscription"), never_says("billing.ask_until"))),
    # files: a photo answers a photo step, and anywhere else is explained without a strike
    *files(HELLO, "passer"),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_french(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "fr", row)
