"""What a plugin declares, checked at start-up against WhatsApp's limits in every language the
bot speaks: a menu title too long for a list row would fail the main menu for everyone, and a
default template that does not parse would stop the gateway, so the plugin that declares it is
refused (its reason logged with its name) and the others run."""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gateway.conversation.catalog import LANGUAGES, Catalog
from gateway.conversation.flows import Flow, MenuEntry
from gateway.models import MAX_BODY_CHARS, MAX_BUTTON_TITLE_CHARS, MAX_BUTTONS
from gateway.notifications.template_service import ProviderTemplates
from gateway.plugins import PluginHost
from gateway.templates import TemplateError, check
from gateway.validation import problems as field_problems

MAX_ROW_TITLE_CHARS = 24
"""A list row's title, which menu entries, groups and a long step's choices are shown as."""


class DefaultTemplate(BaseModel):
    """One of the templates `register_templates` returns, as the store keeps and the queue sends it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    language: str
    body: str
    category: str | None = None
    provider_template: ProviderTemplates | None = None

    @field_validator("language")
    @classmethod
    def _spoken(cls, language: str) -> str:
        if language not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return language

    @field_validator("body")
    @classmethod
    def _sendable(cls, body: str) -> str:
        if len(body) > MAX_BODY_CHARS:
            raise ValueError(f"{len(body)} characters, over WhatsApp's {MAX_BODY_CHARS}")
        try:
            check(body)
        except TemplateError as error:
            raise ValueError(str(error)) from None
        return body


async def default_templates(host: PluginHost) -> list[dict[str, Any]]:
    """Every plugin's default templates; a plugin with one that could not be stored or sent is
    refused, and none of its templates kept."""
    defaults = []
    for plugin, templates in await host.collect("register_templates"):
        if refused := template_problems(templates):
            host.refuse(plugin, refused)
        else:
            defaults += templates
    return defaults


def template_problems(templates: object) -> list[str]:
    """Why these default templates could not be stored or sent, one reason per string naming
    the template and language; empty when all are fine."""
    if not isinstance(templates, list):
        return [f"register_templates returned {type(templates).__name__}, not a list of templates"]
    found = []
    for index, template in enumerate(templates):
        try:
            DefaultTemplate.model_validate(template)
        except ValidationError as error:
            found += [f"{_named(template, index)}: {line}" for line in field_problems(error)]
    return found


def _named(template: object, index: int) -> str:
    if isinstance(template, dict) and isinstance(template.get("name"), str):
        return f"template {template['name']} ({template.get('language')})"
    return f"template #{index + 1}"


def problems(entries: Iterable[MenuEntry], flows: Iterable[Flow], catalog: Catalog) -> list[str]:
    """Why WhatsApp would refuse what these menu entries and forms show, or a contact would read
    a bare key, one reason per string naming the key and language; empty when every language fits."""
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
    English's problem. A key with no string at all would be shown to contacts as the key."""
    if not catalog.has(key):
        return [f"{where}: {key!r} has no string in any language (register_translations gives none)"]
    found, english = [], catalog.text(key, LANGUAGES[0])
    for language in LANGUAGES:
        text = catalog.text(key, language)
        if len(text) > limit and (language == LANGUAGES[0] or text != english):
            found.append(f"{where}: {key!r} in {language} is {len(text)} characters, over WhatsApp's {limit}")
    return found
