"""Read receipts as the contact sees them: the bot marks each message read with "typing…" as it
starts on it, the admin API marks the latest one read, and a provider without the API, or one
that fails or hangs, never costs the contact their reply."""

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

import pytest
from pydantic import SecretStr

from gateway.app import create_app
from gateway.appkeys import CHANNELS, HANDOVERS, HTTP_CLIENT, INBOX, METRICS, READ_RECEIPTS, STORE
from gateway.handover.card import HandoverReason
from gateway.outbound import receipts as receipts_module
from gateway.outbound.receipts import ReadOutcome, ReadReceipts
from gateway.testing import meta_headers, myoperator_headers, twilio_headers
from tests.adapters.channels.conftest import fixture_bytes, fixture_json
from tests.gateway_fixtures import META_SECRET, MYOPERATOR_SECRET, PUBLIC_URL, TWILIO_TOKEN, eventually, meta_text
from tests.stand_in_provider import Answer

TOKEN = "admin-secret-token"
CONTACT = "+919812345678"
TYPING = {"typing_indicator": {"type": "text"}}
T = TypeVar("T")


@pytest.fixture
async def gateway(aiohttp_client, provider_settings, clock, echo):
    """The fully configured test gateway, with the admin API on."""
    settings = provider_settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    return await aiohttp_client(create_app(settings, clock=clock, plugins=[echo], entry_points=False))


async def post_meta(gateway, message_id: str, text: str = "ping") -> None:
    body = json.dumps(meta_text(message_id, text)).encode()
    response = await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    assert response.status == 200


async def post_twilio(gateway) -> None:
    form = fixture_json("twilio", "text")
    headers = twilio_headers(PUBLIC_URL + "/webhooks/twilio", form, TWILIO_TOKEN)
    assert (await gateway.post("/webhooks/twilio", data=urlencode(form), headers=headers)).status == 200


async def post_myoperator(gateway) -> None:
    body = fixture_bytes("myoperator", "text")
    response = await gateway.post("/webhooks/myoperator", data=body, headers=myoperator_headers(MYOPERATOR_SECRET))
    assert response.status == 200


async def mark_read(gateway, contact: str = CONTACT, status: int = 200) -> dict:
    response = await gateway.post(f"/api/v1/contacts/{contact}/read", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == status, await response.text()
    return await response.json()


async def until(condition: Callable[[], T]) -> T:
    """`condition()` once it is truthy: for receipts, which go out in the background."""

    async def probe() -> T:
        return condition()

    return await eventually(probe)


def counted(gateway, provider: str, outcome: str) -> float:
    sample = {"provider": provider, "outcome": outcome}
    return gateway.app[METRICS].registry.get_sample_value("gateway_read_receipts_total", sample) or 0.0


# ------------------------------------------------------------------ the bot


async def test_the_bot_marks_each_meta_message_read_with_typing_as_it_answers(gateway, stand_ins):
    await post_meta(gateway, "wamid.IN1", "one")
    await post_meta(gateway, "wamid.IN2", "two")
    replies = await stand_ins.meta.wait_for(2)
    await until(lambda: len(stand_ins.meta.reads) == 2)
    read = {"messaging_product": "whatsapp", "status": "read"}
    assert sorted(r.json()["message_id"] for r in stand_ins.meta.reads) == ["wamid.IN1", "wamid.IN2"]
    assert all(r.json() == read | {"message_id": r.json()["message_id"]} | TYPING for r in stand_ins.meta.reads)
    assert [r.json()["text"]["body"] for r in replies] == ["echo: one", "echo: two"]
    assert counted(gateway, "meta", "sent") == 2


async def test_the_bot_shows_typing_on_twilio_and_records_myoperator_as_unsupported(gateway, stand_ins):
    await post_twilio(gateway)
    await post_myoperator(gateway)
    await stand_ins.twilio.wait_for(1)
    await stand_ins.myoperator.wait_for(1)
    [typing] = await until(lambda: stand_ins.twilio.reads)
    assert typing.form() == {"messageId": fixture_json("twilio", "text")["MessageSid"], "channel": "whatsapp"}
    assert not stand_ins.myoperator.reads and counted(gateway, "myoperator", "unsupported") == 1


@pytest.mark.parametrize("why", ["handed_over", "blocked"])
async def test_no_receipt_while_people_answer_the_contact_or_for_a_blocked_one(gateway, stand_ins, echo, why):
    handovers, settings = gateway.app[HANDOVERS], gateway.app[STORE].settings
    if why == "handed_over":
        await handovers.request(CONTACT, HandoverReason.API)
    else:
        await settings.update_contact(CONTACT, {"blocked": True})
    await post_meta(gateway, "wamid.IN1", "one")
    processed = {"outcome": "answered"}
    await until(lambda: gateway.app[METRICS].registry.get_sample_value("gateway_inbox_processed_total", processed))
    if why == "handed_over":
        await handovers.hand_back(CONTACT, "asha")
    else:
        await settings.update_contact(CONTACT, {"blocked": None})
    await post_meta(gateway, "wamid.IN2", "two")  # the bot's again: its receipt comes after any for IN1
    await until(lambda: counted(gateway, "meta", "sent") == 1)
    assert [read.json()["message_id"] for read in stand_ins.meta.reads] == ["wamid.IN2"]
    assert [message.text for message in await until(lambda: echo.seen)] == ["two"]


async def test_a_hanging_read_receipt_never_holds_up_the_reply_and_is_cancelled_at_shutdown(gateway, stand_ins):
    stand_ins.meta.read_answer = Answer(200, {"success": True}, delay=60)
    await post_meta(gateway, "wamid.IN1")
    [reply] = await stand_ins.meta.wait_for(1, timeout=2)  # under the receipt's 5 s timeout
    assert reply.json()["text"]["body"] == "echo: ping" and len(stand_ins.meta.reads) == 1
    async with asyncio.timeout(2):
        await gateway.app[READ_RECEIPTS].close()
    assert counted(gateway, "meta", "sent") == counted(gateway, "meta", "failed") == 0


@pytest.mark.parametrize("answer", [Answer(500, {"error": {"code": 131000}}), Answer(200, {}, delay=5)])
async def test_a_failed_or_timed_out_receipt_is_logged_and_counted_and_the_reply_goes_out(
    gateway, stand_ins, monkeypatch, caplog, answer
):
    monkeypatch.setattr(receipts_module, "TIMEOUT_SECONDS", 0.2)
    stand_ins.meta.read_answer = answer
    await post_meta(gateway, "wamid.IN1")
    await stand_ins.meta.wait_for(1)
    await until(lambda: counted(gateway, "meta", "failed") == 1)
    [warning] = [r for r in caplog.records if r.name == receipts_module.__name__ and r.levelno == logging.WARNING]
    assert "wamid.IN1" in warning.getMessage() and "***5678" in warning.getMessage()
    assert "EAAG-token" not in caplog.text and "919812345678" not in warning.getMessage()


async def test_receipts_beyond_those_under_way_are_dropped_not_queued(gateway, stand_ins, monkeypatch):
    monkeypatch.setattr(receipts_module, "AT_ONCE", 1)
    stand_ins.meta.read_answer = Answer(200, {"success": True}, delay=60)
    await post_meta(gateway, "wamid.IN1", "one")
    await post_meta(gateway, "wamid.IN2", "two")
    await stand_ins.meta.wait_for(2)
    assert len(stand_ins.meta.reads) == 1 and counted(gateway, "meta", "dropped") == 1


async def test_no_receipt_reaches_a_provider_whose_circuit_is_open(gateway, stand_ins):
    await post_meta(gateway, "wamid.IN1")
    await stand_ins.meta.wait_for(1)
    await gateway.app[INBOX].idle()
    app = gateway.app
    reads = len(stand_ins.meta.reads)
    kept_back = ReadReceipts(app[STORE].log, app[CHANNELS], app[HTTP_CLIENT], app[METRICS], lambda provider: False)
    assert await kept_back.mark_read(CONTACT) is ReadOutcome.FAILED
    assert len(stand_ins.meta.reads) == reads


# ------------------------------------------------------------------ the admin API


async def test_the_api_marks_the_contacts_latest_message_read_without_typing(gateway, stand_ins):
    await post_meta(gateway, "wamid.IN1", "one")
    await post_meta(gateway, "wamid.IN2", "two")
    await stand_ins.meta.wait_for(2)
    await gateway.app[INBOX].idle()
    before = len(stand_ins.meta.reads)
    assert await mark_read(gateway) == {"contact": CONTACT, "outcome": "sent"}
    assert stand_ins.meta.reads[before].json() == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN2",
    }


async def test_the_api_says_when_the_provider_cannot_mark_read_on_its_own(gateway, stand_ins):
    await post_twilio(gateway)
    await stand_ins.twilio.wait_for(1)
    await gateway.app[INBOX].idle()
    before = len(stand_ins.twilio.reads)
    assert (await mark_read(gateway))["outcome"] == "unsupported"
    assert len(stand_ins.twilio.reads) == before and counted(gateway, "twilio", "unsupported") == 1


async def test_the_api_answers_404_for_a_contact_with_no_message_and_422_for_no_number(gateway):
    assert "no message from" in (await mark_read(gateway, "+14155550123", 404))["error"]["message"]
    error = (await mark_read(gateway, "not-a-phone", 422))["error"]
    assert error["fields"][0]["path"] == "phone"
