"""Files in the console: a conversation shows contacts' and the bot's pictures inline, sound
with a player, documents as links under their name, and why a contact's file could not be
had; every file comes through the console's own address, to signed-in operators only."""

import re
from io import BytesIO

from PIL import Image

from gateway.appkeys import HANDOVERS, MEDIA, STORE
from gateway.console.live import Change, Watcher
from gateway.models import InboundKind, InboundMessage, Media, MediaKind, OutboundMessage, Priority, Provider
from tests.adapters.channels.test_simulator_media import pdf, photo
from tests.gateway.console.conftest import PASSWORD, WHATSAPP_CONTACT, WHATSAPP_PAGE, as_operator, operators
from tests.gateway.console.test_live import drained

PAGE = "/console/contacts/sim%3A%2B15550001111"


def video() -> bytes:
    """The start of an MP4 file: its type box, which is what identifies it."""
    return bytes.fromhex("0000001866747970") + b"mp42" + bytes(112)


def sticker() -> bytes:
    out = BytesIO()
    Image.new("RGBA", (64, 64), (0, 160, 0, 255)).save(out, "WEBP")
    return out.getvalue()


def addresses(page: str, tag: str) -> list[str]:
    return re.findall(rf'<{tag} [^>]*src="(/console/media/[^"]+)"', page)


async def test_a_file_is_served_to_signed_in_operators_only(console):
    stored = await console.app[MEDIA].put(photo(), content_type="image/jpeg", kind=MediaKind.IMAGE)

    anonymous = await console.get(f"/console/media/{stored.id}", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"].startswith("/console/signin")
    assert photo() not in await anonymous.read()

    await as_operator(console, "alice")
    served = await console.get(f"/console/media/{stored.id}")
    assert served.status == 200 and served.content_type == "image/jpeg" and await served.read() == photo()
    assert served.headers["Cache-Control"].startswith("private")
    assert (await console.get("/console/media/no-such-file")).status == 404


async def test_the_conversation_shows_the_contacts_files_and_the_bots(console, contact, clock):
    await as_operator(console, "alice")
    await contact.attach(photo(), "image/jpeg", "crack.jpg", caption="the crack")
    await contact.attach(bytes.fromhex("4f67675300") + bytes(60), "audio/ogg", "note.ogg")
    await contact.attach(pdf(), "application/pdf", "inspection.pdf")
    await contact.attach(video(), "video/mp4", "press.mp4")
    await contact.attach(sticker(), "image/webp", "thumbs-up.webp")
    chart = await console.app[MEDIA].put(photo(), content_type="image/jpeg", kind=MediaKind.IMAGE)
    chart_media = {"kind": "image", "media_id": chart.id, "caption": "ORD-4411"}
    sent = OutboundMessage(recipient=contact.phone, media=chart_media, priority=Priority.REPLY)
    await console.app[STORE].log.record_outbound("job-chart", sent, Provider.SIMULATOR)

    opened = await console.get(PAGE)
    page = await opened.text()

    assert "media-src 'self' https:" in opened.headers["Content-Security-Policy"], "a voice note the bot linked plays"
    photo_address, sticker_address, chart_address = addresses(page, "img")
    assert '<figure class="media media-sticker">' in page
    assert "the crack" in page and "ORD-4411" in page
    [voice_address] = addresses(page, "audio")
    [video_address] = addresses(page, "video")
    assert 'aria-label="voice note"' in page
    [document] = re.findall(r'<a href="(/console/media/[^"]+)"[^>]* download="inspection.pdf">inspection.pdf</a>', page)
    for address in (photo_address, sticker_address, chart_address, voice_address, video_address, document):
        assert (await console.get(address)).status == 200
    assert chart_address == f"/console/media/{chart.id}"


async def ingest_only_console(make_gateway):
    """A gateway that only ingests, alice signed in: nothing fetches a contact's file but the test."""
    console = await make_gateway(role="ingest")
    await operators(console).add("alice", PASSWORD)
    await as_operator(console, "alice")
    return console


async def meta_photo_logged(console, clock) -> InboundMessage:
    """A photo a WhatsApp contact sent through Meta, logged as the webhook logs it (a media id,
    no file yet)."""
    message = InboundMessage(
        provider=Provider.META,
        provider_message_id="wamid.PHOTO1",
        sender=WHATSAPP_CONTACT,
        timestamp=clock.now(),
        kind=InboundKind.MEDIA,
        media=Media(media_id="1013859600285441", mime_type="image/jpeg", kind=MediaKind.IMAGE),
    )
    await console.app[STORE].log.record_inbound(message)
    await console.app[HANDOVERS].note_inbound(message)
    return message


async def test_a_providers_file_shows_once_the_inbox_fetched_it(make_gateway, clock):
    console = await ingest_only_console(make_gateway)
    message = await meta_photo_logged(console, clock)
    assert "image: being fetched" in await (await console.get(WHATSAPP_PAGE)).text()

    fetched = await console.app[MEDIA].put(
        photo(), content_type="image/jpeg", kind=MediaKind.IMAGE, message_id=message.id
    )

    assert addresses(await (await console.get(WHATSAPP_PAGE)).text(), "img") == [f"/console/media/{fetched.id}"]


async def test_a_contacts_file_that_could_not_be_fetched_says_why(make_gateway, clock):
    console = await ingest_only_console(make_gateway)
    message = await meta_photo_logged(console, clock)
    await console.app[MEDIA].put_unavailable(
        message_id=message.id,
        kind=MediaKind.IMAGE,
        content_type="image/jpeg",
        error="Meta answered 404: the media id is unknown",
        attempts=1,
    )

    page = await (await console.get(WHATSAPP_PAGE)).text()

    assert "image: file could not be fetched: Meta answered 404: the media id is unknown" in page
    assert "1013859600285441" not in page and not addresses(page, "img")


async def test_a_contacts_file_shows_once_fetched_after_the_page_opened(make_gateway, clock):
    """The inbox fetches a contact's file before it processes the message: processed, the
    message has its file (or why there is none) for the page to show."""
    ingest_only = await make_gateway(role="ingest")  # its inbox leaves the message to the test
    watcher = Watcher(ingest_only.app[HANDOVERS], ingest_only.app[STORE])
    sent = InboundMessage(
        provider=Provider.SIMULATOR,
        provider_message_id="sim-photo",
        sender="sim:+15550001111",
        timestamp=clock.now(),
        kind=InboundKind.MEDIA,
        media=Media(media_id="photo-1", kind=MediaKind.IMAGE),
    )
    await ingest_only.app[STORE].log.record_inbound(sent)
    with watcher.page(sent.sender) as page:
        await watcher.look()
        await drained(page)
        await ingest_only.app[STORE].log.mark_processed(sent.id)
        await watcher.look()
        assert await drained(page) == [Change("messages", sent.sender)]
