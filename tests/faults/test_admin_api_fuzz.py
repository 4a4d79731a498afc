"""schemathesis against the admin API's own OpenAPI document, with the bearer token: whatever it
generates, the API never answers 500, every answer is one the document declares, whatever
violates the document is refused (4xx), and whatever fits it is taken, except where a well-formed
request is rightly refused for what it asks of the gateway's state (STATEFUL_REFUSALS)."""

import asyncio
import itertools
import threading
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.openapi.checks import RejectedPositiveData

from gateway.app import create_app
from gateway.settings import Settings
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin

TOKEN = "fuzz-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES_PER_OPERATION = 25
"""Per operation and generation mode (positive, negative): 1,650 cases in all; raise it locally
to search further."""
ROLE_HOLDERS = {"supervisors": ["+919800000001"], "quality": ["+919800000002"]}
"""Set before the run, so an event that goes to roles has someone to go to."""
CURSOR_REFUSED = "cursor: cursor is not one this gateway issued"
UNSTORABLE_NUMBER = "a whole number beyond 64 bits, or one too large for a double, cannot be stored"
"""Refused wherever it is nested: the store keeps 64 bits and doubles, and JSON Schema cannot bound
the numbers inside a free-form value (an event's extra data, a preview's context)."""
STATEFUL_REFUSALS: dict[str, dict[str, str]] = {
    # operation: {field path in error.fields: why a request that fits the document is still refused}
    "POST /api/v1/events": {"data": "a reminder whose moment has already passed, by the gateway's clock"},
    "POST /api/v1/messages": {
        "": "WhatsApp's rules between a message's parts (text, media or a template; captions, buttons and "
        "lists only with some) are stated in the fields' descriptions, not as schema",
        "recipient": "a real number while only the simulator is configured",
        "template.name": "a template that is not in the template store",
        "provider": "a provider that is not configured",
        "text": "free text to a contact outside the 24-hour window",
        "media": "media to a contact outside the 24-hour window, or parts WhatsApp does not combine",
        "media.media_id": "a stored file that is not in the media store",
    },
    "POST /api/v1/messages/bulk": {
        "message.*": "WhatsApp's rules between a message's parts and within them (a list's rows in all, a "
        "file's caption), stated in words, not as schema; a stored file that is not in the media store",
    },
    "POST /api/v1/media": {"file": "the file's bytes must be of the type it names, which no schema can say"},
    "PUT /api/v1/templates/{name}/{language}": {"body": "a body that is not a Jinja2 template that parses"},
}


def refused_on_state(case: schemathesis.Case, response) -> bool:
    """A refusal the document cannot foretell: a cursor the gateway never issued (any string is a
    well-formed cursor), or a 422 whose every field is one STATEFUL_REFUSALS names for the
    operation."""
    if response.status_code == 400 and "cursor" in (case.query or {}):
        return response.json()["error"]["message"].startswith(CURSOR_REFUSED)
    known = STATEFUL_REFUSALS.get(case.operation.label, {})
    fields = response.json()["error"].get("fields", []) if response.status_code == 422 else []
    return bool(fields) and all(_known(field, known) for field in fields)


def _known(field: dict[str, str], known: dict[str, str]) -> bool:
    """A field STATEFUL_REFUSALS names (`name.*`: it or any field inside it), or a number the store
    cannot keep."""
    path = field["path"]
    inside = (name.removesuffix(".*") for name in known if name.endswith(".*"))
    return path in known or any(path == name or path.startswith(f"{name}.") for name in inside) or (
        UNSTORABLE_NUMBER in field["message"]
    )


@schemathesis.check
def well_formed_is_taken(ctx, response, case) -> bool | None:
    """positive_data_acceptance, less the refusals on the gateway's state that refused_on_state allows."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if refused_on_state(case, response):
            return None
        raise


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
    url = f"http://{host}:{port}"
    for role, members in ROLE_HOLDERS.items():
        requests.put(f"{url}/api/v1/roles/{role}", json={"members": members}, headers=AUTH, timeout=10).raise_for_status()
    yield url
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
                base_url=gateway_url,
                headers=AUTH,
                timeout=30,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[well_formed_is_taken],
            )

        answered_as_declared()
    print(f"schemathesis ran {cases} cases")
