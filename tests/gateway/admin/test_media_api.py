"""Media through the admin API: a stored file downloaded with the bearer token, the media on
each message in the history, and stored files sent by id, refused at the door when unknown."""

import hashlib
import threading
from datetime import UTC, datetime

import aiohttp
import pytest

from gateway.admin import media as admin_media
from gateway.admin.messages import HistoryPage, LoggedMessage
from gateway.appkeys import MEDIA, STORE
from gateway.models import InboundKind, InboundMessage, MediaKind, Provider
from gateway.ports.records import JobState
from gateway.media.sniffing import checked
from tests.gateway.media.samples import office_document, pdf, picture, windows_program
from tests.gateway_fixtures import eventually

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 300


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(admin_token=TOKEN)


async def call(api, method: str, path: str, status: int = 200, headers: dict[str, str] | None = None, **request):
    response = await api.request(method, f"/api/v1{path}", headers=AUTH | (headers or {}), **request)
    assert response.status == status, await response.text()
    return await response.json()


async def inbound_photo(api, fetched: bool = True) -> tuple[InboundMessage, str]:
    """A contact's photo as the inbox leaves it: logged, and its file stored (or not) for the message."""
    message = InboundMessage(
        provider=Provider.META,
        provider_message_id="wamid.PHOTO",
        sender="+919812345678",
        timestamp=datetime(2026, 1, 5, 9, tzinfo=UTC),
        kind=InboundKind.MEDIA,
        media={"media_id": "1234567890", "mime_type": "image/jpeg", "kind": "image"},
    )
    await api.app[STORE].log.record_inbound(message)
    media = api.app[MEDIA]
    if fetched:
        stored = await media.put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, message_id=message.id)
    else:
        stored = await media.put_unavailable(
            message_id=message.id,
            kind=MediaKind.IMAGE,
            content_type="image/jpeg",
            error="meta answered 404",
            attempts=1,
        )
    return message, stored.id


async def test_a_stored_file_is_downloaded_with_its_type_and_name(api):
    stored = await api.app[MEDIA].put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, filename="crack.jpg")
    response = await api.get(f"/api/v1/media/{stored.id}", headers=AUTH)
    assert response.status == 200 and await response.read() == PHOTO
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"] == 'attachment; filename="crack.jpg"'


async def test_media_needs_the_bearer_token(api):
    stored = await api.app[MEDIA].put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE)
    assert (await api.get(f"/api/v1/media/{stored.id}")).status == 401
    assert (await api.get(f"/api/v1/media/{stored.id}", headers={"Authorization": "Bearer wrong"})).status == 401


async def test_unknown_and_unavailable_media_are_404_saying_why(api):
    assert (await call(api, "GET", "/media/nope", 404))["error"]["message"] == "no media nope"
    _, unavailable = await inbound_photo(api, fetched=False)
    error = await call(api, "GET", f"/media/{unavailable}", 404)
    assert error["error"]["message"] == f"media {unavailable} is unavailable: meta answered 404"


async def test_a_message_and_the_history_show_the_media_it_came_with(api):
    message, media_id = await inbound_photo(api)
    shown = await call(api, "GET", f"/messages/{message.id}")
    [media] = shown["media"]
    assert media == {
        "id": media_id,
        "state": "stored",
        "kind": "image",
        "content_type": "image/jpeg",
        "size": len(PHOTO),
        "sha256": media["sha256"],
        "filename": None,
        "error": None,
        "attempts": 0,
        "href": f"/api/v1/media/{media_id}",
    }
    page = await call(api, "GET", "/messages", params={"direction": "inbound"})
    assert page["entries"][0]["media"] == [media]
    LoggedMessage.model_validate(shown), HistoryPage.model_validate(page)  # the answers are what the document says
    assert await (await api.get(media["href"], headers=AUTH)).read() == PHOTO


async def test_a_file_that_could_not_be_had_shows_why_on_its_message(api):
    message, media_id = await inbound_photo(api, fetched=False)
    [media] = (await call(api, "GET", f"/messages/{message.id}"))["media"]
    assert (media["id"], media["state"], media["error"], media["attempts"]) == (
        media_id,
        "unavailable",
        "meta answered 404",
        1,
    )


async def test_a_stored_file_is_sent_by_id_and_shown_on_the_outbound_message(api):
    stored = await api.app[MEDIA].put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE)
    queued = await call(
        api,
        "POST",
        "/messages",
        202,
        json={
            "recipient": "sim:+15550001111",
            "provider": "simulator",
            "priority": 10,
            "media": {"kind": "image", "media_id": stored.id, "caption": "The crack"},
        },
    )
    store = api.app[STORE]
    assert await eventually(lambda: sent(store, queued["job"]))
    shown = await call(api, "GET", f"/messages/{queued['job']}")
    assert shown["message"]["media"] == {"kind": "image", "media_id": stored.id, "caption": "The crack"}
    assert [media["id"] for media in shown["media"]] == [stored.id]


async def sent(store, job_id):
    return (await store.queue.get(job_id)).state is JobState.SENT


async def test_an_unknown_or_mismatched_media_id_is_422_naming_the_field(api):
    body = {"recipient": "+15550001111", "media": {"kind": "image", "media_id": "nope"}}
    error = (await call(api, "POST", "/messages", 422, json=body))["error"]
    assert error["fields"] == [{"path": "media.media_id", "message": "no media nope"}]
    report = await api.app[MEDIA].put(b"%PDF-1.7", content_type="application/pdf", kind=MediaKind.DOCUMENT)
    body["media"] = {"kind": "image", "media_id": report.id}
    error = (await call(api, "POST", "/messages", 422, json=body))["error"]
    assert error["fields"] == [{"path": "media.kind", "message": f"media {report.id} is document, not image"}]
    bulk = {"recipients": ["+15550001111"], "message": {"media": {"kind": "video", "media_id": "nope"}}}
    error = (await call(api, "POST", "/messages/bulk", 422, json=bulk))["error"]
    assert error["fields"] == [{"path": "message.media.media_id", "message": "no media nope"}]
    assert (await call(api, "GET", "/messages"))["entries"] == []


async def test_an_uploaded_photo_is_stored_as_what_its_bytes_are_then_sent_by_id(api):
    jpeg = picture("JPEG")
    form = aiohttp.FormData(quote_fields=False)  # as curl and browsers send it
    form.add_field("file", jpeg, filename="C:\\Users\\asha\\crack.jpg", content_type="image/jpeg")
    uploaded = await call(api, "POST", "/media", 201, data=form)
    assert (uploaded["kind"], uploaded["content_type"], uploaded["size"]) == ("image", "image/jpeg", len(jpeg))
    assert uploaded["filename"] == "crack.jpg" and uploaded["sha256"] == hashlib.sha256(jpeg).hexdigest()
    assert await (await api.get(uploaded["href"], headers=AUTH)).read() == jpeg
    queued = await call(
        api,
        "POST",
        "/messages",
        202,
        json={"recipient": "sim:+15550001111", "priority": 10, "media": {"kind": "image", "media_id": uploaded["id"]}},
    )
    assert await eventually(lambda: sent(api.app[STORE], queued["job"]))


async def test_a_raw_body_is_uploaded_with_its_content_type_and_the_name_asked_for(api):
    report = pdf() + b"%" * (2 * 1024 * 1024)  # past the 1 MiB that other request bodies may be
    uploaded = await call(
        api,
        "POST",
        "/media",
        201,
        params={"filename": "bill 2026-01.pdf"},
        data=report,
        headers={"Content-Type": "application/pdf"},
    )
    assert (uploaded["kind"], uploaded["content_type"], uploaded["filename"]) == (
        "document",
        "application/pdf",
        "bill 2026-01.pdf",
    )
    assert uploaded["size"] == len(report)


async def test_an_uploaded_file_is_checked_off_the_event_loop(api, monkeypatch):
    """The caller's bytes decide how long a check takes (an Office file's ZIP directory may
    list a great many entries), so other requests are not held up meanwhile."""
    checked_on: list[int] = []

    def noting_the_thread(*args):
        checked_on.append(threading.get_ident())
        return checked(*args)

    monkeypatch.setattr(admin_media, "checked", noting_the_thread)
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    minutes = office_document("word/", after=50)
    uploaded = await call(api, "POST", "/media", 201, data=minutes, headers={"Content-Type": docx})
    assert uploaded["content_type"] == docx
    assert checked_on and threading.get_ident() not in checked_on, "the caller's file was opened on the event loop"


async def test_files_that_lie_are_empty_or_not_whatsapps_are_refused_at_the_door(api):
    for body, declared, reason in [
        (picture("JPEG"), "application/pdf", "declared application/pdf but its bytes are image/jpeg"),
        (windows_program(), "image/jpeg", "WhatsApp does not accept"),
        (b"", "text/plain", "the file is empty"),
    ]:
        error = (await call(api, "POST", "/media", 422, data=body, headers={"Content-Type": declared}))["error"]
        assert error["fields"][0]["path"] == "file" and reason in error["message"], error
    form = aiohttp.FormData()
    form.add_field("photo", picture("PNG"), filename="x.png", content_type="image/png")
    error = (await call(api, "POST", "/media", 422, data=form))["error"]
    assert error["fields"] == [{"path": "file", "message": "a multipart upload needs a part named file"}]


async def test_a_file_over_its_kinds_limit_is_413_before_it_is_all_read(api):
    too_big = b"\xff\xd8\xff\xe0" + bytes(5 * 1024 * 1024)
    response = await api.post(
        "/api/v1/media", params={"kind": "image"}, data=too_big, headers=AUTH | {"Content-Type": "image/jpeg"}
    )
    assert response.status == 413
    message = (await response.json())["error"]["message"]
    assert message == "the file is over 5,242,880 bytes, WhatsApp's limit for image media"


async def test_uploading_needs_the_bearer_token(api):
    response = await api.post("/api/v1/media", data=pdf(), headers={"Content-Type": "application/pdf"})
    assert response.status == 401


async def test_a_multipart_body_that_cannot_be_read_is_400(api):
    body = b'--b\r\nContent-Disposition: form-data; name="\xc2\xb5\x03"\r\n\r\nx\r\n--b--\r\n'
    form = {"Content-Type": "multipart/form-data; boundary=b"}
    error = await call(api, "POST", "/media", 400, data=body, headers=form)
    assert error["error"]["message"] == "the multipart body cannot be read"
