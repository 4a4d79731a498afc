"""A fresh gateway with the four built-in plugins for each conversation a row plays."""

from collections.abc import Awaitable, Callable
from itertools import count
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin


@pytest.fixture(scope="session")
def drawn_files(tmp_path_factory) -> Path:
    """One media folder for every row's gateways: a chart or PDF is stored under a key of what
    it shows, so the demo order's Gantt chart is drawn once (half a second of CPU) and not in
    every row that asks for order 4411. The rows judge what the bot says, not how it draws."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def new_gateway(aiohttp_client, tmp_path, clock, drawn_files) -> Callable[[], Awaitable[TestClient]]:
    """Each call starts another gateway on a store of its own, with the demo data and the test's clock."""
    numbers = count()

    async def start() -> TestClient:
        store = tmp_path / f"gateway-{next(numbers)}.db"
        settings = Settings(_env_file=None, store_url=f"sqlite:///{store}", media_dir=drawn_files, simulator=True)
        plugins = [OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()]
        return await aiohttp_client(create_app(settings, clock=clock, plugins=plugins, entry_points=False))

    return start
