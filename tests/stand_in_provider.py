"""A local server standing in for a provider's HTTP API: it records every request and
answers from a script, so send paths are tested against real HTTP."""

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
        self.requests.append(Recorded(request.method, request.path, dict(request.headers), await request.read()))
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
