"""Meta Cloud API adapter: signatures, handshake, every payload kind, and sends against a stand-in API."""

import json
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.channels import meta
from gateway.appkeys import INBOX, STORE
from gateway.models import DeliveryStatus, InboundKind, OutboundMessage
from gateway.ports.records import LogQuery
from gateway.ports.channel import SendError, WebhookRejected, WebhookRequest
from gateway.testing import meta_headers
from tests.adapters.channels.conftest import fixture_bytes
from tests.gateway_fixtures import META_SECRET, meta_text
from tests.stand_in_provider import Answer, StandInProvider

SECRET = "test_app_secret_123"
ACCEPTED = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "919812345678", "wa_id": "919812345678"}],
    "messages": [{"id": "wamid.SENT1"}],
}


def only_message(name: str):
    parsed = meta.parse(fixture_bytes("meta", name))
    assert len(parsed.messages) == 1 and not parsed.statuses
    return parsed.messages[0]


# ------------------------------------------------------------------ verify


def test_published_signature_vector_verifies():
    body = fixture_bytes("meta", "text_signed_vector")
    expected = "sha256=d65d5d82c35f3eee20016517b95b43dc70db8a79c80b048f6c99901e1204a2e2"
    assert meta.sign(body, SECRET) == expected
    meta.verify(body, {"X-Hub-Signature-256": expected}, SECRET)


def test_a_wrong_signature_is_403_and_a_missing_one_401():
    body = fixture_bytes("meta", "text_signed_vector")
    with pytest.raises(WebhookRejected) as wrong:
        meta.verify(body, meta_headers(body, "another_secret"), SECRET)
    assert (wrong.value.status, wrong.value.reason) == (403, "bad_signature")
    with pytest.raises(WebhookRejected) as missing:
        meta.verify(body, {}, SECRET)
    assert (missing.value.status, missing.value.reason) == (401, "missing_signature")


@pytest.mark.parametrize("received", ["sha256=\udcff", "sha256=\ud800" + "0" * 63])
def test_a_signature_header_with_an_undecodable_byte_is_refused(received):
    # aiohttp hands on a header byte that is not UTF-8 as a lone surrogate
    with pytest.raises(WebhookRejected) as refused:
        meta.verify(b"{}", {"X-Hub-Signature-256": received}, SECRET)
    assert (refused.value.status, refused.value.reason) == (403, "bad_signature")


def test_the_signature_covers_the_exact_bytes():
    body = fixture_bytes("meta", "text_signed_vector")
    reserialized = json.dumps(json.loads(body)).encode()
    with pytest.raises(WebhookRejected):
        meta.verify(reserialized, meta_headers(body, SECRET), SECRET)


def test_handshake_echoes_the_challenge_only_for_the_right_token():
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    assert meta.handshake(query, "verify-me") == "1158201444"
    with pytest.raises(WebhookRejected) as refused:
        meta.handshake(query | {"hub.verify_token": "guess"}, "verify-me")
    assert refused.value.status == 403


# ------------------------------------------------------------------ parse


def test_text_message_with_sender_business_number_and_profile():
    message = only_message("text")
    assert message.kind is InboundKind.TEXT and message.text == "Hi, is my order shipped?"
    assert message.sender == "+919812345678" and message.profile_name == "Asha"
    assert message.recipient == "+15550783881" and message.business_number_id == "106540352242922"
    assert message.provider_message_id == "wamid.A1"
    assert message.timestamp == datetime(2026, 1, 1, 0, 1, tzinfo=UTC)
    assert message.raw["text"]["body"] == "Hi, is my order shipped?"


@pytest.mark.parametrize(
    ("name", "kind", "reply_id", "reply_title"),
    [
        ("button_reply", InboundKind.BUTTON_REPLY, "track_4411", "Track order"),
        ("list_reply", InboundKind.LIST_REPLY, "slot_mon10", "Mon 10:00"),
        ("template_button", InboundKind.BUTTON_REPLY, "STOP_PROMOS", "Stop promotions"),
    ],
)
def test_interactive_and_template_button_replies(name, kind, reply_id, reply_title):
    message = only_message(name)
    assert (message.kind, message.reply_id, message.reply_title) == (kind, reply_id, reply_title)


@pytest.mark.parametrize(
    ("name", "media_id", "mime_type", "caption", "filename"),
    [
        ("image", "1479537139650973", "image/jpeg", "damaged box", None),
        ("document", "1037543291543636", "application/pdf", "my invoice", "invoice.pdf"),
        ("audio", "2220005555", "audio/ogg; codecs=opus", None, None),
        ("video", "3330006666", "video/mp4", None, None),
    ],
)
def test_media_keeps_id_mime_type_caption_and_filename(name, media_id, mime_type, caption, filename):
    media = only_message(name).media
    assert (media.media_id, media.mime_type, media.caption, media.filename) == (media_id, mime_type, caption, filename)


def test_media_url_is_kept_when_meta_sends_one():
    assert str(only_message("audio").media.url).startswith("https://lookaside.fbsbx.com/")


def test_location():
    location = only_message("location").location
    assert (location.latitude, location.longitude, location.name) == (19.076, 72.8777, "Plant 2")


@pytest.mark.parametrize("name", ["contacts", "reaction"])
def test_contacts_and_reactions_are_unsupported_with_the_raw_payload_kept(name):
    message = only_message(name)
    assert message.kind is InboundKind.UNSUPPORTED and message.raw["type"] == name


def test_a_username_user_is_known_by_business_scoped_id():
    message = only_message("username_user")
    assert message.sender == "US.13491208655302741918" and message.profile_name == "Ana"


@pytest.mark.parametrize(("name", "status"), [("sent", "sent"), ("delivered", "delivered"), ("read", "read")])
def test_statuses(name, status):
    parsed = meta.parse(fixture_bytes("meta", f"status_{name}"))
    assert [s.status for s in parsed.statuses] == [DeliveryStatus(status)] and not parsed.messages
    assert parsed.statuses[0].provider_message_id == "wamid.OUT1" and parsed.statuses[0].recipient == "+919812345678"


def test_failed_status_carries_code_and_reason():
    failed = meta.parse(fixture_bytes("meta", "status_failed")).statuses[0]
    assert failed.status is DeliveryStatus.FAILED and failed.error_code == "131047"
    assert (
        failed.error_text == "Re-engagement message — More than 24 hours have passed since the customer last replied."
    )


def test_a_batch_yields_every_message_and_status_of_every_entry_and_change():
    parsed = meta.parse(fixture_bytes("meta", "batch"))
    assert [m.provider_message_id for m in parsed.messages] == ["wamid.A1", "wamid.B2", "wamid.Z12"]
    assert [m.business_number_id for m in parsed.messages][-1] == "106540352242999"
    assert [(s.provider_message_id, s.status) for s in parsed.statuses] == [
        ("wamid.OUT1", DeliveryStatus.DELIVERED),
        ("wamid.OUT2", DeliveryStatus.FAILED),
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "Invalid JSON"),
        (b'{"object":"page","entry":[]}', "not whatsapp_business_account"),
        (b'{"object":"whatsapp_business_account"}', "entry: Field required"),
        (
            b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":'
            b'{"messages":[{"from":"919812345678","id":"w","type":"text","text":{"body":"x"}}]}}]}]}',
            "message 0: timestamp is not a time in unix seconds",
        ),
        (
            b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":'
            b'{"messages":[{"from":"12","id":"w","timestamp":"1","type":"text","text":{"body":"x"}}]}}]}]}',
            "not an international phone number",
        ),
    ],
)
def test_malformed_payloads_are_refused_with_a_reason(body, reason):
    with pytest.raises(WebhookRejected) as refused:
        meta.parse(body)
    assert refused.value.status == 400 and reason in refused.value.message


# ------------------------------------------------------------------ malformed items, signed (issue 11)


def batch(*messages: dict, statuses: tuple[dict, ...] = (), contacts: list | None = None) -> dict:
    """A signed-shape envelope holding these items beside one good text message."""
    payload = meta_text("wamid.GOOD", "ping")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] += list(messages)
    value["statuses"] = list(statuses)
    if contacts is not None:
        value["contacts"] = contacts
    return payload


def item(message_id: str, **fields) -> dict:
    return {"from": "919812345678", "id": message_id, "timestamp": "1767225600"} | fields


async def post_signed(gateway, payload: dict):
    body = json.dumps(payload).encode()
    response = await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    await gateway.app[INBOX].idle()
    entries = (await gateway.app[STORE].log.query(LogQuery(direction="inbound"))).entries
    return response.status, {entry.provider_message_id: entry for entry in entries}


@pytest.mark.parametrize("shape", ["a string", ["a", "list"]], ids=["string", "list"])
@pytest.mark.parametrize(
    "kind", ["interactive", "image", "document", "location", "button", "interactive.button_reply"]
)
async def test_a_message_whose_content_has_the_wrong_shape_is_kept_as_unsupported_beside_the_good_one(
    gateway, kind, shape
):
    kind, _, reply = kind.partition(".")
    content = {"type": reply, reply: shape} if reply else shape
    status, stored = await post_signed(gateway, batch(item("wamid.ODD", type=kind, **{kind: content})))
    assert status == 200 and set(stored) == {"wamid.GOOD", "wamid.ODD"}
    assert stored["wamid.ODD"].payload["kind"] == "unsupported"
    assert stored["wamid.ODD"].payload["raw"][kind] == content


@pytest.mark.parametrize("profile", ["Asha", ["Asha"]])
async def test_a_contact_profile_that_is_not_an_object_only_loses_the_name(gateway, profile):
    contacts = [{"profile": profile, "wa_id": "919812345678"}]
    status, stored = await post_signed(gateway, batch(contacts=contacts))
    assert status == 200 and stored["wamid.GOOD"].payload.get("profile_name") is None


@pytest.mark.parametrize("errors", ["boom", ["boom"], [{"code": ["x"], "title": {"a": 1}}]])
def test_status_errors_of_the_wrong_shape_keep_the_failure(errors):
    status = {"id": "wamid.OUT", "status": "failed", "timestamp": "1767226000", "errors": errors}
    [update] = meta.parse(json.dumps(batch(statuses=(status,))).encode()).statuses
    assert update.status is DeliveryStatus.FAILED and update.error_code is None


async def test_integers_beyond_64_bits_are_stored_as_text(gateway):
    huge = 2**64 + 1
    status, stored = await post_signed(gateway, batch(item("wamid.BIG", type="text", text={"body": "x"}, n=huge)))
    assert status == 200 and stored["wamid.BIG"].payload["raw"]["n"] == str(huge)


@pytest.mark.parametrize("timestamp", ["1" + "0" * 20, 10**20, "-5", "soon", None])
async def test_a_message_without_a_readable_time_is_left_out_and_the_batch_kept(gateway, timestamp):
    late = item("wamid.WHEN", type="text", text={"body": "x"}, timestamp=timestamp)
    status, stored = await post_signed(gateway, batch(late))
    assert status == 200 and set(stored) == {"wamid.GOOD"}


async def test_a_body_with_nothing_readable_in_it_is_a_400(gateway):
    payload = batch(item("wamid.WHEN", type="text", text={"body": "x"}, timestamp=10**20))
    payload["entry"][0]["changes"][0]["value"]["messages"].pop(0)
    status, stored = await post_signed(gateway, payload)
    assert status == 400 and not stored


# ------------------------------------------------------------------ send


@pytest.fixture
async def stand_in(aiohttp_server):
    return await StandInProvider(Answer(200, ACCEPTED)).start(aiohttp_server)


def channel(base: str) -> meta.MetaChannel:
    return meta.MetaChannel(
        access_token="EAAG-token",
        phone_number_id="106540352242922",
        app_secret=SECRET,
        verify_token="v",
        api_base=base,
        api_version="v25.0",
    )


async def send(stand_in, http, **fields) -> tuple[str, dict]:
    message_id = await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", **fields), http)
    request = stand_in.requests[-1]
    assert request.path == "/v25.0/106540352242922/messages"
    assert request.headers["Authorization"] == "Bearer EAAG-token"
    return message_id, request.json()


async def test_send_text(stand_in, http):
    message_id, body = await send(stand_in, http, text="Your order shipped")
    assert message_id == "wamid.SENT1"
    assert body == {
        "messaging_product": "whatsapp",
        "to": "919812345678",
        "type": "text",
        "text": {"body": "Your order shipped", "preview_url": False},
    }


async def test_send_buttons_natively(stand_in, http):
    _, body = await send(
        stand_in,
        http,
        text="What next?",
        buttons=[{"id": "track", "title": "Track order"}, {"id": "agent", "title": "Talk to agent"}],
    )
    assert body["type"] == "interactive" and body["interactive"]["type"] == "button"
    assert body["interactive"]["body"] == {"text": "What next?"}
    assert body["interactive"]["action"]["buttons"][1] == {
        "type": "reply",
        "reply": {"id": "agent", "title": "Talk to agent"},
    }


async def test_send_list_natively(stand_in, http):
    menu = {
        "button": "Slots",
        "sections": [
            {"title": "Monday", "rows": [{"id": "slot_mon10", "title": "Mon 10:00", "description": "Clinic A"}]}
        ],
    }
    _, body = await send(stand_in, http, text="Pick a slot", list=menu)
    assert body["interactive"]["type"] == "list"
    assert body["interactive"]["action"] == menu


async def test_send_document_by_url(stand_in, http):
    media = {
        "kind": "document",
        "url": "https://cdn.example.com/inv_4411.pdf",
        "caption": "Invoice",
        "filename": "invoice-4411.pdf",
    }
    _, body = await send(stand_in, http, media=media)
    assert body["type"] == "document"
    assert body["document"] == {
        "link": "https://cdn.example.com/inv_4411.pdf",
        "caption": "Invoice",
        "filename": "invoice-4411.pdf",
    }


async def test_send_an_approved_template_with_its_parameters_in_order(stand_in, http):
    template = {"name": "order_update", "language": "en_US", "parameters": ["Asha", "4411"]}
    _, body = await send(stand_in, http, provider_template=template)
    assert body["type"] == "template"
    assert body["template"] == {
        "name": "order_update",
        "language": {"code": "en_US"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Asha"}, {"type": "text", "text": "4411"}]}
        ],
    }
    _, bare = await send(stand_in, http, provider_template={"name": "hello_world", "language": "en_US"})
    assert bare["template"] == {"name": "hello_world", "language": {"code": "en_US"}}


async def test_send_to_a_username_user_uses_recipient(stand_in, http):
    await channel(stand_in.base).send(OutboundMessage(recipient="US.13491208655302741918", text="hola"), http)
    body = stand_in.requests[-1].json()
    assert body["recipient"] == "US.13491208655302741918" and "to" not in body


async def test_a_reply_to_the_configured_business_number_goes_out_from_it(stand_in, http):
    await channel(stand_in.base).send(
        OutboundMessage(recipient="+919812345678", text="hi", business_number_id="106540352242922"), http
    )
    assert stand_in.requests[-1].path == "/v25.0/106540352242922/messages"


@pytest.mark.parametrize("number_id", ["106540352242999", "../../me/accounts?x=", "106540352242922/../1"])
async def test_a_reply_to_another_business_number_is_refused_and_never_sent(stand_in, http, number_id):
    with pytest.raises(SendError) as refused:
        await channel(stand_in.base).send(
            OutboundMessage(recipient="+919812345678", text="hi", business_number_id=number_id), http
        )
    assert not refused.value.retryable and refused.value.code == "business_number"
    assert "META_PHONE_NUMBER_ID" in str(refused.value) and not stand_in.requests


def error(code: int, message: str) -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1b2"}}


@pytest.mark.parametrize(
    ("status", "body", "retryable", "code", "retry_after"),
    [
        (400, error(130429, "Rate limit hit"), True, "130429", None),
        (400, error(131056, "Pair rate limit"), True, "131056", 6.0),
        (503, error(131016, "Service unavailable"), True, "131016", None),
        (500, {"unexpected": "shape"}, True, "500", None),
        (429, {}, True, "429", None),
        (400, error(131047, "Re-engagement message"), False, "131047", None),
        (400, error(131026, "Message undeliverable"), False, "131026", None),
        (400, error(132001, "Template name does not exist in the translation"), False, "132001", None),
        (401, error(190, "Invalid OAuth access token"), False, "190", None),
    ],
)
async def test_send_failures_are_classified_by_meta_code(stand_in, http, status, body, retryable, code, retry_after):
    stand_in.then(status, body)
    with pytest.raises(SendError) as failed:
        await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), http)
    assert (failed.value.retryable, failed.value.code, failed.value.retry_after) == (retryable, code, retry_after)
    assert "EAAG-token" not in str(failed.value)


async def test_a_timeout_is_retryable(stand_in):
    stand_in.then(200, ACCEPTED, delay=1.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as impatient:
        with pytest.raises(SendError) as failed:
            await channel(stand_in.base).send(OutboundMessage(recipient="+919812345678", text="hi"), impatient)
    assert failed.value.retryable and failed.value.code == "timeout"


async def test_an_unreachable_api_is_retryable(http):
    with pytest.raises(SendError) as failed:
        await channel("http://127.0.0.1:9").send(OutboundMessage(recipient="+919812345678", text="hi"), http)
    assert failed.value.retryable and failed.value.code == "network"


def test_channel_verify_and_parse_use_the_raw_request():
    body = fixture_bytes("meta", "text")
    request = WebhookRequest("POST", "https://gw.example.com/webhooks/meta", meta_headers(body, SECRET), body)
    meta_channel = channel("http://unused")
    meta_channel.verify(request)
    assert meta_channel.parse(request, datetime.now(UTC)).messages[0].provider_message_id == "wamid.A1"


# ------------------------------------------------------------------ read receipts


@pytest.mark.parametrize(
    ("typing", "extra"), [(False, {}), (True, {"typing_indicator": {"type": "text"}})], ids=["read", "typing"]
)
async def test_a_read_receipt_goes_to_the_numbers_messages_with_the_typing_indicator_when_asked(
    stand_in, http, typing, extra
):
    await channel(stand_in.base).mark_read("wamid.IN1", "106540352242922", typing=typing, http=http)
    (request,) = stand_in.reads
    assert request.path == "/v25.0/106540352242922/messages"
    assert request.headers["Authorization"] == "Bearer EAAG-token"
    assert request.json() == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1"} | extra
    assert not stand_in.requests


async def test_a_read_receipt_for_a_message_to_another_number_is_refused_and_never_sent(stand_in, http):
    with pytest.raises(SendError) as refused:
        await channel(stand_in.base).mark_read("wamid.IN1", "106540352242999", typing=True, http=http)
    assert refused.value.code == "business_number" and not stand_in.reads


async def test_a_refused_read_receipt_raises_with_metas_code(stand_in, http):
    stand_in.read_answer = Answer(400, error(100, "Invalid parameter"))
    with pytest.raises(SendError) as refused:
        await channel(stand_in.base).mark_read("wamid.GONE", None, typing=False, http=http)
    assert refused.value.code == "100" and "EAAG-token" not in str(refused.value)
