"""The admin API says what happened: a send that cannot go is refused at the door with the field
at fault, a missing thing is a 404 naming it, and a bad value is a 422, never a 500."""

from datetime import timedelta

import pytest

from gateway.appkeys import STORE
from gateway.notifications.previews import preview_text
from gateway.outbound import admission
from gateway.notifications.delivery import OUTSIDE_WINDOW
from gateway.ports.records import JobState
from gateway.testing import SimulatedContact, queue_sent
from plugins.billing.plugin import BillingPlugin

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REAL = "+15550002222"


@pytest.fixture
async def api(make_gateway):
    meta = {"meta_access_token": "t", "meta_phone_number_id": "1", "meta_app_secret": "s", "meta_verify_token": "v"}
    return await make_gateway([BillingPlugin()], admin_token=TOKEN, **meta)


async def call(api, method: str, path: str, status: int, **request):
    response = await api.request(method, f"/api/v1{path}", headers=AUTH, **request)
    assert response.status == status, await response.text()
    return (await response.json())["error"] if status >= 400 else await response.json()


async def wrote_in(api, contact: str, ago: timedelta, clock) -> None:
    at = (clock.now() - ago).isoformat()
    await api.app[STORE].settings.update_contact(contact, {"last_inbound_at": at, "last_provider": "meta"})


async def test_an_unknown_template_is_refused_naming_template_name(api):
    error = await call(api, "POST", "/messages", 422, json={"recipient": REAL, "template": {"name": "nope"}})
    assert error["fields"][0]["path"] == "template.name" and "no template nope" in error["message"]


async def test_a_provider_that_is_not_configured_is_refused_naming_provider(api):
    error = await call(api, "POST", "/messages", 422, json={"recipient": REAL, "text": "hi", "provider": "twilio"})
    assert error["fields"][0]["path"] == "provider" and "twilio is not configured" in error["message"]


async def test_free_text_outside_the_window_is_refused_saying_how_to_send_it(api, clock):
    await wrote_in(api, REAL, timedelta(hours=25), clock)
    error = await call(api, "POST", "/messages", 422, json={"recipient": REAL, "text": "hi"})
    assert error["fields"][0]["path"] == "text"
    assert "24-hour window" in error["message"] and "provider_template" in error["message"]
    assert "force_queue" in error["message"]
    queued = await call(api, "POST", "/messages", 202, json={"recipient": REAL, "text": "hi", "force_queue": True})
    assert (await api.app[STORE].queue.get(queued["job"])).message["text"] == "hi"


async def test_free_text_inside_the_window_and_a_template_with_an_approved_one_outside_go(api, clock):
    await wrote_in(api, REAL, timedelta(hours=23), clock)
    await call(api, "POST", "/messages", 202, json={"recipient": REAL, "text": "hi"})
    approved = {"meta": {"name": "greeting", "language": "en", "parameters": ["name"]}}
    await call(api, "PUT", "/templates/greeting/en", 200, json={"body": "Hi {{ name }}", "provider_template": approved})
    await wrote_in(api, REAL, timedelta(days=3), clock)
    template = {"name": "greeting", "parameters": {"name": "Asha"}}
    await call(api, "POST", "/messages", 202, json={"recipient": REAL, "template": template})


async def test_a_template_without_an_approved_one_outside_the_window_is_refused(api, clock):
    await call(api, "PUT", "/templates/plain/en", 200, json={"body": "Hello"})
    await wrote_in(api, REAL, timedelta(days=3), clock)
    error = await call(api, "POST", "/messages", 422, json={"recipient": REAL, "template": {"name": "plain"}})
    assert error["fields"][0]["path"] == "template.name" and "provider_template" in error["message"]


async def test_a_simulated_contact_has_no_window(api, clock):
    contact = SimulatedContact(api, "+15550001111", clock)
    await contact.send("ping")
    clock.advance(days=2)
    await call(api, "POST", "/messages", 202, json={"recipient": "sim:+15550001111", "text": "hi"})


async def test_missing_things_on_existing_routes_are_404s_that_name_them(api):
    assert (await call(api, "GET", "/messages/abc", 404))["message"] == "no message abc"
    assert (await call(api, "POST", "/messages/abc/resend", 404))["message"] == "no message abc"
    assert (await call(api, "GET", "/templates/nope/en", 404))["message"] == "no template nope in en"
    assert (await call(api, "GET", "/templates/nope/en/versions", 404))["message"] == "no template nope in en"
    rollback = await call(api, "POST", "/templates/payment_due/en/rollback", 404, json={"version": 99})
    assert "no version 99" in rollback["message"]
    assert (await call(api, "POST", "/queue/abc/retry", 404))["message"] == "no job abc"


async def test_a_bad_language_in_the_path_is_named_as_language(api):
    error = await call(api, "PUT", "/templates/x/xx", 422, json={"body": "Hello"})
    assert error["fields"][0]["path"] == "language"


@pytest.mark.parametrize(
    ("context", "variable"), [({"amount": "lots"}, "amount"), ({"delivery_date": "tomorrow"}, "delivery_date")]
)
async def test_a_value_a_template_cannot_render_is_a_422_naming_the_variable(api, context, variable):
    sample = {"customer_name": "Asha", "order_id": "1", "amount": 10, "delivery_date": "2026-01-08"} | context
    error = await call(api, "POST", "/templates/order_confirmation/en/preview", 422, json={"context": sample})
    assert error["fields"][0]["path"] == f"context.{variable}"


async def test_preview_fills_the_optional_currency_as_a_notification_would(api):
    sample = {"customer_name": "Asha", "order_id": "1", "amount": 10, "delivery_date": "2026-01-08"}
    preview = await call(api, "POST", "/templates/order_confirmation/en/preview", 200, json={"context": sample})
    assert "Asha" in preview["text"]


@pytest.mark.parametrize(
    "path", ["/queue", "/queue/dead", "/templates", "/handovers", "/roles", "/stats", "/plugins", "/messages/abc"]
)
async def test_unknown_query_parameters_are_refused_naming_them(api, path):
    error = await call(api, "GET", f"{path}?colour=blue", 422)
    assert error["fields"][0]["path"] == "colour"


async def test_contacts_and_roles_page_by_cursor_like_messages(api):
    for n in range(3):
        await api.app[STORE].settings.update_contact(f"+1555000000{n}", {"language": "fr"})
    first = await call(api, "GET", "/contacts?limit=2", 200)
    second = await call(api, "GET", "/contacts", 200, params={"limit": 2, "cursor": first["next_cursor"]})
    assert [c["contact"] for c in first["contacts"] + second["contacts"]] == [f"+1555000000{n}" for n in range(3)]
    assert second["next_cursor"] is None
    deprecated = await call(api, "GET", "/contacts", 200, params={"after": "+15550000000"})
    assert [c["contact"] for c in deprecated["contacts"]] == ["+15550000001", "+15550000002"]
    assert (await call(api, "GET", "/contacts?cursor=%25%25", 400))["message"].startswith("cursor:")
    roles = await call(api, "GET", "/roles?limit=2", 200)
    rest = await call(api, "GET", "/roles", 200, params={"cursor": roles["next_cursor"]})
    assert [r["role"] for r in roles["roles"] + rest["roles"]] == ["quality", "staff", "supervisors"]


async def test_every_time_in_an_answer_is_rfc_3339(api, clock):
    queued = await call(api, "POST", "/messages", 202, json={"recipient": "sim:+15550001111", "text": "hi"})
    assert queued["due_at"] == "2026-01-05T09:00:00+00:00"
    listed = (await call(api, "GET", "/templates?limit=1000", 200))["templates"]
    [template] = [t for t in listed if t["name"] == "order_confirmation"][:1]
    assert "T" in template["saved_at"]
    entry = await call(api, "GET", f"/messages/{queued['job']}", 200)
    assert "T" in entry["created_at"]


async def test_the_openapi_document_declares_the_new_answers(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    paths = spec["paths"]
    assert "404" in paths["/api/v1/queue/{job}/retry"]["post"]["responses"]
    assert "422" in paths["/api/v1/queue"]["get"]["responses"]
    assert "force_queue" in spec["components"]["schemas"]["Send"]["properties"]
    contacts = {p["name"]: p for p in paths["/api/v1/contacts"]["get"]["parameters"]}
    assert contacts["after"]["deprecated"] is True and "cursor" in contacts
    assert "next_cursor" in spec["components"]["schemas"]["RolesListed"]["properties"]


async def test_bulk_reports_each_recipient_refused_at_the_door_and_queues_the_rest(api, clock):
    await wrote_in(api, REAL, timedelta(hours=1), clock)
    order = {"recipients": [REAL, "+15550003333"], "message": {"text": "Plant closed on Monday"}}
    result = await call(api, "POST", "/messages/bulk", 202, json=order)
    assert (result["queued"], result["failed"]) == (1, 1)
    assert result["results"][1]["error"].startswith("message.text: the contact has never written")


REMINDER = {"customer_name": "Asha", "amount": 1860, "period": "2026-11", "due_date": "2026-12-24"}


@pytest.mark.parametrize(
    ("parameters", "variable", "reason"),
    [
        ({"due_date": None}, "due_date", "missing value: 'due_date' is undefined"),
        ({"amount": "lots"}, "amount", "the money filter needs a number, such as 1860 or 12.50"),
    ],
)
async def test_a_template_send_its_parameters_cannot_render_is_refused_naming_the_parameter(
    api, parameters, variable, reason
):
    given = {key: value for key, value in (REMINDER | parameters).items() if value is not None}
    template = {"name": "payment_reminder", "language": "en", "parameters": given}
    error = await call(api, "POST", "/messages", 422, json={"recipient": "sim:+15550001111", "template": template})
    assert error["fields"][0] == {
        "path": f"template.parameters.{variable}",
        "message": f"template payment_reminder (en) v1 cannot render: {reason}",
    }
    order = {"recipients": ["sim:+15550001111"], "message": {"template": template}}
    [result] = (await call(api, "POST", "/messages/bulk", 202, json=order))["results"]
    assert result["error"].startswith(f"message.template.parameters.{variable}: template payment_reminder")
    assert not any((await api.app[STORE].queue.counts()).values()), "nothing queued"
    template["parameters"] = REMINDER
    await call(api, "POST", "/messages", 202, json={"recipient": "sim:+15550001111", "template": template})


async def test_a_bulk_send_renders_its_template_once_and_the_next_send_renders_again(api, monkeypatch):
    renders = []

    async def counted(*arguments):
        renders.append(arguments)
        return await preview_text(*arguments)

    monkeypatch.setattr(admission, "preview_text", counted)
    template = {"name": "payment_reminder", "language": "en", "parameters": REMINDER}
    order = {"recipients": [f"sim:+1555000111{n}" for n in range(3)], "message": {"template": template}}
    assert (await call(api, "POST", "/messages/bulk", 202, json=order))["queued"] == 3
    assert len(renders) == 1
    await call(api, "POST", "/messages", 202, json={"recipient": "sim:+15550001111", "template": template})
    assert len(renders) == 2, "each request checks its template afresh"


async def test_force_queue_is_checked_when_sent_and_dies_there_as_the_refusal_says(api, clock):
    await wrote_in(api, REAL, timedelta(hours=25), clock)
    refusal = await call(api, "POST", "/messages", 422, json={"recipient": REAL, "text": "hi"})
    assert "the window is checked again when it is sent (at once, or at send_at), and it dies there" in refusal["message"]
    queued = await call(api, "POST", "/messages", 202, json={"recipient": REAL, "text": "hi", "force_queue": True})
    await queue_sent(api)
    job = await api.app[STORE].queue.get(queued["job"])
    assert (job.state, job.attempts, job.last_error) == (JobState.DEAD, 1, OUTSIDE_WINDOW)


@pytest.mark.parametrize(
    ("approved", "path"),
    [
        ({"Meta": {"name": "part_shipped_v1", "parameters": ["part"]}}, "provider_template.Meta.[key]"),
        ({"meta": {"parameters": ["part"]}}, "provider_template.meta.name"),
        ({"meta": {"name": "part_shipped_v1", "params": ["part"]}}, "provider_template.meta.params"),
    ],
)
async def test_a_provider_template_that_could_never_be_sent_is_refused_at_save_naming_the_field(api, approved, path):
    body = {"body": "Part {{ part }} shipped", "provider_template": approved}
    error = await call(api, "PUT", "/templates/part_shipped/en", 422, json=body)
    assert error["fields"][0]["path"] == path
    assert await api.app[STORE].templates.get("part_shipped", "en") is None
    body["provider_template"] = {"meta": {"name": "part_shipped_v1", "parameters": ["part"]}}
    await call(api, "PUT", "/templates/part_shipped/en", 200, json=body)
    saved = await api.app[STORE].templates.get("part_shipped", "en")
    assert saved.provider_template == {"meta": {"name": "part_shipped_v1", "parameters": ["part"]}}


@pytest.mark.parametrize(
    ("method", "path", "body", "refused"),
    [
        ("PUT", "/templates/part_shipped/en", {"body": "Part {{ part }}", "provider_templates": {}}, "provider_templates"),
        ("POST", "/templates/order_confirmation/en/preview", {"order_id": "1"}, "order_id"),
        ("POST", "/templates/order_confirmation/en/rollback", {"version": 1, "force": True}, "force"),
    ],
)
async def test_a_misspelt_or_misplaced_key_in_a_template_body_is_refused_naming_it(api, method, path, body, refused):
    error = await call(api, method, path, 422, json=body)
    assert error["fields"][0]["path"] == refused
