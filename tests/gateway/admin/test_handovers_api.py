"""The handover routes of the admin API, operators' replies through POST /api/v1/messages, and
blocking through PATCH /api/v1/contacts: every transition, with the 404, 409 and 422 answers."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway import gauges
from gateway.appkeys import CLOCK, HANDOVERS, METRICS, STORE
from gateway.handover.card import NAMESPACE, ConversationCard
from gateway.models import InboundMessage
from gateway.testing import SimulatedContact

TOKEN = "admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(admin_token=TOKEN)


async def call(client, method: str, path: str, status: int, **body):
    sent = {} if method == "GET" else {"json": body}
    response = await client.request(method, f"/api/v1{path}", headers=AUTH, **sent)
    assert response.status == status, await response.text()
    return await response.json()


async def test_an_operator_takes_replies_and_hands_back_through_the_api(api, clock):
    contact = SimulatedContact(api, clock=clock)
    await contact.send("agent")
    [waiting] = (await call(api, "GET", "/handovers?state=waiting", 200))["handovers"]
    assert (waiting["contact"], waiting["state"], waiting["reason"]) == (contact.phone, "waiting", "asked")
    assert (await call(api, "GET", "/handovers?state=assigned", 200))["handovers"] == []

    taken = await call(api, "POST", f"/handovers/{contact.phone}/take", 200, operator="asha")
    assert (taken["state"], taken["assigned_to"]) == ("assigned", "asha")
    refused = await call(api, "POST", f"/handovers/{contact.phone}/take", 409, operator="ravi")
    assert "assigned to asha" in refused["error"]["message"]

    queued = await call(api, "POST", "/messages", 202, recipient=contact.phone, text="Hi, Asha here.", sent_by="asha")
    logged = await api.app[STORE].log.get(queued["job"])
    assert logged.payload["sent_by"] == "asha", "the operator is named on the log entry"
    await call(api, "POST", "/messages", 409, recipient=contact.phone, text="me too", sent_by="ravi")

    back = await call(api, "POST", f"/handovers/{contact.phone}/handback", 200, operator="asha")
    assert (back["state"], back["outcome"]) == ("bot", "handed_back")
    one = await call(api, "GET", f"/handovers/{contact.phone}", 200)
    assert [event["kind"] for event in one["events"]] == ["requested", "taken", "replied", "handed_back"]
    assert one["events"][1]["operator"] == "asha"
    await call(api, "POST", f"/handovers/{contact.phone}/close", 409, operator="asha")


async def test_a_handover_is_requested_and_closed_through_the_api(api, clock):
    contact = SimulatedContact(api, clock=clock)
    await contact.send("hello")
    requested = await call(api, "POST", f"/handovers/{contact.phone}", 201, detail="invoice dispute")
    assert (requested["state"], requested["reason"], requested["detail"]) == ("waiting", "api", "invoice dispute")
    await call(api, "POST", f"/handovers/{contact.phone}", 409)
    closed = await call(api, "POST", f"/handovers/{contact.phone}/close", 200, operator="ravi")
    assert (closed["state"], closed["outcome"]) == ("closed", "closed")
    [listed] = (await call(api, "GET", "/handovers?state=closed", 200))["handovers"]
    assert listed["contact"] == contact.phone


async def test_bad_requests_name_what_is_wrong(api, clock):
    contact = SimulatedContact(api, clock=clock)
    await contact.send("agent")
    missing = await call(api, "POST", f"/handovers/{contact.phone}/take", 422)
    assert missing["error"]["fields"][0]["path"] == "operator"
    assert (await call(api, "GET", "/handovers?state=lost", 422))["error"]["fields"][0]["path"] == "state"
    unknown = await call(api, "GET", "/handovers/+14155550199", 404)
    assert "never written" in unknown["error"]["message"]
    await call(api, "POST", "/handovers/+14155550199/take", 404, operator="asha")
    assert (await call(api, "GET", "/handovers/not-a-phone", 422))["error"]["fields"][0]["path"] == "phone"
    late = await call(
        api, "POST", "/messages", 422, recipient=contact.phone, text="x", sent_by="asha", send_at="2026-02-01T00:00:00Z"
    )
    assert late["error"]["fields"][0]["path"] == "send_at"


async def test_an_operator_writes_free_text_only_inside_the_24_hour_window(api, clock):
    message = InboundMessage(
        provider="meta",
        provider_message_id="wamid.1",
        sender="+919812345678",
        timestamp=clock.now(),
        kind="text",
        text="hello",
    )
    await api.app[HANDOVERS].note_inbound(message)
    clock.advance(hours=25)
    refused = await call(api, "POST", "/messages", 422, recipient="+919812345678", text="Still there?", sent_by="asha")
    assert "24 hours" in refused["error"]["message"] and "approved provider template" in refused["error"]["message"]
    template = {"name": "follow_up", "language": "en", "parameters": ["Asha"]}
    await call(api, "POST", "/messages", 202, recipient="+919812345678", provider_template=template, sent_by="asha")
    assert (await api.app[HANDOVERS].card("+919812345678")).assigned_to == "asha"


async def test_a_contact_blocked_through_the_api_is_not_answered_and_operators_cannot_write(api, clock):
    contact = SimulatedContact(api, clock=clock)
    await contact.send("hello")
    changed = await call(api, "PATCH", f"/contacts/{contact.phone}", 200, blocked=True)
    assert changed["blocked"] is True
    assert (await api.app[HANDOVERS].card(contact.phone)).blocked
    assert await contact.send("hello?") == []
    blocked = await call(api, "POST", "/messages", 409, recipient=contact.phone, text="hi", sent_by="asha")
    assert "blocked" in blocked["error"]["message"]
    unblocked = await call(api, "PATCH", f"/contacts/{contact.phone}", 200, blocked=None)
    assert "blocked" not in unblocked
    assert not (await api.app[HANDOVERS].card(contact.phone)).blocked


async def test_handover_routes_are_in_the_openapi_document(api):
    paths = (await call(api, "GET", "/openapi.json", 200))["paths"]
    assert {"get"} <= set(paths["/api/v1/handovers"])
    assert {"get", "post"} <= set(paths["/api/v1/handovers/{phone}"])
    for action in ("take", "handback", "close"):
        assert "409" in paths[f"/api/v1/handovers/{{phone}}/{action}"]["post"]["responses"]


async def test_the_waiting_gauges_are_the_deployments_figure_from_the_store(api, clock):
    for number in range(2):
        await SimulatedContact(api, f"+1555000100{number}", clock=clock).send("agent")
    clock.advance(minutes=7)
    await gauges.refresh(api.app[STORE], api.app[METRICS], api.app[CLOCK])
    registry = api.app[METRICS].registry
    assert registry.get_sample_value("gateway_handovers_waiting") == 2
    assert registry.get_sample_value("gateway_handover_oldest_waiting_seconds") == 7 * 60 + 1


async def test_the_handover_list_pages_past_a_thousand_waiting_conversations(api, clock):
    records = api.app[STORE].records
    for n in range(1005):
        contact = f"sim:+1555{n:07d}"
        card = ConversationCard(contact=contact, version=1, state="waiting", requested_at=clock.now())
        card.last_activity_at = clock.now().replace(microsecond=n % 2)  # whole and fractional seconds alike
        await records.put(NAMESPACE, contact, card.model_dump(mode="json"))
        clock.advance(seconds=n % 3 // 2)  # some share a time, settled by contact
    shown, cursor = [], None
    while True:
        page = await call(api, "GET", "/handovers?limit=400" + (f"&cursor={cursor}" if cursor else ""), 200)
        shown += [(card["last_activity_at"], card["contact"]) for card in page["handovers"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert len(shown) == 1005 and len(set(shown)) == 1005, "every waiting conversation once"
    assert [contact for _, contact in shown][-1] == "sim:+15550000000", "the quietest comes last"


async def test_conversations_active_in_other_offsets_list_by_their_moment(api, clock):
    records = api.app[STORE].records
    india = timezone(timedelta(hours=5, minutes=30))
    moments = {
        "sim:+15550000001": datetime(2026, 12, 1, 15, 0, tzinfo=india),  # 09:30 UTC, the earliest
        "sim:+15550000002": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "sim:+15550000003": datetime(2026, 12, 1, 15, 45, tzinfo=india),  # 10:15 UTC, the latest
    }
    for contact, moment in moments.items():
        card = ConversationCard(contact=contact, version=1, state="waiting", last_activity_at=moment)
        await records.put(NAMESPACE, contact, card.model_dump(mode="json"))
    listed = (await call(api, "GET", "/handovers", 200))["handovers"]
    assert [card["contact"][-1] for card in listed] == ["3", "2", "1"]
    assert listed[0]["last_activity_at"] == "2026-12-01T10:15:00.000000+00:00"
