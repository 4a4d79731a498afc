"""Never a dead end: a result offers what to do next, the submenu on screen still answers,
small talk gets a friendly word, free text naming a reference or a keyword goes where it
means, and nothing unknown is answered without the menu."""

import pytest

from gateway.conversation.flows import MenuEntry
from gateway.hookspecs import hookimpl
from gateway.models import Content
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from tests.gateway.conversation.quality_plugin import Quality


@pytest.mark.parametrize(
    ("greeting", "group", "entry", "menu", "typed", "question"),
    [
        ("hello", "Billing", "My bill", "Menu", "2", "Until which date"),
        ("hola", "Facturación", "Mi factura", "Menú", "pausar entregas", "¿Hasta qué fecha"),
        ("नमस्ते", "बिलिंग", "मेरा बिल", "मेनू", "रोकें", "डिलीवरी किस तारीख तक"),
    ],
)
async def test_an_actions_result_offers_it_again_and_the_menu_and_the_submenu_still_answers(
    make_gateway, clock, greeting, group, entry, menu, typed, question
):
    contact = SimulatedContact(await make_gateway([BillingPlugin()]), clock=clock)
    await contact.send(greeting)
    await contact.press(group)
    _pdf, result = await contact.press(entry)
    assert result.titles == [entry, menu] and result.raw["buttons"], "quick replies on the result itself"
    [asked] = await contact.send(typed)
    assert asked.text.startswith(question), "a number or title from the submenu on screen picks from it"


async def test_a_completed_form_offers_to_fill_it_again_or_the_menu(chat):
    for step in ("menu", "Quality", "Report", "4411", "High"):
        await chat.send(step)
    [done] = await chat.press("Crack")
    assert done.text == "Recorded high crack on 4411." and done.titles == ["Report", "Menu"]
    [again] = await chat.press("Report")
    assert again.text == "Order number?"
    await chat.send("cancel")
    for step in ("Quality", "Report", "4412", "Low"):
        await chat.send(step)
    await chat.press("Dent")
    [menu] = await chat.press("Menu")
    assert menu.titles == ["Quality", "Help"]


class Manual:
    """An action whose answer is too long to carry buttons."""

    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("manual.read", "manual.read", "manual.menu", action=self._read)]

    @hookimpl
    def register_translations(self):
        return {"en": {"manual.menu": "Manual", "manual.read": "Read the manual"},
                "es": {"manual.menu": "Manual", "manual.read": "Leer el manual"}}  # fmt: skip

    async def _read(self, conversation):
        return [Content(text="Step. " * 300)]


@pytest.mark.parametrize(("greeting", "follow_up", "buttons"), [
    ("hi", "Anything else?", ["Read the manual", "Menu"]),
    ("hola", "¿Algo más?", ["Leer el manual", "Menú"]),
])  # fmt: skip
async def test_a_long_result_is_followed_by_one_message_offering_the_next_step(
    make_gateway, clock, greeting, follow_up, buttons
):
    contact = SimulatedContact(await make_gateway([Manual()]), clock=clock)
    await contact.send(greeting)
    await contact.press("Manual")
    manual, offer = await contact.press(buttons[0])
    assert manual.options == [] and len(manual.text) > 1024
    assert offer.text == follow_up and offer.titles == buttons


@pytest.mark.parametrize(
    ("greeting", "said", "answer"),
    [
        ("hi", "thanks", "You're welcome!"),
        ("hi", "Thank you!", "You're welcome!"),
        ("hi", "ok", "Great! 👍"),
        ("hi", "👍", "Great! 👍"),
        ("hi", "👍🏽", "Great! 👍"),
        ("hi", "bye", "Goodbye! 👋"),
        ("hola", "gracias", "¡De nada!"),
        ("hola", "ok gracias", "¡De nada!"),
        ("bonjour", "merci beaucoup", "Avec plaisir !"),
        ("oi", "obrigado", "Por nada!"),
        ("مرحبا", "شكراً", "على الرحب والسعة!"),
        ("नमस्ते", "धन्यवाद", "आपका स्वागत है!"),
        ("नमस्ते", "ठीक है", "बढ़िया! 👍"),
    ],
)
async def test_small_talk_gets_a_short_friendly_answer_in_the_contacts_language(chat, greeting, said, answer):
    await chat.send(greeting)
    [reply] = await chat.send(said)
    assert reply.text.startswith(answer)


@pytest.mark.parametrize(("greeting", "text", "menu"), [
    ("hi", "what a lovely day", "Menu"),
    ("hola", "qué día tan bonito", "Menú"),
])  # fmt: skip
async def test_what_nobody_understood_is_answered_with_the_menu_one_tap_away(chat, greeting, text, menu):
    await chat.send(greeting)
    [reply] = await chat.send(text)
    assert reply.titles == [menu]
    [shown] = await chat.press(menu)
    assert shown.titles[-1] in ("Help", "Ayuda")


@pytest.mark.parametrize(
    ("greeting", "text"),
    [("hi", "where is my order 4411?"), ("hi", "ORD-4411 is late"), ("hola", "¿dónde está mi pedido #4411?")],
)
async def test_free_text_naming_a_reference_starts_its_form_with_it(chat, greeting, text):
    await chat.send(greeting)
    [severity] = await chat.send(text)
    assert severity.titles == ["Low", "High"], "the order was taken as the form's first answer"
    await chat.press("High")
    [done] = await chat.press("Dent")
    assert done.text == "Recorded high dent on 4411."


async def test_a_reference_the_lookup_refuses_is_refused_inside_its_form(chat):
    reason, again = await chat.send("order 9999 never arrived")
    assert reason.text == "There is no order 9999." and again.text == "Order number?"


@pytest.mark.parametrize(("greeting", "text"), [("hi", "count please"), ("hola", "quiero el conteo")])
async def test_a_menu_entrys_keyword_in_free_text_opens_it(chat, greeting, text):
    await chat.send(greeting)
    [counted] = await chat.send(text)
    assert counted.text == "0 reports"


async def test_a_form_its_precondition_refuses_offers_the_next_step_and_keeps_a_paused_form(make_gateway, clock):
    quality = Quality()
    stranger = SimulatedContact(await make_gateway([quality, BillingPlugin()]), "sim:+15550009999", clock)
    for step in ("menu", "Quality", "Report", "4411"):
        await stranger.send(step)
    await stranger.send("hi")  # the form is kept aside
    await stranger.send("menu")
    await stranger.press("Billing")
    [refused] = await stranger.press("Pause deliveries")
    assert refused.text.startswith("You have no subscription with us.")
    assert refused.titles == ["Pause deliveries", "Menu"], "never a dead end"
    await stranger.send("language")
    _, offered = await stranger.press("English")
    assert offered.text.startswith("You were filling in *Report*"), "no form started, so the kept one stays"
