"""Media store fixtures: the contract suite runs once per adapter."""

from collections.abc import AsyncIterator

import pytest

from adapters.storage.media.disk import DiskMediaStore


@pytest.fixture(params=["disk"])
async def media(request: pytest.FixtureRequest, clock, tmp_path) -> AsyncIterator:
    opened = await DiskMediaStore.open(tmp_path / "media", clock)
    try:
        yield opened
    finally:
        await opened.close()
