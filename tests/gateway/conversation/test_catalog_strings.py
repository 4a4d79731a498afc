"""Every string the bot says (core, handover, help and each built-in plugin's), and every default
notification template, rendered in every language with sample values and read as an editor
would: no English left in a translation, every placeholder filled, bold and italic markers
never touching a letter (WhatsApp then shows the asterisks), Arabic titles starting right to left
(bodies are marked by the queue worker as they are sent: test_bidi.py),
plural forms for every category a language needs. Strings are read through the Catalog the
running gateway builds, so the test holds whatever the catalogs are stored in."""

import re
import unicodedata
from collections.abc import Iterator

import pytest

from gateway.appkeys import ENGINE
from gateway.conversation.catalog import DEFAULT_LANGUAGE, LANGUAGES, Catalog
from gateway.templates import render
from plugins.billing import templates as billing_templates
from plugins.billing.plugin import BillingPlugin
from plugins.defects import templates as defects_templates
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance import templates as maintenance_templates
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders import templates as orders_templates
from plugins.orders.plugin import OrdersPlugin

TRANSLATIONS = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
SAMPLES: dict[str, str | int] = {
    "ago": "3:00",
    "amount": "₹1,860.00",
    "bom": "BOM-7",
    "category": "〈category〉",
    "count": 3,
    "date": "24/12/2026",
    "day": "05/01/2026",
    "days": "〈90 days〉",
    "deadline": "05/01/2026 17:00",
    "due": "10/01/2026",
    "failure": "DEF-000001",
    "form": "〈form〉",
    "hours": "〈8 hours〉",
    "issue": "〈issue〉",
    "job": "4411",
    "kinds": "〈kinds〉",
    "left": "5:00",
    "limit": "〈5 megabytes〉",
    "line": "L-1",
    "machine": "CNC-01",
    "minutes": "〈12 minutes〉",
    "name": "Asha",
    "notes": "〈notes〉",
    "order": "4411",
    "percent": 60,
    "previous": "〈language〉",
    "product": "GH-200",
    "quality": "98.5",
    "quantity": 500,
    "reference": "MAINT-000045",
    "schedule": "〈schedule〉",
    "severity": "〈severity〉",
    "share": "25%",
    "sla": "〈sla〉",
    "sop": "SOP-101",
    "status": "〈status〉",
    "steps": "1. 〈step〉\n2. 〈step〉",
    "text": "〈text〉",
    "source_language": "〈source language〉",
    "time": "07:00",
    "title": "〈title〉",
    "type": "〈type〉",
    "urgency": "〈urgency〉",
    "when": "〈when〉",
}
"""A sample value for each placeholder: codes, numbers and names, which read the same in every
language, or a marked stand-in for a text the caller translates (a count of hours is a plural
string of its own)."""
COUNTED = re.compile(r"\{(\w+)\}[ \u00a0]?[^\W\d_]")
"""A number placeholder followed by a word: "{hours} ساعة" must be a plural string."""
PERIODS = {
    "en": "October 2026",
    "es": "octubre de 2026",
    "fr": "octobre 2026",
    "pt": "outubro de 2026",
    "ar": "أكتوبر 2026",
    "hi": "अक्तूबर 2026",
}
"""{period} is a month in the contact's language: where French must elide ("d'octobre")."""
SHARED_WORDS = {
    "es": {"no", "bot", "menú", "ticket", "software", "dimensional", "error", "describe", "sticker", "stickers"},
    "fr": {"menu", "options", "bot", "ticket", "machine", "notifications", "minutes", "instant", "question",
           "conversation", "statut", "commande", "date", "dates", "type", "mécanique", "client", "production",
           "stop", "message", "signaler", "transport", "service", "maintenance", "surface", "option", "minute",
           "photo", "photos", "audio"},
    "pt": {"menu", "bot", "status", "software", "dimensional", "hidráulica", "jan"},
    "ar": set(),
    "hi": {"am", "pm"},
}  # fmt: skip
"""Words a translation shares with English that are its own: French "menu", Portuguese "status";
Hindi times say "am" and "pm" as Babel's locale data writes them."""
CODES = {"SLA", "SOP", "BOM", "CNC", "MAINT", "DEF", "PRB", "GH", "Ra", "INR", "L", "PDF"}
"""Business codes and units, written the same in every language."""
ELISION = re.compile(r"(?<![\w-])(de|que|je|ne|le|la|se|ce|me|te) [aeiouyéèêàâîôûœ]", re.IGNORECASE)
"""French words that elide before a vowel ("d'octobre"), unless after a hyphen ("Décrivez-le en")."""
MARKED = re.compile(r"([*_~])[^*_~\n]+?\1")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TEMPLATE_MODULES = (billing_templates, defects_templates, maintenance_templates, orders_templates)


@pytest.fixture
async def catalog(make_gateway) -> Catalog:
    client = await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()])
    return client.app[ENGINE].catalog


def rendered(catalog: Catalog, key: str, language: str) -> list[str]:
    """The string in `language` with sample values: a plural string once per count that picks a
    different form, so every form is read."""
    values = SAMPLES | {"period": PERIODS[language]}
    if not _is_plural(catalog, key):
        return [catalog.text(key, language, **values)]
    return [catalog.plural(key, language, count, **values) for count in (0, 1, 2, 3, 11, 100, 1_000_000)]


def _is_plural(catalog: Catalog, key: str) -> bool:
    return key in catalog.plural_keys()


def placeholders(catalog: Catalog, key: str) -> set[str]:
    """The placeholders of the English string, read by rendering it with none given."""
    texts = [catalog.text(key, DEFAULT_LANGUAGE)] if not _is_plural(catalog, key) else []
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def every_string(catalog: Catalog) -> Iterator[tuple[str, str, str]]:
    for key in sorted(catalog.keys()):
        for language in LANGUAGES:
            for text in rendered(catalog, key, language):
                yield key, language, text


async def every_template() -> list[tuple[str, str, str]]:
    """Each default notification template rendered with its sample event, the event's own words
    (a product, an offer, a name, sent as the business wrote them) taken out."""
    found = []
    for module in TEMPLATE_MODULES:
        for template in module.TEMPLATES:
            context = module.SAMPLE_CONTEXT[template["name"]]
            text = await render(template["body"], context, template["language"])
            for value in sorted((str(v) for v in context.values() if isinstance(v, str)), key=len, reverse=True):
                text = text.replace(value, "…")
            found.append((f"template {template['name']}", template["language"], text))
    return found


def leftover_english(text: str, english: str, language: str) -> list[str]:
    """Words of `text` that are English: in Arabic and Hindi any Latin word but a code; in the
    other languages a word the English text has too, unless the language shares it."""
    words = set(re.findall(r"[^\W\d_]+", _without_samples(text, language)))
    if language in ("ar", "hi"):
        return sorted(word for word in words if _latin(word) and word not in CODES | SHARED_WORDS[language])
    english_words = {word.casefold() for word in re.findall(r"[^\W\d_]+", _without_samples(english, "en"))}
    return sorted(
        word
        for word in words
        if word.casefold() in english_words
        and word not in CODES
        and word.casefold() not in SHARED_WORDS[language]
        and len(word) > 1
    )


def _without_samples(text: str, language: str) -> str:
    for value in sorted(map(str, [*SAMPLES.values(), PERIODS[language]]), key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def _latin(word: str) -> bool:
    return all(unicodedata.name(character, "").startswith("LATIN") for character in word)


def markers_touching_letters(text: str) -> list[str]:
    """Bold, italic or strike spans with a letter right outside them: `و*رجوع*` shows asterisks."""
    touching = []
    for span in MARKED.finditer(text):
        before = text[span.start() - 1] if span.start() else " "
        after = text[span.end()] if span.end() < len(text) else " "
        if _letter(before) or _letter(after):
            touching.append(text[max(0, span.start() - 2) : span.end() + 2])
    return touching


def _letter(character: str) -> bool:
    return unicodedata.category(character)[0] in "LM"


def _starts_right_to_left(line: str) -> bool:
    strong = next((c for c in line if unicodedata.bidirectional(c) in ("L", "R", "AL")), None)
    return strong is not None and unicodedata.bidirectional(strong) in ("R", "AL")


def report(found: list[tuple[str, ...]]) -> str:
    return "\n".join(" | ".join(map(str, item)) for item in found)


async def test_no_translation_keeps_english_words(catalog):
    found = []
    for key, language, text in every_string(catalog):
        if language != DEFAULT_LANGUAGE:
            english = " ".join(rendered(catalog, key, DEFAULT_LANGUAGE))
            found += [(key, language, word) for word in leftover_english(text, english, language)]
    assert not found, report(found)


async def test_no_default_template_keeps_english_words():
    templates = await every_template()
    english = {key: text for key, language, text in templates if language == DEFAULT_LANGUAGE}
    found = [
        (key, language, word)
        for key, language, text in templates
        if language != DEFAULT_LANGUAGE
        for word in leftover_english(text, english[key], language)
    ]
    assert not found, report(found)


async def test_every_placeholder_of_the_english_string_is_in_every_translation_and_filled(catalog):
    found = []
    for key in sorted(catalog.keys()):
        expected = placeholders(catalog, key)
        for language in LANGUAGES:
            if not _is_plural(catalog, key):
                raw = catalog.text(key, language)
                found += [(key, language, f"lacks {{{name}}}") for name in expected - set(PLACEHOLDER.findall(raw))]
            found += [(key, language, text) for text in rendered(catalog, key, language) if PLACEHOLDER.search(text)]
    assert not found, report(found)


async def test_a_number_of_things_is_said_with_a_plural_string(catalog):
    found = [
        (key, language, f"{{{name}}}")
        for key in sorted(catalog.keys() - catalog.plural_keys())
        for language in LANGUAGES
        for name in COUNTED.findall(catalog.text(key, language))
        if isinstance(SAMPLES.get(name), int)
    ]
    assert not found, report(found)


async def test_bold_and_italic_never_touch_a_letter(catalog):
    texts = [*every_string(catalog), *await every_template()]
    found = [(key, language, span) for key, language, text in texts for span in markers_touching_letters(text)]
    assert not found, report(found)


async def test_french_elides_before_a_vowel(catalog):
    texts = [*every_string(catalog), *await every_template()]
    found = [(key, m.group(0)) for key, language, text in texts if language == "fr" for m in ELISION.finditer(text)]
    assert not found, report(found)


async def test_arabic_titles_start_with_an_arabic_letter(make_gateway):
    """Button and list titles go out unmarked (each is shown on its own), so an Arabic title must
    start right to left by itself."""
    client = await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()])
    engine = client.app[ENGINE]
    titles = {key for _, entry in engine.entries for key in (entry.title, entry.group)}
    titles |= {choice.title for _, flow in engine.flows.values() for step in flow.steps for choice in step.choices}
    titles |= {"core.menu.button", "core.group.button", "core.language.button"}
    left_to_right = [key for key in sorted(titles) if not _starts_right_to_left(engine.catalog.text(key, "ar"))]
    assert not left_to_right


async def test_every_plural_string_has_every_form_its_language_needs(catalog):
    assert not catalog.missing()
