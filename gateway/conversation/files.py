"""Files and locations a contact sends: which answers a form's step, and what to say about one
that does not, so a voice note or a photo where text is expected is explained, never counted as
a wrong answer."""

from babel.lists import format_list
from babel.units import format_unit

from gateway.conversation.context import Conversation
from gateway.conversation.flows import Step
from gateway.media.limits import KB, MB, kind_of, max_bytes
from gateway.models import InboundKind, InboundMessage, Media, MediaKind, MediaRefusal


def sent(message: InboundMessage) -> str | None:
    """What a message other than words or a press is, as the catalog names it: a media kind,
    `voice` (a voice note), `location`, or `file` when the provider did not say; None for text
    and presses."""
    if message.kind is InboundKind.LOCATION:
        return "location"
    if message.kind is InboundKind.UNSUPPORTED:
        return "file"
    if message.kind is not InboundKind.MEDIA:
        return None
    media = message.media
    if media.kind is MediaKind.AUDIO and media.voice:
        return "voice"
    return media.kind.value if media.kind is not None else "file"


def answer(message: InboundMessage, step: Step) -> str | None:
    """The media store id of a file of a kind the step asks for, once fetched and stored."""
    if message.kind is not InboundKind.MEDIA or _kind(message) not in step.media:
        return None
    return message.media.stored_id if message.media.unavailable is None else None


def _kind(message: InboundMessage) -> MediaKind | None:
    """A file's kind as a step reads it: a photo sent as a document (as people do, to keep its
    quality) is a photo, its checked type being a picture WhatsApp shows."""
    media = message.media
    if media.kind is MediaKind.DOCUMENT and media.stored_id and kind_of(media.mime_type) is MediaKind.IMAGE:
        return MediaKind.IMAGE
    return media.kind


def aside(message: InboundMessage, step: Step, conversation: Conversation) -> str:
    """Why a message does not answer `step`, and what would: a file of a kind the step asks for
    that the gateway refused says why (too large for its kind, or not the type it claims) before
    the step's kind of answer is asked for; one that did not come through is asked for again;
    anything else is named and the step's kind of answer asked for."""
    kind = sent(message)
    if kind is not None and message.media is not None and _kind(message) in step.media:
        if message.media.refused is not None:
            return f"{_refusal(message.media, conversation)} {_expected(step, conversation)}"
        lost = kind if kind in ("image", "voice") else "file"
        return conversation.t(f"core.media.{'unavailable_or_skip' if step.optional else 'unavailable'}.{lost}")
    expected = _expected(step, conversation)
    return expected if kind is None else f"{conversation.t(f'core.media.cannot.{kind}')} {expected}"


def cannot(message: InboundMessage, conversation: Conversation) -> str:
    """What the bot says of a file nobody asked for: that it cannot use that here."""
    return conversation.t(f"core.media.cannot.{sent(message) or 'file'}")


def _refusal(media: Media, conversation: Conversation) -> str:
    """Why the gateway refused the file: over the limit for its kind (named in the contact's
    language and units), or not the type it claims to be."""
    if media.refused is MediaRefusal.WRONG_TYPE:
        return conversation.t("core.media.refused.wrong_type")
    size = max_bytes(media.kind)
    amount, unit = (size // MB, "digital-megabyte") if size >= MB else (size // KB, "digital-kilobyte")
    limit = format_unit(amount, unit, length="long", locale=conversation.locale)
    return conversation.t("core.media.refused.too_large", limit=limit)


def _expected(step: Step, conversation: Conversation) -> str:
    if step.media:
        names = [conversation.t(f"core.media.kind.{kind.value}") for kind in MediaKind if kind in step.media]
        kinds = format_list(names, style="or", locale=conversation.locale)
        return conversation.t("core.media.send_or_skip" if step.optional else "core.media.send", kinds=kinds)
    return conversation.t("core.choose_option" if step.choices else "core.media.type_answer")
