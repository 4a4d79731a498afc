"""Nothing lost silently: a form interrupted by a greeting, a language switch or the idle
timeout is kept and offered back; a second tap on the same button and a tap on a menu no
longer on screen are recognised instead of misread."""

import pytest

from gateway.appkeys import STORE
from gateway.conversation.engine import FLOWS_NAMESPACE
from gateway.demo import DEMO_CUSTOMER
from gateway.testing import SimulatedContact
from plugins.orders.plugin import OrdersPlugin

INTERRUPTED = [
    ("hello", "Hello! 👋", "You were filling in *Report*.", ["Continue", "Start over", "Menu"]),
    ("hola", "¡Hola! 👋", "Estabas completando *Report*.", ["Continuar", "Empezar de nuevo", "Menú"]),
]


async def tap_earlier(chat, kind: str, option: dict[str, str]):
    """Tap an option of a message further up the chat than the bot's last replies."""
    return await chat._post({"reply_id": option["id"], "reply_title": option["title"], "kind": kind})


async def half_filled(chat, greeting: str = "menu") -> None:
    """The contact is at the form's second question, its first answer (4411) given."""
    await chat.send(greeting)
    for step in ("1", "Report", "4411"):
        await chat.send(step)


@pytest.mark.parametrize(("greeting", "greeted", "offer", "buttons"), INTERRUPTED)
async def test_a_greeting_mid_form_keeps_it_and_offers_to_continue(chat, greeting, greeted, offer, buttons):
    await half_filled(chat, greeting)
    hello, offered = await chat.send(greeting)
    assert hello.text == greeted and offered.text.startswith(offer) and offered.titles == buttons
    [severity] = await chat.press(buttons[0])
    assert len(severity.titles) == 2, "back at the question the form was at"
    await chat.press(severity.titles[1])
    [done] = await chat.press("Crack")
    assert done.text.startswith("Recorded high crack on 4411."), "the answer given before the greeting was kept"


async def test_starting_over_asks_the_first_question_again(chat):
    await half_filled(chat)
    await chat.send("hi")
    [first] = await chat.press("Start over")
    assert first.text == "Order number?"


async def test_a_greeting_in_another_language_mid_form_switches_and_offers_it_in_the_new_language(chat):
    await half_filled(chat, "hi")
    hello, switched, offered = await chat.send("hola")
    assert hello.text == "¡Hola! 👋" and switched.text.startswith("A partir de ahora hablaré español.")
    assert offered.titles == ["Continuar", "Empezar de nuevo", "Menú"]
    [severity] = await chat.press("Continuar")
    assert severity.titles == ["Low", "High"]


async def test_the_language_menu_mid_form_keeps_it_and_offers_it_back_in_the_language_chosen(chat):
    await half_filled(chat)
    await chat.send("language")
    chosen, offered = await chat.press("Français")
    assert chosen.text == "Désormais, je parlerai français."
    assert offered.text.startswith("Vous étiez en train de remplir *Report*.")
    [severity] = await chat.press("Continuer")
    assert severity.titles == ["Low", "High"]


@pytest.mark.parametrize(
    ("greeting", "offer", "resume"),
    [
        ("hi", "It has been a while. You were filling in *Report*", "Continue"),
        ("नमस्ते", "काफ़ी समय हो गया। आप *Report* भर रहे थे", "जारी रखें"),
        ("hola", "Ha pasado un tiempo. Estabas completando *Report*", "Continuar"),
        ("مرحبا", "مر بعض الوقت. كنت تملأ نموذج *Report*", "متابعة"),
    ],
)
async def test_the_idle_timeout_keeps_a_half_filled_form_and_offers_it_back(chat, clock, greeting, offer, resume):
    await half_filled(chat, greeting)
    clock.advance(minutes=31)
    [offered] = await chat.send("high")
    assert offered.text.startswith(offer)
    [severity] = await chat.press(resume)
    assert len(severity.titles) == 2
    await chat.press(severity.titles[0])
    [done] = await chat.press("Scratch")
    assert done.text.startswith("Recorded low scratch on 4411.")


async def test_a_second_tap_on_the_last_choice_of_a_completed_form_is_ignored(chat):
    await half_filled(chat)
    [kinds] = await chat.press("High")
    [done] = await chat.press("Crack")
    assert done.text.startswith("Recorded high crack on 4411.")
    crack = next(option for option in kinds.options if option["title"] == "Crack")
    assert await tap_earlier(chat, "list_reply", crack) == [], "no second record, and no 'did not understand'"
    assert len(chat.plugin.reports) == 1
    counts = await chat.client.app[STORE].records.sequences(FLOWS_NAMESPACE)
    assert counts["quality.report:completed"] == 1


async def test_a_second_tap_on_a_menu_that_started_a_form_is_ignored(chat):
    await chat.send("menu")
    [submenu] = await chat.press("Quality")
    await chat.press("Report")
    assert await tap_earlier(chat, "list_reply", submenu.options[0]) == []
    [severity] = await chat.send("4411")
    assert severity.titles == ["Low", "High"], "the form went on from its first question"


async def test_a_tap_on_a_stale_menu_gets_the_current_question_and_is_not_a_wrong_answer(chat):
    [_, menu] = await chat.send("hi")
    [submenu] = await chat.press("Quality")
    await chat.press("Report")
    await chat.send("4411")
    for option in [*menu.options, *submenu.options]:
        [again] = await tap_earlier(chat, "list_reply", option)
        assert again.titles == ["Low", "High"], f"{option['title']}: the question on screen, asked again"
    [kind] = await chat.press("Low")
    assert kind.text == "What kind?", "four stale taps did not end the form"


async def test_a_question_after_the_idle_timeout_is_answered(make_gateway, clock):
    customer = SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_CUSTOMER, clock)
    await customer.send("hi")
    clock.advance(minutes=31)
    replies = await customer.send("where is my order 4411?")
    texts = [reply.text for reply in replies if reply.text]  # and the order's chart
    assert any("ORD-4411" in text and "GH-200" in text for text in texts), texts
    assert not any(text.startswith("It has been a while") for text in texts)


async def test_stop_after_the_idle_timeout_in_a_half_filled_form_asks_to_confirm_and_keeps_the_form(chat, clock):
    await half_filled(chat)
    clock.advance(minutes=31)
    [asked] = await chat.send("stop")
    assert asked.titles == ["Stop all", "Keep them"]
    await chat.press("Keep them")
    await chat.send("language")
    _, offered = await chat.press("English")
    assert offered.text.startswith("You were filling in *Report*"), "the form is still kept"
