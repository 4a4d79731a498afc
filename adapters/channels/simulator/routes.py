"""The simulator's chat page and its transcript endpoint (posting goes through the webhook pipeline)."""

from importlib.resources import files

from aiohttp import web

from adapters.channels.simulator import transcript_entry
from gateway.appkeys import STORE
from gateway.middleware import error_body
from gateway.models import Provider
from gateway.phone import InvalidPhoneNumber, to_contact_id
from gateway.ports.records import LogQuery

TRANSCRIPT_LENGTH = 100

routes = web.RouteTableDef()
_PAGE = files(__package__).joinpath("page.html").read_bytes()


@routes.get("/simulator")
async def page(request: web.Request) -> web.Response:
    """A WhatsApp-like chat page for talking to the bot with no provider."""
    return web.Response(body=_PAGE, content_type="text/html", charset="utf-8")


@routes.get("/simulator/api/messages")
async def transcript(request: web.Request) -> web.Response:
    """The conversation of one simulated phone, oldest first."""
    try:
        contact = to_contact_id(request.query.get("phone", ""))
    except InvalidPhoneNumber as error:
        return web.json_response(error_body(400, f"phone: {error}"), status=400)
    page = await request.app[STORE].log.query(
        LogQuery(contact=contact, provider=Provider.SIMULATOR, limit=TRANSCRIPT_LENGTH)
    )
    entries = [transcript_entry(e.id, e.direction, e.status, e.created_at, e.payload) for e in reversed(page.entries)]
    return web.json_response({"phone": contact, "messages": entries})
