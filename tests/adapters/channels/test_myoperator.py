"""MyOperator adapter: the shared secret header, Webhooks v2 events, and sends."""

import io
import json
import logging

import aiohttp
import pytest

from adapters.channels import myoperator
from gateway.appkeys import INBOX, STORE
from gateway.logs import TextFormatter
from gateway.models import DeliveryStatus, InboundKind, OutboundMessage
from gateway.ports.records import LogQuery
from gateway.ports.channel import SendError, WebhookRejected
from gateway.testing import myoperator_headers
from tests.adapters.channels.conftest import fixture_bytes, fixture_json
from tests.gateway_fixtures import MYOPERATOR_SECRET
from tests.stand_in_provider import Answer, StandInProvider

SECRET = "x" * 40
FORGED = "call.ended\r\n2026-11-30 23:59:59,000 INFO gateway.admin: operator root signed in"
ACCEPTED = {
    "status": "success",
    "code": "200",
    "message": "Accepted",
    "data": {"conversation_id": "dd0e", "message_id": "b3f1c2d4-6e7a-4b9c-8d0e-1f2a3b4c5d6e"},
}


def only_message(name: str):
    parsed = myoperator.parse(fixture_bytes("myoperator", name))
    assert len(parsed.messages) == 1 and not parsed.statuses
    return parsed.messages[0]


def test_the_shared_secret_header_is_compared():
    myoperator.verify(myoperator_headers(SECRET), SECRET)
    with pytest.raises(WebhookRejected) as wrong:
        myoperator.verify(myoperator_headers("y" * 40), SECRET)
    assert (wrong.value.status, wrong.value.reason) == (403, "bad_signature")
    with pytest.raises(WebhookRejected) as missing:
        myoperator.verify({"Content-Type": "application/json"}, SECRET)
    assert (missing.value.status, missing.value.reason) == (401, "missing_signature")


def test_a_secret_header_with_an_undecodable_byte_is_refused():
    # aiohttp hands on a header byte that is not UTF-8 as a lone surrogate
    with pytest.raises(WebhookRejected) as refused:
        myoperator.verify({"X-Webhook-Key": "x" * 39 + "\udcff"}, SECRET)
    assert (refused.value.status, refused.value.reason) == (403, "bad_signature")


def test_text_message_with_nanosecond_timestamp():
    message = only_message("text")
    assert message.kind is InboundKind.TEXT and message.text == "Hi, is my order shipped?"
    assert message.sender == "+919812345678" and message.business_number_id == "690000000000001"
    assert message.provider_message_id == "4f2a9c1e-8b7d-4e55-a1c3-9d0e6f7a2b10"
    assert message.timestamp.isoformat() == "2026-07-01T04:30:12.123456+00:00"
    assert message.raw["event_id"] == "evt_5b1e2c9a"


@pytest.mark.parametrize(
    ("name", "kind"), [("button_reply", InboundKind.BUTTON_REPLY), ("list_reply", InboundKind.LIST_REPLY)]
)
def test_replies(name, kind):
    message = only_message(name)
    assert message.kind is kind and message.reply_id in ("track_4411", "slot_mon10")


def test_media_inside_context_or_directly_in_data():
    image = only_message("image")
    assert image.media.caption == "damaged box" and str(image.media.url).endswith("img.jpg")
    document = only_message("document")
    assert document.media.filename == "invoice.pdf" and document.media.mime_type == "application/pdf"


def test_location_and_unsupported():
    assert only_message("location").location.name == "Plant 2"
    reaction = only_message("reaction")
    assert reaction.kind is InboundKind.UNSUPPORTED and reaction.raw["payload"]["data"]["type"] == "reaction"


def test_statuses_and_failures():
    read = myoperator.parse(fixture_bytes("myoperator", "status_read")).statuses[0]
    assert read.status is DeliveryStatus.READ and read.provider_message_id == "6d7b237a-08c3-4902-9cdb-d6bd9c2071bc"
    failed = myoperator.parse(fixture_bytes("myoperator", "status_failed")).statuses[0]
    assert failed.status is DeliveryStatus.FAILED and failed.error_code == "131047"


def test_events_that_are_not_messages_are_acknowledged_and_ignored():
    parsed = myoperator.parse(fixture_bytes("myoperator", "call_event"))
    assert not parsed.messages and not parsed.statuses


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[]", "Input should be an object"),
        (
            json.dumps(fixture_json("myoperator", "text") | {"customer_identifier": "abc"}).encode(),
            "not an international phone number",
        ),
        (
            json.dumps({k: v for k, v in fixture_json("myoperator", "text").items() if k != "payload"}).encode(),
            "payload: Field required",
        ),
        (json.dumps(fixture_json("myoperator", "text") | {"timestamp": "yesterday"}).encode(), "not an ISO 8601 time"),
    ],
)
def test_malformed_events_are_refused(body, reason):
    with pytest.raises(WebhookRejected) as refused:
        myoperator.parse(body)
    assert refused.value.status == 400 and reason in refused.value.message


# ------------------------------------------------------------------ malformed content, authenticated (issue 11)


def event(name: str = "text", **payload_data) -> dict:
    received = fixture_json("myoperator", name)
    received["payload"]["data"] = received["payload"].get("data", {}) | payload_data
    return received


async def post_event(gateway, received: dict):
    body = json.dumps(received).encode()
    response = await gateway.post("/webhooks/myoperator", data=body, headers=myoperator_headers(MYOPERATOR_SECRET))
    await gateway.app[INBOX].idle()
    return response.status, (await gateway.app[STORE].log.query(LogQuery(direction="inbound"))).entries


@pytest.mark.parametrize("shape", ["a string", ["a", "list"]], ids=["string", "list"])
@pytest.mark.parametrize("name", ["text", "button_reply", "image", "location"])
async def test_a_context_of_the_wrong_shape_is_stored_as_unsupported(gateway, name, shape):
    status, [stored] = await post_event(gateway, event(name, context=shape))
    assert status == 200 and stored.payload["kind"] in ("unsupported", "media")
    assert stored.payload["raw"]["payload"]["data"]["context"] == shape


@pytest.mark.parametrize("profile", ["Asha", ["Asha"]])
async def test_a_profile_of_the_wrong_shape_only_loses_the_name(gateway, profile):
    status, [stored] = await post_event(gateway, event(profile=profile))
    assert status == 200 and stored.payload["text"] == "Hi, is my order shipped?"
    assert stored.payload.get("profile_name") is None


@pytest.mark.parametrize("error", ["boom", ["boom"], {"code": ["x"], "message": {"a": 1}}])
def test_a_failure_with_an_error_of_the_wrong_shape_is_still_a_failure(error):
    received = fixture_json("myoperator", "status_failed")
    received["payload"]["error"] = error
    [failed] = myoperator.parse(json.dumps(received).encode()).statuses
    assert failed.status is DeliveryStatus.FAILED and failed.error_code is None and failed.error_text is None


async def test_integers_beyond_64_bits_are_stored_as_text(gateway):
    status, [stored] = await post_event(gateway, event(sequence=2**64))
    assert status == 200 and stored.payload["raw"]["payload"]["data"]["sequence"] == str(2**64)


@pytest.mark.parametrize("timestamp", ["9999-12-31T23:59:59-01:00", "2026-07-01T04:30:12", "1" * 30])
async def test_a_time_that_is_not_a_moment_in_utc_is_a_400(gateway, timestamp):
    status, stored = await post_event(gateway, fixture_json("myoperator", "text") | {"timestamp": timestamp})
    assert status == 400 and not stored


async def test_an_event_type_with_line_breaks_writes_one_log_line(gateway):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        status, _ = await post_event(gateway, fixture_json("myoperator", "call_event") | {"event_type": FORGED})
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    mentions = [line for line in stream.getvalue().splitlines() if "gateway.admin" in line]
    assert status == 200 and len(mentions) == 1 and "ignoring myoperator event" in mentions[0]


@pytest.fixture
async def stand_in(aiohttp_server):
    return await StandInProvider(Answer(200, ACCEPTED)).start(aiohttp_server)


def channel(base: str) -> myoperator.MyOperatorChannel:
    return myoperator.MyOperatorChannel(
        api_key="myop-key",
        company_id="68a1f00d2b3c4d5e",
        phone_number_id="690000000000001",
        webhook_secret=SECRET,
        api_base=base,
    )


async def send(stand_in, http, **fields) -> dict:
    message_id = await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", **fields), http)
    assert message_id == ACCEPTED["data"]["message_id"]
    request = stand_in.requests[-1]
    assert request.path == "/chat/messages"
    assert request.headers["Authorization"] == "Bearer myop-key"
    assert request.headers["X-MYOP-COMPANY-ID"] == "68a1f00d2b3c4d5e"
    return request.json()


async def test_send_text_splits_country_code_and_national_number(stand_in, http):
    body = await send(stand_in, http, text="Your order shipped", idempotency_key="order-4411")
    assert body == {
        "phone_number_id": "690000000000001",
        "customer_country_code": "91",
        "customer_number": "9812345678",
        "data": {"type": "text", "context": {"body": "Your order shipped", "preview_url": False}},
        "reply_to": None,
        "myop_ref_id": "order-4411",
    }


async def test_send_media_and_template(stand_in, http):
    media = await send(
        stand_in, http, media={"kind": "image", "url": "https://cdn.example.com/box.jpg", "caption": "Your parcel"}
    )
    assert media["data"] == {"type": "image", "link": "https://cdn.example.com/box.jpg", "caption": "Your parcel"}
    template = await send(
        stand_in, http, provider_template={"name": "order_update", "language": "en", "parameters": ["Asha", "4411"]}
    )
    assert template["data"] == {
        "type": "template",
        "context": {"template_name": "order_update", "language": "en", "body": {"1": "Asha", "2": "4411"}},
    }


async def test_a_429_honours_retry_after(stand_in, http):
    stand_in.then(429, {"message": "Too many requests"}, {"Retry-After": "30"})
    with pytest.raises(SendError) as failed:
        await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), http)
    assert (failed.value.retryable, failed.value.retry_after) == (True, 30.0)


@pytest.mark.parametrize(
    ("status", "body", "retryable", "code"),
    [
        (500, {"message": None}, True, "500"),
        (429, {}, True, "429"),
        (400, {"status": "error", "code": "CHAT_4001", "message": "Insufficient wallet balance"}, False, "CHAT_4001"),
        (403, {"message": "Invalid company ID!"}, False, "403"),
        (401, {"message": "Unauthorized"}, False, "401"),
    ],
)
async def test_send_failures(stand_in, http, status, body, retryable, code):
    stand_in.then(status, body)
    with pytest.raises(SendError) as failed:
        await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), http)
    assert (failed.value.retryable, failed.value.code) == (retryable, code)
    assert "myop-key" not in str(failed.value)


async def test_a_timeout_is_retryable(stand_in):
    stand_in.then(200, ACCEPTED, delay=1.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as impatient:
        with pytest.raises(SendError) as failed:
            await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), impatient)
    assert failed.value.retryable
