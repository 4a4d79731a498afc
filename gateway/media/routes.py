"""`/media/{media_id}/{expires}/{signature}`: a stored file served to whoever holds a signed,
unexpired link (a provider fetching what the gateway sends). Every refusal is the same 403,
and nothing lists what is stored."""

from aiohttp import web

from gateway.appkeys import MEDIA, MEDIA_LINKS
from gateway.media.serving import serve
from gateway.ports.media import MediaState
from gateway.ports.store import NotFound

REFUSED = "this link is not valid"

routes = web.RouteTableDef()


@routes.get("/media/{media_id}/{expires}/{signature}")
async def signed_file(request: web.Request) -> web.StreamResponse:
    """The file, cacheable privately for no longer than the link lives; HEAD too, as providers probe."""
    media_id, expires, signature = (request.match_info[part] for part in ("media_id", "expires", "signature"))
    remaining = request.config_dict[MEDIA_LINKS].verify(media_id, expires, signature)
    if remaining is None:
        raise web.HTTPForbidden(text=REFUSED)
    media = request.config_dict[MEDIA]
    stored = await media.get(media_id)
    if stored is None or stored.state is not MediaState.STORED:
        raise web.HTTPForbidden(text=REFUSED)
    try:
        return await serve(request, media, stored, disposition="inline", cache_control=f"private, max-age={remaining}")
    except NotFound:
        raise web.HTTPForbidden(text=REFUSED) from None
