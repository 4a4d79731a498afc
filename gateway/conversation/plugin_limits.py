"""What a plugin declares, checked at start-up against WhatsApp's limits in every language the
bot speaks: a menu title too long for a list row would fail the main menu for everyone, so the
plugin that declares it is refused (its reason logged with its name) and the others run."""

from collections.abc import Iterable

from gateway.conversation.catalog import LANGUAGES, Catalog
from gateway.conversation.flows import Flow, MenuEntry
from gateway.models import MAX_BODY_CHARS, MAX_BUTTON_TITLE_CHARS, MAX_BUTTONS

MAX_ROW_TITLE_CHARS = 24
"""A list row's title, which menu entries, groups and a long step's choices are shown as."""


def problems(entries: Iterable[MenuEntry], flows: Iterable[Flow], catalog: Catalog) -> list[str]:
    """Why WhatsApp would refuse what these menu entries and forms show, one reason per string
    naming the key and language; empty when every language fits."""
    found = []
    for entry in entries:
        for key in (entry.title, entry.group):
            found += _too_long(catalog, key, MAX_ROW_TITLE_CHARS, f"menu entry {entry.id}")
    for flow in flows:
        for step in flow.steps:
            where = f"form {flow.id}, step {step.name}"
            found += _too_long(catalog, step.prompt, MAX_BODY_CHARS, where)
            limit = MAX_BUTTON_TITLE_CHARS if len(step.choices) <= MAX_BUTTONS else MAX_ROW_TITLE_CHARS
            for choice in step.choices:
                found += _too_long(catalog, choice.title, limit, where)
    return list(dict.fromkeys(found))


def _too_long(catalog: Catalog, key: str, limit: int, where: str) -> list[str]:
    """The languages `key` is too long in, each once: a language that falls back to English is
    English's problem."""
    found, english = [], catalog.text(key, LANGUAGES[0])
    for language in LANGUAGES:
        text = catalog.text(key, language)
        if len(text) > limit and (language == LANGUAGES[0] or text != english):
            found.append(f"{where}: {key!r} in {language} is {len(text)} characters, over WhatsApp's {limit}")
    return found
