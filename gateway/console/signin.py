"""Signing in to and out of the console: the form, the checks, the session cookie."""

import logging
import math
from urllib.parse import urlsplit

from aiohttp import web

from gateway.appkeys import CLOCK, SETTINGS, STORE
from gateway.console.accounts import Operators
from gateway.console.guard import live_session, operator_of
from gateway.console.rendering import render
from gateway.console.signin_limit import SigninLimit, client_address
from gateway.console.web_sessions import WebSessions, clear_cookie, session_id_of, set_cookie

log = logging.getLogger(__name__)

routes = web.RouteTableDef()
HOME = "/console"
WRONG = "Wrong name or password."


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page of this site, never anywhere else."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (parts.path == HOME or parts.path.startswith(HOME + "/")):
        return HOME
    return target or HOME


@routes.get("/signin", name="signin")
async def signin_page(request: web.Request) -> web.StreamResponse:
    """The form; an operator already signed in goes straight on (a bookmark, the back button)."""
    target = safe_next(request.query.get("next"))
    if await live_session(request) is not None:
        return web.Response(status=303, headers={"Location": target})
    return render(request, "signin.html", {"name": "", "next": target, "error": None})


@routes.post("/signin", name="signin")
async def sign_in(request: web.Request) -> web.StreamResponse:
    """Check the form against the account; on success a fresh session, whatever the browser
    carried before. Every refusal looks the same whether the name exists or not."""
    form = await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    if not _same_origin(request):
        log.warning("console sign-in refused: the form was posted from another site")
        return _form(request, name, target, "This sign-in did not come from the console's own page.", 403)
    if not name or not password:
        return _form(request, name, target, "Enter your name and your password.", 400)
    store, clock = request.config_dict[STORE], request.config_dict[CLOCK]
    limit, address = SigninLimit(store, clock), client_address(request)
    wait = await limit.retry_after(name, address)
    if wait is not None:
        log.warning("console sign-in as %s from %s refused: too many failures", name, address)
        minutes = math.ceil(wait / 60)
        page = _form(request, name, target, f"Too many failed sign-ins. Try again in {minutes} minutes.", 429)
        page.headers["Retry-After"] = str(wait)
        return page
    operator = await Operators(store, clock).authenticate(name, password)
    if operator is None:
        await limit.failed(name, address)
        log.warning("console sign-in as %s from %s failed: wrong name or password", name, address)
        return _form(request, name, target, WRONG, 401)
    if operator.disabled:
        log.warning("console sign-in as %s from %s refused: the operator is disabled", operator.name, address)
        return _form(request, name, target, "This account is disabled. Ask an administrator.", 403)
    sessions = WebSessions(store, clock)
    if (previous := session_id_of(request)) is not None:
        await sessions.end(previous)
    session_id, _ = await sessions.start(operator.name)
    log.info("operator %s signed in from %s", operator.name, address)
    response = web.Response(status=303, headers={"Location": target})
    set_cookie(response, request, session_id)
    return response


@routes.post("/signout", name="signout")
async def sign_out(request: web.Request) -> web.StreamResponse:
    store, clock = request.config_dict[STORE], request.config_dict[CLOCK]
    if (session_id := session_id_of(request)) is not None:
        await WebSessions(store, clock).end(session_id)
    log.info("operator %s signed out", operator_of(request))
    response = web.Response(status=303, headers={"Location": "/console/signin"})
    clear_cookie(response)
    return response


def _form(request: web.Request, name: str, target: str, error: str, status: int) -> web.Response:
    return render(request, "signin.html", {"name": name, "next": target, "error": error}, status=status)


def _same_origin(request: web.Request) -> bool:
    """Whether the post came from a page of this site, by Origin or else Referer; a client
    that sends neither (a script, not a browser) cannot be led by another site, and passes."""
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if claimed is None:
        return True
    parts = urlsplit(claimed)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    public = urlsplit(str(request.config_dict[SETTINGS].public_url))
    own = {f"{public.scheme}://{public.netloc}".lower(), f"{request.scheme}://{request.host}".lower()}
    own.add(f"https://{request.host}".lower())
    return origin in own
