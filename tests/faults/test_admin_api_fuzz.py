"""schemathesis against the admin API's own OpenAPI document, with the bearer token: whatever it
generates, the API never answers 500 and every answer is one the document declares."""

import asyncio
import itertools
import threading
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from gateway.app import create_app
from gateway.settings import Settings
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin

TOKEN = "fuzz-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES_PER_OPERATION = 60
LENIENCY_CHECKS = [positive_data_acceptance, negative_data_rejection]
"""Left out, as they judge how strict validation is, not whether answers hold to the document:
the API rightly answers a well-shaped request 422 when its content is wrong (an event type no
plugin registered), and pydantic rightly reads `since=1767600000` as a time."""


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory) -> Iterator[str]:
    """A real gateway on a real port, in a thread of its own: schemathesis calls it over HTTP."""
    store = tmp_path_factory.mktemp("fuzz") / "gateway.db"
    configured = Settings(_env_file=None, store_url=f"sqlite:///{store}", admin_token=TOKEN)
    app = create_app(
        configured,
        plugins=[BillingPlugin(), DefectsPlugin(), MaintenancePlugin(), OrdersPlugin()],
        entry_points=False,
    )
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
    host, port = runner.addresses[0][:2]
    serving = threading.Thread(target=loop.run_forever, daemon=True)
    serving.start()
    yield f"http://{host}:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    serving.join()
    loop.close()


@pytest.mark.slow
def test_every_generated_request_is_answered_as_the_document_declares(gateway_url):
    document = requests.get(f"{gateway_url}/api/v1/openapi.json", timeout=10).json()
    cases = 0
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    for operation, mode in itertools.product(operations, schemathesis.GenerationMode):

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answered_as_declared(case: schemathesis.Case) -> None:
            nonlocal cases
            cases += 1
            case.call_and_validate(
                base_url=gateway_url, headers=AUTH, timeout=30, excluded_checks=LENIENCY_CHECKS
            )

        answered_as_declared()
    print(f"schemathesis ran {cases} cases")
