"""Every string the bot says, per language, extended by plugins; English fills any gap."""

import logging
import string
from collections.abc import Mapping
from functools import cache
from typing import Any

from babel import Locale
from babel.plural import PluralRule

log = logging.getLogger(__name__)

LANGUAGES = ("en", "es", "fr", "pt", "ar", "hi")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "pt": "Português", "ar": "العربية", "hi": "हिन्दी"}
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories; a plural string gives a text for each one its language uses."""
PLURAL_SAMPLES = range(1001)
"""The counts a plural string must read well for: a language's categories are the ones these
reach (French "many" is for millions only, so a French plural needs "one" and "other")."""

Text = str | Mapping[str, str]
"""A string in one language: a text, or a plural's texts by CLDR category."""


def plural_category(language: str, count: int) -> str:
    """The CLDR plural category of `count` in `language` ("one", "few", ...), by Babel's rules."""
    return _plural_rule(language)(count)


@cache
def _plural_rule(language: str) -> PluralRule:
    return Locale.parse(language).plural_form


@cache
def plural_categories(language: str) -> tuple[str, ...]:
    """The categories a plural string in `language` needs: English two, Arabic all six."""
    reached = {plural_category(language, count) for count in PLURAL_SAMPLES}
    return tuple(category for category in PLURAL_CATEGORIES if category in reached)


class Catalog:
    """Strings by language and key; a missing one falls back to English (with a warning, once),
    then to the key itself."""

    def __init__(self) -> None:
        self._strings: dict[str, dict[str, Text]] = {language: {} for language in LANGUAGES}
        self._warned: set[tuple[str, str]] = set()

    def add(self, strings: Mapping[str, Mapping[str, Text]]) -> None:
        """Merge strings given as {language: {key: text}}; unknown languages, unknown plural
        categories and plurals without an "other" form are refused."""
        for language, texts in strings.items():
            if language not in self._strings:
                raise ValueError(f"unsupported language {language!r}; the bot speaks {', '.join(LANGUAGES)}")
            for key, text in texts.items():
                if isinstance(text, Mapping):
                    _check_plural(key, language, text)
            self._strings[language].update(texts)

    def has(self, key: str) -> bool:
        """Whether `key` has a string in some language (else it would be shown as the key itself)."""
        return any(key in strings for strings in self._strings.values())

    def text(self, key: str, language: str, **params: Any) -> str:
        """The string `key` in `language` with `params` filled in."""
        _, template = self._template(key, language)
        if isinstance(template, Mapping):
            log.error("plural string %r used without a count", key)
            template = template["other"]
        return _filled(template, params)

    def plural(self, key: str, language: str, count: int, /, **params: Any) -> str:
        """The plural string `key` in `language` in the form `count` asks for there, with
        `count` (unless given in `params`, say formatted) and `params` filled in."""
        params.setdefault("count", count)
        chosen, template = self._template(key, language)
        if not isinstance(template, Mapping):
            log.error("string %r is not a plural", key)
            return _filled(template, params)
        category = plural_category(chosen, count)
        if not template.get(category):
            if category in plural_categories(chosen):
                self._warn_once(f"{key}[{category}]", chosen, "no %s form %r: using its 'other' form")
            category = "other"
        return _filled(template[category], params)

    def keys(self, language: str = DEFAULT_LANGUAGE) -> set[str]:
        return set(self._strings[language])

    def plural_keys(self) -> set[str]:
        """The keys whose English string is a plural, to be said with `plural`."""
        return {key for key, text in self._strings[DEFAULT_LANGUAGE].items() if isinstance(text, Mapping)}

    def missing(self) -> dict[str, set[str]]:
        """Keys English has that another language lacks, and plural strings lacking a form their
        language needs (as "key[category]"), by language."""
        gaps = {language: self.keys() - self.keys(language) for language in LANGUAGES}
        for language, texts in self._strings.items():
            for key, text in texts.items():
                if isinstance(text, Mapping):
                    needed = plural_categories(language)
                    gaps[language] |= {f"{key}[{category}]" for category in needed if not text.get(category)}
        return {language: keys for language, keys in gaps.items() if keys}

    def _template(self, key: str, language: str) -> tuple[str, Text]:
        """The string `key` and the language it is in: `language`'s, else English's."""
        own = self._strings.get(language, {}).get(key)
        if own:
            return language, own
        english = self._strings[DEFAULT_LANGUAGE].get(key)
        if english is None:
            log.error("no string %r in any language", key)
            return DEFAULT_LANGUAGE, key
        self._warn_once(key, language, "no %s string %r: using English")
        return DEFAULT_LANGUAGE, english

    def _warn_once(self, key: str, language: str, message: str) -> None:
        """Log a gap the first time a reply falls into it, not on every reply."""
        if (language, key) not in self._warned:
            self._warned.add((language, key))
            log.warning(message, language, key)


def _check_plural(key: str, language: str, forms: Mapping[str, str]) -> None:
    unknown = set(forms) - set(PLURAL_CATEGORIES)
    if unknown:
        raise ValueError(f"{key!r} in {language!r}: {sorted(unknown)} are not CLDR plural categories")
    if "other" not in forms:
        raise ValueError(f"{key!r} in {language!r} has no 'other' form, which every count may fall back to")


def _filled(template: str, params: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Lenient(params))


class _Lenient(dict):
    """Format parameters that leave an unknown placeholder as written instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
