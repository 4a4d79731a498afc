"""The console's sub-application, mounted at /console by gateway/app.py."""

from aiohttp import web

from gateway.console import accounts, signin
from gateway.console.guard import guard
from gateway.console.rendering import STATIC_ROUTE, render, static


async def home(request: web.Request) -> web.Response:
    """Where operators land after signing in."""
    return render(request, "home.html")


def create_console_app() -> web.Application:
    """Sign-in, sign-out, the pages and the stylesheet, every one behind the guard but sign-in."""
    app = web.Application(middlewares=[guard])
    app.add_routes(signin.routes)
    app.router.add_get("", home, name="home")
    app.router.add_get("/static/{name}", static, name=STATIC_ROUTE)
    app.on_startup.append(_prepare_accounts)
    return app


async def _prepare_accounts(app: web.Application) -> None:
    await accounts.prepare()
