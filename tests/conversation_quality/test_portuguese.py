"""What people write in Portuguese, and what they should notice in the bot's answer."""

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

HELLO = "olá"
STATUS = order_status(HELLO)
ORDER_4411 = same_as(*STATUS, "4411")
PAUSE = pause_deliveries(HELLO)

ROWS = [
    # a first message picks the language
    Row("bom dia", then=(says("core.menu.body"), MAIN_MENU)),
    Row("oi", then=(says("core.menu.body"), MAIN_MENU)),
    Row("olá", then=(says("core.menu.body"), MAIN_MENU)),
    Row("Boa tarde!", then=(says("core.menu.body"), MAIN_MENU)),
    # a clear greeting in Portuguese switches to it, and says so
    Row("hola", "olá", then=(says("core.language.switched"), MAIN_MENU)),
    # references as people write them
    Row(*STATUS, "ORD-4411", then=ORDER_4411),
    Row(*STATUS, "#4411", then=ORDER_4411),
    Row(*STATUS, "pedido 4411", then=ORDER_4411),
    Row(*STATUS, "4411.", then=ORDER_4411),
    Row(*STATUS, "Pedido nº 4411", then=ORDER_4411),
    Row(HELLO, "cadê meu pedido 4411?", then=ORDER_4411),
    Row(HELLO, "onde está o meu pedido 4411?", then=ORDER_4411),
    # stop is a command only as the whole message, outside a form, and once confirmed
    Row(*STATUS, "sair", then=STOP_IN_A_FORM),
    Row(*STATUS, "parar", then=STOP_IN_A_FORM),
    Row(HELLO, "quero sair da assinatura de entregas", then=NOT_STOPPED),
    Row(HELLO, "SAIR", then=STOP_ASKED_TO_CONFIRM),
    Row(HELLO, "SAIR", Tap("core.stop.all"), then=says("core.stopped")),
    # small talk gets a short friendly answer
    Row(HELLO, "obrigado", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "muito obrigada!", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "valeu", then=(*UNDERSTOOD, says("core.small_talk.thanks"))),
    Row(HELLO, "👍", then=(*UNDERSTOOD, says("core.small_talk.okay"))),
    Row(HELLO, "tchau", then=(*UNDERSTOOD, says("core.small_talk.bye"))),
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
    Row(*PAUSE, "15 dez", then=same_as(*PAUSE, "2026-12-15")),
    Row(*PAUSE, "15 de dezembro", then=same_as(*PAUSE, "2026-12-15")),
    Row(*PAUSE, "24/12", then=same_as(*PAUSE, "2026-12-24")),
    Row(*PAUSE, "amanhã", then=same_as(*PAUSE, "2026-12-02")),
    # a stranger learns nothing of another customer's data
    Row(*STATUS, "4411", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
    Row(HELLO, "cadê meu pedido 4411?", phone=STRANGER, then=same_as(*STATUS, "9999", numbers_aside=True)),
    Row(*PAUSE, phone=STRANGER, then=(says("billing.no_subscription"), never_says("billing.ask_until"))),
    # files: a photo answers a photo step, and anywhere else is explained without a strike
    *files(HELLO, "pular"),
]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_portuguese(new_gateway, clock, row: Row) -> None:
    await converse(new_gateway, clock, "pt", row)
