"""The maintenance plugin: tickets with SLA deadlines by urgency, and SLA status over time."""

import asyncio
from datetime import timedelta

import pytest

from gateway.appkeys import STORE
from gateway.testing import SimulatedContact
from plugins.maintenance.backend import EmbeddedMaintenance
from plugins.maintenance.plugin import MaintenancePlugin


@pytest.fixture
async def operator(make_gateway, clock):
    return await SimulatedContact(await make_gateway([MaintenancePlugin()]), "+919812345678", clock).hold("staff")


async def open_ticket(operator: SimulatedContact, machine: str, issue: str, urgency: str) -> str:
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("Report an issue")
    await operator.send(machine)
    await operator.press(issue)
    await operator.press(urgency)
    [opened, *_] = await operator.press("Skip")
    return opened.text


async def sla_status(operator: SimulatedContact, reference: str) -> str:
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("SLA status")
    # the answer carries its next steps; a breach notification the scheduler sends meanwhile does not
    [status] = [reply for reply in await operator.send(reference) if reply.options]
    return status.text


async def test_reporting_an_issue_opens_a_ticket_with_the_urgencys_sla(operator):
    await operator.send("menu")
    await operator.press("Maintenance")
    [question] = await operator.press("Report an issue")
    assert question.text == "Which machine? Send its id, e.g. CNC-01."
    reason, _ = await operator.send("CNC-99")
    assert reason.text == "There is no machine CNC-99. Check the id and send it again."
    [issues] = await operator.send("cnc-01")
    assert issues.titles == ["Mechanical", "Electrical", "Hydraulic", "Software", "Other"]
    [urgency] = await operator.press("Electrical")
    assert urgency.titles == ["Low", "Medium", "High"]
    [problem] = await operator.press("High")
    assert problem.text == "Send a photo or a voice note of the problem, or skip." and problem.titles == ["Skip"]
    [opened, *_] = await operator.press("Skip")
    assert opened.text.startswith(
        "Ticket *MAINT-000001* opened for CNC-01 (electrical, high urgency). SLA: 8 hours, until "
    )


@pytest.mark.parametrize(("urgency", "hours"), [("Medium", 24), ("Low", 48)])
async def test_each_urgency_has_its_sla(operator, urgency, hours):
    assert f"SLA: {hours} h" in await open_ticket(operator, "PRESS-01", "Hydraulic", urgency)


async def test_sla_status_counts_down_warns_under_25_percent_then_breaches(operator, clock):
    await open_ticket(operator, "CNC-01", "Mechanical", "High")
    assert (await sla_status(operator, "MAINT-000001")).startswith("*MAINT-000001*: 8 hours left of the SLA")
    clock.advance(hours=6, minutes=30)
    warning = await sla_status(operator, "maint-000001")
    assert warning.startswith("⚠️ *MAINT-000001*: only 90 minutes left") and "less than 25% remains" in warning
    clock.advance(hours=4)
    assert await sla_status(operator, "MAINT-000001") == "🚨 *MAINT-000001*: the SLA was breached 3 hours ago."


async def test_an_unknown_ticket_is_refused(operator):
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("SLA status")
    reason, again = await operator.send("MAINT-000404")
    assert reason.text == "There is no ticket MAINT-000404." and again.text.startswith("Which ticket?")


async def test_sla_hours_are_configurable(make_gateway, clock, monkeypatch):
    monkeypatch.setenv("MAINTENANCE_SLA_HOURS_HIGH", "4")
    operator = await SimulatedContact(await make_gateway([MaintenancePlugin()]), "+919812345678", clock).hold("staff")
    assert "SLA: 4 h" in await open_ticket(operator, "ROBOT-01", "Software", "High")


async def test_sla_status_in_hindi(operator, clock):
    await operator.send("नमस्ते")
    await operator.press("रखरखाव")
    await operator.press("समस्या दर्ज करें")
    await operator.send("CNC-02")
    await operator.press("विद्युत")
    await operator.press("मध्यम")
    [opened, *_] = await operator.send("छोड़ें")
    assert opened.text.startswith("CNC-02 के लिए टिकट *MAINT-000001* खोला गया (विद्युत, मध्यम प्राथमिकता)। SLA: 24 घंटे")


async def test_a_retried_turn_opens_one_ticket(operator, retry_next_turn):
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("Report an issue")
    await operator.send("CNC-01")
    await operator.press("Electrical")
    await operator.press("High")
    retry_next_turn(operator.client)
    [opened, *_] = await operator.press("Skip")
    assert "*MAINT-000001*" in opened.text
    tickets = await operator.client.app[STORE].records.find("maintenance", {"kind": "ticket"})
    assert [ticket["reference"] for ticket in tickets] == ["MAINT-000001"]


async def test_two_runs_of_one_turn_side_by_side_open_one_ticket(operator, clock):
    """As when a turn runs again on another process while its first run is still going."""
    records = operator.client.app[STORE].records
    deadline = clock.now() + timedelta(hours=4)
    arguments = ("CNC-01", "electrical", "high", operator.phone, clock.now(), deadline, "inbound-1")
    backend = EmbeddedMaintenance(records)
    first, second = await asyncio.gather(backend.open_ticket(*arguments), backend.open_ticket(*arguments))
    assert first == second
    tickets = await records.find("maintenance", {"kind": "ticket"})
    assert [ticket["reference"] for ticket in tickets] == [first.reference]


async def test_the_http_backend_posts_a_ticket_with_one_idempotency_key_per_message(
    make_gateway, clock, business_system, retry_next_turn
):
    def ticket(path: str, body: dict, number: int) -> dict:
        return body | {"reference": f"WO-{number}", "status": "open"}

    machine = {"id": "PRESS-2", "name": "Press 2", "line": "A"}
    system = await business_system("MAINTENANCE", ticket, {"/api/machines/PRESS-2": machine})
    operator = await SimulatedContact(await make_gateway([MaintenancePlugin()]), "+919812345678", clock).hold("staff")
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("Report an issue")
    await operator.send("press-2")
    await operator.press("Hydraulic")
    await operator.press("Low")
    retry_next_turn(operator.client)
    [opened] = await operator.press("Skip")
    assert "*WO-1*" in opened.text
    [(path, key), retried] = system.posts
    assert path == "/api/tickets" and key and retried == (path, key)
