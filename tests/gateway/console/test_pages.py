"""The console's pages, rendered: the inbox's order, search, filters and numbers; a
conversation's history with delivery states; the composer's 24-hour rule."""

import pytest

from gateway.appkeys import HANDOVERS, READ_RECEIPTS, STORE
from gateway.testing import SimulatedContact
from tests.gateway.console.conftest import WHATSAPP_PAGE, as_operator, whatsapp_contact_wrote

pytestmark = pytest.mark.usefixtures("alice_signed_in")

NUMBER, MASKED = "sim:+15550001111", "sim:********1111"
PAGE = "/console/contacts/sim%3A%2B15550001111"


async def test_the_inbox_lists_waiting_contacts_first_with_masked_numbers(console, clock):
    asker, chatter = SimulatedContact(console, "+15550001111", clock), SimulatedContact(console, "+15550002222", clock)
    await asker.send("agent")
    await chatter.send("hi")
    page = await (await console.get("/console")).text()
    assert page.index(MASKED) < page.index("sim:********2222")
    assert "waiting" in page and NUMBER not in page.replace('href="/console/contacts/sim%3A%2B15550001111', "")


async def test_numbers_are_shown_in_full_when_the_deployment_says_so(make_gateway, clock):
    client = await make_gateway(console_full_numbers=True)  # on the store where alice exists
    await as_operator(client, "alice")
    await SimulatedContact(client, "+15550001111", clock).send("hi")
    page = await (await client.get("/console")).text()
    assert NUMBER in page and MASKED not in page


async def test_search_and_filters_are_in_the_query_string(console, clock):
    await SimulatedContact(console, "+15550001111", clock).send("agent")
    await SimulatedContact(console, "+15550002222", clock).send("where is my parcel")
    waiting = await (await console.get("/console", params={"state": "waiting"})).text()
    assert MASKED in waiting and "sim:********2222" not in waiting
    found = await (await console.get("/console", params={"q": "PARCEL"})).text()
    assert "sim:********2222" in found and MASKED not in found
    by_number = await (await console.get("/console", params={"q": "555 000 1111"})).text()
    assert MASKED in by_number and "sim:********2222" not in by_number
    none = await (await console.get("/console", params={"provider": "simulator", "tag": "vip"})).text()
    assert "No conversation matches" in none


async def test_a_filter_the_console_never_offers_is_refused_naming_it(console):
    response = await console.get("/console", params={"state": "sleeping"})
    assert response.status == 400 and "state: must be one of" in await response.text()


async def test_the_conversation_shows_what_the_contact_saw_and_how_far_each_reply_got(console, contact):
    await contact.send("hi")
    greeting, menu = (reply.raw for reply in contact.last)
    report = {"phone": contact.phone, "message_id": greeting["provider_message_id"], "status": "delivered"}
    assert (await console.post("/simulator/api/messages", json=report)).status == 200
    page = await (await console.get(PAGE)).text()
    assert '<p class="text">hi</p>' in page and f'<p class="text">{menu["text"]}</p>' in page
    assert "<summary>Menu</summary>" in page and "<li>Help</li>" in page
    assert page.count("✓✓</span> delivered") == 1 and page.count("✓</span> sent") == 1


async def test_a_failed_reply_says_why(console, contact):
    await contact.send("hi")
    reply = contact.last[0].raw
    report = {"phone": contact.phone, "message_id": reply["provider_message_id"], "status": "failed"}
    report["error"] = "phone off"
    await console.post("/simulator/api/messages", json=report)
    assert "failed: phone off" in await (await console.get(PAGE)).text()


async def test_opening_a_conversation_marks_it_read(console, contact):
    await contact.send("hi")
    await contact.send("anyone?")
    assert (await console.app[HANDOVERS].card(contact.phone)).unread == 2
    assert '2<span class="visually-hidden"> unread' in await (await console.get("/console")).text()
    await console.get(PAGE)
    assert (await console.app[HANDOVERS].card(contact.phone)).unread == 0
    assert "unread" not in await (await console.get("/console")).text()


async def test_opening_unread_messages_shows_the_contact_they_were_read(console, contact, monkeypatch):
    receipts = []

    async def mark_read(contact: str, *, typing: bool = False) -> None:
        receipts.append((contact, typing))

    monkeypatch.setattr(console.app[READ_RECEIPTS], "mark_read", mark_read)
    await contact.send("hi")
    await console.get(PAGE)
    await console.get(PAGE)
    assert receipts == [(contact.phone, False)]
    await contact.send("still there?")
    assert (await console.post(f"{PAGE}/read", data={"csrf": console.csrf}, allow_redirects=False)).status == 303
    assert receipts == [(contact.phone, False)] * 2


async def test_inside_the_window_the_composer_takes_free_text(console, contact):
    await contact.send("agent")
    page = await (await console.get(PAGE)).text()
    assert '<textarea id="reply-text" name="text"' in page and "template-form" not in page


async def test_outside_the_window_the_composer_offers_only_approved_templates_and_says_why(console, clock):
    await whatsapp_contact_wrote(console, clock)
    approved = {"meta": {"name": "follow_up", "language": "en", "parameters": ["order"]}}
    await console.app[STORE].templates.save("follow_up", "en", "About {{ order }}", provider_template=approved)
    await console.app[STORE].templates.save("unapproved", "en", "Hello")
    assert "<textarea" in await (await console.get(WHATSAPP_PAGE)).text()
    clock.advance(hours=25)
    console.csrf = await as_operator(console, "alice")  # the day-old session has ended
    page = await (await console.get(WHATSAPP_PAGE)).text()
    assert "<textarea" not in page
    assert "more than 24 hours ago" in page and "only templates the provider approved" in page
    assert "Template follow_up (en)" in page and 'name="parameter.order"' in page and "unapproved" not in page


async def test_a_conversation_fragment_is_the_part_alone(console, contact):
    await contact.send("hi")
    fragment = await (await console.get("/console/fragments/contacts/sim%3A%2B15550001111/messages")).text()
    assert fragment.startswith('<ol class="messages"') and "<html" not in fragment


async def test_a_cursor_the_console_never_gave_is_refused_naming_it(console, contact):
    await contact.send("hi")
    response = await console.get(PAGE, params={"before": "not-a-cursor"})
    assert response.status == 400 and "before: cursor is not one this gateway issued" in await response.text()
