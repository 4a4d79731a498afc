"""The simulator's page and JSON endpoints, through the same pipeline as any provider."""

from gateway.app import create_app
from gateway.appkeys import INBOX


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


async def test_the_simulator_can_be_switched_off(aiohttp_client, provider_settings, clock):
    settings = provider_settings.model_copy(update={"simulator": False})
    client = await aiohttp_client(create_app(settings, clock=clock, entry_points=False))
    assert (await client.get("/simulator")).status == 404
    assert (await client.post("/simulator/api/messages", json={"phone": "+15550001111", "text": "hi"})).status == 404
