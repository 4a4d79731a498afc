"""Console fixtures: quick password hashes, a gateway with operators, signing in."""

import re

import pytest
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from gateway.appkeys import CLOCK, STORE
from gateway.console import accounts
from gateway.console.accounts import Operators
from gateway.console.web_sessions import COOKIE

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
