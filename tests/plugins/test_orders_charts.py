"""The orders plugin's charts: an order's Gantt chart and the week's schedule, sent as images
made from the demo data, in the contact's language and time zone, rendered once per content."""

import functools
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.translations import TranslationDomain, read_domain
from gateway.demo import DEMO_CUSTOMER, DEMO_OPERATOR
from gateway.models import MediaKind
from gateway.testing import SimulatedContact
from plugins.orders import charts, demo
from plugins.orders.backend import Order, OrderStatus
from plugins.orders.plugin import OrdersPlugin
from tests.plugins.test_orders import open_entry

PNG = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2026, 12, 1, 10, 20, tzinfo=UTC)


@pytest.fixture
async def customer(make_gateway, clock):
    return SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_CUSTOMER, clock)


async def image(contact: SimulatedContact, reply) -> Image.Image:
    """The image a reply carries, as the simulator's page fetches it."""
    response = await contact.client.get(reply.media["url"])
    data = await response.read()
    assert reply.media["kind"] == "image" and response.content_type == "image/png" and data.startswith(PNG)
    return Image.open(io.BytesIO(data))


def conversation(language: str, time_zone: str = "UTC") -> Conversation:
    catalog = Catalog()
    catalog.add(read_domain(TranslationDomain("orders", Path(charts.__file__).parent / "locale")))
    return Conversation(DEMO_CUSTOMER, language, catalog, idempotency_key="m1", time_zone=time_zone)


def demo_order(percent: int = 60, started: int = -6, due: int = 4) -> Order:
    started_at, due_at = NOW + timedelta(days=started), NOW + timedelta(days=due)
    return Order(
        id="4411", customer=DEMO_CUSTOMER, product=demo.GEAR_HOUSING, quantity=500,
        status=OrderStatus.IN_PRODUCTION, percent_complete=percent, started_at=started_at, due_at=due_at,
        delivery_date=(due_at + timedelta(days=2)).date(), steps=demo.steps(started_at, due_at, percent, NOW),
    )  # fmt: skip


async def test_order_status_sends_the_orders_gantt_chart_as_a_png(customer):
    await open_entry(customer, "Orders", "Order status")
    chart, status = await customer.send("4411")
    assert status.text.startswith("*Order ORD-4411*")
    assert chart.media["caption"] == "Order ORD-4411: production steps"
    picture = await image(customer, chart)
    assert picture.format == "PNG" and picture.size[0] == 800 and picture.size[1] > 300


async def test_order_status_in_arabic_sends_the_chart_with_an_arabic_caption(customer):
    await customer.send("مرحبا")
    chart, status = await customer.send("حالة طلبي 4411")
    assert "ORD-4411" in status.text
    assert chart.media["caption"] == "الطلب ORD-4411: مراحل الإنتاج"
    assert (await image(customer, chart)).format == "PNG"


async def test_asking_again_sends_the_chart_already_made(customer, monkeypatch):
    drawn = []

    @functools.wraps(charts.draw_gantt)
    def counting(chart: charts.Gantt) -> bytes:
        drawn.append(chart.title)
        return charts.draw_gantt.__wrapped__(chart)

    counting.__wrapped__ = charts.draw_gantt
    monkeypatch.setattr(charts, "draw_gantt", counting)
    await open_entry(customer, "Orders", "Order status")
    first, _ = await customer.send("4411")
    await open_entry(customer, "Orders", "Order status")
    again, _ = await customer.send("4411")
    assert again.media["url"] == first.media["url"]
    assert drawn == ["Order ORD-4411: production steps"]


async def test_a_chart_that_cannot_be_drawn_leaves_the_status_text_going_alone(customer, monkeypatch):
    @functools.wraps(charts.draw_gantt)
    def broken(chart: charts.Gantt) -> bytes:
        raise ValueError("matplotlib could not lay the chart out")

    monkeypatch.setattr(charts, "draw_gantt", broken)
    await open_entry(customer, "Orders", "Order status")
    [status] = await customer.send("4411")
    assert status.text.startswith("*Order ORD-4411*") and status.media is None


async def test_the_week_of_the_schedule_is_sent_as_a_chart(make_gateway, clock):
    planner = SimulatedContact(await make_gateway([OrdersPlugin()]), DEMO_OPERATOR, clock)
    await open_entry(planner, "Orders", "Production schedule")
    chart, week, _ = await planner.press("This week")
    assert week.text.startswith("Production schedule, this week:")
    assert chart.media["caption"] == "Production schedule, this week"
    assert (await image(planner, chart)).size[0] > 600


@pytest.mark.parametrize("language", ["ar", "hi", "es"])
def test_the_demo_orders_charts_draw_in_each_language(language):
    gantt = charts.gantt(demo_order(), conversation(language), NOW)
    picture = Image.open(io.BytesIO(charts.draw_gantt(gantt)))
    assert picture.format == "PNG" and picture.size == (800, int(100 * (1.4 + 0.55 * 5)))
    assert "ORD-4411" in gantt.title and len(gantt.rows) == 5


def test_the_chart_is_in_the_contacts_time_zone_and_dates_are_written_as_they_read_them():
    gantt = charts.gantt(demo_order(), conversation("es", "Asia/Kolkata"), NOW)
    assert gantt.today == datetime(2026, 12, 1, 15, 30)  # 10:00 UTC, to the hour, in India
    assert [label for _, label in gantt.ticks][:2] == ["25 nov", "27 nov"]
    assert (gantt.planned, gantt.actual, gantt.today_label) == ("Previsto", "Real", "Hoy")


def test_steps_done_have_ended_the_current_one_runs_until_now_and_the_rest_have_not_started():
    rows = charts.gantt(demo_order(percent=60), conversation("en"), NOW).rows
    assert [row.label for row in rows] == ["Cutting", "Machining", "Assembly", "Quality check", "Packing"]
    assert rows[1].actual.end < rows[2].actual.start + timedelta(seconds=1)
    assert rows[2].actual.end == datetime(2026, 12, 1, 10)
    assert rows[3].actual is None and rows[4].actual is None


def test_a_step_that_ran_past_its_plan_is_late():
    rows = charts.gantt(demo_order(percent=20, started=-8, due=2), conversation("en"), NOW).rows
    assert rows[0].late and rows[1].late, "20% done after 80% of the time"
    assert not charts.gantt(demo_order(percent=60), conversation("en"), NOW).rows[0].late


def test_a_planned_order_has_no_actual_bars():
    rows = charts.gantt(demo_order(percent=0, started=1, due=12), conversation("en"), NOW).rows
    assert all(row.actual is None for row in rows) and not any(row.late for row in rows)
