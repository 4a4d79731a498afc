"""Who may see what: a stranger, a customer and a staff member walk every flow and action that
shows or changes data, and the stranger learns nothing and changes nothing."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from gateway.appkeys import ENGINE, HANDOVERS, STORE
from gateway.conversation.context import Conversation
from gateway.conversation.flows import InvalidAnswer, MenuEntry
from gateway.demo import DEMO_CUSTOMER, DEMO_OPERATOR
from gateway.hookspecs import hookimpl
from gateway.models import Content
from gateway.notifications.notifier import role_key
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from plugins.billing.service import BillingService
from plugins.defects.plugin import DefectsPlugin
from plugins.defects.service import DefectsService
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.maintenance.service import MaintenanceService
from plugins.orders.plugin import OrdersPlugin
from plugins.orders.service import OrdersService

STRANGER, STAFF = "+15550002222", "+15550003333"


class Shop:
    """A plugin with an entry for everyone and one for the staff role only."""

    @hookimpl
    def register_menu_entries(self):
        return [
            MenuEntry("shop.hours", "shop.hours", "shop.menu", action=self._hours, order=1),
            MenuEntry("shop.stock", "shop.stock", "shop.menu", action=self._stock, order=2, roles=("staff",)),
            MenuEntry("shop.safe", "shop.safe", "shop.back_office", action=self._stock, order=3, roles=("staff",)),
        ]

    @hookimpl
    def register_translations(self):
        titles = {
            "shop.menu": "Shop",
            "shop.hours": "Hours",
            "shop.stock": "Stock",
            "shop.back_office": "Office",
            "shop.safe": "Safe",
        }
        return {"en": titles, "es": {"shop.menu": "Tienda", "shop.hours": "Horario"}}

    async def _hours(self, conversation):
        return [Content(text="9 to 5")]

    async def _stock(self, conversation):
        return [Content(text="12 crates in the back room")]


@pytest.fixture
async def shop(make_gateway):
    client = await make_gateway([Shop()])
    await client.app[STORE].settings.set(role_key("staff"), ["sim:" + STAFF])
    return client


async def test_an_entry_for_a_role_is_shown_only_to_its_members(shop):
    stranger, staff = SimulatedContact(shop, STRANGER), SimulatedContact(shop, STAFF)
    [menu] = await stranger.send("menu")
    assert "Office" not in menu.titles, "a group with nothing the stranger may use is not shown"
    [hours] = await stranger.press("Shop")
    assert hours.text == "9 to 5", "the one entry left in the group starts at once"
    [menu] = await staff.send("menu")
    assert menu.titles[:2] == ["Shop", "Office"]
    [entries] = await staff.press("Shop")
    assert entries.titles == ["Hours", "Stock"]
    [stock] = await staff.press("Stock")
    assert stock.text == "12 crates in the back room"


async def test_a_role_cleared_to_null_by_a_script_leaves_everyone_answered(shop):
    await shop.app[STORE].settings.set(role_key("staff"), None)
    [menu] = await SimulatedContact(shop, STAFF).send("menu")
    assert "Office" not in menu.titles


async def test_a_forbidden_entry_reached_from_a_stale_menu_is_refused_politely(shop):
    staff = SimulatedContact(shop, STAFF)
    await staff.send("menu")
    await staff.press("Shop")
    await shop.app[STORE].settings.set(role_key("staff"), [])  # the role is taken away meanwhile
    refusal, menu = await staff.press("Stock")
    assert refusal.text == "Sorry, that option is not available to you."
    assert menu.titles[0] == "Shop" and "Office" not in menu.titles


async def test_a_forbidden_group_reached_anyway_is_refused_in_the_contacts_language(shop):
    staff = SimulatedContact(shop, STAFF)
    await staff.send("hola")
    await shop.app[STORE].settings.set(role_key("staff"), [])
    refusal, menu = await staff.press("Office")
    assert refusal.text == "Lo siento, esa opción no está disponible para ti."
    assert menu.titles[0] == "Tienda" and "Office" not in menu.titles


# ---------------------------------------------------------------------------- the built-in plugins

CUSTOMER_MENU = ["Orders", "Billing", "Help"]
STAFF_MENU = ["Quality", "Orders", "Maintenance", "Billing", "Help"]
NAMESPACES = ("orders", "defects", "maintenance", "billing")


@dataclass(frozen=True)
class Who:
    name: str
    contact: str
    roles: frozenset[str] = frozenset()


PEOPLE = (
    Who("stranger", "sim:" + STRANGER),
    Who("customer", DEMO_CUSTOMER),
    Who("staff", DEMO_OPERATOR, frozenset({"staff"})),
    Who("quality", "sim:+15550004444", frozenset({"quality"})),
)
STAFF_ONLY = frozenset({"staff", "quality"})
CUSTOMER_ONLY = frozenset({"customer"})
CUSTOMER_AND_STAFF = frozenset({"customer", "staff", "quality"})


@dataclass
class Services:
    orders: OrdersService
    defects: DefectsService
    maintenance: MaintenanceService
    billing: BillingService


Call = Callable[[Services, Conversation], Awaitable[str]]


@dataclass(frozen=True)
class Case:
    """A lookup or completion that shows or changes data: who may use it, what it shows them
    (`shows` is in the answer), and what anyone else is told instead (`refusal`, the answer a
    reference that does not exist gets, or the plain refusal for a function)."""

    name: str
    call: Call
    allowed: frozenset[str]
    shows: str
    refusal: Call

    def __str__(self) -> str:
        return self.name


def looked_up(service: str, method: str, answer: str) -> Call:
    """What the contact is told when a form's lookup gets `answer`: its refusal, or the value kept."""

    async def call(services: Services, conversation: Conversation) -> str:
        try:
            return await getattr(getattr(services, service), method)(answer, conversation)
        except InvalidAnswer as refusal:
            return conversation.t(refusal.key, **refusal.params)

    return call


def as_unknown(service: str, method: str, answer: str, unknown: str) -> Call:
    """The lookup's refusal of `unknown`, a reference that does not exist, as it reads for `answer`."""

    async def call(services: Services, conversation: Conversation) -> str:
        return (await looked_up(service, method, unknown)(services, conversation)).replace(unknown, answer)

    return call


def completed(service: str, method: str, answers: dict[str, str] | None = None) -> Call:
    """The text of a form's completion with `answers`, or of a menu action without."""

    async def call(services: Services, conversation: Conversation) -> str:
        run = getattr(getattr(services, service), method)
        replies = await (run(conversation) if answers is None else run(answers, conversation))
        return next(reply.text for reply in replies if reply.text)  # past a chart or a bill's PDF

    return call


def told(key: str, **params: str) -> Call:
    async def call(services: Services, conversation: Conversation) -> str:
        return conversation.t(key, **params)

    return call


NOT_ALLOWED = told("core.not_allowed")
CASES = (
    Case("order status lookup", looked_up("orders", "known_order", "4411"), CUSTOMER_AND_STAFF, "4411",
         as_unknown("orders", "known_order", "4411", "9411")),
    Case("order status", completed("orders", "status", {"order": "4411"}), CUSTOMER_AND_STAFF, "Gear housing GH-200",
         told("orders.unknown_order", order="ORD-4411")),
    Case("recent orders", completed("orders", "recent"), CUSTOMER_ONLY, "4411", told("orders.none")),
    Case("delivery dates", completed("orders", "deliveries"), CUSTOMER_ONLY, "4414", told("orders.no_deliveries")),
    Case("production schedule", completed("orders", "schedule", {"period": "today"}), STAFF_ONLY, "Line 1",
         NOT_ALLOWED),
    Case("BOM lookup", looked_up("orders", "known_bom", "BOM-7"), STAFF_ONLY, "BOM-7",
         as_unknown("orders", "known_bom", "BOM-7", "BOM-99")),
    Case("BOM update", completed("orders", "bom_update", {"bom": "BOM-7", "change": "M8 bolts"}), STAFF_ONLY,
         "BOM-000001", NOT_ALLOWED),
    Case("defect's order lookup", looked_up("defects", "known_order", "4411"), STAFF_ONLY, "4411",
         as_unknown("defects", "known_order", "4411", "9411")),
    Case("report a defect", completed("defects", "report", {"order": "4411", "type": "dimensional", "severity": "low"}),
         STAFF_ONLY, "DEF-000003", NOT_ALLOWED),
    Case("my defects", completed("defects", "mine"), frozenset({"staff"}), "DEF-000001", told("defects.none")),
    Case("defect lookup", looked_up("defects", "known_defect", "DEF-000001"), STAFF_ONLY, "DEF-000001",
         as_unknown("defects", "known_defect", "DEF-000001", "DEF-000099")),
    Case("track a defect", completed("defects", "track", {"reference": "DEF-000001"}), STAFF_ONLY, "Burr removed",
         told("defects.unknown_reference", reference="DEF-000001")),
    Case("SOP lookup", looked_up("defects", "known_sop", "SOP-101"), STAFF_ONLY, "SOP-101",
         as_unknown("defects", "known_sop", "SOP-101", "SOP-999")),
    Case("view an SOP", completed("defects", "sop", {"sop": "SOP-101"}), STAFF_ONLY, "Deburring", NOT_ALLOWED),
    Case("machine lookup", looked_up("maintenance", "known_machine", "CNC-01"), STAFF_ONLY, "CNC-01",
         as_unknown("maintenance", "known_machine", "CNC-01", "CNC-99")),
    Case("open a ticket",
         completed("maintenance", "report", {"machine": "CNC-01", "issue": "electrical", "urgency": "high"}),
         STAFF_ONLY, "MAINT-000002", NOT_ALLOWED),
    Case("ticket lookup", looked_up("maintenance", "known_ticket", "MAINT-000001"), STAFF_ONLY, "MAINT-000001",
         as_unknown("maintenance", "known_ticket", "MAINT-000001", "MAINT-000099")),
    Case("SLA status", completed("maintenance", "sla_status", {"reference": "MAINT-000001"}), STAFF_ONLY,
         "MAINT-000001", told("maintenance.unknown_ticket", reference="MAINT-000001")),
    Case("my subscription", completed("billing", "subscription"), CUSTOMER_ONLY, "Toned milk",
         told("billing.no_subscription")),
    Case("pause deliveries", completed("billing", "pause", {"until": "2026-01-20"}), CUSTOMER_ONLY, "Toned milk",
         told("billing.no_subscription")),
    Case("resume deliveries", completed("billing", "resume"), CUSTOMER_ONLY, "not paused",
         told("billing.no_subscription")),
    Case("my bill", completed("billing", "bill"), CUSTOMER_ONLY, "1,860", told("billing.no_bill")),
)


@pytest.fixture
async def factory(make_gateway, clock):
    """A gateway with the four plugins on their demo data, one maintenance ticket open
    (MAINT-000001, reported by the demo's operator), and the plugins' services."""
    plugins = OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()
    client = await make_gateway(plugins)
    orders, defects, maintenance, billing = (plugin.service for plugin in plugins)
    now = clock.now()
    await maintenance.backend.open_ticket(
        "CNC-01", "mechanical", "medium", DEMO_OPERATOR, now, now + timedelta(hours=24), "ticket-1"
    )
    return client, Services(orders, defects, maintenance, billing)


async def plugin_data(client) -> dict[str, Any]:
    """Every record and counter of the four plugins: what a refused contact must leave as it was."""
    records = client.app[STORE].records
    return {
        namespace: (await records.find(namespace, None, limit=10_000), await records.sequences(namespace))
        for namespace in NAMESPACES
    }


@pytest.mark.parametrize("who", PEOPLE, ids=lambda who: who.name)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_each_contact_sees_and_changes_only_what_is_theirs_or_their_roles(factory, case, who):
    client, services = factory
    engine = client.app[ENGINE]
    conversation = Conversation(who.contact, "en", engine.catalog, roles=who.roles, idempotency_key=f"{case}:{who}")
    before = await plugin_data(client)
    answer = await case.call(services, conversation)
    if who.name in case.allowed:
        assert case.shows in answer
        return
    assert answer == await case.refusal(services, conversation), "refused in the words an unknown reference gets"
    assert await plugin_data(client) == before, "a refused contact changes nothing"


@pytest.mark.parametrize(
    ("phone", "menu"), [(STRANGER, CUSTOMER_MENU), ("+15550001111", CUSTOMER_MENU), ("+15550003333", STAFF_MENU)]
)
async def test_the_menu_shows_the_factory_only_to_staff(factory, clock, phone, menu):
    client, _ = factory
    [shown] = await SimulatedContact(client, phone, clock).send("menu")
    assert shown.titles == menu


async def test_a_stranger_learns_nothing_of_order_4411_and_cannot_hold_it(factory, clock):
    """The issue's finding: a stranger reported a defect on the demo customer's order 4411,
    putting it ON HOLD, and was shown its details after being told they have no orders."""
    client, services = factory
    stranger = SimulatedContact(client, STRANGER, clock)
    await stranger.send("menu")
    await stranger.press("Orders")
    [recent] = await stranger.press("Recent orders")
    assert recent.text == "You have no orders with us yet."
    await stranger.send("menu")
    await stranger.press("Orders")
    await stranger.press("Order status")
    unknown, _ = await stranger.send("9411")
    someone_elses, _ = await stranger.send("4411")
    assert someone_elses.text == unknown.text.replace("9411", "4411")
    await stranger.send("menu")
    refusal, menu = await stranger.choose("menu.entry:defects.report", "Report a defect")
    assert refusal.text == "Sorry, that option is not available to you." and menu.titles == CUSTOMER_MENU
    order = await services.orders.backend.order("4411")
    assert order.status.value == "in_production"
    defects = await client.app[STORE].records.find("defects", {"kind": "defect"})
    assert sorted(defect["reference"] for defect in defects) == ["DEF-000001", "DEF-000002"]


async def test_staff_who_lose_the_role_mid_form_record_nothing(factory, clock):
    client, services = factory
    operator = SimulatedContact(client, "+15550003333", clock)
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Report a defect")
    await operator.send("4411")
    await operator.press("Dimensional")
    await operator.press("Low")
    await client.app[STORE].settings.set(role_key("staff"), [])
    [refusal] = await operator.press("Skip")
    assert refusal.text == "Sorry, that option is not available to you."
    assert (await services.orders.backend.order("4411")).status.value == "in_production"


@pytest.mark.parametrize(
    ("entry", "reference", "unknown", "secret"),
    [
        ("Track a defect", "DEF-000001", "DEF-000099", "ORD-4414"),
        ("SLA status", "MAINT-000001", "MAINT-000099", "left of the SLA"),
    ],
)
async def test_a_reporter_who_no_longer_holds_a_staff_role_learns_nothing_of_their_report(
    factory, clock, entry, reference, unknown, secret
):
    """Defects and tickets are the factory's: the demo operator reported DEF-000001 and
    MAINT-000001, and once the role is taken away their report is as unknown as any other."""
    client, _ = factory
    operator = SimulatedContact(client, "+15550003333", clock)
    group = "Quality" if entry == "Track a defect" else "Maintenance"
    await operator.send("menu")
    await operator.press(group)
    await operator.press(entry)
    shown, *_ = await operator.send(reference)
    assert secret in shown.text, "while they hold the role, their report is shown"
    await operator.send("menu")
    await operator.press(group)
    await operator.press(entry)
    await client.app[STORE].settings.set(role_key("staff"), [])
    hidden, _ = await operator.send(reference)
    never_was, _ = await operator.send(unknown)
    assert hidden.text == never_was.text.replace(unknown, reference)
    told = " ".join(reply.text or "" for reply in await operator.send(f"where is {reference}?"))
    assert secret not in told, told


@pytest.mark.parametrize("typed", ["4411", "#4411", "ORD-4411", "order 4411", "٤٤١١", "४४११"])
async def test_a_stranger_typing_order_4411_into_the_form_as_people_write_it_is_told_it_is_unknown(
    factory, clock, typed
):
    client, _ = factory
    stranger = SimulatedContact(client, STRANGER, clock)
    await stranger.send("menu")
    await stranger.press("Orders")
    await stranger.press("Order status")
    unknown, _ = await stranger.send("9411")
    refused, _ = await stranger.send(typed)
    assert refused.text == unknown.text.replace("9411", "4411"), "the same words as for an order that does not exist"
    assert "Gear housing" not in refused.text


OWNER, SOMEONE_ELSE = "+15550002222", "+15550009999"
"""Customers as a provider's webhook names them; the business system writes numbers its own way."""
NOTHING_OF_THEIRS = [
    "I cannot find order ORD-7001. Check the number and send it again.",
    "You have no orders with us yet.",
    "You have no subscription with us.",
    "You have no bill yet.",
]


@pytest.fixture
async def business_customer(make_gateway, business_system):
    """Orders and billing served by stand-in business systems holding one order (7001), a
    subscription and a bill of OWNER's, their `customer` written as the test's `stored`; the
    billing system wrongly answers for SOMEONE_ELSE with OWNER's too."""

    async def start(stored: str) -> Callable[[str], Awaitable[list[str]]]:
        order = {
            "id": "7001", "customer": stored, "product": "Rotor RT-1", "quantity": 40, "status": "quality_check",
            "percent_complete": 90, "started_at": "2026-01-01T00:00:00+00:00",
            "due_at": "2026-01-10T00:00:00+00:00", "delivery_date": "2026-01-12",
        }  # fmt: skip
        subscription = {"customer": stored, "product": "Curd 400 g", "frequency": "daily", "delivery_time": "06:30"}
        bill = {"customer": stored, "amount": 1860, "currency": "INR", "period": "2025-12-01", "due_date": "2026-01-10"}
        await business_system("ORDERS", lambda *_: {}, {"/api/orders/7001": order, "/api/orders": [order]})
        await business_system(
            "BILLING",
            lambda *_: {},
            {
                f"/api/{path}": record
                for contact in (OWNER, SOMEONE_ELSE)
                for path, record in ((f"subscriptions/{contact}", subscription), (f"bills/{contact}/latest", bill))
            },
        )
        plugins = OrdersPlugin(), BillingPlugin()
        catalog = (await make_gateway(plugins)).app[ENGINE].catalog
        orders, billing = (plugin.service for plugin in plugins)

        async def shown_to(contact: str) -> list[str]:
            """What the contact is told of order 7001, their recent orders, subscription and bill."""
            conversation = Conversation(contact, "en", catalog, idempotency_key=contact)
            replies = [
                *await orders.status({"order": "7001"}, conversation),
                *await orders.recent(conversation),
                *await billing.subscription(conversation),
                *await billing.bill(conversation),
            ]
            return [reply.text for reply in replies if reply.media is None]  # not the bill's PDF

        return shown_to

    return start


@pytest.mark.parametrize("stored", ["+15550002222", "15550002222", "+1 555-000-2222", "whatsapp:+15550002222"])
async def test_a_customer_sees_their_own_records_however_the_business_system_writes_their_number(
    business_customer, stored
):
    shown_to = await business_customer(stored)
    status, recent, subscription, bill = await shown_to(OWNER)
    assert "Rotor RT-1" in status and "ORD-7001" in recent and "Curd 400 g" in subscription and "1,860" in bill
    assert await shown_to(SOMEONE_ELSE) == NOTHING_OF_THEIRS
    assert await shown_to("sim:" + OWNER) == NOTHING_OF_THEIRS, "a simulated contact is never a real customer"


async def test_a_business_system_answering_with_someone_elses_records_is_logged_once_masked(
    business_customer, caplog
):
    shown_to = await business_customer(OWNER)
    await shown_to(SOMEONE_ELSE)
    await shown_to(SOMEONE_ELSE)
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warnings == [
        "The orders system answered for ********9999 with someone else's orders",
        "The billing system answered for ********9999 with someone else's record",
    ]


async def test_a_record_whose_customer_is_no_phone_number_is_nobodys(business_customer):
    assert await (await business_customer("walk-in"))(OWNER) == NOTHING_OF_THEIRS


async def test_the_menu_after_a_handover_is_the_one_the_contacts_roles_allow(factory, clock):
    client, _ = factory
    handovers = client.app[HANDOVERS]
    for phone, menu in (("+15550003333", STAFF_MENU), ("+15550001111", CUSTOMER_MENU)):
        contact = SimulatedContact(client, phone, clock)
        await contact.send("agent")
        await handovers.take(contact.phone, "asha")
        await handovers.hand_back(contact.phone, "asha")
        transcript = await (await client.get("/simulator/api/messages", params={"phone": contact.phone})).json()
        [*_, greeted] = [entry for entry in transcript["messages"] if entry["direction"] == "outbound"]
        assert [row["title"] for row in greeted["list"]["sections"][0]["rows"]] == menu


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("DEF-000001", "ORD-4414"),
        ("where is defect DEF-000001?", "ORD-4414"),
        ("MAINT-000001", "left of the SLA"),
        ("SOP-101", "Deburring"),
    ],
)
async def test_a_reference_typed_in_free_text_opens_nothing_a_stranger_may_not_use(factory, clock, text, secret):
    client, _ = factory
    stranger, operator = SimulatedContact(client, STRANGER, clock), SimulatedContact(client, "+15550003333", clock)
    await stranger.send("menu")
    told = " ".join(reply.text or "" for reply in await stranger.send(text))
    assert secret not in told, told
    await operator.send("menu")
    shown = " ".join(reply.text or "" for reply in await operator.send(text))
    assert secret in shown, "the same words open it for staff"
