"""Meta's media: every inbound kind parsed, files fetched by media id (expired URLs resolved
again, failures classified, oversize refused early), uploads, and media sent by id or link."""

import aiohttp
import pytest

from adapters.channels import meta
from gateway.models import InboundKind, Media, MediaKind, OutboundMedia, OutboundMessage
from gateway.ports.channel import MediaUnavailable, SendError
from tests.adapters.channels.conftest import fixture_bytes
from tests.gateway.media.samples import pdf, picture
from tests.stand_in_media import StandInMedia

TOKEN = "EAAG-media-token"
NUMBER_ID = "106540352242922"
MB = 1024 * 1024


def only_message(name: str):
    (message,) = meta.parse(fixture_bytes("meta", name)).messages
    return message


# ------------------------------------------------------------------ parse


@pytest.mark.parametrize(
    ("name", "kind", "voice", "mime_type", "filename"),
    [
        ("image", MediaKind.IMAGE, False, "image/jpeg", None),
        ("document", MediaKind.DOCUMENT, False, "application/pdf", "invoice.pdf"),
        ("audio", MediaKind.AUDIO, False, "audio/ogg; codecs=opus", None),
        ("voice", MediaKind.AUDIO, True, "audio/ogg; codecs=opus", None),
        ("video", MediaKind.VIDEO, False, "video/mp4", None),
        ("sticker", MediaKind.STICKER, False, "image/webp", None),
    ],
)
def test_every_media_kind_says_what_it_is(name, kind, voice, mime_type, filename):
    message = only_message(name)
    assert message.kind is InboundKind.MEDIA
    assert (message.media.kind, message.media.voice, message.media.mime_type) == (kind, voice, mime_type)
    assert message.media.filename == filename and message.media.media_id


def test_a_shared_location_is_a_location():
    message = only_message("location")
    assert message.kind is InboundKind.LOCATION and message.location.latitude == 19.076


# ------------------------------------------------------------------ fetch


@pytest.fixture
async def graph(aiohttp_server):
    return await StandInMedia(authorization=f"Bearer {TOKEN}").start(aiohttp_server)


def channel(base: str, token: str = TOKEN, **options) -> meta.MetaChannel:
    return meta.MetaChannel(
        access_token=token,
        phone_number_id=NUMBER_ID,
        app_secret="s",
        verify_token="v",
        api_base=base,
        api_version="v25.0",
        **options,
    )


async def fetch(graph, http, media_id: str, max_bytes: int = MB, **media):
    return await channel(graph.base).fetch_media(Media(media_id=media_id, **media), max_bytes, http)


async def test_a_file_is_resolved_by_id_and_downloaded_with_the_bearer_token(graph, http):
    photo = picture("PNG")
    graph.meta_media("1479537139650973", photo, mime_type="image/png")
    got = await fetch(graph, http, "1479537139650973")
    assert (got.data, got.content_type) == (photo, "image/png")
    resolve, download = graph.requests
    assert resolve.path == "/v25.0/1479537139650973" and download.path.startswith("/lookaside/")
    assert resolve.headers["Authorization"] == download.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_document_keeps_the_filename_the_contact_sent(graph, http):
    graph.meta_media("1037543291543636", pdf(), mime_type="application/pdf")
    got = await fetch(graph, http, "1037543291543636", filename="invoice.pdf")
    assert got.filename == "invoice.pdf"


@pytest.mark.parametrize("expired_status", [401, 403, 404])
async def test_an_expired_url_is_resolved_again_once(graph, http, expired_status):
    graph.meta_media("2220005555", b"OggS voice", mime_type="audio/ogg", expired=1, expired_status=expired_status)
    got = await fetch(graph, http, "2220005555")
    assert got.data == b"OggS voice"
    assert [request.path for request in graph.requests] == [
        "/v25.0/2220005555",
        "/lookaside/2220005555/1",
        "/v25.0/2220005555",
        "/lookaside/2220005555/2",
    ]


async def test_a_url_that_expires_twice_is_given_up_without_a_retry(graph, http):
    graph.meta_media("2220005555", b"OggS", mime_type="audio/ogg", expired=2)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(graph, http, "2220005555")
    assert not unavailable.value.retryable and "404" in unavailable.value.message
    assert len(graph.requests_to("/v25.0/")) == 2


async def test_an_unknown_media_id_is_not_retried(graph, http):
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(graph, http, "no-such-media")
    assert not unavailable.value.retryable and "no-such-media" in unavailable.value.message


async def test_a_file_host_failing_is_retryable(graph, http):
    graph.meta_media("3330006666", b"", mime_type="video/mp4")
    graph.file("/lookaside/3330006666", status=500, private=True)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(graph, http, "3330006666")
    assert unavailable.value.retryable and "500" in unavailable.value.message


async def test_a_wrong_token_is_not_retried_and_never_shown(graph, http):
    graph.meta_media("3330006666", b"x", mime_type="video/mp4")
    wrong = channel(graph.base, token="EAAG-wrong-token")
    with pytest.raises(MediaUnavailable) as unavailable:
        await wrong.fetch_media(Media(media_id="3330006666"), MB, http)
    assert not unavailable.value.retryable and "EAAG" not in unavailable.value.message


async def test_a_file_meta_says_is_too_large_is_refused_before_it_is_downloaded(graph, http):
    graph.meta_media("3330006666", b"x", mime_type="video/mp4", file_size=17 * MB)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(graph, http, "3330006666", max_bytes=16 * MB)
    assert not unavailable.value.retryable and "larger than" in unavailable.value.message
    assert graph.requests_to("/lookaside/") == []


async def test_a_file_larger_than_meta_said_is_cut_off_at_the_limit(graph, http):
    graph.meta_media("5550008888", bytes(600 * 1024), mime_type="image/webp", file_size=20 * 1024)
    with pytest.raises(MediaUnavailable) as unavailable:
        await fetch(graph, http, "5550008888", max_bytes=500 * 1024)
    assert not unavailable.value.retryable and "larger than" in unavailable.value.message


async def test_a_file_host_that_does_not_answer_in_time_is_retryable(graph, http):
    graph.meta_media("3330006666", b"x", mime_type="video/mp4")
    graph.file("/lookaside/3330006666", b"x", hang=True, private=True)
    impatient = channel(graph.base, download_timeout=aiohttp.ClientTimeout(sock_read=0.1))
    with pytest.raises(MediaUnavailable) as unavailable:
        await impatient.fetch_media(Media(media_id="3330006666"), MB, http)
    assert unavailable.value.retryable and "in time" in unavailable.value.message


async def test_media_without_an_id_cannot_be_fetched(graph, http):
    with pytest.raises(MediaUnavailable) as unavailable:
        await channel(graph.base).fetch_media(Media(url="https://lookaside.fbsbx.com/x"), MB, http)
    assert not unavailable.value.retryable


# ------------------------------------------------------------------ upload


async def test_an_upload_posts_the_file_as_multipart_and_returns_metas_id(graph, http):
    report = pdf()
    media_id = await channel(graph.base).upload_media(report, "application/pdf", "defect-D-17.pdf", http)
    (upload,) = graph.uploads
    assert media_id == "upload-1" and upload.phone_number_id == NUMBER_ID
    assert upload.fields == {"messaging_product": "whatsapp", "type": "application/pdf"}
    assert (upload.data, upload.filename, upload.content_type) == (report, "defect-D-17.pdf", "application/pdf")
    assert graph.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_an_upload_lives_thirty_days():
    assert meta.MetaChannel.upload_lifetime.days == 30


@pytest.mark.parametrize(
    ("status", "body", "retryable", "code"),
    [
        (400, {"error": {"code": 131053, "message": "Media upload error"}}, False, "131053"),
        (503, {"error": {"code": 131016, "message": "Service unavailable"}}, True, "131016"),
        (400, {"error": {"code": 130429, "message": "Rate limit hit"}}, True, "130429"),
    ],
)
async def test_a_refused_upload_is_a_send_error_classified_like_a_send(graph, http, status, body, retryable, code):
    graph.then_upload(status, body)
    with pytest.raises(SendError) as refused:
        await channel(graph.base).upload_media(b"x", "image/png", None, http)
    assert (refused.value.retryable, refused.value.code) == (retryable, code)


# ------------------------------------------------------------------ send


def media_payload(**media) -> dict:
    return meta.payload(OutboundMessage(recipient="+919812345678", media=OutboundMedia(**media)))


def test_media_goes_by_the_upload_id_when_the_worker_has_one():
    body = media_payload(kind="image", media_id="m1", provider_media_id="8812", url="https://gw.example/m")
    assert body["type"] == "image" and body["image"] == {"id": "8812"}


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ({"kind": "image", "caption": "the box"}, {"link": "https://gw.example/m/1", "caption": "the box"}),
        (
            {"kind": "document", "caption": "Report", "filename": "defect-D-17.pdf"},
            {"link": "https://gw.example/m/1", "caption": "Report", "filename": "defect-D-17.pdf"},
        ),
        ({"kind": "video", "caption": "How to"}, {"link": "https://gw.example/m/1", "caption": "How to"}),
        ({"kind": "audio"}, {"link": "https://gw.example/m/1"}),
        ({"kind": "sticker"}, {"link": "https://gw.example/m/1"}),
    ],
)
def test_each_kind_goes_by_link_in_metas_shape(media, expected):
    body = media_payload(url="https://gw.example/m/1", **media)
    assert body["type"] == media["kind"] and body[media["kind"]] == expected


def test_media_with_neither_a_link_nor_an_upload_is_refused_not_sent():
    with pytest.raises(SendError) as refused:
        media_payload(kind="image", media_id="m1")
    assert not refused.value.retryable


def test_meta_sends_every_kind_natively():
    assert meta.MetaChannel.capabilities.media == frozenset(MediaKind)
