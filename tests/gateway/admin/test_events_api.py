"""POST /api/v1/events as a business system calls it."""

import asyncio

import pytest

from gateway.appkeys import PLUGIN_CONTEXT, STORE
from gateway.hookspecs import hookimpl
from gateway.ports.records import JobState, LogQuery, LogStatus
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin
from tests.gateway_fixtures import eventually

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PAYMENT_DUE = {
    "id": "evt-1",
    "type": "payment.due",
    "data": {"customer_name": "Asha", "amount": 1860, "period": "2025-12", "due_date": "2026-01-10"},
    "recipients": ["+15550001111"],
}


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(
        [OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()], admin_token=TOKEN
    )


async def test_no_token_configured_refuses_every_call(make_gateway):
    client = await make_gateway([BillingPlugin()])
    refused = await client.post("/api/v1/events", json=PAYMENT_DUE, headers=AUTH)
    assert refused.status == 401
    assert (await refused.json())["error"][
        "message"
    ] == "GATEWAY_ADMIN_TOKEN is not set, so the admin API refuses every call"


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic YWRtaW46c2VjcmV0", f"Bearer {TOKEN}x"])
async def test_a_missing_or_wrong_token_is_401(api, header):
    response = await api.post("/api/v1/events", json=PAYMENT_DUE, headers={"Authorization": header} if header else {})
    assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_openapi_describes_the_api_without_a_token(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    operation = spec["paths"]["/api/v1/events"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Event"}
    assert "recipients" in spec["components"]["schemas"]["Event.payment.due"]["properties"]


async def test_an_event_queues_one_job_per_recipient_and_a_replay_adds_none(api):
    first = await api.post(
        "/api/v1/events", json=PAYMENT_DUE | {"recipients": ["+15550001111", "+919812345678"]}, headers=AUTH
    )
    assert first.status == 202
    published = await first.json()
    assert len(published["jobs"]) == 4 and published["replay"] is False, "each recipient's reminder and bill"
    again = await (
        await api.post(
            "/api/v1/events", json=PAYMENT_DUE | {"recipients": ["+15550001111", "+919812345678"]}, headers=AUTH
        )
    ).json()
    assert again["jobs"] == published["jobs"] and again["replay"] is True
    queue = api.app[STORE].queue
    jobs = [await queue.get(job_id) for job_id in published["jobs"]]
    assert [job.message.get("template", {}).get("name") for job in jobs] == ["payment_reminder", None] * 2
    assert sum((await queue.counts()).values()) == 4


class Listener:
    def __init__(self) -> None:
        self.events: list[dict] = []

    @hookimpl
    def on_event(self, event, context):
        self.events.append(event)


async def test_plugins_hear_each_new_event_once(make_gateway):
    listener = Listener()
    client = await make_gateway([BillingPlugin(), listener], admin_token=TOKEN)
    for _ in range(2):
        assert (await client.post("/api/v1/events", json=PAYMENT_DUE, headers=AUTH)).status == 202
    assert [(event["id"], event["type"]) for event in listener.events] == [("evt-1", "payment.due")]


async def test_twenty_concurrent_posts_of_one_event_queue_one_set_of_jobs_and_tell_plugins_once(make_gateway):
    listener = Listener()
    client = await make_gateway([BillingPlugin(), listener], admin_token=TOKEN)
    event = PAYMENT_DUE | {"recipients": ["+15550001111", "+919812345678"]}
    responses = await asyncio.gather(*(client.post("/api/v1/events", json=event, headers=AUTH) for _ in range(20)))
    assert [response.status for response in responses] == [202] * 20
    answers = [await response.json() for response in responses]
    assert [answer["replay"] for answer in answers].count(False) == 1
    assert len({tuple(answer["jobs"]) for answer in answers}) == 1 and len(answers[0]["jobs"]) == 4
    assert sum((await client.app[STORE].queue.counts()).values()) == 4
    assert [event["id"] for event in listener.events] == ["evt-1"]


@pytest.mark.parametrize(
    ("changed", "differing"),
    [
        ({"data": PAYMENT_DUE["data"] | {"amount": 1900}}, ["data"]),
        ({"recipients": ["+919812345678"]}, ["recipients"]),
        ({"type": "payment.received", "data": {"customer_name": "Asha", "amount": 1860}}, ["type", "data"]),
    ],
)
async def test_a_replay_that_differs_from_the_first_post_is_409_naming_what_differs(api, changed, differing):
    assert (await api.post("/api/v1/events", json=PAYMENT_DUE, headers=AUTH)).status == 202
    response = await api.post("/api/v1/events", json=PAYMENT_DUE | changed, headers=AUTH)
    assert response.status == 409
    error = (await response.json())["error"]
    assert [field["path"] for field in error["fields"]] == differing
    assert error["message"].startswith(f"event evt-1 was first posted with other {' and '.join(differing)}")
    assert sum((await api.app[STORE].queue.counts()).values()) == 2, "nothing more queued than the first's two"


async def test_a_replay_listing_the_recipients_in_another_order_is_a_replay(api):
    recipients = ["+15550001111", "+919812345678"]
    first = await (await api.post("/api/v1/events", json=PAYMENT_DUE | {"recipients": recipients}, headers=AUTH)).json()
    again = await api.post("/api/v1/events", json=PAYMENT_DUE | {"recipients": recipients[::-1]}, headers=AUTH)
    assert again.status == 202 and (await again.json())["jobs"] == first["jobs"]


async def test_a_replay_after_a_post_cut_short_before_queueing_queues_the_jobs_and_tells_plugins_once(
    make_gateway, monkeypatch
):
    listener = Listener()
    client = await make_gateway([BillingPlugin(), listener], admin_token=TOKEN)
    notifier = client.app[PLUGIN_CONTEXT].notifier
    notify, failures = notifier.notify, iter([ConnectionError("the store went away")])

    async def fail_once(*args, **kwargs):
        if (failure := next(failures, None)) is not None:
            raise failure
        return await notify(*args, **kwargs)

    monkeypatch.setattr(notifier, "notify", fail_once)
    assert (await client.post("/api/v1/events", json=PAYMENT_DUE, headers=AUTH)).status == 500
    assert sum((await client.app[STORE].queue.counts()).values()) == 0 and listener.events == []
    retried = await client.post("/api/v1/events", json=PAYMENT_DUE, headers=AUTH)
    assert retried.status == 202 and len((await retried.json())["jobs"]) == 2
    assert sum((await client.app[STORE].queue.counts()).values()) == 2
    again = await client.post("/api/v1/events", json=PAYMENT_DUE, headers=AUTH)
    assert (await again.json())["jobs"] == (await retried.json())["jobs"]
    assert [event["id"] for event in listener.events] == ["evt-1"]


@pytest.mark.parametrize(
    ("event", "path", "message"),
    [
        (
            PAYMENT_DUE | {"data": {"customer_name": "Asha"}},
            "data.amount",
            "payment.due needs data amount, period, due_date",
        ),
        (PAYMENT_DUE | {"data": PAYMENT_DUE["data"] | {"amount": "1860"}}, "data.amount", "amount must be a number"),
        (PAYMENT_DUE | {"type": "payment.overdue"}, "type", "unknown event type 'payment.overdue'"),
        (
            PAYMENT_DUE | {"recipients": ["+15550001111", "not a phone"]},
            "recipients.1",
            "not an international phone number",
        ),
        (PAYMENT_DUE | {"recipients": []}, "recipients", "payment.due has no recipients"),
        (PAYMENT_DUE | {"recipients": ["+15550001111"] * 10_001}, "recipients", "at most 10000 items"),
        ({k: v for k, v in PAYMENT_DUE.items() if k != "id"}, "id", "Field required"),
    ],
)
async def test_a_bad_event_is_422_naming_the_field(api, event, path, message):
    response = await api.post("/api/v1/events", json=event, headers=AUTH)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["fields"][0]["path"] == path and message in error["message"]
    assert sum((await api.app[STORE].queue.counts()).values()) == 0


async def test_a_body_that_is_not_json_is_400(api):
    response = await api.post("/api/v1/events", data=b"{not json", headers=AUTH | {"Content-Type": "application/json"})
    assert response.status == 400


async def test_a_quality_alert_goes_to_every_supervisor_and_quality_manager_once(api):
    settings = api.app[STORE].settings
    await settings.set("roles.supervisors", ["+919800000001", "+919800000002"])
    await settings.set("roles.quality", ["+919800000002", "+919800000003"])
    event = {
        "id": "evt-d1",
        "type": "defect.created",
        "data": {"defect_id": "DEF-000009", "order_id": "4411", "defect_type": "Dimensional", "severity": "High"},
    }
    published = await (await api.post("/api/v1/events", json=event, headers=AUTH)).json()
    jobs = [await api.app[STORE].queue.get(job_id) for job_id in published["jobs"]]
    assert [job.message["recipient"] for job in jobs] == ["+919800000001", "+919800000002", "+919800000003"]


async def test_a_shift_reminder_is_due_15_minutes_before_the_shift(api):
    event = {
        "id": "evt-s1",
        "type": "shift.scheduled",
        "data": {"operator_name": "Ravi", "shift_start": "2026-01-06T06:00:00+05:30", "line": "Line 2"},
        "recipients": ["+919812345678"],
    }
    published = await (await api.post("/api/v1/events", json=event, headers=AUTH)).json()
    job = await api.app[STORE].queue.get(published["jobs"][0])
    assert job.due_at.isoformat() == "2026-01-06T00:15:00+00:00"
    naive = event | {"id": "evt-s2", "data": event["data"] | {"shift_start": "2026-01-06T06:00"}}
    refused = await api.post("/api/v1/events", json=naive, headers=AUTH)
    assert refused.status == 422 and (await refused.json())["error"]["fields"][0]["path"] == "data.shift_start"


async def test_an_event_reaches_the_contact_in_their_language_and_an_opted_out_one_is_suppressed(api, clock):
    spanish = SimulatedContact(api, "+15550001111", clock)
    await spanish.send("hola")
    opted_out = SimulatedContact(api, "+15550002222", clock)
    await opted_out.send("stop")
    await opted_out.press("Stop all")
    event = PAYMENT_DUE | {"recipients": [spanish.phone, opted_out.phone]}
    published = await (await api.post("/api/v1/events", json=event, headers=AUTH)).json()
    store = api.app[STORE]

    async def finished() -> bool:
        states = [(await store.queue.get(job_id)).state for job_id in published["jobs"]]
        return states == [JobState.SENT, JobState.SENT, JobState.SUPPRESSED, JobState.SUPPRESSED]

    assert await eventually(finished)
    sent = (
        await store.log.query(LogQuery(contact=spanish.phone, direction="outbound", status=LogStatus.SENT))
    ).entries
    assert set(published["jobs"][:2]) <= {entry.id for entry in sent}
    suppressed = (await store.log.query(LogQuery(contact=opted_out.phone, status=LogStatus.SUPPRESSED))).entries
    bill_reason, reminder_reason = sorted(entry.error for entry in suppressed)
    assert reminder_reason == "the contact opted out of notifications"
    assert bill_reason.startswith("a notification's file goes only after the message before it was sent")
    assert bill_reason.endswith(reminder_reason)
    transcript = await (await api.get("/simulator/api/messages", params={"phone": spanish.phone})).json()
    reminder, bill = transcript["messages"][-2:]
    assert reminder["text"] == "Hola Asha, tu factura de 1.860,00\xa0₹ de diciembre de 2025 vence el 10 ene 2026."
    assert bill["media"]["caption"] == "Tu factura de diciembre de 2025"


@pytest.mark.parametrize(
    ("data", "path", "says"),
    [
        ({"due_date": "soon"}, "data.due_date", "YYYY-MM-DD"),
        ({"period": "December"}, "data.period", "should match pattern"),
        ({"amount": "1860"}, "data.amount", "must be a number"),
    ],
)
async def test_event_data_is_checked_by_its_types_model_at_the_door(api, data, path, says):
    event = PAYMENT_DUE | {"id": "evt-typed", "data": PAYMENT_DUE["data"] | data}
    refused = await api.post("/api/v1/events", json=event, headers=AUTH)
    assert refused.status == 422
    [field] = (await refused.json())["error"]["fields"]
    assert field["path"] == path and says in field["message"]
    assert sum((await api.app[STORE].queue.counts()).values()) == 0, "nothing queued"


async def test_a_severity_outside_the_scale_and_a_shift_long_past_are_refused(api, clock):
    defect = {
        "id": "evt-d1",
        "type": "defect.created",
        "data": {"defect_id": "DEF-1", "order_id": "4411", "defect_type": "Dimensional", "severity": "extreme"},
    }
    refused = await api.post("/api/v1/events", json=defect, headers=AUTH)
    assert refused.status == 422
    assert (await refused.json())["error"]["fields"][0]["path"] == "data.severity"
    shift = {
        "id": "evt-s-old",
        "type": "shift.scheduled",
        "data": {"operator_name": "Ravi", "shift_start": "2020-01-06T06:00:00+05:30", "line": "Line 2"},
        "recipients": ["+919812345678"],
    }
    refused = await api.post("/api/v1/events", json=shift, headers=AUTH)
    assert refused.status == 422 and "which has passed" in (await refused.json())["error"]["fields"][0]["message"]


class Enricher:
    @hookimpl
    def enrich_event(self, event, context):
        return {"customer_name": "Asha Rao"} if event["type"] == "payment.due" else None


async def test_a_plugin_adds_data_before_the_notification_renders(make_gateway):
    client = await make_gateway([BillingPlugin(), Enricher()], admin_token=TOKEN)
    event = PAYMENT_DUE | {"id": "evt-enriched", "data": PAYMENT_DUE["data"] | {"customer_name": "A"}}
    published = await (await client.post("/api/v1/events", json=event, headers=AUTH)).json()
    job = await client.app[STORE].queue.get(published["jobs"][0])
    assert job.message["template"]["parameters"]["customer_name"] == "Asha Rao"
