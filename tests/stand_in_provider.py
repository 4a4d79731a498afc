"""A local server standing in for a provider's HTTP API: it records every request and
answers from a script, so send paths are tested against real HTTP. Read receipts (Meta's
`"status": "read"` body, Twilio's typing indicator) are kept apart from sends, in `reads`, and
answered by `read_answer`, so they neither count as sends nor take a send's scripted answer."""

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    """When it arrived, on the monotonic clock, for rates measured at the provider."""

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class StandInProvider:
    """Answers `default` unless answers were scripted with `then`."""

    def __init__(self, default: Answer) -> None:
        self.default = default
        self.requests: list[Recorded] = []
        self.reads: list[Recorded] = []
        self.read_answer = Answer(200, {"success": True})
        self.received = asyncio.Event()
        self.answering = asyncio.Event()
        """Cleared, the provider hangs: requests wait, unanswered, until it is set again."""
        self.answering.set()
        self._script: deque[Answer] = deque()
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    async def start(self, aiohttp_server) -> "StandInProvider":
        """Serve on a local port; `base` is then the URL to point the adapter at."""
        server = await aiohttp_server(self.app)
        self.base = str(server.make_url("")).rstrip("/")
        return self

    def then(
        self, status: int, body: Any, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> "StandInProvider":
        self._script.append(Answer(status, body, headers or {}, delay))
        return self

    async def _handle(self, request: web.Request) -> web.Response:
        recorded = Recorded(request.method, request.path, dict(request.headers), await request.read())
        if _is_read_receipt(recorded):
            self.reads.append(recorded)
            await asyncio.sleep(self.read_answer.delay)
            return web.json_response(self.read_answer.body, status=self.read_answer.status)
        self.requests.append(recorded)
        self.received.set()
        await self.answering.wait()
        answer = self._script.popleft() if self._script else self.default
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return web.json_response(answer.body, status=answer.status, headers=answer.headers)

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Recorded]:
        """Wait until `count` requests have arrived (the worker sends in the background)."""
        async with asyncio.timeout(timeout):
            while len(self.requests) < count:
                self.received.clear()
                await self.received.wait()
        return self.requests


def _is_read_receipt(request: Recorded) -> bool:
    if request.path.endswith("/Indicators/Typing.json"):
        return True
    try:
        return request.json().get("status") == "read"
    except (ValueError, AttributeError):
        return False
