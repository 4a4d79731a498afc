"""Console fixtures: quick password hashes, a gateway with operators, signing in."""

import re

import pytest
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from gateway.appkeys import CLOCK, HANDOVERS, STORE
from gateway.console import accounts
from gateway.console.accounts import Operators
from gateway.console.web_sessions import COOKIE
from gateway.models import InboundKind, InboundMessage, Provider
from gateway.testing import FakeClock, SimulatedContact

PASSWORD = "correct horse battery"
QUICK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""argon2 at its cheapest, so a test signs in in microseconds; the CLI test runs the real parameters."""


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", QUICK)


@pytest.fixture
async def console(make_gateway) -> TestClient:
    """A gateway with the operators alice and bob."""
    client = await make_gateway()
    for name in ("alice", "bob"):
        await operators(client).add(name, PASSWORD)
    return client


def operators(client: TestClient) -> Operators:
    return Operators(client.app[STORE], client.app[CLOCK])


async def sign_in(
    client: TestClient, name: str = "alice", password: str = PASSWORD, headers: dict | None = None, **fields: str
):
    """Post the sign-in form (and `fields`, such as `next`) with `headers`."""
    return await client.post(
        "/console/signin", data={"name": name, "password": password, **fields}, headers=headers, allow_redirects=False
    )


def session_cookie(response) -> str:
    return response.cookies[COOKIE].value


async def csrf_of(client: TestClient) -> str:
    """The CSRF token the signed-in page hands its forms."""
    page = await (await client.get("/console")).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


class OvertakenReads:
    """A store whose record reads another process overtakes: `meanwhile` runs just after each
    read of `key`, before the reader can write back what it read."""

    def __init__(self, store, key: str, meanwhile) -> None:
        self.records = _OvertakenRecords(store.records, key, meanwhile)


class _OvertakenRecords:
    def __init__(self, records, key: str, meanwhile) -> None:
        self._records, self._key, self._meanwhile = records, key, meanwhile

    async def get(self, plugin: str, key: str):
        document = await self._records.get(plugin, key)
        if key == self._key and self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
        return document

    def __getattr__(self, name: str):
        return getattr(self._records, name)


async def as_operator(client: TestClient, name: str) -> str:
    """Sign `name` in on `client` (ending whoever was signed in there); the CSRF token their
    forms carry."""
    assert (await sign_in(client, name)).status == 303
    return await csrf_of(client)


@pytest.fixture
async def alice_signed_in(console) -> None:
    """alice signed in on `console`; `console.csrf` is the token her forms carry."""
    console.csrf = await as_operator(console, "alice")


@pytest.fixture
def contact(console, clock) -> SimulatedContact:
    """A contact on the simulator, whose conversation the console shows."""
    return SimulatedContact(console, "+15550001111", clock)


WHATSAPP_CONTACT = "+919812345678"
WHATSAPP_PAGE = "/console/contacts/%2B919812345678"


async def whatsapp_contact_wrote(client: TestClient, clock: FakeClock, text: str = "hello") -> None:
    """A contact on Meta wrote `text` now, as far as the console knows (the simulator has no
    24-hour window, so the window's tests need a real provider's contact)."""
    message = InboundMessage(
        provider=Provider.META,
        provider_message_id=f"wamid.{clock.now().timestamp()}",
        sender=WHATSAPP_CONTACT,
        timestamp=clock.now(),
        kind=InboundKind.TEXT,
        text=text,
    )
    await client.app[HANDOVERS].note_inbound(message)
