"""The conversation engine as a contact lives it: menus, forms, commands, languages, timeouts
and plugin failures, through the simulator channel."""

import sqlite3

import pytest

from gateway.appkeys import ENGINE, HANDOVERS, INBOX, PLUGINS, STORE
from gateway.conversation.engine import FLOWS_NAMESPACE, MENU_NAMESPACE
from gateway.demo import DEMO_CUSTOMER, DEMO_OPERATOR
from gateway.handover.card import HandoverReason, HandoverState
from gateway.models import InboundMessage
from gateway.ports.store import StaleSession
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.orders.plugin import OrdersPlugin
from tests.gateway.conversation.quality_plugin import Quality


async def test_a_greeting_shows_the_main_menu_with_every_group(chat):
    greeting, menu = await chat.send("hello")
    assert greeting.text == "Hello! 👋"
    assert menu.text == "What would you like to do?" and menu.titles == ["Quality", "Help"]


async def test_a_complete_form_with_lookup_buttons_and_list(chat):
    await chat.send("menu")
    [entries] = await chat.press("Quality")
    assert entries.titles == ["Report", "Count"]
    [question] = await chat.press("Report")
    assert question.text == "Order number?" and question.options == []
    [severity] = await chat.send("4411")
    assert severity.titles == ["Low", "High"] and severity.raw["buttons"], "two choices go out as buttons"
    [kind] = await chat.press("High")
    assert kind.titles == ["Dent", "Scratch", "Crack", "Other"] and kind.raw["list"], "four go out as a list"
    [done] = await chat.press("Crack")
    assert done.text == "Recorded high crack on 4411."
    assert chat.plugin.reports == [{"order": "4411", "severity": "high", "kind": "crack"}]


async def test_typed_numbers_and_titles_answer_choices(chat):
    await chat.send("menu")
    await chat.send("1")  # Quality
    await chat.send("report")
    await chat.send("4412")
    await chat.send("LOW")
    [done] = await chat.send("4")
    assert done.text == "Recorded low other on 4412."


async def test_an_invalid_answer_is_explained_and_asked_again_and_three_cancel_the_form(chat):
    await chat.send("menu")
    await chat.press("Quality")
    await chat.press("Report")
    reason, again = await chat.send("12")
    assert (reason.text, again.text) == ("An order number has 4 digits.", "Order number?")
    reason, again = await chat.send("9999")
    assert reason.text == "There is no order 9999." and again.text == "Order number?"
    stopped, menu = await chat.send("abcd")
    assert stopped.text.startswith("That was not valid three times") and menu.titles == ["Quality", "Help"]
    [fallback] = await chat.send("4411")
    assert fallback.text.startswith("Sorry, I did not understand"), "the form is over"


async def test_a_choice_step_refuses_anything_but_its_options(chat):
    for step in ("menu", "Quality"):
        await chat.send(step)
    await chat.send("Report")
    await chat.send("4411")
    reason, again = await chat.send("medium")
    assert reason.text == "Please choose one of the options." and again.titles == ["Low", "High"]


async def test_back_goes_one_step_back_and_says_so_at_the_first(chat):
    for step in ("menu", "Quality", "Report", "4411"):
        await chat.send(step)
    [question] = await chat.send("back")
    assert question.text == "Order number?"
    notice, question = await chat.send("back")
    assert notice.text == "This is the first question." and question.text == "Order number?"


async def test_cancel_leaves_the_form(chat):
    for step in ("menu", "Quality", "Report"):
        await chat.send(step)
    cancelled, menu = await chat.send("cancel")
    assert cancelled.text == "Cancelled." and menu.titles == ["Quality", "Help"]


async def test_help_in_a_form_explains_and_asks_again(chat):
    for step in ("menu", "Quality", "Report"):
        await chat.send(step)
    explained, question = await chat.send("help")
    assert "*back*" in explained.text and question.text == "Order number?"


async def test_a_tap_on_a_menu_gone_stale_with_the_idle_timeout_gets_the_menu_and_says_so(chat, clock):
    for step in ("menu", "Quality"):
        await chat.send(step)
    clock.advance(minutes=31)
    notice, menu = await chat.press("Report")
    assert notice.text == "It has been a while, so we are back at the main menu."
    assert menu.titles == ["Quality", "Help"]


async def test_the_first_greeting_sets_the_language_and_it_is_kept(chat):
    greeting, menu = await chat.send("hola")
    assert greeting.text.startswith("¡Hola") and menu.text == "¿Qué quieres hacer?"
    assert menu.titles == ["Calidad", "Ayuda"]
    [entries] = await chat.press("Calidad")
    assert entries.titles == ["Report", "Count"], "a missing Spanish string falls back to English"
    [question] = await chat.press("Report")
    assert question.text == "¿Número de pedido?"
    await chat.send("cancel")
    _, menu = await chat.send("hello")
    assert menu.text == "¿Qué quieres hacer?", "a greeting people of every language use does not switch"


async def test_the_language_command_switches_language(chat):
    [languages] = await chat.send("language")
    assert languages.titles == ["English", "Español", "Français", "Português", "العربية", "हिन्दी"]
    confirmed, menu = await chat.press("Français")
    assert confirmed.text == "Désormais, je parlerai français." and menu.text == "Que souhaitez-vous faire ?"
    [languages] = await chat.send("idioma")
    confirmed, _ = await chat.press("हिन्दी")
    assert confirmed.text == "अब से मैं हिन्दी में बात करूँगा।"


async def test_help_entry_reports_a_problem_for_operators(chat):
    await chat.send("menu")
    [entries] = await chat.press("Help")
    assert entries.titles == ["FAQs", "Talk to a person", "Report a problem"]
    [prompt] = await chat.press("Report a problem")
    assert prompt.text == "Describe the problem in one message."
    [done] = await chat.send("The bot froze when I sent a photo")
    assert "*PRB-000001*" in done.text
    record = await chat.client.app[STORE].records.get("help", "PRB-000001")
    assert record["description"] == "The bot froze when I sent a photo" and record["contact"] == chat.phone


async def test_help_entry_answers_faqs(chat):
    await chat.send("menu")
    await chat.press("Help")
    [faq] = await chat.press("FAQs")
    assert faq.text.startswith("*How do I start?*")
    assert "*Can I talk to a person?* Send *agent*" in faq.text


async def test_talk_to_a_person_in_help_hands_the_conversation_to_the_team(chat):
    """Someone already on WhatsApp is not sent to a phone number: the team answers them here."""
    await chat.send("hola")
    await chat.press("Ayuda")
    [told] = await chat.press("Hablar con una persona")
    assert told.text.startswith("Una persona de nuestro equipo te responderá aquí")
    card = await chat.client.app[HANDOVERS].card(chat.phone)
    assert (card.state, card.reason) == (HandoverState.WAITING, HandoverReason.MENU)
    assert await chat.send("¿hay alguien?") == [], "the bot leaves the contact to the team"


async def test_a_plugin_that_raises_apologises_in_the_users_language_and_is_hidden(make_gateway, clock):
    client = await make_gateway([Quality(fail_on_complete=True)])
    chat = SimulatedContact(client, clock=clock)
    await chat.send("hola")
    await chat.press("Calidad")
    await chat.press("Report")
    await chat.send("4411")
    await chat.press("Low")
    [apology] = await chat.press("Dent")
    assert apology.text == "Lo siento, algo falló de nuestro lado. Inténtalo de nuevo en un momento."
    _, menu = await chat.send("hola")
    assert menu.titles == ["Ayuda"], "the broken plugin's entries are hidden"
    metrics = await (await client.get("/metrics")).text()
    assert 'gateway_plugin_errors_total{hook="flow:quality.report",plugin="' in metrics


async def test_a_session_changed_by_another_process_is_handled_again(make_gateway, clock, monkeypatch):
    client = await make_gateway([Quality()])
    chat = SimulatedContact(client, clock=clock)
    sessions = client.app[STORE].sessions
    save = sessions.save
    conflicts = []

    async def conflict_once(*args, **kwargs):
        if not conflicts:
            conflicts.append(True)
            raise StaleSession("changed")
        return await save(*args, **kwargs)

    monkeypatch.setattr(sessions, "save", conflict_once)
    [menu] = await chat.send("menu")
    assert conflicts and menu.titles == ["Quality", "Help"]


async def test_engine_catalog_has_every_core_string_in_every_language(chat):
    catalog = chat.client.app[ENGINE].catalog
    core_gaps = {
        language: {key for key in keys if key.startswith(("core.", "help."))}
        for language, keys in catalog.missing().items()
    }
    assert not any(core_gaps.values()), core_gaps


async def test_plugins_are_listed_with_their_hooks(chat):
    names = {info.name: info for info in chat.client.app[PLUGINS].describe()}
    assert {"gateway.default_replies", "gateway.default_help"} <= set(names)
    assert "register_flows" in names["gateway.default_help"].hooks


@pytest.mark.parametrize("answer", ["①", "²"])
async def test_a_numeral_the_menu_cannot_read_still_gets_an_answer(chat, answer):
    await chat.send("menu")
    assert await chat.send(answer), "the contact was left without an answer"


async def test_a_very_long_profile_name_is_greeted_shortened(chat):
    response = await chat.client.post(
        "/simulator/api/messages", json={"phone": chat.phone, "id": "long-name", "text": "hi", "name": "A" * 5000}
    )
    assert response.status == 200
    await chat.client.app[INBOX].idle()
    transcript = await (await chat.client.get("/simulator/api/messages", params={"phone": chat.phone})).json()
    greeting = next(m["text"] for m in transcript["messages"] if m["direction"] == "outbound")
    assert greeting.startswith("Hello " + "A" * 100 + "!")


async def test_a_retried_turn_counts_its_flows_and_menu_choices_once(make_gateway, clock, monkeypatch):
    client = await make_gateway([Quality()])
    chat = SimulatedContact(client, clock=clock)
    sessions = client.app[STORE].sessions
    save, refused = sessions.save, set()

    async def refuse_each_turn_once(contact, data, expected_version, ttl, fence=None):
        if expected_version not in refused:  # each turn saves over the next version
            refused.add(expected_version)
            raise StaleSession("the lease moved on")
        return await save(contact, data, expected_version=expected_version, ttl=ttl, fence=fence)

    monkeypatch.setattr(sessions, "save", refuse_each_turn_once)
    await chat.send("menu")
    await chat.press("Quality")
    await chat.press("Report")
    await chat.send("4411")
    await chat.press("High")
    [done] = await chat.press("Crack")
    assert done.text == "Recorded high crack on 4411." and len(refused) == 6
    records = client.app[STORE].records
    assert await records.sequences(FLOWS_NAMESPACE) == {"quality.report:started": 1, "quality.report:completed": 1}
    assert await records.sequences(MENU_NAMESPACE) == {"quality.report": 1}


async def test_counters_that_fail_after_the_session_save_do_not_run_the_turn_again(make_gateway, clock, monkeypatch):
    client = await make_gateway([Quality()])
    chat = SimulatedContact(client, clock=clock)
    records = client.app[STORE].records
    add = records.add

    async def locked_once(*arguments):
        monkeypatch.setattr(records, "add", add)
        raise sqlite3.OperationalError("database is locked")

    await chat.send("menu")
    monkeypatch.setattr(records, "add", locked_once)
    await chat.press("Quality")
    [prompt] = await chat.press("Report")
    assert "order" in prompt.text.lower(), "the menu pick was not taken again as the form's first answer"
    await chat.send("4411")
    await chat.press("High")
    [done] = await chat.press("Crack")
    assert done.text == "Recorded high crack on 4411."


async def test_a_message_handled_again_after_its_session_save_gets_the_same_replies_and_no_second_turn(
    make_gateway, clock
):
    client = await make_gateway([Quality()])
    engine, sessions = client.app[ENGINE], client.app[STORE].sessions
    menu = InboundMessage(
        provider="simulator",
        provider_message_id="sim.1",
        sender="sim:+15550001111",
        timestamp=clock.now(),
        kind="text",
        text="menu",
    )
    first = await engine.handle(menu, {})
    saved = await sessions.load(menu.sender)
    assert await engine.handle(menu, {}) == first, "a crash before the message was marked processed"
    assert (await sessions.load(menu.sender)).version == saved.version, "the conversation did not move on twice"
    pick = menu.model_copy(update={"id": "next", "provider_message_id": "sim.2", "text": "1"})
    [prompt] = await engine.handle(pick, {})
    assert prompt.list is not None or prompt.buttons, "the next message is answered from where the first left it"


@pytest.mark.parametrize("text", ["where is my order 4411?", "status of ORD-4411 please", "¿dónde está mi pedido 4411?"])
async def test_staff_naming_an_order_in_free_text_get_its_status_not_a_defect_report(make_gateway, clock, text):
    operator = SimulatedContact(await make_gateway([OrdersPlugin(), DefectsPlugin()]), DEMO_OPERATOR, clock)
    texts = [reply.text for reply in await operator.send(text) if reply.text]  # and the order's chart
    assert any("ORD-4411" in text and "GH-200" in text for text in texts), texts


async def test_a_bare_reference_two_forms_ask_for_offers_both_instead_of_a_dead_end(make_gateway, clock):
    operator = SimulatedContact(await make_gateway([OrdersPlugin(), DefectsPlugin()]), DEMO_OPERATOR, clock)
    [offered] = await operator.send("#4411")
    assert {"Order status", "Report a defect"} <= set(offered.titles)
    [question] = await operator.press("Order status")
    assert "order" in question.text.lower()


@pytest.mark.parametrize(
    ("text", "shows"),
    [
        ("where is my delivery?", "orders.deliveries"),
        ("¿cuándo llega mi entrega?", "orders.deliveries"),
        ("my subscription", "billing.subscription"),
        ("quiero ver mi suscripción", "billing.subscription"),
        ("my recent orders", "orders.recent"),
        ("mis pedidos", "orders.recent"),
    ],
)
async def test_a_built_in_entrys_keyword_in_free_text_opens_it(make_gateway, clock, text, shows):
    customer = SimulatedContact(await make_gateway([OrdersPlugin(), BillingPlugin()]), DEMO_CUSTOMER, clock)
    replies = await customer.send(text)
    counted = await customer.client.app[STORE].records.sequences(MENU_NAMESPACE)
    assert counted == {shows: 1}, [r.text for r in replies]


async def test_staff_open_a_sop_by_its_keyword(make_gateway, clock):
    operator = SimulatedContact(await make_gateway([DefectsPlugin()]), DEMO_OPERATOR, clock)
    [question] = await operator.send("I need the SOP")
    assert question.text == operator.client.app[ENGINE].catalog.text("defects.ask_sop", "en")
