"""Media through the admin API: a stored file downloaded with the bearer token, the media on
each message in the history, and stored files sent by id, refused at the door when unknown."""

from datetime import UTC, datetime

import pytest

from gateway.appkeys import MEDIA, STORE
from gateway.models import InboundKind, InboundMessage, MediaKind, Provider
from gateway.ports.records import JobState
from tests.gateway_fixtures import eventually

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 300


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(admin_token=TOKEN)


async def call(api, method: str, path: str, status: int = 200, **request):
    response = await api.request(method, f"/api/v1{path}", headers=AUTH, **request)
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
            message_id=message.id, kind=MediaKind.IMAGE, content_type="image/jpeg", error="meta answered 404", attempts=1
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
    [listed] = (await call(api, "GET", "/messages", params={"direction": "inbound"}))["entries"]
    assert listed["media"] == [media]
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
