"""Who may use the console: every request but the sign-in page and the stylesheet needs a live
session of an enabled operator, and every state change its session's CSRF token."""

import hmac
import logging
from urllib.parse import quote

from aiohttp import web

from gateway.appkeys import CLOCK, STORE
from gateway.console.accounts import Operators
from gateway.console.rendering import render
from gateway.console.web_sessions import SESSION, ConsoleSession, WebSessions, session_id_of
from gateway.middleware import Handler, error_body

log = logging.getLogger(__name__)

PUBLIC_ROUTES = frozenset({"signin", "static"})
"""Routes, by name, open without a session; matched by the route the router chose, never the path."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SIGNIN_PATH = "/console/signin"


def operator_of(request: web.Request) -> str:
    """The signed-in operator's name, for handlers behind the guard."""
    return request[SESSION].operator


def csrf_token(request: web.Request) -> str:
    """The token every state-changing request of this session must carry (form field `csrf` or
    header `X-CSRF-Token`)."""
    return request[SESSION].csrf


def wants_json(request: web.Request) -> bool:
    """The console's JSON and event stream, answered in JSON rather than with pages."""
    return request.path.startswith("/console/api/") or request.path == "/console/events"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    resource = request.match_info.route.resource
    if resource is not None and resource.name in PUBLIC_ROUTES:
        return await handler(request)
    session = await live_session(request)
    if session is None:
        return _sign_in_first(request)
    if request.method not in SAFE_METHODS and not await _carries_csrf(request, session):
        log.warning("operator %s: %s %s refused without its CSRF token", session.operator, request.method, request.path)
        return _forbidden(request)
    request[SESSION] = session
    return await handler(request)


async def live_session(request: web.Request) -> ConsoleSession | None:
    """The request's session while it is live and its operator exists and is enabled."""
    session_id = session_id_of(request)
    if session_id is None:
        return None
    store, clock = request.config_dict[STORE], request.config_dict[CLOCK]
    session = await WebSessions(store, clock).find(session_id)
    if session is None:
        return None
    operator = await Operators(store, clock).get(session.operator)
    if operator is None or operator.disabled:
        await WebSessions(store, clock).end(session_id)
        return None
    return session


async def _carries_csrf(request: web.Request, session: ConsoleSession) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        given = (await request.post()).get(CSRF_FIELD)
    return isinstance(given, str) and hmac.compare_digest(given.encode(), session.csrf.encode())


def _sign_in_first(request: web.Request) -> web.Response:
    if wants_json(request):
        return web.json_response(error_body(401, "sign in to the console first"), status=401)
    target = request.path_qs if request.method in SAFE_METHODS else "/console"
    location = f"{SIGNIN_PATH}?next={quote(target, safe='')}"
    return web.Response(status=302 if request.method in SAFE_METHODS else 303, headers={"Location": location})


def _forbidden(request: web.Request) -> web.Response:
    message = "this request did not carry the console's CSRF token for your session; reload the page and try again"
    if wants_json(request) or CSRF_HEADER in request.headers:
        return web.json_response(error_body(403, message), status=403)
    return render(request, "refused.html", {"message": message}, status=403)
