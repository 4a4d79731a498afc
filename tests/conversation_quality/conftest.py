"""A fresh gateway with the four built-in plugins for each conversation a row plays."""

from collections.abc import Awaitable, Callable
from itertools import count

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin


@pytest.fixture
def new_gateway(aiohttp_client, tmp_path, clock) -> Callable[[], Awaitable[TestClient]]:
    """Each call starts another gateway on a store of its own, with the demo data and the test's clock."""
    numbers = count()

    async def start() -> TestClient:
        store = tmp_path / f"gateway-{next(numbers)}.db"
        settings = Settings(_env_file=None, store_url=f"sqlite:///{store}", simulator=True)
        plugins = [OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()]
        return await aiohttp_client(create_app(settings, clock=clock, plugins=plugins, entry_points=False))

    return start
