"""The templates operators edit at run time: saved with history, checked before saving, and
found in the best language available."""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.conversation.catalog import DEFAULT_LANGUAGE, LANGUAGES
from gateway.models import Provider
from gateway.ports.records import TemplateVersion
from gateway.ports.store import Store
from gateway.templates import TemplateError, check

DEFAULT = "default"
"""`saved_by` of a plugin's default template; anything else means an operator edited it."""


class ApprovedTemplate(BaseModel):
    """The template a provider approved that a stored one is sent as outside the 24-hour window:
    its parameters are keys of the notification's data, in the order the approved one numbers them."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    language: str | None = Field(default=None, description="the approved template's; the stored one's when left out")
    parameters: list[str] = Field(default_factory=list)


ProviderTemplates = dict[Provider, ApprovedTemplate]
"""A template's `provider_template`: an approved template per provider (twilio, meta, myoperator)."""


def stored_form(approved: ProviderTemplates | None) -> dict[str, Any] | None:
    """`provider_template` as the store keeps it: plain JSON, by provider name."""
    if approved is None:
        return None
    return {provider.value: mapping.model_dump(exclude_none=True) for provider, mapping in approved.items()}


class UnknownTemplate(LookupError):
    """No template by that name in any of the languages tried."""


class TemplateService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def save(
        self,
        name: str,
        language: str,
        body: str,
        *,
        category: str | None = None,
        provider_template: dict[str, Any] | None = None,
        saved_by: str = "operator",
    ) -> TemplateVersion:
        """Save a new version after checking the body parses; raises TemplateError."""
        if language not in LANGUAGES:
            raise TemplateError(f"language must be one of {', '.join(LANGUAGES)}")
        check(body)
        return await self._store.templates.save(
            name, language, body, category=category, provider_template=provider_template, saved_by=saved_by
        )

    async def load_defaults(self, defaults: Iterable[dict[str, Any]]) -> int:
        """Save plugins' defaults that are new or changed, never over an operator's edit."""
        saved = 0
        for default in defaults:
            latest = await self._store.templates.get(default["name"], default["language"])
            if latest is not None and (latest.saved_by != DEFAULT or latest.body == default["body"]):
                continue
            await self.save(
                default["name"],
                default["language"],
                default["body"],
                category=default.get("category"),
                provider_template=default.get("provider_template"),
                saved_by=DEFAULT,
            )
            saved += 1
        return saved

    async def resolve(self, name: str, languages: Iterable[str | None]) -> TemplateVersion:
        """The latest version in the first of `languages` it exists in, else in English."""
        tried = list(dict.fromkeys(language for language in (*languages, DEFAULT_LANGUAGE) if language))
        for language in tried:
            template = await self._store.templates.get(name, language)
            if template is not None:
                return template
        raise UnknownTemplate(f"no template {name!r} in {', '.join(tried)}")
