"""The simulator's chat page, its transcript, files attached on it and the files of its
conversations (posting text goes through the webhook pipeline), and what its addresses answer
while it is off."""

from importlib.resources import files
from urllib.parse import quote

from aiohttp import web

from adapters.channels.simulator import transcript_entry
from adapters.channels.simulator.attaching import Attached, Unfit, attached
from gateway.appkeys import CLOCK, MEDIA, STORE
from gateway.inbound.webhooks import accept
from gateway.logs import request_id
from gateway.media.logged import LoggedMedia, logged_media
from gateway.media.page_files import page_file
from gateway.middleware import error_body
from gateway.models import InboundKind, InboundMessage, Media, MediaKind, Provider, new_id
from gateway.phone import InvalidPhoneNumber, to_simulated_contact
from gateway.ports.channel import ParsedWebhook, WebhookRejected
from gateway.ports.media import MediaStoreError
from gateway.ports.records import LogEntry, LogQuery

TRANSCRIPT_LENGTH = 100

routes = web.RouteTableDef()
switched_off = web.RouteTableDef()
_PAGE = files(__package__).joinpath("page.html").read_bytes()


@routes.get("/simulator")
async def page(request: web.Request) -> web.Response:
    """A WhatsApp-like chat page for talking to the bot with no provider."""
    return web.Response(body=_PAGE, content_type="text/html", charset="utf-8")


@routes.get("/simulator/api/messages")
async def transcript(request: web.Request) -> web.Response:
    """The conversation of one simulated contact, oldest first, each file with its address."""
    contact = _contact(request)
    media = request.app[MEDIA]
    entries = [
        transcript_entry(entry, _shown(await logged_media(entry, media), contact))
        for entry in await _conversation(request, contact)
    ]
    return web.json_response({"phone": contact, "messages": entries})


@routes.post("/simulator/api/media")
async def attach(request: web.Request) -> web.Response:
    """A file attached on the page (multipart: phone, file, caption), checked, kept in the media
    store and sent as the contact's message, processed like any other."""
    request_id.set(new_id()[-12:])
    try:
        upload = await attached(request)
    except Unfit as unfit:
        return web.json_response(error_body(unfit.status, unfit.message), status=unfit.status)
    try:
        message = await _keep(request.app, upload)
        await accept(request.app, ParsedWebhook(messages=[message]))
    except MediaStoreError as error:
        return web.json_response(error_body(503, f"the media store could not keep the file: {error}"), status=503)
    except WebhookRejected as rejected:
        return web.json_response(error_body(rejected.status, rejected.message), status=rejected.status)
    return web.json_response({"status": "accepted", "message_id": message.id, "media_id": message.media.stored_id})


@routes.get("/simulator/api/media/{media_id}")
async def media_file(request: web.Request) -> web.StreamResponse:
    """A file of the simulated contact `?phone=`'s conversation; no other file is served here."""
    contact, media_id = _contact(request), request.match_info["media_id"]
    if not any(_carries(entry, media_id) for entry in await _conversation(request, contact)):
        return web.json_response(error_body(404, f"no file {media_id} in {contact}'s conversation"), status=404)
    return await page_file(request, media_id)


async def _keep(app: web.Application, upload: Attached) -> InboundMessage:
    """The file in the media store, and the contact's message that carries it."""
    message_id = new_id()
    kind = upload.checked.kind
    stored = await app[MEDIA].put(
        upload.data,
        content_type=upload.checked.content_type,
        kind=kind,
        filename=upload.filename,
        message_id=message_id,
    )
    media = Media(
        stored_id=stored.id,
        kind=kind,
        mime_type=upload.checked.content_type,
        caption=upload.caption,
        filename=upload.filename,
        voice=kind is MediaKind.AUDIO,  # the simulator's phone records audio as a voice note
    )
    raw = {"phone": upload.contact, "file": upload.filename, "size": len(upload.data), "caption": upload.caption}
    return InboundMessage(
        id=message_id,
        provider=Provider.SIMULATOR,
        provider_message_id=f"sim-{message_id}",
        sender=upload.contact,
        timestamp=app[CLOCK].now(),
        kind=InboundKind.MEDIA,
        media=media,
        raw={key: value for key, value in raw.items() if value is not None},
    )


def _contact(request: web.Request) -> str:
    try:
        return to_simulated_contact(request.query.get("phone", ""))
    except InvalidPhoneNumber as error:
        raise web.HTTPBadRequest(text=f"phone: {error}") from None


async def _conversation(request: web.Request, contact: str) -> list[LogEntry]:
    """The contact's latest messages on the simulator, oldest first."""
    page = await request.app[STORE].log.query(
        LogQuery(contact=contact, provider=Provider.SIMULATOR, limit=TRANSCRIPT_LENGTH)
    )
    return list(reversed(page.entries))


def _shown(media: LoggedMedia | None, contact: str) -> dict | None:
    """A message's file as the page draws it: a stored one at this contact's file address."""
    if media is None:
        return None
    address = f"/simulator/api/media/{quote(media.media_id)}?phone={quote(contact)}" if media.media_id else media.url
    shown = {
        "kind": media.kind,
        "url": address,
        "content_type": media.content_type,
        "filename": media.filename,
        "caption": media.caption,
        "unavailable": media.unavailable,
        "voice": media.voice or None,
    }
    return {key: value for key, value in shown.items() if value is not None}


def _carries(entry: LogEntry, media_id: str) -> bool:
    media = entry.payload.get("media") or {}
    return media_id in (media.get("stored_id"), media.get("media_id"))


@switched_off.route("*", "/simulator")
@switched_off.route("*", "/simulator/api/messages")
@switched_off.route("*", "/simulator/api/media")
@switched_off.route("*", "/simulator/api/media/{media_id}")
async def off(request: web.Request) -> web.Response:
    """A 404 that says why, so `wa-gateway chat` and a browser can tell the user how to turn it on."""
    return web.json_response(
        error_body(404, "the simulator is off: start the gateway with GATEWAY_SIMULATOR=true"), status=404
    )
