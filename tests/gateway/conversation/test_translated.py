"""Translated data: SOP titles and steps, product names and production lines come in the contact's
language where the backend has them (the demo has all six), else as written with their language
named; a backend that sends plain strings, as before, is read as English."""

import pytest

from gateway.appkeys import STORE
from gateway.conversation.bidi import RLM
from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.engine import CORE_DOMAINS
from gateway.conversation.translated import Translated, localized
from gateway.conversation.translations import read_domain
from gateway.demo import DEMO_CUSTOMER, DEMO_OPERATOR
from gateway.ports.records import JobState
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from plugins.defects.backend import Sop
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.backend import Order
from plugins.orders.plugin import OrdersPlugin
from tests.gateway_fixtures import eventually

CARCASA = Translated(text="Carcasa GH-200", language="es", translations={"en": "Gear housing GH-200"})


def said(value: Translated, language: str) -> str:
    catalog = Catalog()
    catalog.add(read_domain(CORE_DOMAINS[0]))
    return localized(value, Conversation("+15550000001", language, catalog, idempotency_key="m1"))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Carcasa GH-200"),
        ("en", "Gear housing GH-200"),
        ("fr", "Carcasa GH-200 (en espagnol)"),
        ("pt", "Carcasa GH-200 (em espanhol)"),
        ("ar", "Carcasa GH-200 (باللغة الإسبانية)"),
        ("hi", "Carcasa GH-200 (स्पेनिश में)"),
    ],
)
def test_a_text_is_said_in_the_contacts_language_else_as_written_with_its_language_named(language, text):
    assert said(CARCASA, language) == text


def test_a_backend_that_sends_plain_strings_is_read_as_english():
    sop = Sop.model_validate({"id": "SOP-9", "title": "Torque check", "steps": ["Set the wrench to 40 Nm"]})
    assert (sop.title.text, sop.title.language, sop.steps[0].text) == ("Torque check", "en", "Set the wrench to 40 Nm")
    assert said(sop.title, "en") == "Torque check" and said(sop.title, "es") == "Torque check (en inglés)"


def test_a_language_tag_with_a_region_or_capitals_is_read_as_its_language():
    title = Translated.model_validate({"text": "Torque check", "language": "EN-us", "translations": {"es_MX": "Torque"}})
    assert said(title, "en") == "Torque check" and said(title, "es") == "Torque"
    assert said(title, "fr") == "Torque check (en anglais)"


def test_a_backend_sends_translations_in_the_same_field():
    order = Order.model_validate(
        {
            "id": "4411",
            "customer": "+15550001111",
            "product": {"text": "Gear housing", "translations": {"ar": "غلاف التروس", "hi": "गियर हाउसिंग"}},
            "quantity": 5,
            "status": "planned",
            "percent_complete": 0,
            "started_at": "2026-01-05T09:00:00+00:00",
            "due_at": "2026-01-09T09:00:00+00:00",
            "delivery_date": "2026-01-10",
        }
    )
    assert [said(order.product, language) for language in ("en", "ar", "hi")] == ["Gear housing", "غلاف التروس", "गियर हाउसिंग"]


@pytest.fixture
async def gateway(make_gateway):
    return await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()])


async def speaking(gateway, clock, phone: str, language: str) -> SimulatedContact:
    await gateway.app[STORE].settings.update_contact(phone, {"language": language})
    return SimulatedContact(gateway, phone, clock)


async def chosen(contact: SimulatedContact, *titles: str):
    await contact.send("menu")
    for title in titles[:-1]:
        await contact.press(title)
    return await contact.press(titles[-1])


async def as_sent(gateway, contact: SimulatedContact, reply: int = -1) -> str:
    """A reply's text (the last, or the one at index `reply` of the conversation's) as the
    channel sent it, once the queue worker has sent everything."""
    await eventually(lambda: nothing_unsent(gateway))
    transcript = await (await gateway.get("/simulator/api/messages", params={"phone": contact.phone})).json()
    return [entry for entry in transcript["messages"] if entry["direction"] == "outbound"][reply]["text"]


async def nothing_unsent(gateway) -> bool:
    counts = await gateway.app[STORE].queue.counts()
    return not counts.get(JobState.QUEUED) and not counts.get(JobState.SENDING)


async def test_an_sop_is_shown_in_arabic_laid_out_right_to_left(gateway, clock):
    operator = await speaking(gateway, clock, DEMO_OPERATOR, "ar")
    await chosen(operator, "الجودة", "عرض إجراء التشغيل")
    await operator.send("SOP-101")
    sop = await as_sent(gateway, operator, -3)  # then the SOP's video, and what next
    first_lines = sop.splitlines()[:3]
    assert first_lines == [f"{RLM}*SOP-101: إزالة النتوءات من أغلفة التروس*", "1. ثبّت القطعة", "2. أزل النتوءات من جميع الثقوب"]
    assert sop.endswith("آخر إخفاق: بقي نتوء في الثقب 3 (DEF-000001)")


async def test_an_sop_the_backend_has_in_english_only_says_so_in_hindi(gateway, clock):
    sop = {"kind": "sop", "id": "SOP-900", "title": "Torque check", "steps": ["Set the wrench to 40 Nm"]}
    await gateway.app[STORE].records.put("defects", "sop:SOP-900", sop)
    operator = await speaking(gateway, clock, DEMO_OPERATOR, "hi")
    await chosen(operator, "गुणवत्ता", "SOP देखें")
    [shown] = await operator.send("SOP-900")
    assert shown.text.splitlines()[:2] == ["*SOP-900: Torque check (अंग्रेज़ी में)*", "1. Set the wrench to 40 Nm (अंग्रेज़ी में)"]


async def test_products_and_lines_are_named_in_the_contacts_language(gateway, clock):
    customer = await speaking(gateway, clock, DEMO_CUSTOMER, "hi")
    await chosen(customer, "ऑर्डर", "ऑर्डर की स्थिति")
    _chart, status = await customer.send("4411")
    assert status.text.splitlines()[0] == "*ऑर्डर ORD-4411*: गियर हाउसिंग GH-200 × 500"
    await customer.send("भाषा")
    await customer.press("Français")
    [subscription] = await chosen(customer, "Facturation", "Mon abonnement")
    assert subscription.text.splitlines()[0] == "*Lait demi-écrémé 1 L*"
    operator = await speaking(gateway, clock, DEMO_OPERATOR, "ar")
    await chosen(operator, "الطلبات", "جدول الإنتاج")
    _chart, today = await operator.press("اليوم")
    assert "الخط 1: الطلب ORD-4411 (غلاف التروس GH-200)" in today.text
