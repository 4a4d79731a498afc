"""The admin API as an operator's tooling uses it: send, history, templates, contacts, roles, queue, plugins."""

import base64
import json

import pytest

from gateway.admin.stats import delivery_rates
from gateway.appkeys import STORE
from gateway.ports.records import JobState
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from tests.gateway_fixtures import eventually
from tests.stand_in_provider import Answer, StandInProvider

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


UNDELIVERABLE = Answer(400, {"error": {"code": 131026, "message": "Message undeliverable"}})


@pytest.fixture
async def api(make_gateway, aiohttp_server):
    """The admin API of a gateway with the simulator and one real provider, Meta, which refuses
    every send for good, so a real number's message dies as it would in production."""
    meta = await StandInProvider(UNDELIVERABLE).start(aiohttp_server)
    meta_settings = {
        "meta_api_base": meta.base,
        "meta_access_token": "EAAG-token",
        "meta_phone_number_id": "106540352242922",
        "meta_app_secret": "meta-app-secret",
        "meta_verify_token": "verify-me",
    }
    return await make_gateway([BillingPlugin()], admin_token=TOKEN, **meta_settings)


async def call(api, method: str, path: str, status: int = 200, **request):
    response = await api.request(method, f"/api/v1{path}", headers=AUTH, **request)
    assert response.status == status, await response.text()
    return await response.json()


async def test_send_one_message_and_read_it_back_with_its_status(api, clock):
    contact = SimulatedContact(api, "+15550001111", clock)
    await contact.send("ping")
    queued = await call(
        api,
        "POST",
        "/messages",
        202,
        json={"recipient": "sim:+15550001111", "text": "Your bill is ready", "provider": "simulator"},
    )
    store = api.app[STORE]
    assert await eventually(lambda: sent(store, queued["job"]))
    message = await call(api, "GET", f"/messages/{queued['job']}")
    assert message["status"] == "sent" and message["message"]["text"] == "Your bill is ready"
    assert (await call(api, "GET", "/messages/no-such-id", 404))["error"]["status"] == 404


async def test_a_real_number_is_refused_at_the_door_when_only_the_simulator_could_be_asked(make_gateway):
    simulator_only = await make_gateway([BillingPlugin()], admin_token=TOKEN)
    real = {"recipient": "+15550009999", "text": "Hello", "force_queue": True}
    error = (await call(simulator_only, "POST", "/messages", 422, json=real))["error"]
    assert error["fields"][0]["path"] == "recipient" and "only the simulator is configured" in error["message"]
    error = (await call(simulator_only, "POST", "/messages", 422, json=real | {"provider": "simulator"}))["error"]
    assert error["fields"][0]["path"] == "provider"
    assert (await call(simulator_only, "GET", "/messages", params={"phone": "+15550009999"}))["entries"] == []
    await call(simulator_only, "POST", "/messages", 202, json=real | {"recipient": "sim:+15550009999"})


async def sent(store, job_id):
    return (await store.queue.get(job_id)).state is JobState.SENT


async def test_a_bad_send_is_422_with_the_field_path(api):
    error = (
        await call(
            api,
            "POST",
            "/messages",
            422,
            json={
                "recipient": "+15550001111",
                "text": "x",
                "buttons": [{"id": "a", "title": "A title that is far too long"}],
            },
        )
    )["error"]
    assert error["fields"][0]["path"] == "buttons.0.title"


async def test_bulk_send_queues_each_good_recipient_and_reports_the_bad_ones(api):
    recipients = ["+15550001111", "not-a-phone", "+919812345678"]
    result = await call(
        api,
        "POST",
        "/messages/bulk",
        202,
        json={"recipients": recipients, "message": {"text": "Plant closed on Monday"}, "force_queue": True},
    )
    assert (result["queued"], result["failed"]) == (2, 1)
    assert result["results"][1]["index"] == 1 and "not an international phone number" in result["results"][1]["error"]
    too_many = {"recipients": ["+15550001111"] * 1001, "message": {"text": "x"}}
    assert (await call(api, "POST", "/messages/bulk", 422, json=too_many))["error"]["fields"][0]["path"] == "recipients"


async def test_history_filters_and_paginates(api, clock):
    for phone in ("+15550001111", "+15550002222"):
        await SimulatedContact(api, phone, clock).send("ping")
    page = await call(api, "GET", "/messages", params={"phone": "sim:+15550001111", "direction": "inbound"})
    assert [(e["contact"], e["direction"]) for e in page["entries"]] == [("sim:+15550001111", "inbound")]
    first = await call(api, "GET", "/messages", params={"limit": "2"})
    rest = await call(api, "GET", "/messages", params={"limit": "2", "cursor": first["next_cursor"]})
    ids = [e["id"] for e in first["entries"] + rest["entries"]]
    assert len(ids) == len(set(ids)) == 4
    assert (await call(api, "GET", "/messages", 422, params={"limit": "0"}))["error"]["fields"][0]["path"] == "limit"


def tampered(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "junk",
        "%%%",
        tampered(b"[" * 2_000 + b"]" * 2_000),
        tampered(json.dumps(["2026-01-05T09:00:00", "0" * 32]).encode()),
        tampered(json.dumps(["2026-01-05T09:00:00+00:00", {"$gt": ""}]).encode()),
        tampered(b'["2026-01-05T09:00:00+00:00", "\\ud800"]'),
        tampered(json.dumps(["2026-01-05T09:00:00+00:00"]).encode()),
    ],
    ids=["garbage", "not-base64", "deep-nesting", "naive-time", "object-id", "surrogate-id", "short"],
)
async def test_a_tampered_cursor_is_400_naming_the_cursor(api, clock, cursor):
    await SimulatedContact(api, "+15550001111", clock).send("ping")
    error = (await call(api, "GET", "/messages", 400, params={"cursor": cursor}))["error"]
    assert error["message"] == "cursor: cursor is not one this gateway issued; start again without one"


async def test_a_dead_message_is_resent_and_a_sent_one_is_not(api):
    queued = await call(
        api, "POST", "/messages", 202, json={"recipient": "+15550009999", "text": "Hello stranger", "force_queue": True}
    )
    store = api.app[STORE]
    assert await eventually(lambda: dead(store, queued["job"]))
    again = await call(api, "POST", f"/messages/{queued['job']}/resend", 202)
    assert again["job"] != queued["job"]
    later = await call(
        api,
        "POST",
        "/messages",
        202,
        json={"recipient": "+15550009999", "text": "Tomorrow", "force_queue": True, "send_at": "2099-01-01T09:00:00Z"},
    )
    assert (await call(api, "POST", f"/messages/{later['job']}/resend", 409))["error"]["status"] == 409


async def dead(store, job_id):
    return (await store.queue.get(job_id)).state is JobState.DEAD


async def test_templates_save_preview_versions_and_rollback(api):
    listed = (await call(api, "GET", "/templates?limit=1000"))["templates"]
    assert {(t["name"], t["language"]) for t in listed} >= {("payment_reminder", "hi"), ("churn_risk", "en")}
    refused = await call(api, "PUT", "/templates/churn_risk/en", 422, json={"body": "Hi {{ customer_name"})
    assert refused["error"]["fields"][0]["path"] == "body" and "line 1" in refused["error"]["message"]
    saved = await call(
        api, "PUT", "/templates/churn_risk/en", json={"body": "Come back, {{ customer_name }}!", "category": "billing"}
    )
    assert saved["version"] == 2 and saved["saved_by"] == "operator"
    preview = await call(api, "POST", "/templates/churn_risk/en/preview", json={"context": {"customer_name": "Asha"}})
    assert preview["text"] == "Come back, Asha!"
    missing = await call(api, "POST", "/templates/churn_risk/en/preview", 422, json={"context": {}})
    assert "customer_name" in missing["error"]["message"]
    assert [v["version"] for v in await call(api, "GET", "/templates/churn_risk/en/versions")] == [2, 1]
    restored = await call(api, "POST", "/templates/churn_risk/en/rollback", json={"version": 1})
    assert restored["version"] == 3 and restored["body"].startswith("We miss you")
    assert (await call(api, "POST", "/templates/churn_risk/en/rollback", 404, json={"version": 9}))["error"][
        "status"
    ] == 404


async def test_contacts_and_roles(api, clock):
    await SimulatedContact(api, "+15550001111", clock).send("hola")
    contact = await call(api, "GET", "/contacts/sim:+15550001111")
    assert contact["language"] == "es" and contact["last_provider"] == "simulator"
    updated = await call(
        api, "PATCH", "/contacts/sim:+15550001111", json={"language": "fr", "opted_out_categories": ["billing"]}
    )
    assert updated["language"] == "fr" and updated["opted_out_categories"] == ["billing"]
    assert (await call(api, "PATCH", "/contacts/sim:+15550001111", 422, json={"language": "de"}))["error"]["fields"][0][
        "path"
    ] == "language"
    assert [c["contact"] for c in (await call(api, "GET", "/contacts"))["contacts"]] == ["sim:+15550001111"]
    role = await call(
        api, "PUT", "/roles/supervisors", json={"members": ["919800000001", "+919800000001", "+919800000002"]}
    )
    assert role["members"] == ["+919800000001", "+919800000002"]
    assert (await call(api, "GET", "/roles/supervisors"))["members"] == role["members"]
    assert (await call(api, "PUT", "/roles/quality", 422, json={"members": ["12"]}))["error"]["fields"][0][
        "path"
    ] == "members.0"


async def test_every_role_is_listed_with_its_members(api):
    listed = await call(api, "GET", "/roles")
    assert listed == {
        "roles": [{"role": r, "members": []} for r in ("quality", "staff", "supervisors")],
        "next_cursor": None,
    }
    await call(api, "PUT", "/roles/staff", json={"members": ["+919800000001"]})
    await call(api, "PUT", "/roles/shift_leads", json={"members": ["+919800000002", "sim:+15550003333"]})
    assert (await call(api, "GET", "/roles"))["roles"] == [
        {"role": "quality", "members": []},
        {"role": "shift_leads", "members": ["+919800000002", "sim:+15550003333"]},
        {"role": "staff", "members": ["+919800000001"]},
        {"role": "supervisors", "members": []},
    ]
    spec = await (await api.get("/api/v1/openapi.json")).json()
    assert "get" in spec["paths"]["/api/v1/roles"] and "put" in spec["paths"]["/api/v1/roles/{role}"]


async def test_queue_summary_dead_letters_and_retry(api):
    queued = await call(
        api, "POST", "/messages", 202, json={"recipient": "+15550009999", "text": "x", "force_queue": True}
    )
    store = api.app[STORE]
    assert await eventually(lambda: dead(store, queued["job"]))
    assert (await call(api, "GET", "/queue"))["dead"] == 1
    [letter] = (await call(api, "GET", "/queue/dead"))["dead"]
    assert letter["id"] == queued["job"] and "outside the 24-hour window" in letter["last_error"]
    retried = await call(api, "POST", f"/queue/{queued['job']}/retry", 202)
    assert retried["state"] == "queued" and retried["attempts"] == 0
    assert (await call(api, "POST", "/queue/no-such-job/retry", 404))["error"]["message"] == "no job no-such-job"
    assert (await call(api, "POST", "/queue/process-now", 202))["woken"] is True


async def test_plugins_are_listed(api):
    listing = await call(api, "GET", "/plugins")
    names = {plugin["name"]: plugin for plugin in listing["plugins"]}
    billing = names["plugins.billing.plugin.BillingPlugin"]
    assert "register_event_types" in billing["hooks"] and billing["in_service"]
    assert listing["failed_to_load"] == []


async def test_stats_count_messages_contacts_queue_and_flows(api, clock):
    subscriber = SimulatedContact(api, "+15550001111", clock)
    await subscriber.send("menu")
    await subscriber.press("Billing")
    await subscriber.press("Pause deliveries")
    await subscriber.send("2026-01-20")
    await subscriber.send("menu")
    await subscriber.press("Billing")
    await subscriber.press("Pause deliveries")
    await subscriber.send("cancel")
    clock.advance(days=2)
    await SimulatedContact(api, "+15550002222", clock).send("ping")
    store = api.app[STORE]
    assert await eventually(lambda: all_sent(store))
    stats = await call(api, "GET", "/stats")
    assert stats["active_contacts"] == {"24h": 1, "7d": 2}
    assert stats["flows"] == {"billing.pause": {"started": 2, "completed": 1, "cancelled": 1, "timed_out": 0}}
    assert stats["flow_completion_by_plugin"] == {"plugins.billing.plugin.BillingPlugin": 0.5}
    assert stats["top_menu_options"] == [["billing.pause", 2]]
    assert stats["average_session_seconds"] is None, "no conversation has gone idle yet"
    assert stats["rates_by_provider"]["simulator"] == {"delivered": 0.0, "read": 0.0}
    assert stats["outbound_per_active_contact"] == stats["queue"]["sent"] / 2
    days = {(row["day"], row["provider"], row["status"]) for row in stats["outbound"]}
    assert ("2026-01-05", "simulator", "sent") in days and ("2026-01-07", "simulator", "sent") in days
    assert stats["queue"]["sent"] == sum(row["count"] for row in stats["outbound"])
    assert (await call(api, "GET", "/stats", 422, params={"days": "365"}))["error"]["fields"][0]["path"] == "days"


async def all_sent(store):
    counts = await store.queue.counts()
    return counts["queued"] == counts["sending"] == 0


async def test_every_documented_route_needs_the_token(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method in operations:
            concrete = (
                path.replace("{name}", "t")
                .replace("{language}", "en")
                .replace("{id}", "x")
                .replace("{phone}", "+15550001111")
            )
            concrete = concrete.replace("{role}", "r").replace("{job}", "j")
            response = await api.request(method.upper(), concrete, json={})
            assert response.status == 401, f"{method.upper()} {path} answered {response.status} without a token"


async def test_average_session_length_counts_conversations_that_went_idle(api, clock):
    contact = SimulatedContact(api, "+15550001111", clock)
    await contact.send("menu")
    clock.advance(minutes=4)
    await contact.send("menu")  # the session lasts from the first to the last message: 4 min 1 s
    clock.advance(minutes=45)
    await contact.send("menu")
    assert (await call(api, "GET", "/stats"))["average_session_seconds"] == 241


def test_delivery_and_read_rates_count_read_as_delivered_too():
    rows = [
        {"day": "2026-01-05", "provider": "meta", "status": "sent", "count": 2},
        {"day": "2026-01-05", "provider": "meta", "status": "delivered", "count": 1},
        {"day": "2026-01-06", "provider": "meta", "status": "read", "count": 1},
        {"day": "2026-01-06", "provider": "twilio", "status": "failed", "count": 1},
    ]
    assert delivery_rates(rows) == {"meta": {"delivered": 0.5, "read": 0.25}, "twilio": {"delivered": 0.0, "read": 0.0}}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{{ 1 / 0 }}", "cannot render: ZeroDivisionError: division by zero"),
        ("{{ 'x' | date }}", "the date filter needs an ISO date"),
        ("{{ 'x' | money }}", "the money filter needs a number"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "the template calls itself too deeply"),
        ("{{ 'a' * 10**9 }}", "a value would be longer than 65,536 characters"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "took longer than 0.5 s"),
        ("{{ 'a'.ljust(10**9) }}", "needed more than 256 MiB of memory"),
    ],
    ids=["division", "date", "money", "recursion", "huge-string", "nested-loops", "memory"],
)
async def test_a_preview_that_cannot_render_is_422_naming_the_problem(api, body, problem):
    await call(api, "PUT", "/templates/churn_risk/en", json={"body": body})
    error = (await call(api, "POST", "/templates/churn_risk/en/preview", 422, json={"context": {}}))["error"]
    assert problem in error["message"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Hi\n{% include 'footer' %}", "body: line 2: a template stands alone; it cannot extend, include or import"),
        ("{% import 'macros' as m %}", "body: line 1: a template stands alone; it cannot extend, include or import"),
        ("{{ name | shout }}", "body: line 1: No filter named 'shout'."),
    ],
)
async def test_a_template_that_loads_another_or_names_no_filter_is_not_saved(api, body, problem):
    error = (await call(api, "PUT", "/templates/churn_risk/en", 422, json={"body": body}))["error"]
    assert error["message"] == problem
    assert [v["version"] for v in await call(api, "GET", "/templates/churn_risk/en/versions")] == [1]


async def test_a_query_parameter_the_operation_does_not_take_is_422_naming_it(api):
    error = (await call(api, "GET", "/messages", 422, params={"limt": "5"}))["error"]
    assert error["fields"] == [{"path": "limt", "message": "Extra inputs are not permitted"}]


async def test_the_openapi_document_declares_path_parameters_and_every_error_answer(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    contact = spec["paths"]["/api/v1/contacts/{phone}"]["patch"]
    assert [(p["name"], p["in"]) for p in contact["parameters"]] == [("phone", "path")]
    assert {"400", "401", "404", "422"} <= set(contact["responses"])
    assert {"401", "422"} <= set(spec["paths"]["/api/v1/stats"]["get"]["responses"])


async def test_templates_dead_letters_and_handovers_page_by_cursor_like_contacts(api, clock):
    first = await call(api, "GET", "/templates?limit=2")
    second = await call(api, "GET", "/templates", params={"limit": 2, "cursor": first["next_cursor"]})
    every = (await call(api, "GET", "/templates?limit=1000"))["templates"]
    keys = [(t["name"], t["language"]) for t in every]
    assert [(t["name"], t["language"]) for t in first["templates"] + second["templates"]] == keys[:4]
    assert keys == sorted(keys) and (await call(api, "GET", "/templates?limit=1000"))["next_cursor"] is None
    jobs = []
    for n in range(3):
        message = {"recipient": f"+1555000990{n}", "text": "x", "force_queue": True}
        jobs.append((await call(api, "POST", "/messages", 202, json=message))["job"])
    for job in jobs:
        assert await eventually(lambda job=job: dead(api.app[STORE], job))
    dead_first = await call(api, "GET", "/queue/dead?limit=2")
    dead_rest = await call(api, "GET", "/queue/dead", params={"limit": 2, "cursor": dead_first["next_cursor"]})
    assert sorted(j["id"] for j in dead_first["dead"] + dead_rest["dead"]) == sorted(jobs)
    assert dead_rest["next_cursor"] is None
    for n in range(3):
        await SimulatedContact(api, f"+1555000880{n}", clock).send("agent")
        clock.advance(minutes=1)
    waiting = await call(api, "GET", "/handovers?limit=2")
    rest = await call(api, "GET", "/handovers", params={"limit": 2, "cursor": waiting["next_cursor"]})
    shown = [card["contact"] for card in waiting["handovers"] + rest["handovers"]]
    assert shown == [f"sim:+1555000880{n}" for n in (2, 1, 0)] and rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("path", "cursor"),
    [(path, cursor) for path in ("/templates", "/queue/dead", "/handovers") for cursor in ("%%%", tampered(b"one"))]
    + [(path, tampered(time + b"\nid")) for path in ("/queue/dead", "/handovers") for time in (b"x", b"2026-01-05T09")],
)
async def test_a_cursor_the_gateway_did_not_issue_is_400_on_every_list(api, path, cursor):
    error = (await call(api, "GET", path, 400, params={"cursor": cursor}))["error"]
    assert error["message"] == "cursor: cursor is not one this gateway issued; start again without one"


async def test_the_openapi_document_shows_each_event_types_data_model(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert schemas["Event"]["discriminator"]["mapping"]["order.confirmed"] == "#/components/schemas/Event.order.confirmed"
    variant = schemas["Event.order.confirmed"]
    assert variant["properties"]["type"]["const"] == "order.confirmed"
    assert variant["properties"]["data"] == {"$ref": "#/components/schemas/OrderConfirmed"}
    assert {"order_id", "customer_name", "amount", "delivery_date"} <= set(schemas["OrderConfirmed"]["required"])
