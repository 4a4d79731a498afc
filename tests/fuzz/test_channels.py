"""The channels' fault-injection suite (issue 11): every provider's verify and parse fed thousands
of signed bodies (captured payloads mutated, and JSON or forms of any shape) and garbled
signatures. A webhook is parsed or refused with a 400, a bad signature is a 401/403, nothing
parsed is unstorable, a bad item never costs the good ones, and over HTTP nothing answers 5xx."""

import asyncio
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import bson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.channels import meta, myoperator, twilio
from adapters.storage.sqlite.connection import dumps
from gateway.app import create_app
from gateway.ports.channel import ParsedWebhook, WebhookRejected
from gateway.settings import Settings
from gateway.testing import FakeClock, meta_headers
from tests.fuzz.strategies import (
    HEADER_BYTES,
    as_aiohttp_decodes,
    fixtures,
    form_pairs,
    json_body,
    mutated,
)

pytestmark = pytest.mark.slow

META_SECRET = "meta-app-secret"
MYOPERATOR_SECRET = "myoperator-shared-secret-0123456789"
TWILIO_TOKEN = "twilio-auth-token"
PUBLIC_URL = "https://gw.example.com"
TWILIO_URL = PUBLIC_URL + "/webhooks/twilio"
RECEIVED_AT = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)

META_PAYLOADS = fixtures("meta")
MYOPERATOR_PAYLOADS = fixtures("myoperator")
TWILIO_FORMS = fixtures("twilio")


def fuzzed(examples: int) -> settings:
    """Reproducible runs: the same cases every time (derandomized, no example database)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def parsed_or_refused(parse) -> ParsedWebhook | None:
    """Parse, which may refuse only with a 400; everything parsed must be storable as SQLite
    (orjson) and MongoDB (BSON) keep documents."""
    try:
        parsed = parse()
    except WebhookRejected as refused:
        assert refused.status == 400, refused.message
        return None
    for item in [*parsed.messages, *parsed.statuses]:
        document = item.model_dump(mode="json")
        dumps(document)
        bson.encode(document)
    return parsed


# ------------------------------------------------------------------ verify and parse, signed


@fuzzed(2500)
@given(body=json_body(META_PAYLOADS))
def test_meta_every_signed_body_is_parsed_or_refused_with_a_400(body):
    meta.verify(body, meta_headers(body, META_SECRET), META_SECRET)
    parsed_or_refused(lambda: meta.parse(body))


@fuzzed(2500)
@given(body=json_body(MYOPERATOR_PAYLOADS))
def test_myoperator_every_authenticated_body_is_parsed_or_refused_with_a_400(body):
    myoperator.verify({"X-Webhook-Key": MYOPERATOR_SECRET}, MYOPERATOR_SECRET)
    parsed_or_refused(lambda: myoperator.parse(body))


@fuzzed(2500)
@given(pairs=form_pairs(TWILIO_FORMS))
def test_twilio_every_signed_form_is_parsed_or_refused_with_a_400(pairs):
    body = urlencode(pairs).encode()
    headers = {twilio.SIGNATURE_HEADER: twilio.signature(TWILIO_URL, pairs, TWILIO_TOKEN)}
    twilio.verify(TWILIO_URL, body, headers, TWILIO_TOKEN)
    parsed_or_refused(lambda: twilio.parse(body, RECEIVED_AT))


BATCH = next(payload for payload in META_PAYLOADS if len(meta.parse(json.dumps(payload).encode()).messages) > 2)
BATCH_IDS = [m.provider_message_id for m in meta.parse(json.dumps(BATCH).encode()).messages]


@fuzzed(500)
@given(data=st.data())
def test_meta_a_mangled_message_never_costs_the_others_in_its_batch(data):
    index = data.draw(st.integers(0, 1))
    payload = data.draw(mutated(BATCH, within=("entry", 0, "changes", 0, "value", "messages", index)))
    parsed = meta.parse(json.dumps(payload).encode())
    kept = {message.provider_message_id for message in parsed.messages}
    assert set(BATCH_IDS[:index] + BATCH_IDS[index + 1 :]) <= kept


# ------------------------------------------------------------------ verify, garbled


@fuzzed(1000)
@given(
    provider=st.sampled_from(["meta", "myoperator", "twilio"]),
    body=json_body(META_PAYLOADS + MYOPERATOR_PAYLOADS) | st.binary(max_size=200),
    header=HEADER_BYTES,
)
def test_a_garbled_or_missing_signature_is_refused_with_401_or_403(provider, body, header):
    received = as_aiohttp_decodes(header)
    with pytest.raises(WebhookRejected) as refused:
        if provider == "meta":
            meta.verify(body, {meta.SIGNATURE_HEADER: received}, META_SECRET)
        elif provider == "myoperator":
            myoperator.verify({myoperator.SECRET_HEADER: received}, MYOPERATOR_SECRET)
        else:
            twilio.verify(TWILIO_URL, body, {twilio.SIGNATURE_HEADER: received}, TWILIO_TOKEN)
    assert refused.value.status in (401, 403)


# ------------------------------------------------------------------ through the real app, over HTTP


@st.composite
def webhook_requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    """A webhook POST for any provider: signed right or not, with a body of any shape."""
    provider = draw(st.sampled_from(["meta", "myoperator", "twilio"]))
    signed = draw(st.integers(0, 4)) > 0
    guess = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)  # any bytes: the next test
    if provider == "twilio":
        pairs = draw(form_pairs(TWILIO_FORMS))
        body = urlencode(pairs).encode()
        signature = twilio.signature(TWILIO_URL, pairs, TWILIO_TOKEN) if signed else draw(guess)
        headers = {"Content-Type": "application/x-www-form-urlencoded", twilio.SIGNATURE_HEADER: signature}
    elif provider == "meta":
        body = draw(json_body(META_PAYLOADS))
        headers = meta_headers(body, META_SECRET if signed else "guess")
    else:
        body = draw(json_body(MYOPERATOR_PAYLOADS))
        key = MYOPERATOR_SECRET if signed else draw(guess)
        headers = {"Content-Type": "application/json", myoperator.SECRET_HEADER: key}
    return f"/webhooks/{provider}", body, headers


@pytest.fixture
def app_over_http(tmp_path):
    """The real application with every provider configured (sends off), served on a local port,
    and a loop to drive it from hypothesis' synchronous examples."""
    configured = Settings(
        _env_file=None,
        store_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        public_url=PUBLIC_URL,
        meta_access_token="EAAG-token",
        meta_phone_number_id="106540352242922",
        meta_app_secret=META_SECRET,
        meta_verify_token="verify-me",
        twilio_account_sid="AC7e0000000000000000000000000001",
        twilio_auth_token=TWILIO_TOKEN,
        twilio_whatsapp_number="+14155550100",
        myoperator_api_key="myop-key",
        myoperator_company_id="68a1f00d2b3c4d5e",
        myoperator_phone_number_id="690000000000001",
        myoperator_webhook_secret=MYOPERATOR_SECRET,
    )
    loop = asyncio.new_event_loop()

    async def started() -> TestClient:
        client = TestClient(TestServer(create_app(configured, clock=FakeClock(), entry_points=False, run_worker=False)))
        await client.start_server()
        return client

    client = loop.run_until_complete(started())
    yield loop, client
    loop.run_until_complete(client.close())
    loop.close()


def test_over_http_every_webhook_is_answered_2xx_or_4xx(app_over_http):
    loop, client = app_over_http

    async def post(path: str, body: bytes, headers: dict[str, str]) -> int:
        async with client.post(path, data=body, headers=headers) as response:
            await response.read()
            return response.status

    @fuzzed(600)
    @given(request=webhook_requests())
    def answered(request):
        assert loop.run_until_complete(post(*request)) < 500

    answered()


def test_over_http_signature_headers_of_any_bytes_are_answered_2xx_or_4xx(app_over_http):
    loop, client = app_over_http

    async def post_raw(path: str, header: str, value: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(client.host, client.port)
        body = b'{"object":"whatsapp_business_account","entry":[]}'
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nConnection: close\r\n".encode()
            + header.encode()
            + b": "
            + value
            + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        status_line = await reader.readline()
        writer.close()
        return status_line

    @fuzzed(300)
    @given(
        target=st.sampled_from(
            [
                ("/webhooks/meta", meta.SIGNATURE_HEADER),
                ("/webhooks/myoperator", myoperator.SECRET_HEADER),
                ("/webhooks/twilio", twilio.SIGNATURE_HEADER),
            ]
        ),
        value=HEADER_BYTES,
    )
    def answered(target, value):
        status_line = loop.run_until_complete(post_raw(*target, value))
        assert status_line.split()[1][:1] in (b"2", b"4"), status_line

    answered()
