"""Shared by the channel adapter tests: fixture payloads and a client session."""

import json
from pathlib import Path

import aiohttp
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture_bytes(provider: str, name: str) -> bytes:
    return (FIXTURES / provider / f"{name}.json").read_bytes()


def fixture_json(provider: str, name: str) -> dict:
    return json.loads(fixture_bytes(provider, name))


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session
