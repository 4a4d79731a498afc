import logging

import pytest

from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation

HOURS = {
    "en": {"one": "{count} hour", "other": "{count} hours"},
    "es": {"one": "{count} hora", "other": "{count} horas"},
    "fr": {"one": "{count} heure", "other": "{count} heures"},
    "pt": {"one": "{count} hora", "other": "{count} horas"},
    "ar": {
        "zero": "لا ساعات",
        "one": "ساعة واحدة",
        "two": "ساعتان",
        "few": "{count} ساعات",
        "many": "{count} ساعة",
        "other": "{count} ساعة",
    },
    "hi": {"one": "{count} घंटा", "other": "{count} घंटे"},
}


def catalog_with(table: dict) -> Catalog:
    catalog = Catalog()
    catalog.add(table)
    return catalog


def conversation(language: str, catalog: Catalog) -> Conversation:
    return Conversation("+15550000001", language, catalog, idempotency_key="m1")


@pytest.mark.parametrize(
    "language, count, said",
    [
        ("en", 0, "0 hours"),
        ("en", 1, "1 hour"),
        ("en", 8, "8 hours"),
        ("es", 0, "0 horas"),
        ("es", 1, "1 hora"),
        ("fr", 0, "0 heure"),
        ("fr", 1, "1 heure"),
        ("fr", 2, "2 heures"),
        ("pt", 1, "1 hora"),
        ("pt", 5, "5 horas"),
        ("ar", 0, "لا ساعات"),
        ("ar", 1, "ساعة واحدة"),
        ("ar", 2, "ساعتان"),
        ("ar", 3, "3 ساعات"),
        ("ar", 8, "8 ساعات"),
        ("ar", 11, "11 ساعة"),
        ("ar", 99, "99 ساعة"),
        ("ar", 100, "100 ساعة"),
        ("ar", 103, "103 ساعات"),
        ("hi", 0, "0 घंटा"),
        ("hi", 1, "1 घंटा"),
        ("hi", 2, "2 घंटे"),
    ],
)
def test_a_count_takes_the_plural_form_its_language_uses(language, count, said):
    catalog = catalog_with({language: {"maintenance.hours": forms} for language, forms in HOURS.items()})
    assert conversation(language, catalog).tn("maintenance.hours", count) == said


def test_a_formatted_count_and_other_placeholders_are_filled_in():
    catalog = catalog_with({"en": {"orders.items": {"one": "{count} item in {order}", "other": "{count} items in {order}"}}})
    said = conversation("en", catalog).tn("orders.items", 1234, count="1,234", order="ORD-4411")
    assert said == "1,234 items in ORD-4411"


def test_a_language_without_the_plural_gets_english_by_english_rules_and_one_warning(caplog):
    catalog = catalog_with({"en": {"maintenance.hours": HOURS["en"]}})
    arabic = conversation("ar", catalog)
    with caplog.at_level(logging.WARNING, logger="gateway.conversation.catalog"):
        said = [arabic.tn("maintenance.hours", 2), arabic.tn("maintenance.hours", 1)]
    assert said == ["2 hours", "1 hour"]
    assert [record.getMessage() for record in caplog.records] == ["no ar string 'maintenance.hours': using English"]


def test_a_form_the_language_needs_but_lacks_is_reported_and_falls_back_to_its_other_form(caplog):
    without_few = {category: text for category, text in HOURS["ar"].items() if category != "few"}
    catalog = catalog_with({"en": {"maintenance.hours": HOURS["en"]}, "ar": {"maintenance.hours": without_few}})
    with caplog.at_level(logging.WARNING, logger="gateway.conversation.catalog"):
        said = conversation("ar", catalog).tn("maintenance.hours", 5)
    assert said == "5 ساعة"
    assert "maintenance.hours[few]" in caplog.text
    assert catalog.missing()["ar"] == {"maintenance.hours[few]"}


def test_french_needs_no_form_for_millions_but_uses_other_for_them(caplog):
    catalog = catalog_with({"en": {"maintenance.hours": HOURS["en"]}, "fr": {"maintenance.hours": HOURS["fr"]}})
    with caplog.at_level(logging.WARNING, logger="gateway.conversation.catalog"):
        said = conversation("fr", catalog).tn("maintenance.hours", 1_000_000)
    assert said == "1000000 heures"
    assert not caplog.records
    assert "fr" not in catalog.missing()


def test_a_misspelt_plural_category_is_refused():
    with pytest.raises(ValueError, match="several"):
        catalog_with({"en": {"maintenance.hours": {"one": "{count} hour", "several": "{count} hours"}}})


def test_a_missing_string_is_reported_and_warned_about_once(caplog):
    catalog = catalog_with({"en": {"core.cancelled": "Cancelled."}})
    with caplog.at_level(logging.WARNING, logger="gateway.conversation.catalog"):
        said = [catalog.text("core.cancelled", "hi") for _ in range(3)]
    assert said == ["Cancelled."] * 3
    assert len(caplog.records) == 1
    assert catalog.missing()["hi"] == {"core.cancelled"}


def test_plural_strings_are_told_apart_from_plain_ones():
    catalog = catalog_with({"en": {"maintenance.hours": HOURS["en"], "core.cancelled": "Cancelled."}})
    assert catalog.plural_keys() == {"maintenance.hours"}
