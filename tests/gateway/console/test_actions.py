"""Operators act on a conversation by POST forms: answered by a redirect back without
JavaScript, by 204 or a JSON error for the page's script; refusals are said in words next
to the control and lose nothing typed."""

from urllib.parse import unquote

import pytest

from gateway.appkeys import HANDOVERS, STORE
from gateway.handover.card import HandoverState
from gateway.ports.records import LogQuery
from tests.gateway.console.conftest import WHATSAPP_CONTACT, WHATSAPP_PAGE, as_operator, whatsapp_contact_wrote

pytestmark = pytest.mark.usefixtures("alice_signed_in")

PAGE = "/console/contacts/sim%3A%2B15550001111"
FETCHED = {"X-Console-Fetch": "1"}


async def post(client, action: str, headers: dict | None = None, **fields: str):
    return await client.post(
        f"{PAGE}/{action}", data={"csrf": client.csrf, **fields}, headers=headers or {}, allow_redirects=False
    )


async def test_take_reply_and_hand_back_each_redirect_back_to_the_conversation(console, contact):
    await contact.send("agent")
    taken = await post(console, "take")
    assert taken.status == 303 and unquote(taken.headers["Location"]) == unquote(PAGE)
    assert (await console.app[HANDOVERS].card(contact.phone)).assigned_to == "alice"
    assert (await post(console, "reply", text="Hello, this is Alice")).status == 303
    page = await (await console.get(PAGE)).text()
    assert "Hello, this is Alice" in page and "assigned to you" in page
    assert (await post(console, "hand-back")).status == 303
    assert (await console.app[HANDOVERS].card(contact.phone)).state is HandoverState.BOT


async def test_the_operator_who_wrote_a_reply_is_named_on_it(console, contact):
    await contact.send("agent")
    await post(console, "reply", text="Alice here")
    logged = await console.app[STORE].log.query(LogQuery(contact=contact.phone))
    assert [entry.payload.get("sent_by") for entry in logged.entries if entry.payload.get("text") == "Alice here"] == [
        "alice"
    ]
    assert '<p class="author">alice</p>' in await (await console.get(PAGE)).text()


async def test_with_the_script_an_action_answers_204(console, contact):
    await contact.send("agent")
    assert (await post(console, "take", FETCHED)).status == 204


async def test_outside_the_window_free_text_is_refused_in_words(console, clock):
    await whatsapp_contact_wrote(console, clock)
    clock.advance(hours=25)
    console.csrf = await as_operator(console, "alice")  # the day-old session has ended
    refused = await console.post(
        f"{WHATSAPP_PAGE}/reply", data={"csrf": console.csrf, "text": "Still there?"}, allow_redirects=False
    )
    assert refused.status == 409
    assert "more than 24 hours ago, so WhatsApp delivers only an approved template" in await refused.text()
    fetched = await console.post(
        f"{WHATSAPP_PAGE}/reply", data={"csrf": console.csrf, "text": "Still there?"}, headers=FETCHED
    )
    error = (await fetched.json())["error"]
    assert fetched.status == 409 and error["field"] == "composer" and "24 hours" in error["message"]


async def test_outside_the_window_an_approved_template_goes_with_its_parameters(console, clock):
    await whatsapp_contact_wrote(console, clock)
    clock.advance(hours=25)
    console.csrf = await as_operator(console, "alice")  # the day-old session has ended
    approved = {"meta": {"name": "follow_up", "language": "en", "parameters": ["order"]}}
    await console.app[STORE].templates.save("follow_up", "en", "About {{ order }}", provider_template=approved)
    form = {"csrf": console.csrf, "template": "follow_up", "language": "en"}
    other = await console.post(f"{WHATSAPP_PAGE}/reply", data=form | {"template": "greeting"}, headers=FETCHED)
    assert other.status == 422
    refusal = (await other.json())["error"]["message"]
    assert refusal == "template: greeting (en) is not approved for this contact's provider"
    missing = await console.post(f"{WHATSAPP_PAGE}/reply", data=form, headers=FETCHED)
    assert (await missing.json())["error"]["message"] == "parameters.order: Field required"
    empty = await console.post(f"{WHATSAPP_PAGE}/reply", data=form | {"parameter.order": ""}, headers=FETCHED)
    assert empty.status == 422 and (await empty.json())["error"]["message"].startswith("parameters.order: ")
    sent = await console.post(f"{WHATSAPP_PAGE}/reply", data=form | {"parameter.order": "A-42"}, allow_redirects=False)
    assert sent.status == 303
    logged = await console.app[STORE].log.query(LogQuery(contact=WHATSAPP_CONTACT))
    (reply,) = [entry.payload for entry in logged.entries if entry.payload.get("sent_by") == "alice"]
    template = reply.get("template") or reply["provider_template"]  # as queued, or as the worker tried it
    assert template["name"] == "follow_up" and "A-42" in str(template["parameters"])


async def test_a_conversation_another_operator_has_is_refused_naming_them(console, contact, make_gateway):
    await contact.send("agent")
    await post(console, "take")
    console.csrf = await as_operator(console, "bob")
    refused = await post(console, "reply", text="Bob here")
    assert refused.status == 409 and "alice has this conversation now" in await refused.text()
    assert ">Bob here</textarea>" in await refused.text()


async def test_an_empty_reply_is_refused_naming_the_field(console, contact):
    await contact.send("agent")
    refused = await post(console, "reply", FETCHED, text="   ")
    assert refused.status == 422 and (await refused.json())["error"]["message"].startswith("text: ")


async def test_tags_pin_and_block(console, contact):
    await contact.send("hi")
    assert (await post(console, "tags", tags="billing, vip, billing")).status == 303
    assert (await post(console, "pin", on="true")).status == 303
    assert (await post(console, "block", on="true")).status == 303
    card = await console.app[HANDOVERS].card(contact.phone)
    assert (card.tags, card.pinned, card.blocked) == (["billing", "vip"], True, True)
    page = await (await console.get(PAGE)).text()
    assert "This contact is blocked" in page and "<textarea" not in page
    assert '<span class="tag">billing</span><span class="tag">vip</span>' in page


async def test_bad_tags_are_refused_naming_the_field(console, contact):
    await contact.send("hi")
    refused = await post(console, "tags", FETCHED, tags="ok, <script>")
    assert refused.status == 422 and (await refused.json())["error"]["message"].startswith("tags.1: ")
    too_many = await post(console, "tags", FETCHED, tags=",".join(f"t{n}" for n in range(11)))
    assert too_many.status == 422 and "tags: " in (await too_many.json())["error"]["message"]
    assert (await console.app[HANDOVERS].card(contact.phone)).tags == []


async def test_a_switch_must_be_true_or_false(console, contact):
    await contact.send("hi")
    refused = await post(console, "pin", FETCHED, on="maybe")
    assert refused.status == 422 and (await refused.json())["error"]["message"] == "on: must be true or false"
