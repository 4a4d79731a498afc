"""A file an operator or a business system sends on its own, to a contact outside WhatsApp's
24-hour window, is refused at the door; queued anyway (force_queue), it dies like free text,
where a notification's file is only suppressed (tests/gateway/notifications/test_attachment_order.py)."""

from datetime import timedelta

import pytest

from gateway.appkeys import MEDIA, STORE
from gateway.models import MediaKind
from gateway.notifications.delivery import OUTSIDE_WINDOW
from gateway.ports.records import JobState
from gateway.testing import queue_sent

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CONTACT = "+15550002222"
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
async def api(make_gateway, clock):
    meta = {"meta_access_token": "t", "meta_phone_number_id": "1", "meta_app_secret": "s", "meta_verify_token": "v"}
    client = await make_gateway([], admin_token=TOKEN, **meta)
    last = (clock.now() - timedelta(days=2)).isoformat()
    await client.app[STORE].settings.update_contact(CONTACT, {"last_inbound_at": last, "last_provider": "meta"})
    return client


async def photo_send(api, **extra) -> dict:
    stored = await api.app[MEDIA].put(PHOTO, content_type="image/jpeg", kind=MediaKind.IMAGE, filename="crack.jpg")
    return {"recipient": CONTACT, "media": {"kind": "image", "media_id": stored.id}, **extra}


async def test_a_file_outside_the_window_is_refused_at_the_door(api):
    response = await api.post("/api/v1/messages", json=await photo_send(api), headers=AUTH)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["fields"][0]["path"] == "media" and "24-hour window" in error["message"]
    assert (await api.app[STORE].queue.counts())[JobState.QUEUED] == 0


async def test_a_file_queued_anyway_outside_the_window_dies_with_the_reason(api):
    response = await api.post("/api/v1/messages", json=await photo_send(api, force_queue=True), headers=AUTH)
    assert response.status == 202
    await queue_sent(api)
    job = await api.app[STORE].queue.get((await response.json())["job"])
    assert job.state is JobState.DEAD and job.last_error == OUTSIDE_WINDOW
