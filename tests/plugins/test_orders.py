"""The orders plugin, as a customer talks to it through the simulator."""

import asyncio

import pytest
from aiohttp import web

from gateway.appkeys import STORE
from gateway.demo import DEMO_CUSTOMER, DEMO_OPERATOR
from gateway.testing import SimulatedContact
from plugins.orders.backend import EmbeddedOrders
from plugins.orders.plugin import OrdersPlugin


@pytest.fixture
async def customer(make_gateway, clock):
    return SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_CUSTOMER, clock)


@pytest.fixture
async def planner(make_gateway, clock):
    """The demo's factory operator, who holds the role staff: the schedule and BOMs are theirs."""
    return SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_OPERATOR, clock)


async def open_entry(contact: SimulatedContact, group: str, entry: str, greeting: str = "menu"):
    await contact.send(greeting)
    await contact.press(group)
    return await contact.press(entry)


async def test_order_status_with_progress_and_sla(customer):
    [question] = await open_entry(customer, "Orders", "Order status")
    assert question.text == "Which order number?"
    chart, status = await customer.send("4411")
    assert chart.media["caption"] == "Order ORD-4411: production steps"
    assert status.text.splitlines() == [
        "*Order ORD-4411*: Gear housing GH-200 × 500",
        "Status: in production",
        "Progress: 60%",
        "SLA: on track",
        "Expected completion: 9 Jan 2026",
    ]


@pytest.mark.parametrize(("order", "sla"), [("4412", "at risk"), ("4416", "breached"), ("4414", "on track")])
async def test_sla_state_follows_progress_and_due_date(customer, order, sla):
    await open_entry(customer, "Orders", "Order status")
    _chart, status = await customer.send(order)
    assert f"SLA: {sla}" in status.text


async def test_an_unknown_order_is_refused_and_asked_again(customer):
    await open_entry(customer, "Orders", "Order status")
    reason, again = await customer.send("9999")
    assert reason.text == "I cannot find order ORD-9999. Check the number and send it again."
    assert again.text == "Which order number?"
    reason, _ = await customer.send("44")
    assert reason.text == "An order number has 3 to 10 digits."


async def test_recent_orders_newest_first(customer):
    [recent] = await open_entry(customer, "Orders", "Recent orders")
    lines = recent.text.splitlines()
    assert lines[0] == "Your recent orders:" and len(lines) == 6
    assert lines[1] == "• ORD-4415: Flange FL-80, planned (0%)"


async def test_recent_orders_for_a_stranger(make_gateway, clock):
    stranger = SimulatedContact(await make_gateway([OrdersPlugin()]), "+15550009999", clock)
    [recent] = await open_entry(stranger, "Orders", "Recent orders")
    assert recent.text == "You have no orders with us yet."


async def test_delivery_dates_in_date_order(customer):
    [deliveries] = await open_entry(customer, "Orders", "Delivery dates")
    assert deliveries.text.splitlines()[:3] == [
        "Upcoming deliveries:",
        "• ORD-4414: 5 Jan 2026",
        "• ORD-4416: 6 Jan 2026",
    ]


async def test_production_schedule_today_and_this_week(planner):
    [period] = await open_entry(planner, "Orders", "Production schedule")
    assert period.titles == ["Today", "This week"]
    chart, today = await planner.press("Today")
    assert chart.media["caption"] == "Production schedule, today"
    assert today.text.splitlines() == [
        "Production schedule, today:",
        "• 5 Jan 2026, Line 1: order ORD-4411 (Gear housing GH-200), quality 98.5%",
        "• 5 Jan 2026, Line 2: order ORD-4412 (Pump shaft PS-45), quality 96%",
    ]
    await open_entry(planner, "Orders", "Production schedule")
    chart, week, offer = await planner.press("This week")
    assert chart.media["caption"] == "Production schedule, this week"
    assert len(week.text.splitlines()) == 1 + 2 * 7, "Monday 5 Jan to Sunday 11 Jan, two lines a day"
    assert offer.titles == ["Production schedule", "Menu"], "too long for buttons, so the next step follows it"


async def test_submit_a_bom_update(planner):
    [question] = await open_entry(planner, "Orders", "Submit a BOM update")
    assert question.text == "Which BOM? Send its id, e.g. BOM-7."
    reason, _ = await planner.send("BOM-99")
    assert reason.text == "There is no BOM-99."
    [describe] = await planner.send("bom-7")
    assert describe.text == "Describe the change."
    [done] = await planner.send("Use M8 bolts instead of M6 on the cover")
    assert done.text == "Thank you. Your update to BOM-7 is recorded as *BOM-000001*."


async def test_order_status_in_spanish(customer):
    await open_entry(customer, "Pedidos", "Estado del pedido", greeting="hola")
    chart, status = await customer.send("4412")
    assert chart.media["caption"] == "Pedido ORD-4412: etapas de producción"
    assert status.text.splitlines() == [
        "*Pedido ORD-4412*: Eje de bomba PS-45 × 1.200",
        "Estado: en producción",
        "Avance: 20\xa0%",
        "SLA: en riesgo",
        "Finalización prevista: 7 ene 2026",
    ]


async def test_the_http_backend_reads_the_business_system(make_gateway, clock, aiohttp_server, monkeypatch):
    seen = []

    async def order(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("Authorization")))
        if request.match_info["id"] != "7001":
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(
            {
                "id": "7001",
                "customer": "+15550002222",
                "product": "Rotor RT-1",
                "quantity": 40,
                "status": "quality_check",
                "percent_complete": 90,
                "started_at": "2026-01-01T00:00:00+00:00",
                "due_at": "2026-01-10T00:00:00+00:00",
                "delivery_date": "2026-01-12",
            }
        )

    business = web.Application()
    business.router.add_get("/api/orders/{id}", order)
    server = await aiohttp_server(business)
    monkeypatch.setenv("ORDERS_API_URL", str(server.make_url("/api")))
    monkeypatch.setenv("ORDERS_API_TOKEN", "erp-token")
    # staff see any order; a customer's own, however the system writes numbers: test_access.py
    contact = await SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_OPERATOR, clock).hold("staff")
    await open_entry(contact, "Orders", "Order status")
    reason, _ = await contact.send("4411")
    assert reason.text == "I cannot find order ORD-4411. Check the number and send it again.", "no demo data in http"
    [status] = await contact.send("7001")  # the system gives no steps: no chart
    assert "Status: quality check" in status.text and "Progress: 90%" in status.text
    assert seen[-1] == ("/api/orders/7001", "Bearer erp-token")


async def test_a_retried_turn_records_one_bom_update(planner, retry_next_turn):
    await open_entry(planner, "Orders", "Submit a BOM update")
    await planner.send("bom-7")
    retry_next_turn(planner.client)
    [done] = await planner.send("Use M8 bolts instead of M6 on the cover")
    assert done.text == "Thank you. Your update to BOM-7 is recorded as *BOM-000001*."
    updates = await planner.client.app[STORE].records.find("orders", {"kind": "bom_update"})
    assert [update["reference"] for update in updates] == ["BOM-000001"]


async def test_two_runs_of_one_turn_side_by_side_record_one_bom_update(customer, clock):
    """As when a turn runs again on another process while its first run is still going."""
    records = customer.client.app[STORE].records
    backend = EmbeddedOrders(records)
    arguments = ("BOM-7", "Use M8 bolts", customer.phone, clock.now(), "inbound-1")
    first, second = await asyncio.gather(backend.submit_bom_update(*arguments), backend.submit_bom_update(*arguments))
    assert first == second
    updates = await records.find("orders", {"kind": "bom_update"})
    assert [update["reference"] for update in updates] == [first]


async def test_the_http_backend_posts_a_bom_update_with_one_idempotency_key_per_message(
    make_gateway, clock, business_system, retry_next_turn
):
    bom = {"id": "BOM-3", "product": "Rotor RT-1", "revision": 3}
    system = await business_system(
        "ORDERS", lambda path, body, number: {"reference": f"ECR-{number}"}, {"/api/boms/BOM-3": bom}
    )
    contact = await SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_OPERATOR, clock).hold("staff")
    await open_entry(contact, "Orders", "Submit a BOM update")
    await contact.send("bom-3")
    retry_next_turn(contact.client)
    [done] = await contact.send("Thicker gasket")
    assert done.text == "Thank you. Your update to BOM-3 is recorded as *ECR-1*."
    [(path, key), retried] = system.posts
    assert path == "/api/boms/BOM-3/updates" and key and retried == (path, key)
