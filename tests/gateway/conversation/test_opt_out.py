"""STOP and START as WhatsApp's opt-out convention asks: only a message that is exactly the
keyword, confirmed before anything stops, never an answer inside a form or a shown option."""

import pytest

from gateway.appkeys import ENGINE, OUTBOX, STORE
from gateway.models import OutboundMessage, TemplateRef
from gateway.ports.records import JobState
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from tests.gateway_fixtures import eventually


async def settings_of(contact: SimulatedContact) -> dict:
    return (await contact.client.app[STORE].settings.contact(contact.phone)).values


@pytest.mark.parametrize(
    ("greeting", "stop", "confirm", "stopped", "start", "started"),
    [
        ("hi", "STOP", "Stop all", "You will not receive notifications any more.", "start",
         "You will receive notifications again."),
        ("hola", "Baja", "Detener todos", "Ya no recibirás avisos.", "alta", "Volverás a recibir avisos."),
        ("السلام عليكم", "ايقاف", "إيقاف الكل", "لن تصلك الإشعارات بعد الآن.", "بدء", "ستصلك الإشعارات مجددًا."),
    ],
)  # fmt: skip
async def test_stop_asks_first_then_opts_out_and_start_opts_back_in_at_once(
    chat, greeting, stop, confirm, stopped, start, started
):
    await chat.send(greeting)
    [asked] = await chat.send(stop)
    assert asked.titles[0] == confirm and len(asked.titles) == 2, "stop everything, or keep them"
    assert f"*{start}*" in asked.text, "the question says how to undo it"
    assert "opted_out" not in await settings_of(chat), "nothing stops before the contact confirms"
    [done] = await chat.press(confirm)
    assert done.text.startswith(stopped)
    assert (await settings_of(chat))["opted_out"] is True
    again, menu = await chat.send(start)
    assert again.text == started and "opted_out" not in await settings_of(chat)
    assert menu.titles, "and the menu: never a dead end"


async def tap(contact: SimulatedContact, asked, title: str):
    """Tap a button of an earlier reply, wherever it is in the chat."""
    button = next(option for option in asked.options if option["title"] == title)
    return await contact._post({"reply_id": button["id"], "reply_title": title, "kind": "button_reply"})


async def test_stop_all_tapped_after_the_idle_timeout_opts_out(chat, clock):
    [asked] = await chat.send("stop")
    clock.advance(minutes=31)
    [done] = await tap(chat, asked, "Stop all")
    assert done.text.startswith("You will not receive notifications any more.")
    assert (await settings_of(chat))["opted_out"] is True


async def test_stop_all_tapped_after_another_message_opts_out(chat):
    [asked] = await chat.send("stop")
    await chat.send("menu")
    [done] = await tap(chat, asked, "Stop all")
    assert done.text.startswith("You will not receive notifications any more.")
    assert (await settings_of(chat))["opted_out"] is True


async def test_stop_all_tapped_inside_a_form_opts_out_and_asks_the_question_again(chat):
    [asked] = await chat.send("stop")
    for step in ("menu", "Quality", "Report"):
        await chat.send(step)
    done, question = await tap(chat, asked, "Stop all")
    assert done.text.startswith("You will not receive notifications any more.")
    assert question.text == "Order number?"
    assert (await settings_of(chat))["opted_out"] is True


async def test_stop_after_the_idle_timeout_asks_to_confirm(chat, clock):
    await chat.send("hi")
    clock.advance(minutes=31)
    [asked] = await chat.send("stop")
    assert asked.titles == ["Stop all", "Keep them"]


@pytest.mark.parametrize(
    ("start", "language"), [("start", "en"), ("começar", "pt"), ("iniciar", "es"), ("ابدأ", "ar"), ("शुरू करें", "hi")]
)
async def test_start_from_a_contact_who_never_opted_out_is_a_greeting_in_its_language(chat, start, language):
    catalog = chat.client.app[ENGINE].catalog
    hello, menu = await chat.send(start)
    assert hello.text.startswith(catalog.text("core.greeting", language).removesuffix("! 👋").removesuffix(" !"))
    assert menu.text == catalog.text("core.menu.body", language) and menu.titles
    assert (await settings_of(chat)).get("language", "en") == language


async def test_keeping_them_changes_nothing(chat):
    await chat.send("stop")
    [kept] = await chat.press("Keep them")
    assert kept.text == "Fine, you will keep receiving notifications."
    assert "opted_out" not in await settings_of(chat)


@pytest.mark.parametrize(
    ("greeting", "stop", "category", "stopped"),
    [
        ("hello", "stop", "Billing", "You will not receive Billing notifications any more."),
        ("bonjour", "arrêt", "Facturation", "Vous ne recevrez plus de notifications de type Facturation."),
    ],
)
async def test_stop_offers_to_stop_only_the_category_of_the_latest_notification(
    make_gateway, clock, greeting, stop, category, stopped
):
    client = await make_gateway([BillingPlugin()])
    contact = SimulatedContact(client, clock=clock)
    await contact.send(greeting)
    reminder = TemplateRef(name="payment_reminder", parameters={"customer_name": "Asha", "amount": 1860,
                                                                "period": "December", "due_date": "2026-01-10"})
    job = await client.app[OUTBOX].enqueue(OutboundMessage(recipient=contact.phone, template=reminder))

    async def sent() -> bool:
        return (await client.app[STORE].queue.get(job.id)).state is JobState.SENT

    assert await eventually(sent), "sent, so its log entry holds the rendered text, not the template"
    [asked] = await contact.send(stop)
    assert asked.titles[1] == category and f"*{category}*" in asked.text
    [done] = await contact.press(category)
    assert done.text.startswith(stopped)
    settings = await settings_of(contact)
    assert settings["opted_out_categories"] == ["billing"] and "opted_out" not in settings
    await contact.send("start")
    assert "opted_out_categories" not in await settings_of(contact), "START opts back in to everything"


@pytest.mark.parametrize("word", ["stop", "sair", "STOP!", "parar", "रोकें", "start"])
async def test_a_keyword_inside_a_form_asks_whether_to_leave_it_and_opts_nobody_out(chat, word):
    for step in ("menu", "Quality", "Report", "4411"):
        await chat.send(step)
    [asked] = await chat.send(word)
    assert asked.text.startswith("You are in the middle of a form")
    assert asked.titles == ["Leave the form", "Continue"]
    [severity] = await chat.press("Continue")
    assert severity.titles == ["Low", "High"], "the form goes on where it was"
    await chat.send(word)
    [kind] = await chat.send("high")
    assert kind.text == "What kind?", "the step's own choices still answer it"
    await chat.send(word)
    left, menu = await chat.press("Leave the form")
    assert left.text.startswith("You left the form.") and "*stop*" in left.text
    assert menu.titles == ["Quality", "Help"]
    settings = await settings_of(chat)
    assert "opted_out" not in settings and "opted_out_categories" not in settings
    assert chat.plugin.reports == []


async def test_a_keyword_inside_a_form_in_portuguese(chat):
    await chat.send("oi")
    for step in ("Quality", "Report", "4411"):
        await chat.send(step)
    [asked] = await chat.send("sair")
    assert asked.text.startswith("Você está no meio de um formulário")
    assert asked.titles == ["Sair do formulário", "Continuar"]
    assert "opted_out" not in await settings_of(chat)


@pytest.mark.parametrize(
    ("greeting", "typed", "question"),
    [
        ("नमस्ते", "रोकें", "डिलीवरी किस तारीख तक रोकें?"),
        ("مرحبا", "إيقاف", "حتى أي تاريخ"),
        ("hello", "pause", "Until which date"),
    ],
)
async def test_a_word_of_an_option_on_screen_picks_it_instead_of_opting_out(make_gateway, clock, greeting, typed,
                                                                            question):
    contact = SimulatedContact(await make_gateway([BillingPlugin()]), clock=clock)
    [_, menu] = await contact.send(greeting)
    await contact.press(menu.titles[0])
    [asked] = await contact.send(typed)
    assert asked.text.startswith(question)
    assert "opted_out" not in await settings_of(contact)


@pytest.mark.parametrize("text", ["please stop the delivery tomorrow", "no quiero darme de baja", "stop it now"])
async def test_a_keyword_inside_a_sentence_is_not_a_command(chat, text):
    [reply] = await chat.send(text)
    assert not reply.text.startswith(("Stop all notifications", "¿Dejar de recibir"))
    assert "opted_out" not in await settings_of(chat)
