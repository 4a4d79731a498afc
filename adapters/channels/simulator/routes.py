"""The simulator's chat page and its transcript endpoint (posting goes through the webhook pipeline),
and what its addresses answer while it is off."""

from importlib.resources import files

from aiohttp import web

from adapters.channels.simulator import transcript_entry
from gateway.appkeys import STORE
from gateway.middleware import error_body
from gateway.models import Provider
from gateway.phone import InvalidPhoneNumber, to_simulated_contact
from gateway.ports.records import LogQuery

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
    """The conversation of one simulated contact, oldest first."""
    try:
        contact = to_simulated_contact(request.query.get("phone", ""))
    except InvalidPhoneNumber as error:
        return web.json_response(error_body(400, f"phone: {error}"), status=400)
    page = await request.app[STORE].log.query(
        LogQuery(contact=contact, provider=Provider.SIMULATOR, limit=TRANSCRIPT_LENGTH)
    )
    entries = [
        transcript_entry(e.id, e.direction, e.status, e.created_at, e.payload, e.provider_message_id)
        for e in reversed(page.entries)
    ]
    return web.json_response({"phone": contact, "messages": entries})


@switched_off.route("*", "/simulator")
@switched_off.route("*", "/simulator/api/messages")
async def off(request: web.Request) -> web.Response:
    """A 404 that says why, so `wa-gateway chat` and a browser can tell the user how to turn it on."""
    return web.json_response(
        error_body(404, "the simulator is off: start the gateway with GATEWAY_SIMULATOR=true"), status=404
    )
