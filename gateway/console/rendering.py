"""The console's Jinja2 environment (autoescaping, templates beside the routes) and its
stylesheet and script, served with long cache lifetimes under a content-hashed address."""

import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from aiohttp import web

from gateway.console.web_sessions import SESSION

STATIC_ROUTE = "static"
STATIC_CACHE = "public, max-age=31536000, immutable"
"""Every address carries the file's hash (?v=…), so a changed file is a new address."""
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: https:; media-src 'self' https:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
"""Pages hold contacts' messages: not cached, not framed, scripts and styles from the console only;
pictures, sound and video from the console or a link the bot sent."""


@dataclass(frozen=True, slots=True)
class StaticFile:
    body: bytes
    content_type: str
    version: str


@cache
def static_files() -> dict[str, StaticFile]:
    """Every file of gateway/console/static, read once."""
    found = {}
    for entry in files("gateway.console").joinpath("static").iterdir():
        if entry.is_file():
            body = entry.read_bytes()
            content_type = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            found[entry.name] = StaticFile(body, content_type, hashlib.sha256(body).hexdigest()[:12])
    return found


def static_url(name: str) -> str:
    return f"/console/static/{name}?v={static_files()[name].version}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gateway.console"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    return env


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    """A page from `template`; it knows the signed-in operator and their CSRF token, when any."""
    session = request.get(SESSION)
    page = environment().get_template(template).render(
        {"operator": session and session.operator, "csrf": session and session.csrf, **(context or {})}
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)


async def static(request: web.Request) -> web.Response:
    found = static_files().get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=found.body,
        content_type=found.content_type,
        charset="utf-8" if found.content_type.startswith("text/") else None,
        headers={"Cache-Control": STATIC_CACHE, "X-Content-Type-Options": "nosniff"},
    )
