"""Stored files as the gateway's own pages (the simulator, the console) show them: images,
audio and video in the page, anything else downloaded, never opened as a page of the site."""

from aiohttp import web

from gateway.appkeys import MEDIA
from gateway.media.serving import SHOWN_INLINE, serve
from gateway.ports.media import MediaState
from gateway.ports.store import NotFound

MISSING = "no such file: it was never stored, could not be fetched, or is no longer kept"


async def page_file(request: web.Request, media_id: str) -> web.StreamResponse:
    """The stored file `media_id`, for a page that already decided its reader may see it; a
    404 that says why for one unknown, unavailable or purged."""
    media = request.config_dict[MEDIA]
    stored = await media.get(media_id)
    if stored is None or stored.state is not MediaState.STORED:
        raise web.HTTPNotFound(text=MISSING)
    shown = (stored.content_type or "").startswith(SHOWN_INLINE)
    try:
        return await serve(
            request,
            media,
            stored,
            disposition="inline" if shown else "attachment",
            cache_control="private, max-age=3600",
        )
    except NotFound:
        raise web.HTTPNotFound(text=MISSING) from None
