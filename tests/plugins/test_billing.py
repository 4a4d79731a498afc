"""The billing plugin, as a subscriber talks to it."""

import pytest

from gateway.demo import DEMO_CUSTOMER
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin


@pytest.fixture
async def subscriber(make_gateway, clock):
    return SimulatedContact(await make_gateway([BillingPlugin()]), DEMO_CUSTOMER, clock)


async def choose(contact: SimulatedContact, entry: str, group: str = "Billing", greeting: str = "menu"):
    await contact.send(greeting)
    await contact.press(group)
    return await contact.press(entry)


async def test_my_subscription(subscriber):
    [subscription] = await choose(subscriber, "My subscription")
    assert subscription.text == "*Toned milk 1 L*\nDelivery: every day at 7:00\u202fAM\nStatus: active"


async def test_pause_until_a_date_then_resume(subscriber):
    [question] = await choose(subscriber, "Pause deliveries")
    assert question.text.startswith("Until which date")
    reason, _ = await subscriber.send("whenever suits you")
    assert reason.text == "Send a date such as 24 Dec, 24 December 2026 or tomorrow."
    reason, _ = await subscriber.send("2026-01-05")
    assert reason.text == "The date must be after today and within 90 days."
    [paused] = await subscriber.send("20/01/2026")
    assert paused.text.startswith("Deliveries of Toned milk 1 L are paused until 20 Jan 2026.")
    [subscription] = await choose(subscriber, "My subscription")
    assert subscription.text.endswith("Status: paused until 20 Jan 2026")
    [resumed] = await choose(subscriber, "Resume deliveries")
    assert resumed.text == "Deliveries of Toned milk 1 L are back on: every day at 7:00\u202fAM."
    [again] = await choose(subscriber, "Resume deliveries")
    assert again.text == "Your deliveries are not paused."


async def test_my_bill_in_english_and_french(subscriber):
    pdf, bill = await choose(subscriber, "My bill")
    assert bill.text == "*Bill for December 2025*\nAmount: ₹1,860.00\nDue date: 10 Jan 2026\nStatus: due"
    assert pdf.media["filename"] == "bill-2025-12.pdf"
    pdf, bill = await choose(subscriber, "Ma facture", group="Facturation", greeting="bonjour")
    assert "Montant : 1\u202f860,00\xa0₹" in bill.text and "décembre 2025" in bill.text


async def test_a_stranger_has_no_subscription_or_bill(make_gateway, clock):
    stranger = SimulatedContact(await make_gateway([BillingPlugin()]), "+15550004444", clock)
    [subscription] = await choose(stranger, "My subscription")
    assert subscription.text == "You have no subscription with us."
    [bill] = await choose(stranger, "My bill")
    assert bill.text == "You have no bill yet."


async def test_the_http_backend_posts_a_pause_with_one_idempotency_key_per_message(
    make_gateway, clock, business_system, retry_next_turn
):
    subscription = {"customer": DEMO_CUSTOMER, "product": "Curd 400 g", "frequency": "daily", "delivery_time": "06:30"}
    system = await business_system(
        "BILLING",
        lambda path, body, number: subscription | {"paused_until": body["until"]},
        {f"/api/subscriptions/{DEMO_CUSTOMER}": subscription},
    )
    subscriber = SimulatedContact(await make_gateway([BillingPlugin()]), DEMO_CUSTOMER, clock)
    await choose(subscriber, "Pause deliveries")
    retry_next_turn(subscriber.client)
    [paused] = await subscriber.send("20/01/2026")
    assert paused.text.startswith("Deliveries of Curd 400 g are paused until 20 Jan 2026.")
    [(path, key), retried] = system.posts
    assert path == f"/api/subscriptions/{DEMO_CUSTOMER}/pause" and key and retried == (path, key)


@pytest.mark.parametrize(
    ("greeting", "text", "due"),
    [("hello", "can I see my bill?", "Due date:"), ("hola", "quiero ver mi factura", "Vencimiento:"),
     ("مرحبا", "أين فاتورتي؟", "تاريخ الاستحقاق:")],
)  # fmt: skip
async def test_the_word_for_bill_in_free_text_opens_my_bill(subscriber, greeting, text, due):
    await subscriber.send(greeting)
    _pdf, bill = await subscriber.send(text)
    assert due in bill.text
