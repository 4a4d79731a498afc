"""The console's sub-application, mounted at /console by gateway/app.py."""

from aiohttp import web

from gateway.console import accounts, actions, media, pages, signin
from gateway.console.guard import guard
from gateway.console.rendering import STATIC_ROUTE, static


def create_console_app() -> web.Application:
    """Sign-in, sign-out, the inbox, conversations and their actions and files, the live
    stream and the stylesheet and script, every one behind the guard but sign-in and the
    static files."""
    app = web.Application(middlewares=[guard])
    app.add_routes(signin.routes)
    app.add_routes(pages.routes)
    app.add_routes(actions.routes)
    app.add_routes(media.routes)
    app.router.add_get("/static/{name}", static, name=STATIC_ROUTE)
    app.on_startup.append(_prepare_accounts)
    return app


async def _prepare_accounts(app: web.Application) -> None:
    await accounts.prepare()
