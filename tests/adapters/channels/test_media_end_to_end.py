"""A contact's file through the whole gateway for each provider: a signed webhook, the inbox
fetching it through the channel from a stand-in provider API, and the media store keeping the
bytes, or the message marked with why it could not be had."""

import json
from functools import partial
from urllib.parse import urlencode

import pytest
from aiohttp import encode_basic_auth

from gateway.appkeys import INBOX, MEDIA, STORE
from gateway.ports.media import MediaState
from gateway.ports.records import LogQuery
from gateway.testing import meta_headers, myoperator_headers, twilio_headers
from tests.adapters.channels.conftest import fixture_json
from tests.gateway.media.samples import pdf, picture
from tests.stand_in_media import StandInMedia

PUBLIC_URL = "https://gw.example.com"
META_TOKEN = "EAAG-token"
META_SECRET = "meta-app-secret"
TWILIO_SID = "AC7e0000000000000000000000000001"
TWILIO_TOKEN = "twilio-auth-token"
MYOPERATOR_KEY = "myop-key"
MYOPERATOR_SECRET = "myoperator-shared-secret-0123456789"
MEDIA_PATH = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM77/Media/ME2b"
PHOTO = picture("JPEG")


@pytest.fixture
async def meta_api(aiohttp_server):
    return await StandInMedia(authorization=f"Bearer {META_TOKEN}").start(aiohttp_server)


@pytest.fixture
async def twilio_api(aiohttp_server):
    return await StandInMedia(authorization=encode_basic_auth(TWILIO_SID, TWILIO_TOKEN)).start(aiohttp_server)


@pytest.fixture
async def myoperator_api(aiohttp_server):
    return await StandInMedia(authorization=f"Bearer {MYOPERATOR_KEY}").start(aiohttp_server)


@pytest.fixture
async def elsewhere(aiohttp_server):
    """Another origin, on this machine: Twilio's file host behind its redirect, MyOperator's media host."""
    return await StandInMedia().start(aiohttp_server, host="localhost")


@pytest.fixture
def gateway_with(make_gateway, meta_api, twilio_api, myoperator_api):
    """A gateway on the stand-in providers; `gateway_with()` follows links by the production rule."""
    return partial(
        make_gateway,
        public_url=PUBLIC_URL,
        meta_access_token=META_TOKEN,
        meta_phone_number_id="106540352242922",
        meta_app_secret=META_SECRET,
        meta_verify_token="verify-me",
        meta_api_base=meta_api.base,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_whatsapp_number="+14155550100",
        twilio_api_base=twilio_api.base,
        myoperator_api_key=MYOPERATOR_KEY,
        myoperator_company_id="68a1f00d2b3c4d5e",
        myoperator_phone_number_id="690000000000001",
        myoperator_webhook_secret=MYOPERATOR_SECRET,
        myoperator_api_base=myoperator_api.base,
    )


@pytest.fixture
async def gateway(gateway_with):
    """A gateway whose links may lead to this machine's stand-ins for providers' file hosts."""
    return await gateway_with(test_loopback_links=True)


async def stored_media(gateway, provider_message_id: str):
    """The media the inbox recorded for the message the provider sent under that id."""
    await gateway.app[INBOX].idle()
    entries = (await gateway.app[STORE].log.query(LogQuery(direction="inbound"))).entries
    (entry,) = [entry for entry in entries if entry.provider_message_id == provider_message_id]
    (media,) = await gateway.app[MEDIA].of_message(entry.id)
    return media


async def post_meta(gateway, payload: dict) -> int:
    body = json.dumps(payload).encode()
    response = await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    return response.status


def meta_photo(media_id: str) -> dict:
    payload = fixture_json("meta", "image")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"] = media_id
    return payload


async def test_a_meta_photo_is_fetched_by_its_id_and_stored(gateway, meta_api):
    meta_api.meta_media("1479537139650973", PHOTO, mime_type="image/jpeg", expired=1)
    assert await post_meta(gateway, meta_photo("1479537139650973")) == 200
    media = await stored_media(gateway, "wamid.I5")
    assert media.state is MediaState.STORED and media.content_type == "image/jpeg"
    assert await gateway.app[MEDIA].read(media.id) == PHOTO


async def test_a_meta_file_larger_than_its_kind_allows_is_never_downloaded(gateway, meta_api):
    meta_api.meta_media("1479537139650973", PHOTO, mime_type="image/jpeg", file_size=6 * 1024 * 1024)
    await post_meta(gateway, meta_photo("1479537139650973"))
    media = await stored_media(gateway, "wamid.I5")
    assert media.state is MediaState.UNAVAILABLE and "larger than" in media.error
    assert meta_api.requests_to("/lookaside/") == []


async def test_a_meta_media_id_meta_does_not_know_leaves_the_file_unavailable(gateway, meta_api):
    await post_meta(gateway, meta_photo("no-such-media"))
    media = await stored_media(gateway, "wamid.I5")
    assert media.state is MediaState.UNAVAILABLE and META_TOKEN not in media.error


async def test_a_twilio_photo_comes_through_the_redirect_and_the_credentials_stay_with_twilio(
    gateway, twilio_api, elsewhere
):
    twilio_api.redirect(MEDIA_PATH, elsewhere.file("/s3/ME2b", PHOTO, content_type="image/jpeg"), private=True)
    form = fixture_json("twilio", "image") | {"MediaUrl0": twilio_api.url(MEDIA_PATH)}
    url = PUBLIC_URL + "/webhooks/twilio"
    response = await gateway.post(
        "/webhooks/twilio", data=urlencode(form), headers=twilio_headers(url, form, TWILIO_TOKEN)
    )
    assert response.status == 200
    media = await stored_media(gateway, form["MessageSid"])
    assert media.state is MediaState.STORED and await gateway.app[MEDIA].read(media.id) == PHOTO
    assert [request.path for request in elsewhere.requests] == ["/s3/ME2b"]
    assert "Authorization" not in elsewhere.requests[0].headers


async def test_a_twilio_file_whose_bytes_are_not_what_it_claims_is_not_kept(gateway, twilio_api):
    twilio_api.file(MEDIA_PATH, pdf(), content_type="image/jpeg", private=True)
    form = fixture_json("twilio", "image") | {"MediaUrl0": twilio_api.url(MEDIA_PATH)}
    url = PUBLIC_URL + "/webhooks/twilio"
    await gateway.post("/webhooks/twilio", data=urlencode(form), headers=twilio_headers(url, form, TWILIO_TOKEN))
    media = await stored_media(gateway, form["MessageSid"])
    assert media.state is MediaState.UNAVAILABLE


async def test_a_myoperator_document_is_fetched_from_its_link(gateway, elsewhere):
    event = fixture_json("myoperator", "document")
    report = pdf("Invoice 4411")
    event["payload"]["data"]["link"] = elsewhere.file("/media/invoice.pdf", report, content_type="application/pdf")
    response = await gateway.post(
        "/webhooks/myoperator", data=json.dumps(event), headers=myoperator_headers(MYOPERATOR_SECRET)
    )
    assert response.status == 200
    media = await stored_media(gateway, event["payload"]["id"])
    assert media.state is MediaState.STORED and media.filename == "invoice.pdf"
    assert await gateway.app[MEDIA].read(media.id) == report


# ------------------------------------------------------------------ links a payload names


async def post_myoperator_document(gateway, link: str) -> str:
    """Post a MyOperator document whose file is at `link`; the provider's id of the message."""
    event = fixture_json("myoperator", "document")
    event["payload"]["data"]["link"] = link
    response = await gateway.post(
        "/webhooks/myoperator", data=json.dumps(event), headers=myoperator_headers(MYOPERATOR_SECRET)
    )
    assert response.status == 200
    return event["payload"]["id"]


@pytest.mark.parametrize(
    ("link", "why"),
    [
        ("http://{elsewhere}/media/invoice.pdf", "over http, not https"),
        ("https://{elsewhere}/media/invoice.pdf", "resolves to no public address"),  # a name for 127.0.0.1
        ("https://127.0.0.1:{port}/media/invoice.pdf", "not a public address"),
        ("https://169.254.169.254/latest/meta-data/", "not a public address"),  # a cloud's metadata service
        ("https://10.0.0.7/media/invoice.pdf", "not a public address"),
        ("https://[::1]:{port}/media/invoice.pdf", "not a public address"),
    ],
)
async def test_a_link_into_the_gateways_own_network_is_refused_without_a_request(gateway_with, elsewhere, link, why):
    gateway = await gateway_with()
    elsewhere.file("/media/invoice.pdf", pdf("Invoice 4411"), content_type="application/pdf")
    host = elsewhere.base.removeprefix("http://")
    message_id = await post_myoperator_document(gateway, link.format(elsewhere=host, port=host.split(":")[1]))
    media = await stored_media(gateway, message_id)
    assert media.state is MediaState.UNAVAILABLE and why in media.error
    assert media.attempts == 1, "a refused link is not tried again"
    assert elsewhere.requests == []


@pytest.mark.parametrize(("scheme", "why"), [("http", "over http, not https"), ("https", "no public address")])
async def test_a_redirect_is_followed_only_under_the_same_rule(gateway_with, twilio_api, elsewhere, scheme, why):
    gateway = await gateway_with()
    target = elsewhere.file("/s3/ME2b", PHOTO, content_type="image/jpeg").replace("http:", f"{scheme}:")
    twilio_api.redirect(MEDIA_PATH, target, private=True)
    form = fixture_json("twilio", "image") | {"MediaUrl0": twilio_api.url(MEDIA_PATH)}
    url = PUBLIC_URL + "/webhooks/twilio"
    await gateway.post("/webhooks/twilio", data=urlencode(form), headers=twilio_headers(url, form, TWILIO_TOKEN))
    media = await stored_media(gateway, form["MessageSid"])
    assert media.state is MediaState.UNAVAILABLE and why in media.error
    assert twilio_api.requests_to(MEDIA_PATH) and elsewhere.requests == []


async def test_a_link_on_the_providers_own_api_is_fetched_wherever_the_operator_put_it(gateway_with, myoperator_api):
    gateway = await gateway_with()
    report = pdf("Invoice 4411")
    link = myoperator_api.file("/chat/media/77c2", report, content_type="application/pdf", private=True)
    media = await stored_media(gateway, await post_myoperator_document(gateway, link))
    assert media.state is MediaState.STORED and await gateway.app[MEDIA].read(media.id) == report
