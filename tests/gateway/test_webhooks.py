"""Webhook routes as providers call them: verified, parsed, stored once, answered fast;
everything else refused with the right status and nothing stored."""

import json
from urllib.parse import urlencode

import pytest

from gateway.app import create_app
from gateway.appkeys import INBOX, STORE
from gateway.ports.records import LogQuery, LogStatus
from gateway.testing import meta_headers, myoperator_headers, twilio_headers
from tests.adapters.channels.conftest import fixture_bytes, fixture_json
from tests.gateway_fixtures import (
    META_SECRET,
    MYOPERATOR_SECRET,
    PUBLIC_URL,
    TWILIO_TOKEN,
    eventually,
    meta_text,
)


def signed_meta(payload: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, meta_headers(body, META_SECRET)


def signed_twilio(params: dict[str, str], path: str = "/webhooks/twilio") -> tuple[bytes, dict[str, str]]:
    return urlencode(params).encode(), twilio_headers(PUBLIC_URL + path, params, TWILIO_TOKEN)


async def logged(gateway) -> list:
    await gateway.app[INBOX].idle()
    return (await gateway.app[STORE].log.query(LogQuery())).entries


async def metric(gateway, provider: str, outcome: str) -> float:
    text = await (await gateway.get("/metrics")).text()
    line = f'gateway_webhook_requests_total{{outcome="{outcome}",provider="{provider}"}} '
    return next((float(row.removeprefix(line)) for row in text.splitlines() if row.startswith(line)), 0.0)


# ------------------------------------------------------------------ accepted and deduplicated


async def test_meta_message_is_stored_once_and_processed_once_even_when_redelivered(gateway, echo, clock):
    body, headers = signed_meta(meta_text())
    first = await gateway.post("/webhooks/meta", data=body, headers=headers)
    assert first.status == 200
    clock.advance(days=3)  # Meta retries for up to a week
    again = await gateway.post("/webhooks/meta", data=body, headers=headers)
    assert again.status == 200
    inbound = [entry for entry in await logged(gateway) if entry.direction == "inbound"]
    assert len(inbound) == 1 and inbound[0].processed
    assert [message.provider_message_id for message in echo.seen] == ["wamid.IN1"]
    assert await metric(gateway, "meta", "accepted") == 1 and await metric(gateway, "meta", "duplicate") == 1


async def test_twilio_gets_empty_twiml_and_the_message_is_stored(gateway, echo):
    body, headers = signed_twilio(fixture_json("twilio", "text"))
    response = await gateway.post("/webhooks/twilio", data=body, headers=headers)
    assert response.status == 200 and response.content_type == "text/xml"
    assert (await response.text()).endswith("<Response/>")
    again = await gateway.post("/webhooks/twilio", data=body, headers=headers)
    assert again.status == 200
    await logged(gateway)
    assert len(echo.seen) == 1 and echo.seen[0].text == "Hi, is my order shipped?"


async def test_twilio_signature_covers_the_public_url_with_its_query(gateway, echo):
    body, headers = signed_twilio(fixture_json("twilio", "text"), path="/webhooks/twilio?tenant=plant-2")
    assert (await gateway.post("/webhooks/twilio?tenant=plant-2", data=body, headers=headers)).status == 200
    assert (await gateway.post("/webhooks/twilio?tenant=plant-3", data=body, headers=headers)).status == 403


async def test_myoperator_message_is_accepted_once_however_often_it_is_retried(gateway, echo, clock):
    body = fixture_bytes("myoperator", "text")
    for _ in range(3):  # MyOperator retries with back-off for up to 24 hours
        response = await gateway.post("/webhooks/myoperator", data=body, headers=myoperator_headers(MYOPERATOR_SECRET))
        assert response.status == 200
        clock.advance(hours=2)
    await logged(gateway)
    assert [message.provider_message_id for message in echo.seen] == ["4f2a9c1e-8b7d-4e55-a1c3-9d0e6f7a2b10"]
    assert await metric(gateway, "myoperator", "duplicate") == 2


async def test_a_meta_batch_stores_every_message(gateway, echo):
    body = fixture_bytes("meta", "batch")
    assert (await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))).status == 200
    inbound = [entry.provider_message_id for entry in await logged(gateway) if entry.direction == "inbound"]
    assert sorted(inbound) == ["wamid.A1", "wamid.B2", "wamid.Z12"]


# ------------------------------------------------------------------ statuses


async def test_status_callbacks_update_the_outbound_message(gateway, stand_ins):
    body, headers = signed_meta(meta_text())
    await gateway.post("/webhooks/meta", data=body, headers=headers)
    await stand_ins.meta.wait_for(1)
    store = gateway.app[STORE]
    reply = (await eventually(lambda: sent_replies(store)))[0]

    statuses = json.loads(fixture_bytes("meta", "status_read"))
    statuses["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = reply.provider_message_id
    body, headers = signed_meta(statuses)
    assert (await gateway.post("/webhooks/meta", data=body, headers=headers)).status == 200
    updated = await store.log.get(reply.id)
    assert updated.status is LogStatus.READ and [event.status for event in updated.status_history] == ["read"]
    assert await metric(gateway, "meta", "status") == 1


async def sent_replies(store) -> list:
    return (await store.log.query(LogQuery(direction="outbound", status=LogStatus.SENT))).entries


async def test_a_status_for_an_unknown_message_is_recorded_not_refused(gateway):
    body, headers = signed_twilio(fixture_json("twilio", "status_undelivered"))
    assert (await gateway.post("/webhooks/twilio", data=body, headers=headers)).status == 200
    assert await metric(gateway, "twilio", "status") == 1


# ------------------------------------------------------------------ refusals: nothing stored


@pytest.mark.parametrize(
    ("path", "headers", "status", "reason"),
    [
        ("/webhooks/meta", {"Content-Type": "application/json"}, 401, "missing_signature"),
        ("/webhooks/meta", meta_headers(b"{}", "wrong-secret"), 403, "bad_signature"),
        ("/webhooks/twilio", {"Content-Type": "application/x-www-form-urlencoded"}, 401, "missing_signature"),
        (
            "/webhooks/twilio",
            {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm9wZQ=="},
            403,
            "bad_signature",
        ),
        ("/webhooks/myoperator", {"Content-Type": "application/json"}, 401, "missing_signature"),
        ("/webhooks/myoperator", myoperator_headers("guess"), 403, "bad_signature"),
    ],
)
async def test_unsigned_or_badly_signed_webhooks_are_refused_and_nothing_is_stored(
    gateway, path, headers, status, reason
):
    provider = path.rsplit("/", 1)[1]
    body = {"meta": json.dumps(meta_text()).encode(), "twilio": urlencode(fixture_json("twilio", "text")).encode()}.get(
        provider, fixture_bytes("myoperator", "text")
    )
    response = await gateway.post(path, data=body, headers=headers)
    assert response.status == status
    assert (await response.json())["error"]["status"] == status
    assert await logged(gateway) == []
    assert await metric(gateway, provider, reason) == 1


async def test_a_malformed_but_signed_body_is_a_400_with_the_reason(gateway):
    body = b'{"object":"whatsapp_business_account","entry":[{"id":"1"}]}'
    response = await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    assert response.status == 400
    assert "changes" in (await response.json())["error"]["message"]
    assert await logged(gateway) == [] and await metric(gateway, "meta", "malformed") == 1


async def test_the_wrong_content_type_is_415(gateway):
    body = json.dumps(meta_text()).encode()
    response = await gateway.post(
        "/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET) | {"Content-Type": "text/plain"}
    )
    assert response.status == 415 and await metric(gateway, "meta", "unsupported_media_type") == 1


async def test_a_body_over_one_mebibyte_is_413(gateway):
    body = b"{" + b" " * (1024 * 1024) + b"}"
    response = await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    assert response.status == 413 and await logged(gateway) == []
    assert await metric(gateway, "meta", "too_large") == 1


async def test_an_unconfigured_provider_refuses_every_request_naming_the_variable(aiohttp_client, settings, clock):
    client = await aiohttp_client(create_app(settings, clock=clock, entry_points=False))
    body = json.dumps(meta_text()).encode()
    response = await client.post("/webhooks/meta", data=body, headers=meta_headers(body, "anything"))
    assert response.status == 503
    assert "META_APP_SECRET is not set" in (await response.json())["error"]["message"]
    twilio = await client.post(
        "/webhooks/twilio", data=b"MessageSid=SM1", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert twilio.status == 503 and "TWILIO_AUTH_TOKEN" in (await twilio.json())["error"]["message"]


# ------------------------------------------------------------------ Meta's handshake


async def test_meta_handshake_echoes_the_challenge_only_for_the_right_token(gateway):
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    response = await gateway.get("/webhooks/meta", params=query)
    assert response.status == 200 and await response.text() == "1158201444"
    refused = await gateway.get("/webhooks/meta", params=query | {"hub.verify_token": "nope"})
    assert refused.status == 403
