"""Runtime-editable templates under /api/v1/templates: list, read, save, preview, versions, roll back."""

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from gateway.admin.api import Api, Query, after_key, answer, body_of, invalid_field, key_cursor, query_of
from gateway.appkeys import SETTINGS, STORE, TEMPLATES
from gateway.conversation.catalog import LANGUAGES
from gateway.notifications.previews import Unrenderable, preview_text
from gateway.notifications.template_service import ProviderTemplates, stored_form
from gateway.ports.records import TemplateVersion
from gateway.ports.store import NotFound
from gateway.templates import TemplateError


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is refused, not ignored

    body: str = Field(min_length=1, max_length=4096)
    category: str | None = None
    provider_template: ProviderTemplates | None = Field(
        default=None,
        description="per provider, the approved template to use outside the 24-hour window: "
        '{"meta": {"name", "language", "parameters": [context keys in order]}}',
    )


class Preview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    context: dict[str, Any] = Field(default_factory=dict)


class TemplatePage(Query):
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, description="the previous page's next_cursor")


class TemplatesListed(BaseModel):
    templates: list[dict[str, Any]] = Field(description="the latest version of each template, by name and language")
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last")


class Rollback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)


def template_json(template: TemplateVersion) -> dict[str, Any]:
    return {
        "name": template.name,
        "language": template.language,
        "version": template.version,
        "body": template.body,
        "category": template.category,
        "provider_template": template.provider_template,
        "saved_by": template.saved_by,
        "saved_at": template.saved_at,
    }


async def _latest(request: web.Request) -> TemplateVersion:
    name, language = request.match_info["name"], request.match_info["language"]
    template = await request.config_dict[STORE].templates.get(name, language)
    if template is None:
        raise web.HTTPNotFound(text=f"no template {name} in {language}")
    return template


def _language(request: web.Request) -> str:
    language = request.match_info["language"]
    if language not in LANGUAGES:
        raise invalid_field("language", f"{language} is not one of {', '.join(LANGUAGES)}")
    return language


def declare(api: Api) -> None:
    @api.route(
        "GET",
        "/templates",
        "The latest version of every template, by name and language, page by page",
        query=TemplatePage,
        answers={200: "a page of templates and the cursor of the next one", 400: "a cursor this gateway did not issue"},
        returns=TemplatesListed,
    )
    async def listing(request: web.Request) -> web.Response:
        page = query_of(request, TemplatePage)
        name, language = after_key(page.cursor, 2) if page.cursor is not None else ("", "")
        found = await request.config_dict[STORE].templates.page(page.limit + 1, (name, language))
        shown = found[: page.limit]
        return answer(
            {
                "templates": [template_json(t) for t in shown],
                "next_cursor": key_cursor(shown[-1].name, shown[-1].language) if len(found) > page.limit else None,
            }
        )

    @api.route(
        "GET",
        "/templates/{name}/{language}",
        "One template's latest version",
        answers={200: "the template", 404: "none"},
    )
    async def one(request: web.Request) -> web.Response:
        return answer(template_json(await _latest(request)))

    @api.route(
        "PUT",
        "/templates/{name}/{language}",
        "Save a new version; a syntax error is refused with its line",
        body=TemplateBody,
    )
    async def save(request: web.Request) -> web.Response:
        language, given = _language(request), await body_of(request, TemplateBody)
        try:
            saved = await request.config_dict[TEMPLATES].save(
                request.match_info["name"],
                language,
                given.body,
                category=given.category,
                provider_template=stored_form(given.provider_template),
            )
        except TemplateError as error:
            raise invalid_field("body", str(error)) from None
        return answer(template_json(saved))

    @api.route(
        "POST",
        "/templates/{name}/{language}/preview",
        "Render the latest version with a sample context (the deployment's currency unless it gives one)",
        body=Preview,
        answers={200: "the text", 422: "a value the template cannot render, named by its path (context.amount)"},
    )
    async def preview(request: web.Request) -> web.Response:
        template, sample = await _latest(request), await body_of(request, Preview)
        store, settings = request.config_dict[STORE], request.config_dict[SETTINGS]
        try:
            text = await preview_text(template, sample.context, store, settings.locality)
        except Unrenderable as error:
            raise invalid_field(error.path("context"), error.reason) from None
        return answer({"text": text, "version": template.version})

    @api.route("GET", "/templates/{name}/{language}/versions", "Every version, newest first")
    async def versions(request: web.Request) -> web.Response:
        found = await request.config_dict[STORE].templates.versions(
            request.match_info["name"], request.match_info["language"]
        )
        if not found:
            raise web.HTTPNotFound(text=f"no template {request.match_info['name']} in {request.match_info['language']}")
        return answer([template_json(t) for t in found])

    @api.route(
        "POST", "/templates/{name}/{language}/rollback", "Make an earlier version the newest again", body=Rollback
    )
    async def rollback(request: web.Request) -> web.Response:
        wanted = await body_of(request, Rollback)
        try:
            restored = await request.config_dict[STORE].templates.rollback(
                request.match_info["name"], request.match_info["language"], wanted.version
            )
        except NotFound as error:
            raise web.HTTPNotFound(text=str(error)) from None
        return answer(template_json(restored))
