"""Every handover transition as contacts and operators live it: asking for a person (also inside
a form, or by a plugin), the bot's silence, taking, replying under the 24-hour rule, handing
back, closing and blocking, through the simulator channel on the injected clock."""

import asyncio
import pytest

from gateway.appkeys import ENGINE, HANDOVERS, METRICS, OUTBOX, STORE
from gateway.conversation.flows import Flow, MenuEntry, Step
from gateway.handover.card import HandoverOutcome, HandoverReason, HandoverState
from gateway.handover.service import ContactBlocked, HandoverConflict, OutsideWindow
from gateway.hookspecs import hookimpl
from gateway.models import Content, InboundMessage, OutboundMessage, Priority, ProviderTemplate
from gateway.ports.records import Direction, JobState, LogQuery
from gateway.testing import SimulatedContact
from tests.gateway_fixtures import eventually


class Orders:
    """A plugin with a form that hands over after three refused answers, and one that hands
    over from handle_message when asked for a refund."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.context = None

    @hookimpl
    def on_startup(self, context):
        self.context = context

    @hookimpl
    def register_menu_entries(self):
        return [
            MenuEntry("orders.track", "Track", "Orders", flow="orders.track", order=1),
            MenuEntry("orders.claim", "Claim", "Orders", flow="orders.claim", order=2),
        ]

    @hookimpl
    def register_translations(self):
        return {"en": {text: text for text in ("Orders", "Track", "Claim", "Order number?")}}

    @hookimpl
    def register_flows(self):
        order = Step("order", "Order number?", pattern=r"\d{4}")
        done = self._done
        return [Flow("orders.track", (order,), done), Flow("orders.claim", (order,), done, hand_over_on_failures=True)]

    async def _done(self, answers, conversation):
        return [Content(text=f"Order {answers['order']} is on its way.")]

    @hookimpl
    async def handle_message(self, message, conversation):
        self.seen.append(message.text)
        if message.text == "refund":
            return await self.context.handovers.hand_over(conversation, detail="refund asked")
        return [Content(text=f"echo {message.text}")]


def told(client, key: str, **params) -> str:
    return client.app[ENGINE].catalog.text(key, "en", **params)


async def outbound(client, contact: str) -> list[dict]:
    """Every message queued to a simulated contact, oldest first."""
    phone = contact.removeprefix("sim:")
    transcript = await (await client.get("/simulator/api/messages", params={"phone": phone})).json()
    return [entry for entry in transcript["messages"] if entry["direction"] == "outbound"]


def handovers_ended(client, reason: str, outcome: str) -> float:
    return client.app[METRICS].registry.get_sample_value(
        "gateway_handovers_total", {"reason": reason, "outcome": outcome}
    ) or 0.0


@pytest.fixture
async def gateway(make_gateway):
    plugin = Orders()
    client = await make_gateway([plugin])
    client.plugin = plugin
    return client


async def test_asking_for_a_person_hands_over_and_the_bot_stays_silent_until_menu(gateway, clock):
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("hello")
    [announcement] = await contact.send("agent")
    assert announcement.text == told(gateway, "handover.requested")
    card = await gateway.app[HANDOVERS].card(contact.phone)
    assert (card.state, card.reason) == (HandoverState.WAITING, HandoverReason.ASKED)

    assert await contact.send("where is my order?") == [], "the plugin does not answer"
    assert await contact.send("help") == [], "commands other than menu are not interpreted"
    assert await contact.send("1") == [], "nor are options of the menu shown before"
    assert "where is my order?" not in gateway.plugin.seen
    card = await gateway.app[HANDOVERS].card(contact.phone)
    assert (card.last_message, card.unread) == ("1", 5), "operators see every message"

    [menu] = await contact.send("menu")
    assert menu.titles == ["Orders", "Help"]
    card = await gateway.app[HANDOVERS].card(contact.phone)
    assert (card.state, card.outcome) == (HandoverState.BOT, HandoverOutcome.CONTACT_RETURNED)
    assert handovers_ended(gateway, "asked", "contact_returned") == 1
    assert (await contact.send("any news?"))[0].text == "echo any news?", "the bot answers again"


async def test_asking_for_a_person_inside_a_form_drops_the_form_and_says_so(gateway, clock):
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("menu")
    await contact.press("Orders")
    [question] = await contact.press("Track")
    assert question.text == "Order number?"
    dropped, announcement = await contact.send("agent")
    assert dropped.text == told(gateway, "handover.form_dropped")
    assert announcement.text == told(gateway, "handover.requested")
    await contact.send("bot")
    assert (await contact.send("4411"))[0].text == "echo 4411", "the form is gone: no order was tracked"


async def test_a_form_that_hands_over_on_failures_does_so_at_the_third_refused_answer(gateway, clock):
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("menu")
    await contact.press("Orders")
    await contact.press("Claim")
    await contact.send("x")
    await contact.send("y")
    *_, announcement = await contact.send("z")
    assert announcement.text == told(gateway, "handover.requested")
    card = await gateway.app[HANDOVERS].card(contact.phone)
    assert (card.state, card.reason) == (HandoverState.WAITING, HandoverReason.PLUGIN)
    assert card.detail == "3 answers refused in form orders.claim"


async def test_a_form_without_the_option_still_ends_at_the_third_refused_answer(gateway, clock):
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("menu")
    await contact.press("Orders")
    await contact.press("Track")
    for answer in ("x", "y", "z"):
        replies = await contact.send(answer)
    assert replies[0].text == told(gateway, "core.too_many_invalid")
    assert (await gateway.app[HANDOVERS].card(contact.phone)).state is HandoverState.BOT


async def test_a_plugin_hands_over_from_its_answer(gateway, clock):
    contact = SimulatedContact(gateway, clock=clock)
    [announcement] = await contact.send("refund")
    assert announcement.text == told(gateway, "handover.requested")
    card = await gateway.app[HANDOVERS].card(contact.phone)
    assert (card.state, card.reason, card.detail) == (HandoverState.WAITING, HandoverReason.PLUGIN, "refund asked")
    assert await contact.send("agent") == [], "asking again while waiting is one more message for people"


async def test_an_operator_takes_replies_and_hands_back_and_the_bot_greets_with_the_menu(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("agent")
    clock.advance(minutes=4)
    card = await handovers.take(contact.phone, "asha")
    assert (card.state, card.assigned_to) == (HandoverState.ASSIGNED, "asha")
    clock.advance(minutes=1)
    job = await handovers.reply(contact.phone, "asha", Content(text="Hello, this is Asha."))
    assert job.message["sent_by"] == "asha" and job.message["priority"] == 10
    card = await handovers.card(contact.phone)
    assert card.first_reply_at == clock.now()
    first_reply = gateway.app[METRICS].registry.get_sample_value("gateway_handover_first_reply_seconds_sum")
    assert first_reply == 5 * 60

    assert await contact.send("thanks") == [], "the bot stays silent while Asha answers"
    await handovers.hand_back(contact.phone, "asha")
    *_, back, menu = await outbound(gateway, contact.phone)
    assert back["text"] == told(gateway, "handover.handed_back")
    assert [row["title"] for row in menu["list"]["sections"][0]["rows"]] == ["Orders", "Help"]
    [chosen] = await contact.send("1")
    assert chosen.titles == ["Track", "Claim"], "the greeting's menu is the one a typed number picks from"
    assert [event["kind"] for event in await handovers.events(contact.phone)] == [
        "requested",
        "taken",
        "replied",
        "handed_back",
    ]
    assert handovers_ended(gateway, "asked", "handed_back") == 1


async def test_an_operator_can_take_a_bot_conversation_and_close_it(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("hello")
    card = await handovers.take(contact.phone, "ravi")
    assert (card.state, card.reason, card.assigned_to) == (HandoverState.ASSIGNED, HandoverReason.OPERATOR, "ravi")
    card = await handovers.close(contact.phone, "ravi")
    assert (card.state, card.outcome) == (HandoverState.CLOSED, HandoverOutcome.CLOSED)
    assert (await outbound(gateway, contact.phone))[-1]["text"] == told(gateway, "handover.closed")
    assert (await contact.send("all sorted now"))[0].text == "echo all sorted now", "the next message goes to the bot"
    with pytest.raises(HandoverConflict):
        await handovers.close(contact.phone, "ravi")
    with pytest.raises(HandoverConflict):
        await handovers.hand_back(contact.phone, "ravi")


async def test_of_two_operators_taking_at_once_exactly_one_wins(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("agent")
    results = await asyncio.gather(
        *(handovers.take(contact.phone, name) for name in ("asha", "ravi", "meena", "li")), return_exceptions=True
    )
    winners = [result.assigned_to for result in results if not isinstance(result, Exception)]
    assert len(winners) == 1
    assert all(isinstance(result, HandoverConflict) for result in results if isinstance(result, Exception))
    assert (await handovers.card(contact.phone)).assigned_to == winners[0]
    with pytest.raises(HandoverConflict, match=winners[0]):
        await handovers.reply(contact.phone, "someone else", Content(text="me too"))


async def test_two_gateways_on_one_store_let_one_operator_take_a_conversation(make_gateway, clock):
    first, second = await make_gateway([Orders()]), await make_gateway([Orders()])
    contact = SimulatedContact(first, clock=clock)
    await contact.send("agent")
    takes = [first.app[HANDOVERS].take(contact.phone, "asha"), second.app[HANDOVERS].take(contact.phone, "ravi")]
    results = await asyncio.gather(*takes, return_exceptions=True)
    assert sum(isinstance(result, HandoverConflict) for result in results) == 1
    winner = next(result.assigned_to for result in results if not isinstance(result, Exception))
    assert (await second.app[HANDOVERS].card(contact.phone)).assigned_to == winner


def meta_message(clock, text: str = "hello") -> InboundMessage:
    return InboundMessage(
        provider="meta",
        provider_message_id=f"wamid.{clock.now().timestamp()}",
        sender="+919812345678",
        timestamp=clock.now(),
        kind="text",
        text=text,
        profile_name="Asha",
    )


async def test_free_text_goes_only_inside_the_24_hour_window_and_templates_always(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    card = await handovers.note_inbound(meta_message(clock))
    assert (card.name, card.provider, card.unread) == ("Asha", "meta", 1)
    assert handovers.in_window(card)
    clock.advance(hours=24, seconds=1)
    assert not handovers.in_window(await handovers.card(card.contact))
    with pytest.raises(OutsideWindow, match="approved provider template"):
        await handovers.reply(card.contact, "asha", Content(text="Are you there?"))
    assert (await handovers.card(card.contact)).state is HandoverState.BOT, "a refused reply takes nothing"
    template = Content(provider_template=ProviderTemplate(name="follow_up", parameters=["Asha"]))
    job = await handovers.reply(card.contact, "asha", template)
    assert job.message["provider_template"]["name"] == "follow_up"
    await handovers.note_inbound(meta_message(clock, "yes"))
    assert await handovers.reply(card.contact, "asha", Content(text="Great.")), "the contact wrote: free text again"


async def test_a_message_noted_twice_counts_once(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    message = meta_message(clock)
    await handovers.note_inbound(message)
    card = await handovers.note_inbound(message)
    assert card.unread == 1
    assert (await handovers.mark_read(card.contact, "asha")).unread == 0


async def test_a_blocked_contact_is_never_answered_nor_written_to(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("agent")
    card = await handovers.set_blocked(contact.phone, True, "asha")
    assert card.blocked and card.state is HandoverState.CLOSED, "the handover under way ends"
    assert (await gateway.app[STORE].settings.contact(contact.phone)).values["blocked"] is True
    queued = len(await outbound(gateway, contact.phone))
    assert await contact.send("hello?") == []
    assert await contact.send("menu") == []
    assert len(await outbound(gateway, contact.phone)) == queued, "nothing was told to the blocked contact"
    entry = (await gateway.app[STORE].log.unprocessed_from(contact.phone, 10))
    assert entry == [], "their messages are kept and marked processed"
    assert (await handovers.card(contact.phone)).last_message == "menu"
    with pytest.raises(ContactBlocked):
        await handovers.reply(contact.phone, "asha", Content(text="hi"))
    with pytest.raises(ContactBlocked):
        await handovers.request(contact.phone, HandoverReason.API)
    await handovers.set_blocked(contact.phone, False, "asha")
    assert (await contact.send("all sorted now"))[0].text == "echo all sorted now"


async def test_a_requested_handover_is_announced_and_cannot_be_requested_twice(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("hello")
    card = await handovers.request(contact.phone, HandoverReason.API, "invoice dispute")
    assert (card.state, card.reason, card.detail) == (HandoverState.WAITING, HandoverReason.API, "invoice dispute")
    assert (await outbound(gateway, contact.phone))[-1]["text"] == told(gateway, "handover.requested")
    with pytest.raises(HandoverConflict, match="already waiting"):
        await handovers.request(contact.phone, HandoverReason.API)


async def test_the_announcement_gives_the_median_wait_of_recent_takes(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    for number, minutes in enumerate((2, 6, 20)):
        contact = SimulatedContact(gateway, f"+1555000200{number}", clock=clock)
        await contact.send("agent")
        clock.advance(minutes=minutes)
        await handovers.take(contact.phone, "asha")
    [announcement] = await SimulatedContact(gateway, "+15550003000", clock=clock).send("agent")
    assert announcement.text == told(gateway, "handover.requested.wait", minutes="6 minutes")


async def test_outside_support_hours_the_contact_is_told_when_the_team_is_back(make_gateway, clock):
    clock.advance(days=5, hours=10)  # Saturday 19:00 UTC, 00:30 on Sunday in India
    client = await make_gateway([Orders()])
    contact = SimulatedContact(client, clock=clock)
    [announcement] = await contact.send("agent")
    assert announcement.text == told(client, "handover.requested.away", when="Monday 09:00 IST")
    await client.app[STORE].settings.update_contact(contact.phone, {"language": "es"})
    await client.app[HANDOVERS].close(contact.phone, "asha")
    [spanish] = await contact.send("agent")
    assert "lunes 09:00 IST" in spanish.text


async def test_what_a_handover_tells_the_contact_is_keyed_by_the_handover_so_a_retry_sends_it_once(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("agent")
    card = await handovers.hand_back(contact.phone, "asha")
    page = await gateway.app[STORE].log.query(LogQuery(contact=contact.phone, direction=Direction.OUTBOUND, limit=2))
    keys = sorted(entry.payload["idempotency_key"] for entry in page.entries)
    assert keys == [f"handover:{card.handover_id}:handed_back:{n}" for n in (0, 1)]
    assert all(entry.payload["priority"] == 10 for entry in page.entries), "sent as replies"


async def test_tags_and_pins_are_kept_on_the_card(gateway, clock):
    handovers = gateway.app[HANDOVERS]
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("hello")
    await handovers.set_tags(contact.phone, ["vip", "billing", "vip"], "asha")
    card = await handovers.set_pinned(contact.phone, True, "asha")
    assert (card.tags, card.pinned) == (["vip", "billing"], True)
    assert [c.contact for c in await handovers.cards()] == [contact.phone]
    assert await handovers.cards(state=HandoverState.WAITING) == []



async def test_notifications_still_reach_a_contact_handed_over_to_people(gateway, clock):
    contact = SimulatedContact(gateway, clock=clock)
    await contact.send("agent")
    job = await gateway.app[OUTBOX].enqueue(
        OutboundMessage(recipient=contact.phone, text="Your order shipped.", priority=Priority.NOTIFICATION)
    )
    sent = await eventually(lambda: sent_job(gateway, job.id))
    assert sent.message["text"] == "Your order shipped."
    assert (await gateway.app[HANDOVERS].card(contact.phone)).state is HandoverState.WAITING


async def sent_job(client, job_id: str):
    job = await client.app[STORE].queue.get(job_id)
    return job if job.state is JobState.SENT else None
