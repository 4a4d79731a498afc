"""The admin API takes exactly what its OpenAPI document says: what the document refuses is a
422 naming the field, and the document describes each event type from the model the gateway
validates it with."""

import json

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.admin import app as admin_app
from gateway.admin.openapi import with_event_types
from gateway.models import contact_id_schema
from gateway.phone import InvalidPhoneNumber, contact_id_pattern, to_contact_id
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PAYMENT_DUE = {
    "id": "evt-1",
    "type": "payment.due",
    "data": {"customer_name": "Asha", "amount": 1860, "period": "2025-12", "due_date": "2026-01-10"},
    "recipients": ["+15550001111"],
}
ORDER_COMPLETED = {
    "id": "evt-2",
    "type": "order.completed",
    "data": {"order_id": "4411", "completed_at": "2026-01-05T09:30:00+05:30"},
    "recipients": ["+15550001111"],
}


@pytest.fixture
async def api(make_gateway):
    return await make_gateway(
        [OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()], admin_token=TOKEN
    )


async def refused_field(api, method: str, path: str, **request) -> dict:
    response = await api.request(method, f"/api/v1{path}", headers=AUTH, **request)
    assert response.status == 422, await response.text()
    [field] = (await response.json())["error"]["fields"]
    return field


async def event_schema(api) -> jsonschema_rs.Validator:
    document = await (await api.get("/api/v1/openapi.json")).json()
    event = {"$ref": "#/components/schemas/Event", "components": document["components"]}
    return jsonschema_rs.validator_for(event, validate_formats=True)


@pytest.mark.parametrize(
    "since", ["1767600000", "2026-01-05 08:00:00+00:00", "2026-01-05T08:00:00", "2026-01-05", "yesterday"]
)
async def test_a_time_in_the_query_is_rfc_3339_or_a_422_naming_it(api, since):
    field = await refused_field(api, "GET", "/messages", params={"since": since})
    assert field["path"] == "since" and "RFC 3339" in field["message"]


async def test_an_rfc_3339_time_in_the_query_is_read(api):
    for since in ("2026-01-05T08:00:00Z", "2026-01-05T08:00:00.5+05:30"):
        response = await api.get("/api/v1/messages", params={"since": since}, headers=AUTH)
        assert response.status == 200, await response.text()


@pytest.mark.parametrize("limit", ["5.0", "+5", " 5", "5_0", "five"])
async def test_a_number_in_the_query_is_digits_or_a_422_naming_it(api, limit):
    field = await refused_field(api, "GET", "/contacts", params={"limit": limit})
    assert field == {"path": "limit", "message": "must be a whole number written in digits, such as 50"}


async def test_a_query_parameter_given_twice_is_a_422_naming_it(api):
    field = await refused_field(api, "GET", "/queue/dead?limit=5&limit=10")
    assert field["path"] == "limit" and "more than once" in field["message"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"force_queue": "yes"}, "force_queue"),
        ({"force_queue": 1}, "force_queue"),
        ({"send_at": 1767600000}, "send_at"),
        ({"send_at": "1767600000"}, "send_at"),
        ({"priority": "10"}, "priority"),
    ],
)
async def test_a_body_value_of_another_type_than_documented_is_a_422_naming_it(api, change, path):
    message = {"recipient": "+15550001111", "text": "x", "force_queue": True} | change
    assert (await refused_field(api, "POST", "/messages", json=message))["path"] == path


async def test_an_event_of_one_type_with_anothers_data_is_refused_naming_the_field(api):
    mixed = ORDER_COMPLETED | {"data": PAYMENT_DUE["data"]}
    field = await refused_field(api, "POST", "/events", json=mixed)
    assert field["path"] == "data.order_id"
    assert not (await event_schema(api)).is_valid(mixed), "the document refuses it too"


async def test_an_event_key_the_document_does_not_name_is_refused(api):
    misspelt = {key: value for key, value in PAYMENT_DUE.items() if key != "recipients"}
    field = await refused_field(api, "POST", "/events", json=misspelt | {"recipent": ["+15550001111"]})
    assert field["path"] == "recipent"


async def test_recipients_for_a_type_that_goes_only_to_its_roles_are_refused(api):
    defect = {
        "id": "evt-d",
        "type": "defect.created",
        "data": {"defect_id": "DEF-1", "order_id": "4411", "defect_type": "Dimensional", "severity": "High"},
    }
    field = await refused_field(api, "POST", "/events", json=defect | {"recipients": ["+15550001111"]})
    assert field["path"] == "recipients" and "takes no recipients" in field["message"]
    schema = await event_schema(api)
    assert schema.is_valid(defect) and not schema.is_valid(defect | {"recipients": ["+15550001111"]})


async def test_the_document_takes_what_the_gateway_takes_and_refuses_what_it_refuses(api):
    schema = await event_schema(api)
    shift = {
        "id": "evt-s",
        "type": "shift.scheduled",
        "data": {"operator_name": "Ravi", "shift_start": "2099-01-06T06:00:00+05:30", "line": "Line 2"},
        "recipients": ["+919812345678"],
    }
    for accepted in (PAYMENT_DUE, ORDER_COMPLETED, shift):
        assert schema.is_valid(accepted)
        assert (await api.post("/api/v1/events", json=accepted, headers=AUTH)).status == 202
    for refused in (
        shift | {"id": "evt-s2", "data": shift["data"] | {"shift_start": "2099-01-06 06:00:00+05:30"}},
        PAYMENT_DUE | {"id": "evt-p2", "data": PAYMENT_DUE["data"] | {"amount": -5}},
        PAYMENT_DUE | {"id": "evt-p3", "data": PAYMENT_DUE["data"] | {"due_date": "20260110"}},
        PAYMENT_DUE | {"id": "evt-p4", "type": "payment.overdue"},
        PAYMENT_DUE | {"id": "evt-p5", "recipients": []},
    ):
        assert not schema.is_valid(refused), refused
        assert (await api.post("/api/v1/events", json=refused, headers=AUTH)).status == 422, refused


@given(st.from_regex(contact_id_pattern(), fullmatch=True))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_every_contact_id_the_document_allows_is_one_the_gateway_takes(contact):
    """Taken, and kept in a form the document allows (a national prefix after the country code
    is dropped: +61 0… is +61 …)."""
    assert jsonschema_rs.validator_for(contact_id_schema()).is_valid(to_contact_id(contact))


@pytest.mark.parametrize("refused", ["+1415555010", "+999123456789", "+1", "sim:", "us.123"])
def test_a_contact_id_the_gateway_refuses_the_document_refuses(refused):
    with pytest.raises(InvalidPhoneNumber):
        to_contact_id(refused)
    assert not jsonschema_rs.validator_for(contact_id_schema()).is_valid(refused)


async def test_path_parameters_are_described_as_the_routes_check_them(api):
    document = await (await api.get("/api/v1/openapi.json")).json()
    [phone] = document["paths"]["/api/v1/contacts/{phone}"]["get"]["parameters"]
    assert phone["schema"] == {"$ref": "#/components/schemas/ContactId"}
    name, language = document["paths"]["/api/v1/templates/{name}/{language}"]["put"]["parameters"]
    assert language["schema"]["enum"] == ["en", "es", "fr", "pt", "ar", "hi"]


async def test_a_whole_number_written_with_a_point_zero_is_an_integer_as_json_schema_counts_it(api):
    template = {"body": "Hello {{ name }}"}
    for _ in range(2):
        await api.put("/api/v1/templates/greeting/en", json=template, headers=AUTH)
    rolled = await api.post("/api/v1/templates/greeting/en/rollback", json={"version": 1.0}, headers=AUTH)
    assert rolled.status == 200, await rolled.text()
    field = await refused_field(api, "POST", "/templates/greeting/en/rollback", json={"version": 1.5})
    assert field["path"] == "version"


async def test_a_number_with_anything_but_digits_after_it_is_refused(api):
    field = await refused_field(api, "PUT", "/roles/supervisors", json={"members": ["+14155550100*"]})
    assert field["path"] == "members.0" and "+ and digits" in field["message"]


async def test_a_whole_number_the_store_cannot_keep_is_a_422_naming_it_not_a_500(api):
    event = PAYMENT_DUE | {"data": PAYMENT_DUE["data"] | {"reference": {"erp": [1, 2**64]}}}
    field = await refused_field(api, "POST", "/events", json=event)
    assert field["path"] == "data.reference.erp.1" and "64 bits" in field["message"]


@pytest.mark.parametrize(("change", "path"), [({"time_zone": "posix/Asia/Kolkata"}, "time_zone"), ({"locale": "es-MX"}, "locale")])
async def test_a_zone_or_locale_is_one_the_document_lists(api, change, path):
    field = await refused_field(api, "PATCH", "/contacts/+15550001111", json=change)
    assert field["path"] == path
    document = await (await api.get("/api/v1/openapi.json")).json()
    listed = document["components"]["schemas"]["ContactChanges"]["properties"][path]["anyOf"][0]["enum"]
    assert change[path] not in listed and {"Asia/Kolkata", "es_MX"} & set(listed)
    taken = await api.patch("/api/v1/contacts/+15550001111", json={path: listed[0]}, headers=AUTH)
    assert taken.status == 200, await taken.text()


@pytest.mark.parametrize(("amount", "status"), [("NaN", 400), ("Infinity", 400), ("1e400", 422), ("-0.5", 422)])
async def test_an_amount_that_is_not_a_finite_number_of_0_or_more_is_refused(api, amount, status):
    body = json.dumps(PAYMENT_DUE).replace('"amount": 1860', f'"amount": {amount}')
    response = await api.post("/api/v1/events", data=body, headers=AUTH | {"Content-Type": "application/json"})
    assert response.status == status, await response.text()
    if status == 422:
        assert [field["path"] for field in (await response.json())["error"]["fields"]] == ["data.amount"]


async def test_the_document_is_built_once_not_at_every_request(api, monkeypatch):
    built = []
    monkeypatch.setattr(admin_app, "with_event_types", lambda *given: built.append(1) or with_event_types(*given))
    fresh = await api.get("/api/v1/openapi.json")
    assert fresh.status == 200 and (await fresh.json())["components"]["schemas"]["Event"]["oneOf"]
    again = await api.get("/api/v1/openapi.json")
    assert await again.read() == await fresh.read() and built == [1]
