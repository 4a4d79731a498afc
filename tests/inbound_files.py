"""Files and locations from a simulated contact, handed to the engine as the inbox hands them
once it has fetched and stored the file (or found it unavailable)."""

import io
import itertools

from PIL import Image

from gateway.appkeys import ENGINE, MEDIA, STORE
from gateway.models import Content, InboundKind, InboundMessage, Location, Media, MediaKind
from gateway.testing import SimulatedContact

_numbers = itertools.count(1)


async def send_file(contact: SimulatedContact, media: Media | None = None, location: Location | None = None) -> list[Content]:
    """The bot's replies to `media` (or `location`) from `contact`, in the conversation its texts are in."""
    number = next(_numbers)
    message = InboundMessage(
        provider="simulator",
        provider_message_id=f"file-{number}",
        sender=contact.phone,
        timestamp=contact._clock.advance(seconds=1),
        kind=InboundKind.MEDIA if media is not None else InboundKind.LOCATION,
        media=media,
        location=location,
    )
    settings = (await contact.client.app[STORE].settings.contact(contact.phone)).values
    return await contact.client.app[ENGINE].handle(message, settings)


def photo(stored_id: str | None = "m-photo", **fields) -> Media:
    return Media(media_id="wamid-photo", kind=MediaKind.IMAGE, stored_id=stored_id, **fields)


def voice(stored_id: str | None = "m-voice", **fields) -> Media:
    return Media(media_id="wamid-voice", kind=MediaKind.AUDIO, voice=True, stored_id=stored_id, **fields)


STICKER = Media(media_id="wamid-sticker", kind=MediaKind.STICKER, stored_id="m-sticker")
LOCATION = Location(latitude=19.07, longitude=72.88)


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG, as a phone's camera would send (smaller)."""
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


async def stored_photo(contact: SimulatedContact) -> Media:
    """A photo from `contact` kept in the gateway's media store, as the inbox keeps one it fetched."""
    stored = await contact.client.app[MEDIA].put(
        jpeg(), content_type="image/jpeg", kind=MediaKind.IMAGE, message_id=f"photo-{next(_numbers)}"
    )
    return photo(stored.id, mime_type="image/jpeg")
