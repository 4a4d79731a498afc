"""The demo data an embedded gateway starts with: orders for the simulator's default contact,
and the role `staff` for the demo's factory operator."""

from datetime import date, datetime, timedelta

from gateway.notifications.notifier import role_key
from gateway.ports.store import SettingsRepository
from plugins.orders.backend import Bom, EmbeddedOrders, Order, OrderStatus, ScheduleSlot

DEMO_CUSTOMER = "sim:+15550001111"
"""The simulator page's default phone, as the simulated contact it chats as: never a real customer."""
DEMO_OPERATOR = "sim:+15550003333"
"""The demo's factory operator (`?phone=+15550003333` on the simulator page), who holds the role
`staff`: defects, maintenance, the production schedule and BOM changes are theirs."""
SEEDED = "demo:seeded"


async def seed(backend: EmbeddedOrders, records, now: datetime) -> None:
    """Write the demo orders, a week of schedule and two BOMs, once."""
    if await records.get("orders", SEEDED):
        return
    plan = [
        ("4411", "Gear housing GH-200", 500, OrderStatus.IN_PRODUCTION, 60, -6, 4),
        ("4412", "Pump shaft PS-45", 1200, OrderStatus.IN_PRODUCTION, 20, -8, 2),
        ("4413", "Valve body VB-10", 300, OrderStatus.QUALITY_CHECK, 95, -10, 1),
        ("4414", "Bracket BR-7", 2000, OrderStatus.COMPLETED, 100, -20, -2),
        ("4415", "Flange FL-80", 800, OrderStatus.PLANNED, 0, 1, 12),
        ("4416", "Impeller IM-33", 150, OrderStatus.IN_PRODUCTION, 40, -12, -1),
    ]
    for number, product, quantity, status, percent, started, due in plan:
        await backend.put_order(
            Order(
                id=number,
                customer=DEMO_CUSTOMER,
                product=product,
                quantity=quantity,
                status=status,
                percent_complete=percent,
                started_at=now + timedelta(days=started),
                due_at=now + timedelta(days=due),
                delivery_date=(now + timedelta(days=due + 2)).date(),
            )
        )
    today = now.date()
    for offset in range(7):
        for line, job, product, quality in (
            ("Line 1", "4411", "Gear housing GH-200", 98.5),
            ("Line 2", "4412", "Pump shaft PS-45", 96.0),
        ):
            slot = ScheduleSlot(
                day=today + timedelta(days=offset), line=line, job=job, product=product, quality_percent=quality
            )
            await records.put("orders", f"slot:{slot.day}:{line}", {"kind": "slot"} | slot.model_dump(mode="json"))
    for bom in (
        Bom(id="BOM-7", product="Gear housing GH-200", revision=3),
        Bom(id="BOM-12", product="Pump shaft PS-45", revision=1),
    ):
        await records.put("orders", f"bom:{bom.id}", {"kind": "bom"} | bom.model_dump())
    await records.put("orders", SEEDED, {"at": now.isoformat(), "first_day": date.isoformat(today)})


async def seed_staff(settings: SettingsRepository) -> None:
    """Give the demo's factory operator the role `staff`, unless the role was ever set: an
    operator's choice, even an empty list, stands."""
    if await settings.get(role_key("staff")) is None:
        await settings.set(role_key("staff"), [DEMO_OPERATOR])
