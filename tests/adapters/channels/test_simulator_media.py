"""Files in the simulator: a file attached on the page is checked, kept and processed as a
contact's message with its stored file; a file that is too large or lies about its type is
refused at the door; the bot's files come back with an address the page loads, which serves
only files of that simulated contact's conversation."""

import threading
from io import BytesIO

import pytest
from aiohttp import FormData
from fpdf import FPDF
from PIL import Image

from adapters.channels.simulator import attaching
from gateway.appkeys import INBOX, MEDIA, STORE
from gateway.hookspecs import hookimpl
from gateway.media.service import attachment
from gateway.media.sniffing import checked
from gateway.models import Content, InboundMessage, MediaKind
from gateway.ports.records import LogQuery
from gateway.testing import SimulatedContact

PHONE = "+15550001111"


def photo() -> bytes:
    """A real JPEG, as a phone's camera makes."""
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def pdf() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="QA-7 inspection")
    return bytes(document.output())


class Files:
    """Records what it is sent; answers a file with where it was kept, and "chart" with an image
    from the media store, as a plugin that renders one does."""

    def __init__(self) -> None:
        self.seen: list[InboundMessage] = []
        self.media = None

    @hookimpl
    async def handle_message(self, message: InboundMessage) -> list[Content]:
        self.seen.append(message)
        if message.media is not None:
            return [Content(text=f"got {message.media.kind.value} {message.media.stored_id}")]
        if message.text == "chart":
            stored = await self.media.put(photo(), content_type="image/jpeg", kind=MediaKind.IMAGE)
            return [Content(media=attachment(stored, caption="Order 4411"))]
        return [Content(text="ok")]


@pytest.fixture
def files() -> Files:
    return Files()


@pytest.fixture
async def client(make_gateway, files):
    gateway = await make_gateway([files])
    files.media = gateway.app[MEDIA]
    return gateway


@pytest.fixture
def contact(client, clock) -> SimulatedContact:
    return SimulatedContact(client, PHONE, clock)


def form(data: bytes, content_type: str, filename: str = "defect.jpg", **fields: str) -> FormData:
    posted = FormData({"phone": PHONE} | fields)
    posted.add_field("file", data, content_type=content_type, filename=filename)
    return posted


async def test_an_attached_photo_is_kept_and_processed_as_the_contacts_message(client, contact, files):
    taken = photo()
    [reply] = await contact.attach(taken, "image/jpeg", "crack.jpg", caption="the crack on ORD-4411")

    [message] = files.seen
    assert message.media.kind is MediaKind.IMAGE and message.media.mime_type == "image/jpeg"
    assert message.media.caption == "the crack on ORD-4411" and message.media.filename == "crack.jpg"
    assert reply.text == f"got image {message.media.stored_id}"
    stored = await client.app[MEDIA].get(message.media.stored_id)
    assert stored.message_id == message.id and stored.size == len(taken)

    transcript = (await (await client.get("/simulator/api/messages", params={"phone": PHONE})).json())["messages"]
    shown = transcript[0]["media"]
    assert (shown["kind"], shown["caption"], shown["filename"]) == ("image", "the crack on ORD-4411", "crack.jpg")
    served = await client.get(shown["url"])
    assert served.status == 200 and served.content_type == "image/jpeg" and await served.read() == taken


async def test_a_photo_larger_than_a_webhook_body_may_be_is_taken_up_to_whatsapps_limit(client, contact, files):
    large = photo() + bytes(4 * 1024 * 1024)  # a phone's full-resolution photo; webhooks stop at 1 MiB

    await contact.attach(large, "image/jpeg", "full-size.jpg")

    [message] = files.seen
    assert (await client.app[MEDIA].get(message.media.stored_id)).size == len(large)


async def test_an_attached_file_is_checked_off_the_event_loop(contact, files, monkeypatch):
    """The file's bytes decide how long a check takes (an Office file's ZIP directory may list a
    great many entries), so the gateway answers other requests meanwhile."""
    checked_on: list[int] = []

    def noting_the_thread(*args):
        checked_on.append(threading.get_ident())
        return checked(*args)

    monkeypatch.setattr(attaching, "checked", noting_the_thread)
    await contact.attach(pdf(), "application/pdf", "inspection.pdf")
    assert files.seen and checked_on and threading.get_ident() not in checked_on


async def test_an_audio_file_is_a_voice_note_and_a_pdf_a_document_with_its_name(contact, files):
    voice = bytes.fromhex("4f67675300") + bytes(60)  # an Ogg page header: what WhatsApp voice notes are
    await contact.attach(voice, "audio/ogg", "note.ogg")
    await contact.attach(pdf(), "application/pdf", "inspection.pdf")

    note, document = (message.media for message in files.seen)
    assert note.kind is MediaKind.AUDIO and note.voice
    assert document.kind is MediaKind.DOCUMENT and document.filename == "inspection.pdf"


@pytest.mark.parametrize(
    ("data", "content_type", "status", "words"),
    [
        (photo() + bytes(5 * 1024 * 1024), "image/jpeg", 413, "image files of at most 5 MB"),
        (pdf(), "image/jpeg", 415, "application/pdf"),
        (b"MZ\x90\x00" + bytes(200), "application/pdf", 415, "application/x-msdownload"),
    ],
    ids=["oversized photo", "a PDF claiming to be a photo", "a program claiming to be a PDF"],
)
async def test_a_file_too_large_or_lying_about_its_type_is_refused_and_nothing_is_kept(
    client, files, data, content_type, status, words
):
    response = await client.post("/simulator/api/media", data=form(data, content_type))

    assert response.status == status
    assert words in (await response.json())["error"]["message"]
    assert files.seen == []
    assert (await client.app[STORE].log.query(LogQuery(limit=10))).entries == []


async def test_a_form_without_a_file_or_with_a_bad_phone_or_garbled_says_what_is_wrong(client):
    no_file = await client.post("/simulator/api/media", data=FormData({"phone": PHONE}, default_to_multipart=True))
    assert no_file.status == 400 and (await no_file.json())["error"]["message"].startswith("file: ")
    bad_phone = await client.post("/simulator/api/media", data=form(photo(), "image/jpeg", phone="call me"))
    assert bad_phone.status == 400 and (await bad_phone.json())["error"]["message"].startswith("phone: ")
    as_json = await client.post("/simulator/api/media", json={"phone": PHONE})
    assert as_json.status == 415 and "multipart/form-data" in (await as_json.json())["error"]["message"]
    garbled = await client.post(
        "/simulator/api/media", data=b"photo", headers={"Content-Type": "multipart/form-data; boundary=zz"}
    )
    assert garbled.status == 400 and "the form could not be read" in (await garbled.json())["error"]["message"]


async def test_the_bots_image_comes_with_an_address_the_page_loads(client, contact):
    [reply] = await contact.send("chart")

    assert reply.media["kind"] == "image" and reply.media["caption"] == "Order 4411"
    served = await client.get(reply.media["url"])
    assert served.status == 200 and served.content_type == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline")


async def test_a_file_is_served_only_for_the_conversation_it_belongs_to(client, contact, clock):
    await contact.attach(photo(), "image/jpeg")
    address = (await (await client.get("/simulator/api/messages", params={"phone": PHONE})).json())["messages"][0]
    media_id = address["media"]["url"].split("/")[-1].split("?")[0]

    someone_else = await client.get(f"/simulator/api/media/{media_id}", params={"phone": "+15550002222"})
    assert someone_else.status == 404 and "+15550002222" in (await someone_else.json())["error"]["message"]
    real_contacts_file = await client.app[MEDIA].put(photo(), content_type="image/jpeg", kind=MediaKind.IMAGE)
    guessed = await client.get(f"/simulator/api/media/{real_contacts_file.id}", params={"phone": PHONE})
    assert guessed.status == 404


async def test_while_the_simulator_is_off_its_file_addresses_say_how_to_turn_it_on(make_gateway):
    off = await make_gateway(simulator=False)
    for response in (
        await off.post("/simulator/api/media", data=form(photo(), "image/jpeg")),
        await off.get("/simulator/api/media/abc", params={"phone": PHONE}),
    ):
        assert response.status == 404 and "GATEWAY_SIMULATOR=true" in (await response.json())["error"]["message"]


async def test_a_shared_location_reaches_the_bot_and_the_transcript(client, files):
    place = {"latitude": 19.076, "longitude": 72.8777, "name": "Plant 2, gate B"}
    posted = await client.post("/simulator/api/messages", json={"phone": PHONE, "location": place})
    assert posted.status == 200
    await client.app[INBOX].idle()

    transcript = (await (await client.get("/simulator/api/messages", params={"phone": PHONE})).json())["messages"]
    assert transcript[0]["kind"] == "location" and transcript[0]["location"] == place | {"address": None}
    [message] = files.seen
    assert (message.location.latitude, message.location.name) == (19.076, "Plant 2, gate B")
