"""Files of conversations (a contact's photo, the bot's chart or PDF), served to signed-in
operators only: the guard checks the session, as for every console route, so no address here
works without one."""

from aiohttp import web

from gateway.media.page_files import page_file

routes = web.RouteTableDef()


@routes.get("/media/{media_id}")
async def media_file(request: web.Request) -> web.StreamResponse:
    """Any stored file: every operator may read every conversation."""
    return await page_file(request, request.match_info["media_id"])
