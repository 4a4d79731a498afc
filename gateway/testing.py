"""Helpers for testing the gateway and plugins built on it, as a pytest plugin: put
`pytest_plugins = ["gateway.testing"]` in your conftest.py to get the fixtures `clock`
(time that moves only when told) and `make_gateway` (a gateway with the plugins you choose,
talked to by a SimulatedContact); `post_event` publishes a business event as
`POST /api/v1/events` does, and `SimulatedContact.received` reads the notifications it led to. Also: webhook requests signed as each provider signs them,
written from the providers' documentation independently of the adapters.
"""

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.appkeys import CLOCK, EVENTS, INBOX, STORE
from gateway.models import new_id
from gateway.notifications.events import Event, Published
from gateway.notifications.notifier import role_key
from gateway.phone import to_simulated_contact
from gateway.ports.records import JobState, LogStatus
from gateway.settings import Settings


DELIVERED = {LogStatus.SENT, LogStatus.DELIVERED, LogStatus.READ}


class FakeClock:
    """A clock for tests: starts at a fixed moment and moves only through `advance`."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move time forward, e.g. `advance(minutes=5)`, and return the new now."""
        self._now += timedelta(**delta)
        return self._now


def meta_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """Headers of a Meta webhook POST: `X-Hub-Signature-256` over the raw body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def twilio_headers(url: str, params: dict[str, str], auth_token: str) -> dict[str, str]:
    """Headers of a Twilio webhook POST to the public `url` with form `params`."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": base64.b64encode(digest).decode(),
    }


def myoperator_headers(webhook_secret: str) -> dict[str, str]:
    """Headers of a MyOperator webhook POST configured with the shared secret header."""
    return {"Content-Type": "application/json", "X-Webhook-Key": webhook_secret}


@dataclass(frozen=True)
class Reply:
    """One message from the bot, as the contact sees it."""

    text: str | None
    options: list[dict[str, str]]
    raw: dict[str, Any]

    @property
    def titles(self) -> list[str]:
        return [option["title"] for option in self.options]

    @property
    def media(self) -> dict[str, Any] | None:
        """The file it carries as the simulator shows it: kind, url (to GET), filename, caption."""
        return self.raw.get("media")


class SimulatedContact:
    """A phone talking to a test gateway through the simulator channel. Its `phone` is the
    simulated contact (`sim:+15550001111`) that the gateway and plugins know it by."""

    def __init__(self, client: TestClient, phone: str = "+15550001111", clock: FakeClock | None = None) -> None:
        self.client = client
        self.phone = to_simulated_contact(phone)
        self.last: list[Reply] = []
        self._clock = clock
        self._sent = 0
        self._seen: set[str] = set()

    async def received(self) -> list[Reply]:
        """The bot's messages that reached this contact and that no earlier `send`, `press` or
        `received` returned (notifications, reminders, late replies), once the queue has sent
        every job due on the gateway's clock; a job not yet due, or one that died, is not among them."""
        await queue_sent(self.client)
        outbound = [entry for entry in await self._transcript() if entry["direction"] == "outbound"]
        self.last = [_reply(entry) for entry in outbound if entry["status"] in DELIVERED and entry["id"] not in self._seen]
        self._seen |= {reply.raw["id"] for reply in self.last}
        return self.last

    async def hold(self, role: str) -> "SimulatedContact":
        """Make this contact a member of `role` (e.g. `staff`), as `PUT /api/v1/roles/{role}` does."""
        settings = self.client.app[STORE].settings
        members = await settings.get(role_key(role)) or []
        await settings.set(role_key(role), list(dict.fromkeys([*members, self.phone])))
        return self

    async def send(self, text: str) -> list[Reply]:
        """Send `text` and return the bot's replies to it."""
        return await self._post({"text": text})

    async def press(self, title: str) -> list[Reply]:
        """Press the button or list row titled `title` in the bot's last replies."""
        for reply in reversed(self.last):
            for option in reply.options:
                if option["title"] == title:
                    kind = "button_reply" if reply.raw.get("buttons") else "list_reply"
                    return await self._post({"reply_id": option["id"], "reply_title": title, "kind": kind})
        raise AssertionError(f"no option {title!r} in the last replies: {[r.titles for r in self.last]}")

    async def choose(self, option_id: str, title: str) -> list[Reply]:
        """Send a list choice of `option_id` whether or not it was shown, as a stale menu or a
        crafted message does."""
        return await self._post({"reply_id": option_id, "reply_title": title, "kind": "list_reply"})

    async def attach(
        self, data: bytes, content_type: str, filename: str = "file", caption: str | None = None
    ) -> list[Reply]:
        """Send a file (a photo, a PDF, a voice note as audio) as the simulator page attaches
        one, and return the bot's replies to it."""
        form = aiohttp.FormData({"phone": self.phone} | ({"caption": caption} if caption else {}))
        form.add_field("file", data, content_type=content_type, filename=filename)
        return await self._sent_by(self.client.post("/simulator/api/media", data=form))

    async def _post(self, message: dict[str, Any]) -> list[Reply]:
        message_id = f"test-{self.phone}-{self._sent + 1}-{id(self)}"
        return await self._sent_by(
            self.client.post("/simulator/api/messages", json={"phone": self.phone, "id": message_id, **message})
        )

    async def _sent_by(self, posting: Awaitable[ClientResponse]) -> list[Reply]:
        """Post a message a second after the last, and read the replies once the inbox is idle."""
        self._sent += 1
        if self._clock is not None:
            self._clock.advance(seconds=1)
        response = await posting
        assert response.status == 200, await response.text()
        await self.client.app[INBOX].idle()
        messages = await self._transcript()
        mine = max(index for index, entry in enumerate(messages) if entry["direction"] == "inbound")
        self.last = [_reply(entry) for entry in messages[mine + 1 :] if entry["direction"] == "outbound"]
        self._seen |= {reply.raw["id"] for reply in self.last}
        return self.last

    async def _transcript(self) -> list[dict[str, Any]]:
        transcript = await (await self.client.get("/simulator/api/messages", params={"phone": self.phone})).json()
        return transcript["messages"]


async def post_event(
    client: TestClient, type: str, data: dict[str, Any], *, recipients: Iterable[str] = (), event_id: str | None = None
) -> Published:
    """Publish a business event to a test gateway as `POST /api/v1/events` does (an
    EventRejected says what a real post would answer 422 for); returns its queued job ids."""
    event = Event(id=event_id or new_id(), type=type, data=data, recipients=list(recipients))
    return await client.app[EVENTS].publish(event)


async def queue_sent(client: TestClient, seconds: float = 10.0) -> None:
    """Wait until the queue holds no job due on the gateway's clock that is not yet sent (or
    given up): the queue worker runs in the background, so this waits for work, never for time."""
    queue, clock = client.app[STORE].queue, client.app[CLOCK]
    async with asyncio.timeout(seconds):
        while True:
            waiting = [job for state in (JobState.QUEUED, JobState.SENDING) for job in await queue.list(state, 1000)]
            if not any(job.due_at <= clock.now() for job in waiting):
                return
            await asyncio.sleep(0.005)


def _reply(entry: dict[str, Any]) -> Reply:
    options = list(entry.get("buttons") or [])
    for section in (entry.get("list") or {}).get("sections", []):
        options += [{"id": row["id"], "title": row["title"]} for row in section["rows"]]
    return Reply(entry.get("text"), options, entry)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def aiohttp_client(aiohttp_server, aiohttp_client):
    """pytest-aiohttp's client fixture, set up after its server fixture so that gateways close
    before the stand-in servers they call, instead of waiting out a send to a closed one."""
    return aiohttp_client


@pytest.fixture
def make_gateway(aiohttp_client, tmp_path, clock) -> Callable[..., Awaitable[TestClient]]:
    """Build a gateway with the given plugins (and no installed ones), on a fresh SQLite store,
    the simulator channel (on) and the `clock` fixture: `client = await make_gateway([MyPlugin()])`."""

    async def make(plugins: Iterable[object] = (), **settings: Any) -> TestClient:
        configured = Settings(
            _env_file=None, store_url=f"sqlite:///{tmp_path / 'gateway.db'}", **({"simulator": True} | settings)
        )
        return await aiohttp_client(create_app(configured, clock=clock, plugins=plugins, entry_points=False))

    return make
