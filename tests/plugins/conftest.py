"""Fixtures for the built-in plugins' tests: a turn retried as after a lost lease, and a
stand-in business system that answers a repeated Idempotency-Key as the first time."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway.appkeys import STORE
from gateway.ports.store import StaleSession


@pytest.fixture
def retry_next_turn(monkeypatch) -> Callable[[TestClient], None]:
    """Arm a test gateway so that its next session save is refused as stale, as it is for a
    turn whose lease was lost: the engine runs the same message through its turn again."""

    def arm(client: TestClient) -> None:
        sessions = client.app[STORE].sessions
        save, refusals = sessions.save, iter([StaleSession("the lease moved on")])

        async def refuse_once(*args: Any, **kwargs: Any) -> None:
            if (refusal := next(refusals, None)) is not None:
                raise refusal
            await save(*args, **kwargs)

        monkeypatch.setattr(sessions, "save", refuse_once)

    return arm


Answer = Callable[[str, dict[str, Any], int], dict[str, Any]]


class BusinessSystem:
    """Answers GETs from `reads` (path to JSON) and POSTs with `answer(path, body, n)`, n counting
    distinct Idempotency-Keys; a repeated key gets the first answer back. `posts` keeps (path,
    key) of every POST."""

    def __init__(self, answer: Answer, reads: dict[str, Any]) -> None:
        self.posts: list[tuple[str, str | None]] = []
        self._answer = answer
        self._reads = reads
        self._answered: dict[str | None, dict[str, Any]] = {}
        self.app = web.Application()
        self.app.router.add_get("/api/{path:.*}", self._get)
        self.app.router.add_post("/api/{path:.*}", self._post)

    async def _get(self, request: web.Request) -> web.Response:
        if request.path not in self._reads:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(self._reads[request.path])

    async def _post(self, request: web.Request) -> web.Response:
        key = request.headers.get("Idempotency-Key")
        self.posts.append((request.path, key))
        if key not in self._answered:
            self._answered[key] = self._answer(request.path, await request.json(), len(self._answered) + 1)
        return web.json_response(self._answered[key])


@pytest.fixture
def business_system(aiohttp_server, monkeypatch) -> Callable[..., Awaitable[BusinessSystem]]:
    """Start a stand-in business system and point `<PREFIX>_API_URL` at it."""

    async def start(prefix: str, answer: Answer, reads: dict[str, Any] | None = None) -> BusinessSystem:
        system = BusinessSystem(answer, reads or {})
        server = await aiohttp_server(system.app)
        monkeypatch.setenv(f"{prefix}_API_URL", str(server.make_url("/api")))
        return system

    return start
