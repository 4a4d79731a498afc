"""MyOperator's media [assumed shapes, myoperator.md §1 and §4]: every inbound kind parsed, the
event's `link` fetched (the API key only to the API's own host), and media sent by link."""

import pytest

from adapters.channels import myoperator
from gateway.models import InboundKind, Media, MediaKind, OutboundMedia, OutboundMessage
from gateway.ports.channel import MediaUnavailable
from tests.adapters.channels.conftest import fixture_bytes
from tests.gateway.media.samples import picture
from tests.stand_in_media import StandInMedia
from tests.stand_in_provider import Answer, StandInProvider

API_KEY = "myop-key-0123456789"
COMPANY = "68a1f00d2b3c4d5e"
MB = 1024 * 1024


def only_message(name: str):
    (message,) = myoperator.parse(fixture_bytes("myoperator", name)).messages
    return message


@pytest.mark.parametrize(
    ("name", "kind", "voice", "caption", "filename"),
    [
        ("image", MediaKind.IMAGE, False, "damaged box", None),
        ("document", MediaKind.DOCUMENT, False, None, "invoice.pdf"),
        ("voice", MediaKind.AUDIO, True, None, None),
        ("video", MediaKind.VIDEO, False, "the press jams here", None),
        ("sticker", MediaKind.STICKER, False, None, None),
    ],
)
def test_every_media_kind_says_what_it_is(name, kind, voice, caption, filename):
    message = only_message(name)
    assert message.kind is InboundKind.MEDIA and str(message.media.url).startswith("https://media.myoperator.")
    assert (message.media.kind, message.media.voice) == (kind, voice)
    assert (message.media.caption, message.media.filename) == (caption, filename)


def test_a_shared_location_is_a_location():
    assert only_message("location").kind is InboundKind.LOCATION


# ------------------------------------------------------------------ fetch


@pytest.fixture
async def api(aiohttp_server):
    return await StandInMedia(authorization=f"Bearer {API_KEY}").start(aiohttp_server)


@pytest.fixture
async def cdn(aiohttp_server):
    return await StandInMedia().start(aiohttp_server, host="localhost")


def channel(base: str) -> myoperator.MyOperatorChannel:
    return myoperator.MyOperatorChannel(
        api_key=API_KEY, company_id=COMPANY, phone_number_id="690000000000001", webhook_secret="s", api_base=base
    )


async def test_a_link_on_the_api_host_is_fetched_with_the_api_key(api, http):
    photo = picture("PNG")
    url = api.file("/chat/media/77c2", photo, content_type="image/png", private=True)
    got = await channel(api.base).fetch_media(Media(url=url), MB, http)
    assert (got.data, got.content_type) == (photo, "image/png")
    assert api.requests[0].headers["X-MYOP-COMPANY-ID"] == COMPANY


async def test_a_link_elsewhere_is_fetched_as_it_is_without_the_api_key(api, cdn, http):
    url = cdn.file("/img.jpg", b"jpeg bytes", content_type="image/jpeg")
    got = await channel(api.base).fetch_media(Media(url=url, mime_type="image/jpeg"), MB, http)
    assert got.data == b"jpeg bytes"
    assert "Authorization" not in cdn.requests[0].headers and "X-MYOP-COMPANY-ID" not in cdn.requests[0].headers


@pytest.mark.parametrize(("status", "retryable"), [(404, False), (500, True)])
async def test_failures(api, cdn, http, status, retryable):
    url = cdn.file("/gone.jpg", status=status)
    with pytest.raises(MediaUnavailable) as unavailable:
        await channel(api.base).fetch_media(Media(url=url), MB, http)
    assert unavailable.value.retryable is retryable and API_KEY not in unavailable.value.message


async def test_media_without_a_link_cannot_be_fetched(api, http):
    with pytest.raises(MediaUnavailable) as unavailable:
        await channel(api.base).fetch_media(Media(media_id="77c2"), MB, http)
    assert not unavailable.value.retryable


# ------------------------------------------------------------------ send


@pytest.fixture
async def messages_api(aiohttp_server):
    accepted = {"status": "success", "data": {"message_id": "6d7b"}}
    return await StandInProvider(Answer(200, accepted)).start(aiohttp_server)


@pytest.mark.parametrize(
    ("media", "data"),
    [
        (
            {"kind": "image", "caption": "Your parcel"},
            {"type": "image", "link": "https://gw.example/m/1", "caption": "Your parcel"},
        ),
        (
            {"kind": "document", "caption": "Report", "filename": "defect-D-17.pdf"},
            {"type": "document", "link": "https://gw.example/m/1", "caption": "Report", "filename": "defect-D-17.pdf"},
        ),
    ],
)
async def test_media_goes_as_type_and_link_in_data(messages_api, http, media, data):
    message = OutboundMessage(recipient="+919812345678", media=OutboundMedia(url="https://gw.example/m/1", **media))
    await channel(messages_api.base).send(message, http)
    assert messages_api.requests[-1].json()["data"] == data


def test_only_images_and_documents_are_sent_natively():
    assert myoperator.MyOperatorChannel.capabilities.media == {MediaKind.IMAGE, MediaKind.DOCUMENT}
