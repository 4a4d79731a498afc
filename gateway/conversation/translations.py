"""A translation domain's gettext files read into catalog strings: the .pot holds the English
source (msgctxt is the key code uses, msgid the English text), each language's .po its
translations; read with Babel at start, so there is no compile step and no binary in the tree."""

import gettext
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from gateway.conversation.catalog import DEFAULT_LANGUAGE, LANGUAGES, PLURAL_SAMPLES, Text, plural_category

MILLIONS = (1_000_000, 2_000_000)
"""Counts that reach the "many" form Spanish, French and Portuguese keep for millions."""


@dataclass(frozen=True)
class TranslationDomain:
    """Where one domain's catalogs live: `folder/<name>.pot` and `folder/<lang>/LC_MESSAGES/<name>.po`."""

    name: str
    folder: Path

    @property
    def template(self) -> Path:
        return self.folder / f"{self.name}.pot"

    def po_file(self, language: str) -> Path:
        return self.folder / language / "LC_MESSAGES" / f"{self.name}.po"


def read_domain(domain: TranslationDomain) -> dict[str, dict[str, Text]]:
    """The domain's strings as {language: {key: text}}: English from the .pot, every other
    language from its .po, leaving out what is untranslated or fuzzy (English fills those)."""
    translated = tuple(
        (language, domain.po_file(language).read_bytes())
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE and domain.po_file(language).exists()
    )
    return _parsed(domain.name, domain.template.read_bytes(), translated)


@lru_cache(maxsize=64)
def _parsed(name: str, template: bytes, translated: tuple[tuple[str, bytes], ...]) -> dict[str, dict[str, Text]]:
    """Parsed once per process for the same files: a test run starts hundreds of gateways."""
    strings = {DEFAULT_LANGUAGE: {key: _english(message) for key, message in _keyed(_read(template, name))}}
    for language, po in translated:
        strings[language] = _translated(_read(po, name, language), language)
    return strings


@cache
def plural_indices(language: str, plural_expr: str) -> dict[str, int]:
    """Which msgstr[index] holds each CLDR category, found by counting through the file's own
    Plural-Forms expression: the index most of a category's counts get (the lower on a tie),
    so a .po whose tool wrote another order or fewer forms ("(n != 1)" for Hindi) still maps."""
    index_of = gettext.c2py(plural_expr)
    votes: dict[str, Counter[int]] = defaultdict(Counter)
    for count in (*PLURAL_SAMPLES, *MILLIONS):
        votes[plural_category(language, count)][index_of(count)] += 1
    return {category: min(counted, key=lambda index: (-counted[index], index)) for category, counted in votes.items()}


def _read(content: bytes, domain: str, language: str | None = None) -> PoCatalog:
    return read_po(BytesIO(content), locale=language, domain=domain)


def _keyed(catalog: PoCatalog) -> list[tuple[str, Message]]:
    """The catalog's messages by key (msgctxt); one without a key is not ours and is refused."""
    messages = [message for message in catalog if message.id]
    unkeyed = [message.id for message in messages if not message.context]
    if unkeyed:
        raise ValueError(f"messages without a msgctxt key in {catalog.domain}: {unkeyed[:3]}")
    return [(message.context, message) for message in messages]


def _english(message: Message) -> Text:
    if message.pluralizable:
        one, other = message.id
        return {"one": one, "other": other}
    return message.id


def _translated(catalog: PoCatalog, language: str) -> dict[str, Text]:
    indices = plural_indices(language, catalog.plural_expr)
    strings: dict[str, Text] = {}
    for key, message in _keyed(catalog):
        if message.fuzzy:
            continue
        if message.pluralizable:
            forms = _forms(message.string, indices)
            if forms:
                strings[key] = forms
        elif message.string:
            strings[key] = message.string
    return strings


def _forms(texts: tuple[str, ...] | str, indices: Mapping[str, int]) -> dict[str, str]:
    """A plural's translations by category, leaving out forms not written yet; none at all
    without its "other" form, which every count may fall back to."""
    texts = (texts,) if isinstance(texts, str) else texts
    forms = {category: texts[index] for category, index in indices.items() if index < len(texts) and texts[index]}
    return forms if "other" in forms else {}


def plugin_strings(
    translations: list[TranslationDomain] | Mapping[str, Mapping[str, Text]],
) -> list[Mapping[str, Mapping[str, Text]]]:
    """What a plugin's register_translations gave, as {language: {key: text}} tables: its
    domains read from their folders, or the strings it returned as they are."""
    if isinstance(translations, Mapping):
        return [translations]
    return [read_domain(domain) for domain in translations]
