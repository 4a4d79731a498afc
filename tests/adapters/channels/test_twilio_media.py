"""Twilio's media: every inbound kind parsed, `MediaUrl0` fetched with basic auth through the
redirect to another host without the credentials following it, failures classified, oversize
refused without reading it all, and media sent as `MediaUrl` in the shape Twilio documents."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.channels import twilio
from gateway.models import InboundKind, Media, MediaKind, OutboundMedia, OutboundMessage
from gateway.ports.channel import MediaUnavailable, SendError
from tests.adapters.channels.conftest import fixture_json
from tests.gateway.media.samples import pdf, picture
from tests.stand_in_media import StandInMedia
from tests.stand_in_provider import Answer, StandInProvider

SID = "AC7e0000000000000000000000000001"
TOKEN = "twilio-auth-token-0123456789"
BASIC = aiohttp.encode_basic_auth(SID, TOKEN)
MEDIA_PATH = f"/2010-04-01/Accounts/{SID}/Messages/MM77/Media/ME2b"
MB = 1024 * 1024


def only_message(name: str):
    body = urlencode(fixture_json("twilio", name)).encode()
    (message,) = twilio.parse(body, datetime(2026, 7, 1, tzinfo=UTC)).messages
    return message


# ------------------------------------------------------------------ parse


@pytest.mark.parametrize(
    ("name", "kind", "voice", "mime_type", "caption"),
    [
        ("image", MediaKind.IMAGE, False, "image/jpeg", "photo of the damaged box"),
        ("document", MediaKind.DOCUMENT, False, "application/pdf", None),
        ("voice", MediaKind.AUDIO, True, "audio/ogg", None),
        ("audio", MediaKind.AUDIO, False, "audio/mpeg", None),
        ("video", MediaKind.VIDEO, False, "video/mp4", "the press jams here"),
        ("sticker", MediaKind.STICKER, False, "image/webp", None),
    ],
)
def test_every_media_kind_says_what_it_is(name, kind, voice, mime_type, caption):
    message = only_message(name)
    assert message.kind is InboundKind.MEDIA
    assert (message.media.kind, message.media.voice, message.media.mime_type) == (kind, voice, mime_type)
    assert message.media.caption == caption and "/Media/ME" in str(message.media.url)


def test_a_media_type_twilio_does_not_name_leaves_the_kind_to_the_files_type():
    form = fixture_json("twilio", "image") | {"MessageType": "unknown-new-type"}
    (message,) = twilio.parse(urlencode(form).encode(), datetime(2026, 7, 1, tzinfo=UTC)).messages
    assert message.kind is InboundKind.MEDIA and message.media.kind is None


def test_a_shared_location_is_a_location_with_its_label_and_address():
    location = only_message("location").location
    assert (location.name, location.address) == ("Plant 2", "Andheri East, Mumbai")


# ------------------------------------------------------------------ fetch


@pytest.fixture
async def api(aiohttp_server):
    """Twilio's API host: the media URL, behind basic auth."""
    return await StandInMedia(authorization=BASIC).start(aiohttp_server)


@pytest.fixture
async def files(aiohttp_server):
    """The host Twilio redirects a media URL to: another origin (another name and port)."""
    return await StandInMedia().start(aiohttp_server, host="localhost")


def channel(base: str, **options) -> twilio.TwilioChannel:
    return twilio.TwilioChannel(
        account_sid=SID,
        auth_token=TOKEN,
        whatsapp_number="whatsapp:+14155550100",
        api_base=base,
        status_callback="https://gw.example.com/webhooks/twilio",
        **options,
    )


async def fetch(base: str, url: str, http, max_bytes: int = MB, **options):
    return await channel(base, **options).fetch_media(Media(url=url, mime_type="image/png"), max_bytes, http)


async def test_the_file_is_fetched_through_the_redirect_and_the_credentials_stay_with_twilio(api, files, http):
    photo = picture("PNG")
    url = api.redirect(MEDIA_PATH, files.file("/s3/ME2b", photo, content_type="image/png"), private=True)
    got = await fetch(api.base, url, http)
    assert (got.data, got.content_type) == (photo, "image/png")
    assert api.requests[0].headers["Authorization"] == BASIC
    (on_the_file_host,) = files.requests
    assert "Authorization" not in on_the_file_host.headers


async def test_a_media_url_on_another_host_than_twilios_api_is_sent_no_credentials(api, files, http):
    url = files.file("/elsewhere/ME2b", b"bytes", content_type="image/png")
    await fetch(api.base, url, http)
    assert "Authorization" not in files.requests[0].headers


async def test_the_declared_type_is_handed_on_even_when_the_bytes_are_something_else(api, http):
    # telling a lie from the truth is the inbox's check (gateway/media/sniffing.py), not the channel's
    document = pdf()
    url = api.file(MEDIA_PATH, document, content_type="image/png", private=True)
    got = await fetch(api.base, url, http)
    assert (got.data, got.content_type) == (document, "image/png")


@pytest.mark.parametrize(("status", "retryable"), [(404, False), (403, False), (500, True), (503, True), (429, True)])
async def test_failures_are_retryable_only_when_trying_later_can_help(api, http, status, retryable):
    url = api.file(MEDIA_PATH, status=status, private=True)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(api.base, url, http)
    assert unavailable.value.retryable is retryable and str(status) in unavailable.value.message
    assert TOKEN not in unavailable.value.message and SID not in unavailable.value.message


@pytest.mark.parametrize("declare_length", [True, False])
async def test_an_oversize_file_is_refused_without_reading_it_all(api, http, declare_length):
    size = 64 * MB
    url = api.large_file(MEDIA_PATH, size, content_type="video/mp4", declare_length=declare_length)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(api.base, url, http, max_bytes=MB)
    assert not unavailable.value.retryable and "larger than" in unavailable.value.message
    assert await api.finished(MEDIA_PATH) < size // 4


async def test_a_file_just_at_the_limit_is_taken(api, http):
    url = api.large_file(MEDIA_PATH, MB, content_type="video/mp4", declare_length=False)
    got = await fetch(api.base, url, http, max_bytes=MB)
    assert len(got.data) == MB


async def test_a_host_that_never_answers_is_retryable(api, http):
    url = api.file(MEDIA_PATH, b"x", hang=True, private=True)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(api.base, url, http, download_timeout=aiohttp.ClientTimeout(sock_read=0.1))
    assert unavailable.value.retryable


async def test_an_unreachable_host_is_retryable(http):
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch("http://127.0.0.1:9", f"http://127.0.0.1:9{MEDIA_PATH}", http)
    assert unavailable.value.retryable


async def test_a_filename_the_host_gives_is_kept(api, http):
    url = api.file(MEDIA_PATH, pdf(), content_type="application/pdf", filename="invoice.pdf", private=True)
    assert (await fetch(api.base, url, http)).filename == "invoice.pdf"


# ------------------------------------------------------------------ send


@pytest.fixture
async def messages_api(aiohttp_server):
    return await StandInProvider(Answer(201, {"sid": "MM1", "status": "queued"})).start(aiohttp_server)


@pytest.mark.parametrize(
    ("media", "body"),
    [
        ({"kind": "image", "caption": "the box"}, "the box"),
        ({"kind": "document", "filename": "defect-D-17.pdf", "caption": "Report"}, "Report"),
        ({"kind": "video", "caption": "How to"}, "How to"),
        ({"kind": "audio"}, None),
    ],
)
async def test_each_kind_goes_as_media_url_with_the_caption_as_body(messages_api, http, media, body):
    message = OutboundMessage(recipient="+919812345678", media=OutboundMedia(url="https://gw.example/m/1", **media))
    assert await channel(messages_api.base).send(message, http) == "MM1"
    sent = messages_api.requests[-1].form()
    assert sent["MediaUrl"] == "https://gw.example/m/1" and sent.get("Body") == body
    assert sent["To"] == "whatsapp:+919812345678"


async def test_media_without_a_link_is_refused_not_sent(messages_api, http):
    message = OutboundMessage(recipient="+919812345678", media=OutboundMedia(kind="image", media_id="m1"))
    with pytest.raises(SendError) as refused:
        await channel(messages_api.base).send(message, http)
    assert not refused.value.retryable and messages_api.requests == []


def test_stickers_are_not_among_the_kinds_twilio_sends():
    assert twilio.TwilioChannel.capabilities.media == {
        MediaKind.IMAGE,
        MediaKind.AUDIO,
        MediaKind.VIDEO,
        MediaKind.DOCUMENT,
    }
