"""Stored media sent through each provider's API (stand-ins), by a gateway whose public URL is
its own address, so the signed link the provider gets is one it can fetch: Twilio's MediaUrl
serves the file's bytes, Meta gets an upload once and its id after, MyOperator a link, and a
kind a provider cannot show arrives as text with the link."""

import aiohttp
import pytest
from aiohttp.test_utils import unused_port
from pydantic import HttpUrl

from gateway.app import create_app
from gateway.appkeys import MEDIA, OUTBOX, STORE
from gateway.models import MediaKind, OutboundMessage, Priority
from gateway.ports.records import JobState
from tests.gateway.media.samples import pdf, picture
from tests.gateway_fixtures import eventually

CONTACT = "+919812345678"


@pytest.fixture
async def gateway(aiohttp_client, provider_settings, clock):
    port = unused_port()
    settings = provider_settings.model_copy(update={"public_url": HttpUrl(f"http://127.0.0.1:{port}")})
    return await aiohttp_client(create_app(settings, clock=clock, entry_points=False), server_kwargs={"port": port})


async def send(gateway, provider: str, **media) -> str:
    message = OutboundMessage(recipient=CONTACT, provider=provider, priority=Priority.REPLY, media=media)
    return (await gateway.app[OUTBOX].enqueue(message)).id


async def settled(gateway, job_id: str):
    async def done():
        job = await gateway.app[STORE].queue.get(job_id)
        return job if job.state is not JobState.QUEUED and job.state is not JobState.SENDING else None

    return await eventually(done)


async def fetched(url: str) -> tuple[int, dict[str, str], bytes]:
    """The link as the provider fetches it: from outside, with no credentials."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, dict(response.headers), await response.read()


async def test_twilio_gets_a_media_url_it_can_fetch_the_files_bytes_from(gateway, stand_ins):
    photo = picture("JPEG")
    stored = await gateway.app[MEDIA].put(photo, content_type="image/jpeg", kind=MediaKind.IMAGE, filename="qa7.jpg")
    await send(gateway, "twilio", kind="image", media_id=stored.id, caption="Defect QA-7")
    [request] = await stand_ins.twilio.wait_for(1)
    form = request.form()
    assert form["Body"] == "Defect QA-7"
    status, headers, body = await fetched(form["MediaUrl"])
    assert (status, headers["Content-Type"], body) == (200, "image/jpeg", photo)
    tampered = form["MediaUrl"][:-3] + ("aaa" if not form["MediaUrl"].endswith("aaa") else "bbb")
    assert (await fetched(tampered))[0] == 403


async def test_meta_gets_one_upload_used_for_30_days_then_a_new_one(gateway, stand_ins, clock):
    report = pdf()
    stored = await gateway.app[MEDIA].put(report, content_type="application/pdf", kind=MediaKind.DOCUMENT)
    stand_ins.meta.then(200, {"id": "meta-upload-1"})
    for _ in range(2):
        await settled(gateway, await send(gateway, "meta", kind="document", media_id=stored.id, filename="QA-7.pdf"))
        clock.advance(days=14)
    upload, first, second = await stand_ins.meta.wait_for(3)
    assert upload.path.endswith("/106540352242922/media") and report in upload.body
    for sent in (first, second):
        assert sent.json()["document"] == {"id": "meta-upload-1", "filename": "QA-7.pdf"}
    clock.advance(days=2)
    stand_ins.meta.then(200, {"id": "meta-upload-2"})
    await settled(gateway, await send(gateway, "meta", kind="document", media_id=stored.id))
    *_, upload, third = await stand_ins.meta.wait_for(5)
    assert upload.path.endswith("/media") and third.json()["document"] == {"id": "meta-upload-2"}
    assert (await gateway.app[MEDIA].get(stored.id)).uploads["meta"].id == "meta-upload-2"


async def test_meta_refusing_the_upload_gets_the_link_instead(gateway, stand_ins):
    photo = picture("PNG")
    stored = await gateway.app[MEDIA].put(photo, content_type="image/png", kind=MediaKind.IMAGE)
    stand_ins.meta.then(400, {"error": {"code": 131053, "message": "Media upload error"}})
    job = await settled(gateway, await send(gateway, "meta", kind="image", media_id=stored.id))
    assert job.state is JobState.SENT
    _, sent = await stand_ins.meta.wait_for(2)
    link = sent.json()["image"]["link"]
    assert (await fetched(link))[2] == photo


async def test_myoperator_sends_a_document_by_link_and_a_video_as_text_with_its_link(gateway, stand_ins):
    report = pdf()
    media = gateway.app[MEDIA]
    document = await media.put(report, content_type="application/pdf", kind=MediaKind.DOCUMENT)
    video_bytes = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
    video = await media.put(video_bytes, content_type="video/mp4", kind=MediaKind.VIDEO)
    bill = {"kind": "document", "media_id": document.id, "filename": "bill.pdf"}
    await settled(gateway, await send(gateway, "myoperator", **bill))
    await settled(gateway, await send(gateway, "myoperator", kind="video", media_id=video.id, caption="SOP 12"))
    by_link, as_text = await stand_ins.myoperator.wait_for(2)
    assert by_link.json()["data"]["type"] == "document" and by_link.json()["data"]["filename"] == "bill.pdf"
    assert (await fetched(by_link.json()["data"]["link"]))[2] == report
    caption, link = as_text.json()["data"]["context"]["body"].split("\n")
    assert as_text.json()["data"]["type"] == "text" and caption == "SOP 12"
    assert (await fetched(link))[2] == video_bytes
