"""Twilio adapter: URL signatures (with the SDK's published vectors), form payloads, and sends."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.channels import twilio
from gateway.models import DeliveryStatus, InboundKind, OutboundMessage
from gateway.ports.channel import SendError, WebhookRejected
from gateway.testing import twilio_headers
from tests.adapters.channels.conftest import fixture_json
from tests.stand_in_provider import Answer, StandInProvider

RECEIVED_AT = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
SDK_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
SDK_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]
TOKEN = "test_auth_token_0123456789abcdef"
PUBLIC_URL = "https://gw.example.com/webhooks/twilio"


def form(name: str) -> bytes:
    return urlencode(fixture_json("twilio", name)).encode()


def only_message(name: str):
    parsed = twilio.parse(form(name), RECEIVED_AT)
    assert len(parsed.messages) == 1 and not parsed.statuses
    return parsed.messages[0]


# ------------------------------------------------------------------ verify


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (SDK_URL, SDK_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", SDK_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),
        (
            SDK_URL,
            [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"), ("Digits", "1234")],
            "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
        ),
        (
            SDK_URL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
            [],
            "a9nBmqA0ju/hNViExpshrM61xv4=",
        ),
    ],
)
def test_published_sdk_vectors(url, params, expected):
    assert twilio.signature(url, params, "12345") == expected


def test_the_whatsapp_shaped_vector_verifies():
    params = {
        "AccountSid": "AC00000000000000000000000000000000",
        "Body": "Hi",
        "From": "whatsapp:+919812345678",
        "MessageSid": "SM11111111111111111111111111111111",
        "MessageType": "text",
        "NumMedia": "0",
        "ProfileName": "Asha",
        "To": "whatsapp:+14155550100",
        "WaId": "919812345678",
    }
    url = "https://example.com/webhooks/twilio/whatsapp"
    twilio.verify(url, urlencode(params).encode(), {"X-Twilio-Signature": "9M54ki3Vv6NuEddzaRIi6vNoCnw="}, TOKEN)


def test_a_url_with_a_query_string_and_either_port_form_verifies():
    body = form("text")
    params = fixture_json("twilio", "text")
    signed_for = "https://gw.example.com/webhooks/twilio?tenant=plant-2"
    headers = twilio_headers(signed_for, params, TOKEN)
    twilio.verify(signed_for, body, headers, TOKEN)
    twilio.verify("https://gw.example.com:443/webhooks/twilio?tenant=plant-2", body, headers, TOKEN)
    with pytest.raises(WebhookRejected):
        twilio.verify("https://gw.example.com/webhooks/twilio?tenant=plant-3", body, headers, TOKEN)


def test_wrong_or_missing_signature_is_refused():
    body = form("text")
    with pytest.raises(WebhookRejected) as wrong:
        twilio.verify(
            PUBLIC_URL, body, twilio_headers(PUBLIC_URL, fixture_json("twilio", "text"), "wrong-token"), TOKEN
        )
    assert (wrong.value.status, wrong.value.reason) == (403, "bad_signature")
    with pytest.raises(WebhookRejected) as missing:
        twilio.verify(PUBLIC_URL, body, {}, TOKEN)
    assert (missing.value.status, missing.value.reason) == (401, "missing_signature")


def test_a_tampered_parameter_breaks_the_signature():
    params = fixture_json("twilio", "text")
    headers = twilio_headers(PUBLIC_URL, params, TOKEN)
    with pytest.raises(WebhookRejected):
        twilio.verify(PUBLIC_URL, urlencode(params | {"Body": "transfer everything"}).encode(), headers, TOKEN)


@pytest.mark.parametrize("body", [b"\xff\xfe not a form", b'{"MessageSid": "SM1"}', b"MessageSid=SM1&&&==&"])
def test_an_unsigned_body_that_is_not_a_form_is_refused_as_forged_not_as_malformed(body):
    with pytest.raises(WebhookRejected) as refused:
        twilio.verify(PUBLIC_URL, body, {"X-Twilio-Signature": "forged="}, TOKEN)
    assert (refused.value.status, refused.value.reason) == (403, "bad_signature")


def test_a_signature_header_with_an_undecodable_byte_is_refused():
    # aiohttp hands on a header byte that is not UTF-8 as a lone surrogate
    with pytest.raises(WebhookRejected) as refused:
        twilio.verify(PUBLIC_URL, form("text"), {"X-Twilio-Signature": "abc\udcff="}, TOKEN)
    assert (refused.value.status, refused.value.reason) == (403, "bad_signature")


# ------------------------------------------------------------------ parse


def test_text_message():
    message = only_message("text")
    assert message.kind is InboundKind.TEXT and message.text == "Hi, is my order shipped?"
    assert (message.sender, message.recipient, message.business_number_id) == (
        "+919812345678",
        "+14155550100",
        "+14155550100",
    )
    assert message.profile_name == "Asha" and message.timestamp == RECEIVED_AT
    assert message.raw["WaId"] == "919812345678"


@pytest.mark.parametrize(
    ("name", "kind", "reply_id", "title"),
    [
        ("button", InboundKind.BUTTON_REPLY, "track_4411", "Track order"),
        ("template_button", InboundKind.BUTTON_REPLY, "STOP_PROMOS", "Stop promotions"),
        ("list", InboundKind.LIST_REPLY, "slot_mon10", "Mon 10:00"),
    ],
)
def test_replies(name, kind, reply_id, title):
    message = only_message(name)
    assert (message.kind, message.reply_id, message.reply_title) == (kind, reply_id, title)


def test_media_with_caption_and_without():
    image = only_message("image")
    assert image.kind is InboundKind.MEDIA and image.media.mime_type == "image/jpeg"
    assert image.media.caption == "photo of the damaged box" and "/Media/ME2b" in str(image.media.url)
    document = only_message("document")
    assert document.media.mime_type == "application/pdf" and document.media.caption is None


def test_location_and_unsupported():
    location = only_message("location").location
    assert (location.latitude, location.longitude, location.name, location.address) == (
        19.076,
        72.8777,
        "Plant 2",
        "Andheri East, Mumbai",
    )
    contacts = only_message("contacts")
    assert contacts.kind is InboundKind.UNSUPPORTED and contacts.raw["MessageType"] == "contacts"


@pytest.mark.parametrize(
    ("name", "status"), [("status_sent", DeliveryStatus.SENT), ("status_read", DeliveryStatus.READ)]
)
def test_status_callbacks(name, status):
    parsed = twilio.parse(form(name), RECEIVED_AT)
    assert not parsed.messages and [s.status for s in parsed.statuses] == [status]
    assert parsed.statuses[0].provider_message_id == "SM9d000000000000000000000000000041"


def test_undelivered_is_a_failure_with_its_code():
    failed = twilio.parse(form("status_undelivered"), RECEIVED_AT).statuses[0]
    assert failed.status is DeliveryStatus.FAILED and failed.error_code == "63016"
    assert "outside the allowed window" in failed.error_text


@pytest.mark.parametrize(
    "fields", [{"Latitude": "north", "Longitude": "2"}, {"Latitude": "nan", "Longitude": "1e999"}, {"NumMedia": "x"}]
)
def test_content_that_cannot_be_read_is_kept_as_unsupported_with_its_text(fields):
    message = twilio.parse(urlencode(fixture_json("twilio", "text") | fields).encode(), RECEIVED_AT).messages[0]
    assert message.kind in (InboundKind.UNSUPPORTED, InboundKind.TEXT) and message.text
    assert message.raw == fixture_json("twilio", "text") | fields


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"Body=hi&From=whatsapp%3A%2B919812345678", "missing parameter MessageSid"),
        (b"MessageSid=SM1&From=whatsapp%3A%2B12&Body=hi", "not an international phone number"),
        (b"\xff\xfe", "not a form-encoded"),
        (b"MessageSid=SM1&&&==&", "not a form-encoded"),
    ],
)
def test_malformed_forms_are_refused(body, reason):
    with pytest.raises(WebhookRejected) as refused:
        twilio.parse(body, RECEIVED_AT)
    assert refused.value.status == 400 and reason in refused.value.message


# ------------------------------------------------------------------ send

QUEUED = {"sid": "SM9d000000000000000000000000000041", "status": "queued"}


@pytest.fixture
async def stand_in(aiohttp_server):
    return await StandInProvider(Answer(201, QUEUED)).start(aiohttp_server)


def channel(base: str) -> twilio.TwilioChannel:
    return twilio.TwilioChannel(
        account_sid="AC7e0000000000000000000000000001",
        auth_token=TOKEN,
        whatsapp_number="+14155550100",
        api_base=base,
        status_callback=PUBLIC_URL,
    )


async def send(stand_in, http, **fields) -> dict[str, str]:
    sid = await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", **fields), http)
    assert sid == QUEUED["sid"]
    request = stand_in.requests[-1]
    assert request.path == "/2010-04-01/Accounts/AC7e0000000000000000000000000001/Messages.json"
    assert request.headers["Authorization"] == aiohttp.encode_basic_auth("AC7e0000000000000000000000000001", TOKEN)
    return request.form()


async def test_send_text_with_status_callback(stand_in, http):
    assert await send(stand_in, http, text="Your order shipped") == {
        "To": "whatsapp:+919812345678",
        "From": "whatsapp:+14155550100",
        "Body": "Your order shipped",
        "StatusCallback": PUBLIC_URL,
    }


async def test_send_media_with_caption(stand_in, http):
    fields = await send(
        stand_in, http, media={"kind": "image", "url": "https://cdn.example.com/box.jpg", "caption": "Your parcel"}
    )
    assert fields["MediaUrl"] == "https://cdn.example.com/box.jpg" and fields["Body"] == "Your parcel"


async def test_send_template_by_content_sid(stand_in, http):
    fields = await send(stand_in, http, provider_template={"name": "HX1234", "parameters": ["Asha", "4411"]})
    assert fields["ContentSid"] == "HX1234" and fields["ContentVariables"] == '{"1": "Asha", "2": "4411"}'
    assert "Body" not in fields


async def test_buttons_never_reach_twilio_as_such(stand_in, http):
    with pytest.raises(SendError) as refused:
        await channel(stand_in.base).send(
            OutboundMessage(recipient="+919812345678", text="?", buttons=[{"id": "a", "title": "A"}]), http
        )
    assert not refused.value.retryable and not stand_in.requests


async def test_text_over_1600_characters_is_refused_before_sending(stand_in, http):
    with pytest.raises(SendError, match="at most 1600"):
        await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="x" * 1601), http)
    assert not stand_in.requests


@pytest.mark.parametrize(
    ("status", "body", "headers", "retryable", "code", "retry_after"),
    [
        (429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "7"}, True, "20429", 7.0),
        (500, {}, {}, True, "500", None),
        (400, {"code": 63018, "message": "Rate limit exceeded"}, {}, True, "63018", None),
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, {}, False, "21211", None),
        (400, {"code": 63016, "message": "outside the allowed window"}, {}, False, "63016", None),
        (401, {"code": 20003, "message": "Authenticate"}, {}, False, "20003", None),
    ],
)
async def test_send_failures(stand_in, http, status, body, headers, retryable, code, retry_after):
    stand_in.then(status, body, headers)
    with pytest.raises(SendError) as failed:
        await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), http)
    assert (failed.value.retryable, failed.value.code, failed.value.retry_after) == (retryable, code, retry_after)
    assert TOKEN not in str(failed.value)


async def test_a_timeout_is_retryable(stand_in):
    stand_in.then(201, QUEUED, delay=1.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as impatient:
        with pytest.raises(SendError) as failed:
            await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), impatient)
    assert failed.value.retryable


# ------------------------------------------------------------------ read receipts


async def test_the_typing_indicator_names_the_contacts_message_and_marks_it_read(stand_in, http):
    sid = "SM" + "a" * 32
    await channel(stand_in.base).mark_read(sid, None, typing=True, http=http)
    (request,) = stand_in.reads
    assert request.path == "/v2/Indicators/Typing.json"
    assert request.headers["Authorization"] == aiohttp.encode_basic_auth("AC7e0000000000000000000000000001", TOKEN)
    assert request.form() == {"messageId": sid, "channel": "whatsapp"}
    assert not stand_in.requests


def test_the_typing_indicator_goes_to_twilios_messaging_host_unless_the_base_was_changed():
    twilio_hosted = twilio.typing_indicator_url("https://api.twilio.com/")
    assert twilio_hosted == "https://messaging.twilio.com/v2/Indicators/Typing.json"
    assert twilio.typing_indicator_url("http://127.0.0.1:9000") == "http://127.0.0.1:9000/v2/Indicators/Typing.json"

