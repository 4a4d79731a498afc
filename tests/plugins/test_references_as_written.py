"""Every plugin question that asks for a reference takes it as people write it (prefix or not,
"#", spaces, case, trailing punctuation, words in six languages, any digits), and the reply
names it in the business's form. Billing asks for no reference."""

import pytest

from gateway.appkeys import STORE
from gateway.demo import DEMO_CUSTOMER
from gateway.notifications.notifier import role_key
from gateway.testing import SimulatedContact
from plugins.defects.plugin import DefectsPlugin
from plugins.defects.references import DEFECT, SOP
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.maintenance.references import MACHINE, TICKET
from plugins.orders.plugin import OrdersPlugin
from plugins.orders.references import BOM, ORDER

ORDER_4411 = [
    "ORD-4411",
    "ord 4411",
    "#4411",
    "order 4411",
    "4411.",
    "Order No. 4411",
    "٤٤١١",
    "४४११",
    "pedido 4411",
    "commande n° 4411",
    "encomenda 4411",
    "طلب ٤٤١١",
    "ऑर्डर 4411",
    "4411 ?",
    "ORD–4411",
    "ORD‑4411",
]


@pytest.fixture
async def staff(make_gateway, clock):
    """The demo customer, who owns the demo orders, and a member of the staff role too, so
    every flow is open to them."""
    client = await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin()])
    await client.app[STORE].settings.set(role_key("staff"), [DEMO_CUSTOMER])
    return SimulatedContact(client, DEMO_CUSTOMER, clock)


async def open_entry(contact: SimulatedContact, group: str, entry: str) -> None:
    await contact.send("menu")
    await contact.press(group)
    await contact.press(entry)


@pytest.mark.parametrize("typed", ORDER_4411)
async def test_order_status(staff, typed):
    await open_entry(staff, "Orders", "Order status")
    _chart, status = await staff.send(typed)
    assert status.text.startswith("*Order ORD-4411*: Gear housing")


@pytest.mark.parametrize("typed", ORDER_4411)
async def test_reporting_a_defect_on_an_order(staff, typed):
    await open_entry(staff, "Quality", "Report a defect")
    await staff.send(typed)
    await staff.press("Dimensional")
    await staff.press("Low")
    [recorded] = await staff.press("Skip")
    assert recorded.text.endswith("Order ORD-4411 is now ON HOLD.")


@pytest.mark.parametrize("typed", ["BOM 7", "bom7", "BOM-7", "bom-7.", "#7", "7"])
async def test_a_bom_update(staff, typed):
    await open_entry(staff, "Orders", "Submit a BOM update")
    await staff.send(typed)
    [done] = await staff.send("Use M8 bolts instead of M6 on the cover")
    assert "BOM-7 " in done.text


@pytest.mark.parametrize("typed", ["DEF-1", "def 000001", "DEF-000001", "def-1.", "#1", "defect 1", "DEF-١", "DEF‑1"])
async def test_tracking_a_defect(staff, typed):
    await open_entry(staff, "Quality", "Track a defect")
    [tracked] = await staff.send(typed)
    assert tracked.text.startswith("*DEF-000001* on order ORD-4414:")


@pytest.mark.parametrize("typed", ["SOP 101", "sop-101", "SOP-101", "sop101.", "101", "SOP ١٠١", "sop १०१"])
async def test_an_sop(staff, typed):
    await open_entry(staff, "Quality", "View SOP")
    [sop, *_] = await staff.send(typed)
    assert sop.text.startswith("*SOP-101: ")


@pytest.mark.parametrize(
    ("typed", "machine"),
    [
        ("cnc 01", "CNC-01"),
        ("CNC01", "CNC-01"),
        ("CNC-01", "CNC-01"),
        ("press 01.", "PRESS-01"),
        ("Robot-01", "ROBOT-01"),
    ],
)
async def test_reporting_a_machine_issue(staff, typed, machine):
    await open_entry(staff, "Maintenance", "Report an issue")
    await staff.send(typed)
    await staff.press("Hydraulic")
    await staff.press("Low")
    [opened, *_] = await staff.press("Skip")
    assert opened.text.startswith("Ticket *MAINT-000001* opened for " + machine + " ")


@pytest.mark.parametrize("typed", ["MAINT-1", "maint 000001", "MAINT-000001.", "#1", "ticket 1", "1"])
async def test_a_tickets_sla(staff, typed):
    await open_entry(staff, "Maintenance", "Report an issue")
    await staff.send("CNC-01")
    await staff.press("Electrical")
    await staff.press("High")
    await staff.press("Skip")
    await open_entry(staff, "Maintenance", "SLA status")
    [status] = await staff.send(typed)
    assert "MAINT-000001" in status.text and "There is no ticket" not in status.text


async def test_references_as_written_are_not_refusals_that_end_the_form(staff):
    """Two refusals, then a reference as people write it: the third answer is taken, where it
    used to be the third refusal that ended the form."""
    await open_entry(staff, "Orders", "Order status")
    for nonsense in ("no idea", "44"):
        reason, again = await staff.send(nonsense)
        assert again.text == "Which order number?"
    _chart, status = await staff.send("Order No. ٤٤١١.")
    assert status.text.startswith("*Order ORD-4411*")


@pytest.mark.parametrize(
    ("group", "entry", "typed", "refusal"),
    [
        ("Orders", "Order status", "4411 4412", "An order number has 3 to 10 digits."),
        ("Orders", "Order status", "SOP-101", "An order number has 3 to 10 digits."),
        # ORD-411 would be another order: a number grouped in thousands is asked for again
        ("Orders", "Order status", "4 411", "An order number has 3 to 10 digits."),
        ("Orders", "Order status", "4,411", "An order number has 3 to 10 digits."),
        # another system's reference typed with a space: not this plugin's DEF-000001/MAINT-000001
        ("Quality", "Track a defect", "qa-1", "A defect reference looks like DEF-000123."),
        ("Maintenance", "SLA status", "wo1", "A ticket reference looks like MAINT-000045."),
        ("Maintenance", "Report an issue", "01", None),
    ],
)
async def test_what_names_no_single_reference_is_still_refused(staff, group, entry, typed, refusal):
    await open_entry(staff, group, entry)
    reason, again = await staff.send(typed)
    assert again.options == [] and reason.text != again.text
    if refusal is not None:
        assert reason.text == refusal


async def test_a_business_system_is_asked_for_its_own_ids_however_typed(make_gateway, clock, business_system):
    """The HTTP backends get the canonical id, as before references were parsed: the bare order
    number, and a machine as the business numbers it (no zeros added to PRESS-2)."""
    order = {
        "id": "7001",
        "customer": "sim:+15550001111",
        "product": "Rotor RT-1",
        "quantity": 40,
        "status": "quality_check",
        "percent_complete": 90,
        "started_at": "2026-01-01T00:00:00+00:00",
        "due_at": "2026-01-10T00:00:00+00:00",
        "delivery_date": "2026-01-12",
    }
    await business_system("ORDERS", lambda path, body, number: {}, {"/api/orders/7001": order})
    machine = {"id": "PRESS-2", "name": "Press 2", "line": "A"}
    tickets = await business_system(
        "MAINTENANCE",
        lambda path, body, number: body | {"reference": f"WO-{number}", "status": "open"},
        {"/api/machines/PRESS-2": machine},
    )
    client = await make_gateway([OrdersPlugin(), MaintenancePlugin()])
    await client.app[STORE].settings.set(role_key("staff"), [DEMO_CUSTOMER])
    contact = SimulatedContact(client, DEMO_CUSTOMER, clock)
    await open_entry(contact, "Orders", "Order status")
    [status] = await contact.send("pedido nº ७००१")
    assert status.text.startswith("*Order ORD-7001*: Rotor RT-1")
    await open_entry(contact, "Maintenance", "Report an issue")
    await contact.send("press 2")
    await contact.press("Hydraulic")
    await contact.press("Low")
    [opened] = await contact.press("Skip")
    assert opened.text.startswith("Ticket *WO-1* opened for PRESS-2 ")
    [(path, _)] = tickets.posts
    assert path == "/api/tickets"


async def test_a_machine_family_the_plugin_does_not_list_is_taken_as_an_answer(make_gateway, clock, business_system):
    machine = {"id": "LATHE-3", "name": "Lathe 3", "line": "B"}
    await business_system(
        "MAINTENANCE",
        lambda path, body, number: body | {"reference": f"WO-{number}", "status": "open"},
        {"/api/machines/LATHE-3": machine},
    )
    client = await make_gateway([MaintenancePlugin()])
    await client.app[STORE].settings.set(role_key("staff"), [DEMO_CUSTOMER])
    contact = SimulatedContact(client, DEMO_CUSTOMER, clock)
    await open_entry(contact, "Maintenance", "Report an issue")
    await contact.send("Lathe 3")
    await contact.press("Mechanical")
    await contact.press("Medium")
    [opened] = await contact.press("Skip")
    assert opened.text.startswith("Ticket *WO-1* opened for LATHE-3 ")


async def test_a_ticket_the_business_system_numbered_is_followed_as_the_bot_gave_it(
    make_gateway, clock, business_system
):
    """A maintenance system answering POST tickets with its own "WO-1": "SLA status" takes
    "WO-1" as typed (and "wo 1"), where it used to ask for MAINT-… three times and end the form."""
    reads = {"/api/machines/PRESS-2": {"id": "PRESS-2", "name": "Press 2", "line": "A"}}

    def open_ticket(path, body, number):
        reads[f"/api/tickets/WO-{number}"] = ticket = body | {"reference": f"WO-{number}", "status": "open"}
        return ticket

    await business_system("MAINTENANCE", open_ticket, reads)
    contact = SimulatedContact(await make_gateway([MaintenancePlugin()]), DEMO_CUSTOMER, clock)
    await contact.hold("staff")
    await open_entry(contact, "Maintenance", "Report an issue")
    await contact.send("press 2")
    await contact.press("Hydraulic")
    await contact.press("Low")
    [opened] = await contact.press("Skip")
    assert opened.text.startswith("Ticket *WO-1* opened for PRESS-2 ")
    for typed in ("WO-1", "wo 1", "ticket WO-1."):
        await open_entry(contact, "Maintenance", "SLA status")
        [status] = await contact.send(typed)
        assert "*WO-1*" in status.text and "There is no ticket" not in status.text, typed


async def test_a_defect_the_business_system_numbered_is_tracked_as_the_bot_gave_it(make_gateway, clock, business_system):
    reads = {"/api/orders/4411": {"id": "4411"}}

    def record(path, body, number):
        reads[f"/api/defects/QA-{number}"] = defect = body | {"reference": f"QA-{number}", "status": "open"}
        return defect

    await business_system("DEFECTS", record, reads)
    contact = SimulatedContact(await make_gateway([DefectsPlugin()]), DEMO_CUSTOMER, clock)
    await contact.hold("staff")
    await open_entry(contact, "Quality", "Report a defect")
    await contact.send("4411")
    await contact.press("Dimensional")
    await contact.press("Low")
    [recorded] = await contact.press("Skip")
    assert recorded.text.startswith("Defect recorded as *QA-1*")
    await open_entry(contact, "Quality", "Track a defect")
    [tracked] = await contact.send("qa-1")
    assert tracked.text.startswith("*QA-1* on order ORD-4411:")
    await open_entry(contact, "Quality", "Track a defect")
    reason, again = await contact.send("#1")  # which system prefix? not guessed
    assert reason.text == "A defect reference looks like DEF-000123." and again.options == []


@pytest.mark.parametrize(
    ("reference", "canonical"),
    [
        (ORDER, "4411"),
        (BOM, "BOM-7"),
        (DEFECT, "DEF-000001"),
        (SOP, "SOP-101"),
        (MACHINE, "CNC-01"),
        (MACHINE, "PRESS-01"),
        (MACHINE, "ROBOT-01"),
        (TICKET, "MAINT-000045"),
    ],
)
def test_what_a_reply_shows_can_be_sent_back(reference, canonical):
    """A reference copied from a reply, or handed on by an intent as the id, reads as the same id."""
    assert reference.parse(reference.show(canonical)) == canonical
    assert reference.parse(canonical) == canonical
    assert reference.find(reference.show(canonical)) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "where is my order 4411?",
        "¿dónde está mi pedido 4411?",
        "où en est ma commande n° 4411 ?",
        "cadê minha encomenda 4411?",
        "أين طلبي رقم ٤٤١١؟",
        "मेरा ऑर्डर ४४११ कहाँ है?",
        "status of ORD-4411 please",
    ],
)
async def test_a_customer_naming_their_order_in_free_text_gets_its_status(make_gateway, clock, text):
    customer = SimulatedContact(await make_gateway([OrdersPlugin(), DefectsPlugin()]), DEMO_CUSTOMER, clock)
    texts = [reply.text for reply in await customer.send(text) if reply.text]  # and the order's chart
    assert any("ORD-4411" in text and "GH-200" in text for text in texts), texts
