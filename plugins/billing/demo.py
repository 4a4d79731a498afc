"""A demo subscriber for an embedded gateway: the simulator's default contact, seeded once."""

from datetime import datetime, timedelta

from gateway.conversation.translated import Translated
from gateway.demo import DEMO_CUSTOMER
from gateway.ports.store import PluginRecords
from plugins.billing.backend import (
    NAMESPACE,
    Bill,
    EmbeddedBilling,
    Frequency,
    Subscription,
)

SEEDED = "demo:seeded"
TONED_MILK = Translated(
    text="Toned milk 1 L",
    translations={
        "es": "Leche semidesnatada 1 L",
        "fr": "Lait demi-écrémé 1 L",
        "pt": "Leite semidesnatado 1 L",
        "ar": "حليب قليل الدسم 1 لتر",
        "hi": "टोन्ड दूध 1 लीटर",
    },
)


async def seed(backend: EmbeddedBilling, records: PluginRecords, now: datetime) -> None:
    if await records.get(NAMESPACE, SEEDED):
        return
    await backend.put_subscription(
        Subscription(customer=DEMO_CUSTOMER, product=TONED_MILK, frequency=Frequency.DAILY, delivery_time="07:00")
    )
    first_of_month = now.date().replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).replace(day=1)
    bill = Bill(
        customer=DEMO_CUSTOMER,
        customer_name="Asha Patel",
        amount=1860,
        currency="INR",
        period=last_month,
        due_date=first_of_month + timedelta(days=9),
    )
    await records.put(NAMESPACE, f"bill:{DEMO_CUSTOMER}", bill.model_dump(mode="json"))
    await records.put(NAMESPACE, SEEDED, {"at": now.isoformat()})
