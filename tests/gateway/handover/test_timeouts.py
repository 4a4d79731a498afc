"""Handovers nobody finishes go back to the bot on the injected clock: waiting past
GATEWAY_HANDOVER_WAIT_MINUTES (counted from the next opening outside support hours), or
assigned and quiet for GATEWAY_HANDOVER_IDLE_MINUTES; the contact is told and greeted."""

from datetime import datetime

from gateway.appkeys import ENGINE, HANDOVERS, METRICS, SCHEDULER, STORE
from gateway.handover.card import NAMESPACE, ConversationCard, HandoverOutcome, HandoverState
from gateway.handover.service import LISTED_AT_MOST
from gateway.handover.timeouts import CHECK_EVERY, JOB_NAME
from gateway.models import Content
from gateway.notifications.scheduler import NEXT_RUNS_NAMESPACE
from gateway.testing import SimulatedContact
from tests.gateway.handover.test_service import Orders, outbound

WAIT, IDLE = 30, 60


async def gateway_and_contact(make_gateway, clock):
    client = await make_gateway([Orders()], handover_wait_minutes=WAIT, handover_idle_minutes=IDLE)
    contact = SimulatedContact(client, clock=clock)
    await contact.send("agent")
    return client, contact


async def test_a_handover_nobody_takes_goes_back_to_the_bot_and_the_contact_is_told(make_gateway, clock):
    client, contact = await gateway_and_contact(make_gateway, clock)
    handovers = client.app[HANDOVERS]
    clock.advance(minutes=WAIT - 1)
    assert await handovers.expire() == 0
    clock.advance(minutes=1)
    assert await handovers.expire() == 1
    card = await handovers.card(contact.phone)
    assert (card.state, card.outcome) == (HandoverState.BOT, HandoverOutcome.WAIT_TIMEOUT)
    *_, told, menu = await outbound(client, contact.phone)
    assert told["text"] == client.app[ENGINE].catalog.text("handover.wait_timeout", "en")
    assert menu["list"] is not None
    assert await handovers.expire() == 0, "ended once"
    ended = client.app[METRICS].registry.get_sample_value(
        "gateway_handovers_total", {"reason": "asked", "outcome": "wait_timeout"}
    )
    assert ended == 1
    assert (await contact.send("all sorted now"))[0].text == "echo all sorted now"


async def test_asked_outside_support_hours_the_wait_counts_from_the_next_opening(make_gateway, clock):
    clock.advance(days=5, hours=10)  # Saturday 19:00 UTC; the team is back Monday 09:00 in India (03:30 UTC)
    client, contact = await gateway_and_contact(make_gateway, clock)
    handovers = client.app[HANDOVERS]
    clock.advance(hours=32, minutes=30 + WAIT - 1)
    assert await handovers.expire() == 0, "a Sunday is not spent waiting"
    clock.advance(minutes=1)
    assert await handovers.expire() == 1


async def test_an_assigned_handover_goes_back_after_a_quiet_while_either_way(make_gateway, clock):
    client, contact = await gateway_and_contact(make_gateway, clock)
    handovers = client.app[HANDOVERS]
    await handovers.take(contact.phone, "asha")
    clock.advance(minutes=IDLE - 5)
    await contact.send("still there?")  # the contact wrote: quiet from here
    clock.advance(minutes=IDLE - 5)
    await handovers.reply(contact.phone, "asha", Content(text="Yes, one moment."))  # so did Asha
    clock.advance(minutes=IDLE - 1)
    assert await handovers.expire() == 0
    clock.advance(minutes=1)
    assert await handovers.expire() == 1
    card = await handovers.card(contact.phone)
    assert (card.state, card.outcome) == (HandoverState.BOT, HandoverOutcome.IDLE_TIMEOUT)
    *_, told, _ = await outbound(client, contact.phone)
    assert told["text"] == client.app[ENGINE].catalog.text("handover.idle_timeout", "en")


async def test_the_scheduler_leader_runs_the_time_outs(make_gateway, clock):
    client, contact = await gateway_and_contact(make_gateway, clock)
    clock.advance(minutes=WAIT + 1)
    await client.app[SCHEDULER].run_once()  # unless its loop, ticking meanwhile, ran the job first
    assert (await client.app[HANDOVERS].card(contact.phone)).outcome is HandoverOutcome.WAIT_TIMEOUT
    next_run = await client.app[STORE].records.get(NEXT_RUNS_NAMESPACE, JOB_NAME)
    assert datetime.fromisoformat(next_run["next_run"]) == clock.now() + CHECK_EVERY


async def test_the_quietest_of_over_a_thousand_waiting_handovers_is_reached(make_gateway, clock):
    client, contact = await gateway_and_contact(make_gateway, clock)
    records = client.app[STORE].records
    clock.advance(minutes=WAIT)
    for n in range(LISTED_AT_MOST):
        other = f"sim:+1555{n:07d}"
        card = ConversationCard(contact=other, version=1, state=HandoverState.WAITING, requested_at=clock.now())
        card.last_activity_at = clock.now()
        await records.put(NAMESPACE, other, card.model_dump(mode="json"))
    assert await client.app[HANDOVERS].expire() == 1, "the one asked for first, and quiet since"
    assert (await client.app[HANDOVERS].card(contact.phone)).outcome is HandoverOutcome.WAIT_TIMEOUT
