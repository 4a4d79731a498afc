"""What contacts read from the built-in plugins and their notifications: dates, times, months,
money and percentages in their language and locale, times in their zone or naming it, dates
taken as people write them, and billing's wording for non-subscribers and late bills."""

import re
from threading import get_ident

import pytest

from gateway.appkeys import STORE
from gateway.conversation.formatting import Recipient
from gateway.conversation.locality import Locality
from gateway.demo import DEMO_CUSTOMER
from gateway.templates import render
from gateway.testing import SimulatedContact
from plugins.billing import templates as billing_templates
from plugins.billing.plugin import BillingPlugin
from plugins.defects import templates as defects_templates
from plugins.maintenance import templates as maintenance_templates
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders import templates as orders_templates

LOCALITY = Locality()
ISO = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|T\d{2}:\d{2}|[+-]\d{2}:\d{2}\b")
TEMPLATES = [
    (template, module.SAMPLE_CONTEXT[template["name"]])
    for module in (billing_templates, defects_templates, maintenance_templates, orders_templates)
    for template in module.TEMPLATES
]
READERS = {"india": "+919812345678", "new_york": "+12125550100"}
"""A recipient's number, which places them (gateway.conversation.locality)."""
BILLING_TITLES = {  # the Billing group and its My bill / Pause deliveries entries, by language
    "en": ("Billing", "My bill", "Pause deliveries"),
    "es": ("Facturación", "Mi factura", "Pausar entregas"),
    "fr": ("Facturation", "Ma facture", "Suspendre livraisons"),
    "pt": ("Cobrança", "Minha fatura", "Pausar entregas"),
    "ar": ("الفواتير", "فاتورتي", "إيقاف التوصيل مؤقتًا"),
    "hi": ("बिलिंग", "मेरा बिल", "डिलीवरी रोकें"),
}


@pytest.mark.parametrize("where", READERS)
@pytest.mark.parametrize(
    ("template", "sample"), TEMPLATES, ids=lambda value: f"{value['name']}-{value['language']}" if "body" in value else ""
)
async def test_no_default_template_shows_a_raw_iso_date_or_time(template, sample, where):
    phone, language = READERS[where], template["language"]
    reader = Recipient(LOCALITY.locale_of(phone, {}, language), LOCALITY.time_zone_of(phone, {}), LOCALITY.time_zone)
    text = await render(template["body"], sample, template["language"], reader)
    assert not ISO.search(text), text
    if "| datetime" in template["body"] and where == "new_york":
        assert any(name in text for name in ("EST", "York", "نيويورك", "न्यूयॉर्क")), f"a time abroad names its zone: {text}"


async def as_speaker(client, phone: str, language: str, clock) -> SimulatedContact:
    contact = SimulatedContact(client, phone, clock)
    await client.app[STORE].settings.update_contact(f"sim:{phone}", {"language": language})
    return contact


async def open_billing(contact: SimulatedContact, language: str, entry: int):
    group, *entries = BILLING_TITLES[language]
    await contact.send("menu")
    await contact.press(group)
    return await contact.press(entries[entry])


@pytest.mark.parametrize(
    ("language", "due", "overdue"),
    [
        ("en", "*Bill for December 2025*\nAmount: ₹1,860.00\nDue date: 10 Jan 2026\nStatus: due", "Status: overdue"),
        ("es", "*Factura de diciembre de 2025*\nImporte: 1.860,00\xa0₹\nVencimiento: 10 ene 2026\nEstado: pendiente",
         "Estado: vencida"),
        ("fr", "*Facture – décembre 2025*\nMontant : 1\u202f860,00\xa0₹\nÉchéance : 10 janv. 2026\nStatut : à payer",
         "Statut : en retard"),
        ("pt", "*Fatura de dezembro de 2025*\nValor: ₹\xa01.860,00\nVencimento: 10 de jan. de 2026\nStatus: em aberto",
         "Status: vencida"),
        ("ar", "*فاتورة ديسمبر 2025*\nالمبلغ: \u200f1,860.00\xa0₹\nتاريخ الاستحقاق: 10 يناير 2026\nالحالة: مستحقة",
         "الحالة: متأخرة السداد"),
        ("hi", "*दिसंबर 2025 का बिल*\nराशि: ₹1,860.00\nदेय तिथि: 10 जन॰ 2026\nस्थिति: देय", "स्थिति: अतिदेय"),
    ],
)  # fmt: skip
async def test_a_bill_in_each_language_and_overdue_once_past_its_date(make_gateway, clock, language, due, overdue):
    client = await make_gateway([BillingPlugin()])
    customer = await as_speaker(client, DEMO_CUSTOMER.removeprefix("sim:"), language, clock)
    _pdf, bill = await open_billing(customer, language, 0)
    assert bill.text.lstrip("\u200f") == due
    clock.advance(days=6)
    _pdf, bill = await open_billing(customer, language, 0)
    assert bill.text.endswith(overdue)


async def test_a_non_subscriber_is_told_before_being_asked_for_a_date(make_gateway, clock):
    stranger = SimulatedContact(await make_gateway([BillingPlugin()]), "+15550004444", clock)
    [answer] = await open_billing(stranger, "en", 1)
    assert answer.text == "You have no subscription with us."
    [menu] = await stranger.send("24 Dec")
    assert "no subscription" not in menu.text and "paused" not in menu.text, "no pause form was left open"


@pytest.mark.parametrize(
    ("language", "typed", "paused_until"),
    [
        ("en", "15 Dec", "15 Dec 2026"),
        ("en", "24/12", "24 Dec 2026"),
        ("en", "tomorrow", "2 Dec 2026"),
        ("es", "mañana", "2 dic 2026"),
        ("fr", "demain", "2 déc. 2026"),
        ("pt", "amanhã", "2 de dez. de 2026"),
        ("ar", "غدا", "2 ديسمبر 2026"),
        ("ar", "بكرة", "2 ديسمبر 2026"),
        ("hi", "कल", "2 दिस॰ 2026"),
        ("hi", "परसों", "3 दिस॰ 2026"),
        ("es", "pasado mañana", "3 dic 2026"),
        ("en", "2026-12-24", "24 Dec 2026"),
    ],
)
async def test_a_pause_date_as_people_write_it(make_gateway, clock, language, typed, paused_until):
    clock.advance(days=330)  # 1 Dec 2026, 14:30 in India
    client = await make_gateway([BillingPlugin()])
    customer = await as_speaker(client, DEMO_CUSTOMER.removeprefix("sim:"), language, clock)
    await open_billing(customer, language, 1)
    [paused] = await customer.send(typed)
    assert paused_until in paused.text


async def test_a_pause_date_is_read_off_the_event_loop(make_gateway, clock, monkeypatch):
    import dateparser

    threads, parse = [], dateparser.parse
    monkeypatch.setattr(dateparser, "parse", lambda *args, **kwargs: threads.append(get_ident()) or parse(*args, **kwargs))
    clock.advance(days=330)
    client = await make_gateway([BillingPlugin()])
    customer = await as_speaker(client, DEMO_CUSTOMER.removeprefix("sim:"), "es", clock)
    await open_billing(customer, "es", 1)
    [paused] = await customer.send("24 dic")
    assert "24 dic 2026" in paused.text
    assert threads and get_ident() not in threads, "other conversations waited for dateparser"


async def test_a_ticket_deadline_in_the_operators_zone_or_naming_it(make_gateway, clock):
    client = await make_gateway([MaintenancePlugin()])
    texts = []
    for phone in ("+919812345678", "+12125550100"):  # India; New York
        operator = await SimulatedContact(client, phone, clock).hold("staff")
        await operator.send("menu")
        await operator.press("Maintenance")
        await operator.press("Report an issue")
        await operator.send("CNC-01")
        await operator.press("Electrical")
        await operator.press("High")
        [opened, *_] = await operator.press("Skip")
        texts.append(opened.text)
    assert texts[0].endswith("SLA: 8 hours, until 5 Jan 2026, 10:30\u202fPM.")
    assert texts[1].endswith("SLA: 8 hours, until Jan 5, 2026, 12:00\u202fPM EST.")


async def test_the_sla_warning_names_its_share_as_the_language_writes_it(make_gateway, clock):
    client = await make_gateway([MaintenancePlugin()])
    operator = await SimulatedContact(client, "+919812345678", clock).hold("staff")
    await client.app[STORE].settings.update_contact("sim:+919812345678", {"language": "fr"})
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("Signaler une panne")
    await operator.send("CNC-01")
    await operator.press("Électrique")
    await operator.press("Élevée")
    await operator.press("Passer")
    clock.advance(hours=6, minutes=30)
    await operator.send("menu")
    await operator.press("Maintenance")
    await operator.press("Statut SLA")
    [warning, *_] = await operator.send("MAINT-000001")
    assert "moins de 25\xa0%" in warning.text and "jusqu'au 5 janv. 2026, 22:30" in warning.text


async def test_a_spanish_mobile_reads_a_deadline_in_madrid_time_naming_it(make_gateway, clock):
    client = await make_gateway([MaintenancePlugin()])  # the default deployment: India
    operator = await SimulatedContact(client, "+34612345678", clock).hold("staff")
    await client.app[STORE].settings.update_contact("sim:+34612345678", {"language": "es"})
    await operator.send("menu")
    await operator.press("Mantenimiento")
    await operator.press("Reportar una avería")
    await operator.send("CNC-01")
    await operator.press("Eléctrica")
    await operator.press("Alta")
    [opened, *_] = await operator.press("Omitir")
    assert opened.text.endswith("SLA: 8 horas, hasta 5 ene 2026, 18:00 CET."), "not 22:30 India time, unlabelled"
