"""Delivery rules: opt-outs suppress, templates render in the contact's language, and outside
the 24-hour window only approved templates go out."""

from datetime import timedelta

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.models import OutboundMessage, Priority
from gateway.notifications.delivery import (
    FILE_OUTSIDE_WINDOW,
    NOT_AFTER_SENT,
    OUTSIDE_WINDOW,
    DeliveryRules,
    Undeliverable,
)
from gateway.notifications.template_service import TemplateService

CONTACT = "+919812345678"
PAYMENT = {"customer_name": "Asha", "amount": 1860, "period": "December", "due_date": "2026-01-10"}


@pytest.fixture
async def store(tmp_path, clock):
    opened = await SqliteStore.open(tmp_path / "g.db", clock)
    templates = TemplateService(opened)
    await templates.save(
        "payment_reminder",
        "en",
        "{{ customer_name }}, pay {{ amount | money(currency) }} by {{ due_date | date }}.",
        category="billing",
        provider_template={
            "meta": {"name": "payment_due_v2", "language": "en_US", "parameters": ["customer_name", "amount"]}
        },
    )
    await templates.save(
        "payment_reminder",
        "es",
        "{{ customer_name }}, paga {{ amount | money(currency) }} antes del {{ due_date | date }}.",
    )
    yield opened
    await opened.close()


@pytest.fixture
def rules(store, clock) -> DeliveryRules:
    return DeliveryRules(store, TemplateService(store), clock)


def notification(provider: str = "meta", **fields) -> OutboundMessage:
    content = fields or {"template": {"name": "payment_reminder", "parameters": PAYMENT}}
    return OutboundMessage(recipient=CONTACT, provider=provider, **content)


async def wrote_in(store, clock, hours_ago: float, **settings) -> None:
    await store.settings.update_contact(
        CONTACT, {"last_inbound_at": (clock.now() - timedelta(hours=hours_ago)).isoformat()} | settings
    )


async def test_a_template_renders_in_the_contacts_language_with_money_and_dates(store, rules, clock):
    await wrote_in(store, clock, 2, language="es")
    prepared = await rules.prepare(notification())
    assert prepared.template is None and prepared.text == "Asha, paga 1.860,00\xa0₹ antes del 10 ene 2026."


async def test_the_default_currency_is_a_setting(store, rules, clock):
    await wrote_in(store, clock, 2)
    await store.settings.set("currency", "USD")
    assert (await rules.prepare(notification())).text == "Asha, pay $1,860.00 by 10 Jan 2026."


async def test_outside_the_window_a_mapped_template_goes_out_as_the_approved_one(store, rules, clock):
    await wrote_in(store, clock, 25)
    prepared = await rules.prepare(notification())
    assert prepared.text is None
    assert prepared.provider_template.model_dump() == {
        "name": "payment_due_v2",
        "language": "en_US",
        "parameters": ["Asha", "1860"],
    }


async def test_outside_the_window_without_an_approved_template_it_dies_with_the_reason(store, rules, clock):
    await wrote_in(store, clock, 25)
    with pytest.raises(Undeliverable, match=OUTSIDE_WINDOW):
        await rules.prepare(notification(provider="twilio"))
    with pytest.raises(Undeliverable, match=OUTSIDE_WINDOW):
        await rules.prepare(notification(text="Free-form after a day"))


BILL = {"media": {"kind": "document", "media_id": "m1", "filename": "bill-2026-01.pdf"}}


async def ended(store, end: str, reason: str = "") -> str:
    """A template job the worker claimed and then sent (`ack`), killed (`fail`) or suppressed."""
    job = await store.queue.enqueue(notification())
    await store.queue.claim("w", timedelta(seconds=30))
    await getattr(store.queue, end)(job.id, "w", reason or "wamid.1")
    return job.id


async def test_outside_the_window_a_notifications_file_is_suppressed_not_dead(store, rules, clock):
    """A bill or report sent after its template: WhatsApp takes a file there only as an approved
    template's header, so it is skipped with the reason, not left for an operator to retry."""
    template = await ended(store, "ack")
    await wrote_in(store, clock, 25)
    with pytest.raises(Undeliverable, match=FILE_OUTSIDE_WINDOW) as skipped:
        await rules.prepare(notification(**BILL), follows=template)
    assert skipped.value.suppressed
    await wrote_in(store, clock, 2)
    assert (await rules.prepare(notification(**BILL), follows=template)).media.media_id == "m1"


async def test_outside_the_window_a_file_sent_on_its_own_dies_like_free_text(store, rules, clock):
    """An operator's or a business system's file (force_queue, or a window that closed while it
    waited) is no notification's attachment: it dies, and the dead letters show it."""
    await wrote_in(store, clock, 25)
    with pytest.raises(Undeliverable, match=OUTSIDE_WINDOW) as refused:
        await rules.prepare(notification(**BILL))
    assert not refused.value.suppressed


@pytest.mark.parametrize(("end", "state"), [("fail", "dead"), ("suppress", "suppressed")])
async def test_a_file_whose_template_did_not_go_is_suppressed_with_the_reason(store, rules, clock, end, state):
    template = await ended(store, end, "the contact opted out of billing notifications")
    await wrote_in(store, clock, 2)
    with pytest.raises(Undeliverable) as skipped:
        await rules.prepare(notification(**BILL), follows=template)
    assert skipped.value.suppressed
    assert skipped.value.reason == (
        f"{NOT_AFTER_SENT}; job {template} is {state}: the contact opted out of billing notifications"
    )


async def test_replies_and_the_simulator_have_no_window(store, rules, clock):
    await wrote_in(store, clock, 30)
    assert (await rules.prepare(notification(text="Answer", priority=Priority.REPLY))).text == "Answer"
    assert (await rules.prepare(notification(provider="simulator", text="Hi"))).text == "Hi"


async def test_an_opted_out_contact_is_suppressed_and_a_category_opt_out_too(store, rules, clock):
    await wrote_in(store, clock, 1, opted_out=True)
    with pytest.raises(Undeliverable) as everything:
        await rules.prepare(notification())
    assert everything.value.suppressed and everything.value.reason == "the contact opted out of notifications"
    await store.settings.update_contact(CONTACT, {"opted_out": None, "opted_out_categories": ["billing"]})
    with pytest.raises(Undeliverable) as billing:
        await rules.prepare(notification())
    assert billing.value.suppressed and "billing" in billing.value.reason
    assert (await rules.prepare(notification(text="Your reply", priority=Priority.REPLY))).text == "Your reply"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Hi {{ customer_name }}, {{ missing_key }}", "missing value: 'missing_key' is undefined"),
        ("{{ customer_name.__class__.__mro__ }}", "not allowed in a template"),
        ("{{ customer_name * 5000 }}", "rendered an invalid message: text: String should have at most 4096 characters"),
        ("{{ amount / 0 }}", "v2: cannot render: ZeroDivisionError: division by zero"),
        ("{{ period | date }}", "v2: the date filter needs an ISO date"),
        ("{{ customer_name | money }}", "v2: the money filter needs a number"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "v2: the template calls itself too deeply"),
        ("{{ customer_name * 10**9 }}", "v2: a value would be longer than 65,536 characters"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "took longer than 0.5 s"),
    ],
)
async def test_a_template_that_cannot_render_fails_that_message_with_a_reason(store, rules, clock, body, reason):
    await wrote_in(store, clock, 1)
    await TemplateService(store).save("payment_reminder", "en", body)
    with pytest.raises(Undeliverable) as failed:
        await rules.prepare(notification())
    assert reason in failed.value.reason and not failed.value.suppressed


async def test_an_unknown_template_fails_with_a_reason(store, rules, clock):
    await wrote_in(store, clock, 1)
    with pytest.raises(Undeliverable, match="no template 'nope'"):
        await rules.prepare(notification(template={"name": "nope"}))


async def test_every_notification_to_a_blocked_contact_is_suppressed_with_the_reason(store, rules, clock):
    await wrote_in(store, clock, 1, blocked=True)
    for message in (notification(), notification(text="Plain"), notification(text="Bulk", priority=Priority.BULK)):
        with pytest.raises(Undeliverable) as blocked:
            await rules.prepare(message)
        assert blocked.value.suppressed and blocked.value.reason == "the contact is blocked"


async def test_an_approved_templates_dates_are_written_for_the_contact_never_iso(store, rules, clock):
    await TemplateService(store).save(
        "payment_reminder",
        "en",
        "{{ customer_name }}, pay by {{ due_date | date }}.",
        category="billing",
        provider_template={"meta": {"name": "payment_due_v3", "parameters": ["customer_name", "due_date", "period"]}},
    )
    await wrote_in(store, clock, 30)
    prepared = await rules.prepare(notification())
    assert prepared.provider_template.parameters == ["Asha", "10 Jan 2026", "December"]
