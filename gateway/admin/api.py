"""How admin routes are declared: each records what OpenAPI needs (summary, body and query
models, answers), and bodies and queries are validated into pydantic models with 422s that
name the field."""

import base64
import binascii
import functools
import json
import math
import re
from datetime import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from gateway.middleware import error_body

Model = TypeVar("Model", bound=BaseModel)
HttpError = TypeVar("HttpError", bound=web.HTTPException)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Query(BaseModel):
    """A query string's parameters; one that the operation does not take is a 422 naming it."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    answers: dict[int, str]
    returns: type[BaseModel] | None = None
    """The model of the success answer's JSON body."""
    body_content: dict[str, Any] | None = None
    """A body that is not one JSON model (a file upload): its media types and their schemas."""
    returns_file: bool = False
    """The success answer is a file, of whatever type it was stored as."""


@dataclass
class Api:
    """The admin routes and their OpenAPI facts, gathered as they are declared."""

    routes: web.RouteTableDef = field(default_factory=web.RouteTableDef)
    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        summary: str,
        *,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        answers: dict[int, str] | None = None,
        returns: type[BaseModel] | None = None,
        body_content: dict[str, Any] | None = None,
        returns_file: bool = False,
    ) -> Callable[[Handler], Handler]:
        def declare(handler: Handler) -> Handler:
            self.routes.route(method, path)(handler if query is not None else _without_query(handler))
            self.operations.append(
                Operation(
                    method, path, summary, body, query, answers or {200: "OK"}, returns, body_content, returns_file
                )
            )
            return handler

        return declare


def _without_query(handler: Handler) -> Handler:
    """An operation that takes no query parameters refuses any, naming it, rather than
    silently ignoring what the caller meant to ask."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if request.query:
            raise invalid_field(next(iter(request.query)), "unknown query parameter; this operation takes none")
        return await handler(request)

    return checked


def invalid(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> web.HTTPUnprocessableEntity:
    """A 422 listing each problem with the path of the field it is in."""
    problems = [
        {
            "path": ".".join(str(part) for part in (*prefix, *problem["loc"])),
            "message": problem["msg"].removeprefix("Value error, "),
        }
        for problem in error.errors(include_input=False, include_url=False)
    ]
    first = problems[0]
    message = f"{first['path']}: {first['message']}" if first["path"] else first["message"]
    return field_error(web.HTTPUnprocessableEntity, message, problems)


def invalid_field(path: str, message: str) -> web.HTTPUnprocessableEntity:
    return field_error(web.HTTPUnprocessableEntity, f"{path}: {message}", [{"path": path, "message": message}])


def field_error(kind: type[HttpError], message: str, fields: list[dict[str, str]]) -> HttpError:
    """An error answer whose body also names each field at fault, as `error.fields`."""
    body = error_body(kind.status_code, message)
    body["error"]["fields"] = fields
    return kind(text=json.dumps(body), content_type="application/json")


async def body_of(request: web.Request, model: type[Model]) -> Model:
    """The request's JSON body as `model`, read strictly (a number is not a string, a flag is not
    "yes"); 400 when it is not JSON, 422 when it does not fit."""
    try:
        body = json.loads(await request.read(), parse_float=_json_number, parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise web.HTTPBadRequest(text="the body is not valid JSON") from None
    try:
        read = model.model_validate_json(json.dumps(body), strict=True)
    except ValidationError as error:
        raise invalid(error) from None
    if (where := _unstorable_number(read.model_dump())) is not None:
        raise invalid_field(where, "a whole number beyond 64 bits, or one too large for a double, cannot be stored")
    return read


def _unstorable_number(value: Any, path: str = "") -> str | None:
    """The path of the first number the store cannot keep: an integer beyond 64 bits (SQLite and
    BSON hold 64), or one that overflowed a double (`1e400` reads as infinity)."""
    if isinstance(value, int) and not -(2**63) <= value < 2**63 or isinstance(value, float) and not math.isfinite(value):
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if (where := _unstorable_number(item, f"{path}.{key}" if path else str(key))) is not None:
            return where
    return None


def _not_json(text: str) -> None:
    raise ValueError(f"{text} is not JSON")


def _json_number(text: str) -> int | float:
    """A JSON number with no fraction (`86.0`) is an integer, as JSON Schema counts it."""
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 2**63 else number


def query_of(request: web.Request, model: type[Model]) -> Model:
    """The query string as `model`, read as strictly as the document describes it (a number is
    digits, a flag is true or false, each parameter given once); 422 naming the parameter when
    it does not fit."""
    kinds = _query_kinds(model)
    for name in request.query:
        if len(request.query.getall(name)) > 1:
            raise invalid_field(name, "given more than once; give it once")
        value, kind = request.query[name], kinds.get(name)
        if kind in _QUERY_FORMS and not _QUERY_FORMS[kind][0].fullmatch(value):
            raise invalid_field(name, _QUERY_FORMS[kind][1])
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as error:
        raise invalid(error) from None


_QUERY_FORMS = {
    "integer": (re.compile(r"-?[0-9]+"), "must be a whole number written in digits, such as 50"),
    "boolean": (re.compile(r"true|false"), "must be true or false"),
}
"""How a query parameter of a JSON type other than string is written: pydantic alone would
also read `5.0`, ` 5`, `5_0` as 5 and `yes`, `on`, `1` as true."""


@functools.cache
def _query_kinds(model: type[BaseModel]) -> dict[str, str]:
    """Each parameter's JSON type, as the document publishes it (a nullable one by its other type)."""
    kinds = {}
    for name, spec in model.model_json_schema()["properties"].items():
        types = [spec.get("type")] + [option.get("type") for option in spec.get("anyOf", [])]
        kinds[name] = next((kind for kind in types if kind not in (None, "null")), "string")
    return kinds


def name_cursor(name: str) -> str:
    """An opaque cursor for a list in order of name (contacts, roles): the last name of a page."""
    return base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")


def after_cursor(cursor: str) -> str:
    """The name a cursor made by name_cursor points after; 400 for one this gateway did not issue."""
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, ValueError):
        raise web.HTTPBadRequest(text="cursor: cursor is not one this gateway issued; start again without one") from None


def unknown_cursor() -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text="cursor: cursor is not one this gateway issued; start again without one")


def key_cursor(*parts: str) -> str:
    """An opaque cursor for a list in order of several keys (a time and an id): the last row's keys."""
    return name_cursor("\n".join(parts))


def after_key(cursor: str, count: int) -> list[str]:
    """The keys a cursor made by key_cursor points after; 400 for one this gateway did not issue."""
    parts = after_cursor(cursor).split("\n")
    if len(parts) != count:
        raise unknown_cursor()
    return parts


def after_time(cursor: str) -> tuple[datetime, str]:
    """The time and id a key_cursor(time, id) points after; 400 for one this gateway did not issue."""
    moment, key = after_key(cursor, 2)
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        raise unknown_cursor() from None
    if at.tzinfo is None:
        raise unknown_cursor()
    return at, key


def answer(payload: Any, status: int = 200) -> web.Response:
    """A JSON answer from a model, a list of models, or plain JSON data."""
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    elif isinstance(payload, list):
        payload = [item.model_dump(mode="json") if isinstance(item, BaseModel) else item for item in payload]
    return web.json_response(payload, status=status, dumps=lambda value: json.dumps(value, default=_rfc3339))


def _rfc3339(value: Any) -> str:
    """Times as RFC 3339 (`2026-11-30T20:33:23+00:00`), the one style of every answer."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
