"""What the four built-in plugins ship: templates and strings in every language, within WhatsApp's limits."""

import pytest

from gateway.appkeys import ENGINE
from gateway.conversation.catalog import LANGUAGES
from gateway.models import MAX_BUTTON_TITLE_CHARS
from gateway.templates import render
from plugins.billing import templates as billing_templates
from plugins.billing.plugin import BillingPlugin
from plugins.defects import templates as defects_templates
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance import templates as maintenance_templates
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders import templates as orders_templates
from plugins.orders.plugin import OrdersPlugin

TEMPLATE_MODULES = (billing_templates, defects_templates, maintenance_templates, orders_templates)
EXPECTED_TEMPLATES = {
    "delivery_reminder", "delivery_confirmed", "payment_reminder", "payment_confirmation", "subscription_confirmation",
    "order_confirmation", "pause_confirmation", "churn_risk", "new_product", "delivery_delayed",
    "order_completed", "quality_alert", "ticket_created", "sla_warning", "sla_breached", "shift_reminder",
}  # fmt: skip
LIST_ROW_TITLE_CHARS = 24


def test_every_named_template_is_shipped_in_every_language():
    shipped = {(t["name"], t["language"]) for module in TEMPLATE_MODULES for t in module.TEMPLATES}
    assert shipped == {(name, language) for name in EXPECTED_TEMPLATES for language in LANGUAGES}


@pytest.mark.parametrize(
    "template",
    [t for module in TEMPLATE_MODULES for t in module.TEMPLATES],
    ids=lambda t: f"{t['name']}-{t['language']}",
)
async def test_every_template_renders_with_its_sample_context(template):
    module = next(m for m in TEMPLATE_MODULES if template in m.TEMPLATES)
    text = await render(template["body"], module.SAMPLE_CONTEXT[template["name"]], template["language"])
    assert text and "{{" not in text and "{%" not in text


async def test_every_string_is_translated_in_every_language(make_gateway):
    client = await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()])
    gaps = client.app[ENGINE].catalog.missing()
    assert not gaps, f"untranslated or fuzzy in the .po files, by language: {gaps}"


async def test_menu_and_choice_titles_fit_whatsapp_in_every_language(make_gateway):
    client = await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()])
    engine = client.app[ENGINE]
    too_long = []
    for language in LANGUAGES:
        for _, entry in engine.entries:
            for key in (entry.title, entry.group):
                if len(engine.catalog.text(key, language)) > LIST_ROW_TITLE_CHARS:
                    too_long.append((language, key))
        for _, flow in engine.flows.values():
            for step in flow.steps:
                limit = MAX_BUTTON_TITLE_CHARS if len(step.choices) <= 3 else LIST_ROW_TITLE_CHARS
                too_long += [
                    (language, c.title) for c in step.choices if len(engine.catalog.text(c.title, language)) > limit
                ]
    assert not too_long
