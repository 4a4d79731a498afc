"""The simulator's page and JSON endpoints, through the same pipeline as any provider; off
unless enabled, and never acting on a real contact."""

import json

import pytest

from gateway.app import create_app
from gateway.appkeys import INBOX, OUTBOX, SETTINGS, STORE
from gateway.models import OutboundMessage, Provider
from gateway.ports.records import JobState, LogQuery
from gateway.settings import Settings
from gateway.testing import SimulatedContact, meta_headers
from tests.gateway_fixtures import META_SECRET, eventually, meta_text

REAL_CUSTOMER = "+919812345678"


async def test_the_chat_page_is_served(gateway):
    response = await gateway.get("/simulator")
    assert response.status == 200 and response.content_type == "text/html"
    assert "/simulator/api/messages" in await response.text()


async def test_posting_as_a_phone_and_reading_the_conversation(gateway, clock):
    posted = await gateway.post("/simulator/api/messages", json={"phone": "+15550001111", "text": "buttons"})
    assert posted.status == 200

    async def transcript() -> list[dict]:
        await gateway.app[INBOX].idle()
        body = await (await gateway.get("/simulator/api/messages", params={"phone": "+15550001111"})).json()
        return body["messages"]

    messages = await transcript()
    assert [(m["direction"], m.get("text")) for m in messages] == [("inbound", "buttons"), ("outbound", "Severity?")]
    assert messages[1]["buttons"] == [{"id": "sev.low", "title": "Low"}, {"id": "sev.high", "title": "High"}]

    clock.advance(seconds=5)
    await gateway.post(
        "/simulator/api/messages", json={"phone": "+15550001111", "reply_id": "sev.high", "reply_title": "High"}
    )
    assert (await transcript())[-1]["text"] == "echo: sev.high"


async def test_the_simulated_phone_reports_a_reply_delivered_and_the_log_follows(gateway):
    await gateway.post("/simulator/api/messages", json={"phone": "+15550001111", "text": "ping"})

    async def sent_reply() -> dict | None:
        await gateway.app[INBOX].idle()
        body = await (await gateway.get("/simulator/api/messages", params={"phone": "+15550001111"})).json()
        return next((m for m in body["messages"] if m["direction"] == "outbound" and m["status"] == "sent"), None)

    reply = await eventually(sent_reply)
    assert reply["provider_message_id"].startswith("sim-")
    report = {"phone": "+15550001111", "message_id": reply["provider_message_id"], "status": "delivered"}
    assert (await gateway.post("/simulator/api/messages", json=report)).status == 200
    assert (await gateway.app[STORE].log.get(reply["id"])).status == "delivered"


async def test_a_redelivered_simulator_message_is_processed_once(gateway, echo):
    for _ in range(2):
        assert (
            await gateway.post("/simulator/api/messages", json={"phone": "+15550001111", "text": "ping", "id": "sim-1"})
        ).status == 200
    await gateway.app[INBOX].idle()
    assert len(echo.seen) == 1


async def test_a_bad_phone_is_refused_with_a_reason(gateway):
    response = await gateway.get("/simulator/api/messages", params={"phone": "call me"})
    assert response.status == 400 and "phone" in (await response.json())["error"]["message"]
    posted = await gateway.post("/simulator/api/messages", json={"phone": "12", "text": "hi"})
    assert posted.status == 400 and (await posted.json())["error"]["message"].startswith("phone: ")


async def test_the_page_says_it_is_a_simulator_of_contacts_that_are_not_real_customers(gateway):
    page = await (await gateway.get("/simulator")).text()
    assert "This is a simulator, not WhatsApp" in page and "not a real customer" in page


async def test_the_page_links_to_the_operator_console_where_its_contacts_can_be_taken_over(gateway):
    assert '<a href="/console"' in await (await gateway.get("/simulator")).text()


async def test_the_transcript_names_the_simulated_contact(gateway):
    body = await (await gateway.get("/simulator/api/messages", params={"phone": "+15550001111"})).json()
    assert body["phone"] == "sim:+15550001111"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/simulator"), ("GET", "/simulator/api/messages"), ("POST", "/simulator/api/messages")]
)
async def test_the_simulator_is_off_unless_enabled_and_says_how_to_turn_it_on(
    aiohttp_client, tmp_path, clock, method, path
):
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}")
    client = await aiohttp_client(create_app(settings, clock=clock, entry_points=False))
    response = await client.request(method, path, json={"phone": "+15550001111", "text": "hi"})
    assert response.status == 404
    assert (await response.json())["error"]["message"] == (
        "the simulator is off: start the gateway with GATEWAY_SIMULATOR=true"
    )
    assert (await client.app[STORE].log.query(LogQuery())).entries == []


async def test_gateway_simulator_true_turns_it_on(aiohttp_client, tmp_path, clock, monkeypatch):
    monkeypatch.setenv("GATEWAY_SIMULATOR", "true")
    settings = Settings(_env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}")
    client = await aiohttp_client(create_app(settings, clock=clock, entry_points=False))
    assert (await client.get("/simulator")).status == 200
    assert (await client.post("/simulator/api/messages", json={"phone": "+15550001111", "text": "hi"})).status == 200


async def write_in_over_meta(gateway, text: str, message_id: str) -> None:
    body = json.dumps(meta_text(message_id, text, sender=REAL_CUSTOMER.removeprefix("+"))).encode()
    assert (await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))).status == 200
    await gateway.app[INBOX].idle()


async def request_with_text(provider, text: str):
    """The request that sent `text`, waiting for it: the turn's later replies may arrive first."""
    count = 1
    while not (found := [r for r in await provider.wait_for(count) if r.json().get("text", {}).get("body") == text]):
        count = len(provider.requests) + 1
    return found[0]


async def post_as_the_page_does(gateway, phone: str, text: str) -> None:
    assert (await gateway.post("/simulator/api/messages", json={"phone": phone, "text": text})).status == 200
    await gateway.app[INBOX].idle()


async def test_stop_in_the_simulator_as_a_real_customers_number_leaves_that_customer_alone(gateway):
    await write_in_over_meta(gateway, "hello", "wamid.REAL1")
    store = gateway.app[STORE]
    before = (await store.settings.contact(REAL_CUSTOMER)).values
    assert before["last_provider"] == "meta"

    await post_as_the_page_does(gateway, REAL_CUSTOMER, "stop")
    await post_as_the_page_does(gateway, REAL_CUSTOMER, "Stop all")  # the confirmation STOP asks for

    assert (await store.settings.contact(REAL_CUSTOMER)).values == before
    simulated = (await store.settings.contact(f"sim:{REAL_CUSTOMER}")).values
    assert simulated["opted_out"] is True and simulated["last_provider"] == "simulator"


async def test_a_real_customers_notification_still_leaves_through_their_provider(gateway, stand_ins):
    await write_in_over_meta(gateway, "hello", "wamid.REAL1")
    await stand_ins.meta.wait_for(1)
    await post_as_the_page_does(gateway, REAL_CUSTOMER, "stop")
    await post_as_the_page_does(gateway, REAL_CUSTOMER, "Stop all")

    job = await gateway.app[OUTBOX].enqueue(OutboundMessage(recipient=REAL_CUSTOMER, text="Your order shipped"))

    notification = await request_with_text(stand_ins.meta, "Your order shipped")
    assert notification.json()["to"] == REAL_CUSTOMER.removeprefix("+")
    assert job.message["provider"] == "meta"


async def test_a_simulated_contacts_message_goes_to_the_simulator_whatever_provider_it_names(gateway, clock, stand_ins):
    contact = SimulatedContact(gateway, "+15550001111", clock)
    job = await gateway.app[OUTBOX].enqueue(
        OutboundMessage(recipient=contact.phone, text="Your order shipped", provider=Provider.MYOPERATOR)
    )

    async def delivered() -> bool:
        return (await gateway.app[STORE].queue.get(job.id)).state is JobState.SENT

    assert await eventually(delivered)
    transcript = await (await gateway.get("/simulator/api/messages", params={"phone": "+15550001111"})).json()
    assert transcript["messages"][-1]["text"] == "Your order shipped"
    assert stand_ins.myoperator.requests == []


async def test_a_real_contacts_notification_is_never_delivered_by_the_simulator(make_gateway, clock):
    client = await make_gateway()
    store = client.app[STORE]
    await store.settings.update_contact(REAL_CUSTOMER, {"last_provider": "simulator"})  # as an older version left it
    job = await client.app[OUTBOX].enqueue(OutboundMessage(recipient=REAL_CUSTOMER, text="Payment due"))

    async def dead():
        failed = await store.queue.get(job.id)
        return failed if failed.state is JobState.DEAD else None

    assert "the simulator reaches only simulated contacts" in (await eventually(dead)).last_error


async def test_a_real_contact_an_older_version_left_on_the_simulator_is_notified_through_a_real_provider(gateway):
    await gateway.app[STORE].settings.update_contact(REAL_CUSTOMER, {"last_provider": "simulator"})
    job = await gateway.app[OUTBOX].enqueue(OutboundMessage(recipient=REAL_CUSTOMER, text="Payment due"))
    assert job.message["provider"] == gateway.app[SETTINGS].notification_provider == Provider.TWILIO


async def test_no_provider_can_speak_for_a_simulated_contact(gateway):
    body = json.dumps(meta_text("wamid.FORGED", "stop", sender="sim:+15550001111")).encode()
    response = await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    assert response.status == 400
    assert "only the simulator speaks for simulated contacts" in (await response.json())["error"]["message"]
    await gateway.app[INBOX].idle()
    assert (await gateway.app[STORE].settings.contact("sim:+15550001111")).values == {}
