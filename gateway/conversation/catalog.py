"""Every string the bot says, per language, extended by plugins; English fills any gap."""

import logging
import string
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

LANGUAGES = ("en", "es", "fr", "pt", "ar", "hi")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "pt": "Português", "ar": "العربية", "hi": "हिन्दी"}


def by_language(table: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    """Strings written key by key, one text per language in LANGUAGES order, turned into
    {language: {key: text}}; a key without every language is refused at import."""
    incomplete = [key for key, texts in table.items() if len(texts) != len(LANGUAGES)]
    if incomplete:
        raise ValueError(f"strings need {len(LANGUAGES)} languages ({', '.join(LANGUAGES)}): {incomplete}")
    return {language: {key: texts[index] for key, texts in table.items()} for index, language in enumerate(LANGUAGES)}


class Catalog:
    """Strings by language and key; `text` falls back to English, then to the key itself."""

    def __init__(self) -> None:
        self._strings: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}

    def add(self, strings: Mapping[str, Mapping[str, str]]) -> None:
        """Merge strings given as {language: {key: text}}; unknown languages are refused."""
        for language, texts in strings.items():
            if language not in self._strings:
                raise ValueError(f"unsupported language {language!r}; the bot speaks {', '.join(LANGUAGES)}")
            self._strings[language].update(texts)

    def text(self, key: str, language: str, **params: Any) -> str:
        template = self._strings.get(language, {}).get(key) or self._strings[DEFAULT_LANGUAGE].get(key)
        if template is None:
            log.error("no string %r in any language", key)
            return key
        return string.Formatter().vformat(template, (), _Lenient(params))

    def keys(self, language: str = DEFAULT_LANGUAGE) -> set[str]:
        return set(self._strings[language])

    def missing(self) -> dict[str, set[str]]:
        """Keys English has that another language lacks, by language."""
        english = self.keys()
        gaps = {language: english - self.keys(language) for language in LANGUAGES}
        return {language: keys for language, keys in gaps.items() if keys}


class _Lenient(dict):
    """Format parameters that leave an unknown placeholder as written instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
