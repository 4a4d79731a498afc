"""A maintenance report with a photo or a voice note of the problem, in English and Arabic, and
the machine's training video sent with the ticket: as a video, or as a link where the channel
shows no video."""

import copy

import pytest

from gateway.app import create_app
from gateway.appkeys import MEDIA, STORE
from gateway.models import MediaKind
from gateway.testing import SimulatedContact, myoperator_headers
from plugins.maintenance.demo import TRAINING_VIDEO
from plugins.maintenance.plugin import MaintenancePlugin
from tests.adapters.channels.conftest import fixture_json
from tests.gateway_fixtures import MYOPERATOR_SECRET
from tests.inbound_files import jpeg, send_file, voice


@pytest.fixture
async def operator(make_gateway, clock):
    client = await make_gateway([MaintenancePlugin()])
    return await SimulatedContact(client, "+919812345678", clock).hold("staff")


async def at_the_problem_step(operator: SimulatedContact, machine: str, language: str = "en") -> None:
    titles = {
        "en": ("hello", "Maintenance", "Report an issue", "Electrical", "High"),
        "ar": ("مرحبا", "الصيانة", "الإبلاغ عن عطل", "كهربائي", "عالية"),
    }[language]
    await operator.send(titles[0])
    await operator.press(titles[1])
    await operator.press(titles[2])
    await operator.send(machine)
    await operator.press(titles[3])
    [question] = await operator.press(titles[4])
    assert question.options and question.text in (
        "Send a photo or a voice note of the problem, or skip.",
        "أرسل صورة أو رسالة صوتية عن العطل، أو تخطَّ هذه الخطوة.",
    )


async def ticket(operator: SimulatedContact) -> dict:
    [found] = await operator.client.app[STORE].records.find("maintenance", {"kind": "ticket"})
    return found


async def test_a_photo_of_the_problem_is_kept_on_the_ticket_and_the_training_video_follows(operator):
    await at_the_problem_step(operator, "CNC-01")
    opened, video, following = await operator.attach(jpeg(), "image/jpeg", "leak.jpg")
    assert opened.text.startswith("Ticket *MAINT-000001* opened for CNC-01 (electrical, high urgency).")
    assert opened.text.endswith(" Photo kept with the ticket.")
    assert await operator.client.app[MEDIA].read((await ticket(operator))["problem_media_id"]) == jpeg()
    assert video.media == {"kind": "video", "url": TRAINING_VIDEO, "caption": "Training video for CNC-01"}
    assert following.titles == ["Report an issue", "Menu"]


async def test_in_arabic_a_voice_note_of_the_problem_is_kept_on_the_ticket(operator):
    await at_the_problem_step(operator, "PRESS-01", "ar")
    stored = await operator.client.app[MEDIA].put(
        b"OggS\x00\x02" + bytes(200), content_type="audio/ogg", kind=MediaKind.AUDIO, message_id="voice-1"
    )
    [opened] = await send_file(operator, voice(stored.id, mime_type="audio/ogg"))
    assert opened.text.endswith(" حُفظت الرسالة الصوتية مع التذكرة.")
    assert (await ticket(operator))["problem_media_id"] == stored.id
    assert opened.media is None, "the press has no training video"


async def test_a_document_where_a_photo_or_voice_note_is_asked_for_is_explained(operator):
    await at_the_problem_step(operator, "PRESS-01")
    document = voice("m-doc").model_copy(update={"kind": MediaKind.DOCUMENT, "voice": False})
    explained, again = await send_file(operator, document)
    assert explained.text == "I can't read documents here. Please send a photo or a voice note, or skip this step."
    assert again.text == "Send a photo or a voice note of the problem, or skip."
    [opened, *_] = await operator.press("Skip")
    assert opened.text.startswith("Ticket *MAINT-000001* opened for PRESS-01") and "kept" not in opened.text
    assert (await ticket(operator))["problem_media_id"] is None


async def test_a_machine_without_a_training_video_sends_none(operator):
    await at_the_problem_step(operator, "PRESS-01")
    [opened] = await operator.press("Skip")
    assert opened.text.startswith("Ticket *MAINT-000001*") and opened.media is None


async def test_over_myoperator_which_shows_no_video_the_training_video_is_a_link(
    aiohttp_client, provider_settings, clock, stand_ins
):
    gateway = await aiohttp_client(
        create_app(provider_settings, clock=clock, plugins=[MaintenancePlugin()], entry_points=False)
    )
    await gateway.app[STORE].settings.set("roles.staff", ["+919812345678"])
    sent = 0

    async def say(text: str, replies: int = 1) -> list[dict]:
        nonlocal sent
        sent += 1
        clock.advance(seconds=1)
        body = copy.deepcopy(fixture_json("myoperator", "text"))
        body["event_id"] = f"evt-video-{sent}"
        body["payload"]["id"] = f"77c20000-0000-4000-8000-{sent:012d}"
        body["payload"]["data"]["context"]["body"] = text
        before = len(stand_ins.myoperator.requests)
        response = await gateway.post("/webhooks/myoperator", json=body, headers=myoperator_headers(MYOPERATOR_SECRET))
        assert response.status == 200, await response.text()
        return [request.json()["data"] for request in (await stand_ins.myoperator.wait_for(before + replies))[before:]]

    for text in ("menu", "1", "1", "CNC-01", "2", "3"):
        await say(text)
    opened, video, following = await say("1", replies=3)  # Skip
    assert opened["context"]["body"].startswith("Ticket *MAINT-000001* opened for CNC-01")
    assert video == {
        "type": "text",
        "context": {"body": f"Training video for CNC-01\n{TRAINING_VIDEO}", "preview_url": False},
    }
    assert following["context"]["body"].startswith("Anything else?")


@pytest.mark.parametrize(
    ("video_url", "as_video"),
    [
        ("https://cdn.example.com/training/press-2.MP4?sig=abc", True),
        ("https://cdn.example.com/training/press-2.3gp", True),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", False),  # a page, not the file
        ("https://intranet.example.com/training/press-2", False),
        ("http://cdn.example.com/training/press-2.mp4", False),  # providers fetch over https only
    ],
)
async def test_a_training_video_that_is_not_a_video_file_is_sent_as_a_link(
    make_gateway, clock, business_system, video_url, as_video
):
    def ticket(path: str, body: dict, number: int) -> dict:
        return body | {"reference": f"WO-{number}", "status": "open", "video_url": video_url}

    machine = {"id": "PRESS-2", "name": "Press 2", "line": "A"}
    await business_system("MAINTENANCE", ticket, {"/api/machines/PRESS-2": machine})
    operator = await SimulatedContact(await make_gateway([MaintenancePlugin()]), "+919812345678", clock).hold("staff")
    await at_the_problem_step(operator, "PRESS-2")
    opened, video, *_ = await operator.press("Skip")
    assert "*WO-1*" in opened.text
    if as_video:
        assert video.media == {"kind": "video", "url": video_url, "caption": "Training video for PRESS-2"}
    else:
        assert video.media is None and video.text == f"Training video for PRESS-2\n{video_url}"
        assert video.titles == ["Report an issue", "Menu"], "the next steps go with the link"
