"""Contacts' preferences and the roles notifications go to, under /api/v1/contacts and /roles."""

from collections.abc import Callable
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from aiohttp import web
from babel.localedata import locale_identifiers
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from gateway.admin.api import (
    Api,
    Query,
    after_cursor,
    answer,
    body_of,
    field_error,
    invalid_field,
    name_cursor,
    query_of,
)
from gateway.appkeys import HANDOVERS, READ_RECEIPTS, STORE
from gateway.conversation.access import STAFF_ROLES
from gateway.conversation.locality import known_locale, known_time_zone
from gateway.models import ContactId, Provider
from gateway.notifications.events import MAX_RECIPIENTS
from gateway.notifications.notifier import ROLE_PREFIX, role_key
from gateway.phone import InvalidPhoneNumber, mask, to_contact_id

Language = Literal["en", "es", "fr", "pt", "ar", "hi"]


def _listed(names: list[str], check: Callable[[str], str]) -> Any:
    """A name from `names`, published as their enum; `check` says what is expected otherwise."""
    known = frozenset(names)

    def listed(name: str) -> str:
        if name not in known:
            check(name)
            raise ValueError(f"{name} is another name for one listed in the OpenAPI document; use that one")
        return name

    return (AfterValidator(listed), WithJsonSchema({"type": "string", "enum": names}))


TimeZone = Annotated[str, *_listed(sorted(available_timezones()), known_time_zone)]
"""An IANA time zone by its canonical name (Asia/Kolkata), as zoneinfo lists them."""
LocaleName = Annotated[str, *_listed(sorted(locale_identifiers()), known_locale)]
"""A locale as Babel names it (es_MX, hi_IN)."""
ADMIN_OPERATOR = "admin API"
"""Who blocked a contact through the API, in the log and on events."""


class ContactChanges(BaseModel):
    """Fields to change; null removes one."""

    model_config = ConfigDict(extra="forbid")
    language: Language | None = None
    time_zone: TimeZone | None = Field(
        default=None, description="IANA zone the contact reads times in; null: their number's country's"
    )
    locale: LocaleName | None = Field(
        default=None, description="locale whose territory writes their dates and numbers (es_MX); null: their number's"
    )
    provider: Provider | None = None
    opted_out: bool | None = None
    opted_out_categories: list[str] | None = None
    blocked: bool | None = Field(
        default=None, description="a blocked contact's messages are kept, never answered; nothing is sent to them"
    )


class ContactPage(Query):
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, description="the previous page's next_cursor")
    after: str | None = Field(
        default=None,
        description="deprecated, removed in the next release: use cursor",
        json_schema_extra={"deprecated": True},
    )


class ContactsListed(BaseModel):
    contacts: list[dict[str, Any]] = Field(description="each contact's id (`contact`) and settings")
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last")


class RolePage(Query):
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, description="the previous page's next_cursor")


class RoleHeld(BaseModel):
    role: str
    members: list[str]


class RolesListed(BaseModel):
    roles: list[RoleHeld]
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last")


class RoleMembers(BaseModel):
    members: list[ContactId] = Field(max_length=MAX_RECIPIENTS)


def _contact(request: web.Request) -> str:
    try:
        return to_contact_id(request.match_info["phone"])
    except InvalidPhoneNumber as error:
        raise invalid_field("phone", str(error)) from None


def declare(api: Api) -> None:
    @api.route(
        "GET",
        "/contacts",
        "Contacts with settings, in order, page by page",
        query=ContactPage,
        answers={200: "a page of contacts and the cursor of the next one", 400: "a cursor this gateway did not issue"},
        returns=ContactsListed,
    )
    async def listing(request: web.Request) -> web.Response:
        page = query_of(request, ContactPage)
        after = after_cursor(page.cursor) if page.cursor is not None else page.after
        contacts = await request.config_dict[STORE].settings.contacts(page.limit, after)
        more = len(contacts) == page.limit
        return answer(
            {
                "contacts": [{"contact": c.contact} | c.values for c in contacts],
                "next_cursor": name_cursor(contacts[-1].contact) if more else None,
            }
        )

    @api.route(
        "GET",
        "/contacts/{phone}",
        "One contact's settings (language, provider, opt-outs, last inbound)",
        answers={200: "the contact's settings", 422: "not a phone number"},
    )
    async def one(request: web.Request) -> web.Response:
        contact = _contact(request)
        return answer({"contact": contact} | (await request.config_dict[STORE].settings.contact(contact)).values)

    @api.route(
        "PATCH",
        "/contacts/{phone}",
        "Change a contact's language, time zone, locale, provider, opt-outs or whether they are blocked",
        body=ContactChanges,
        answers={200: "the contact's settings as changed"},
    )
    async def update(request: web.Request) -> web.Response:
        contact, changes = _contact(request), await body_of(request, ContactChanges)
        values = changes.model_dump(mode="json", exclude_unset=True)
        if "blocked" in values:
            await request.config_dict[HANDOVERS].set_blocked(contact, bool(values.pop("blocked")), ADMIN_OPERATOR)
        updated = await request.config_dict[STORE].settings.update_contact(contact, values)
        return answer({"contact": contact} | updated.values)

    @api.route(
        "POST",
        "/contacts/{phone}/read",
        "Show the contact their latest message as read (blue ticks), where the provider's API allows it",
        answers={
            200: "the receipt's outcome: sent, unsupported (the provider has no API for it) or failed (logged)",
            404: "no message from this contact",
            422: "not a phone number",
        },
    )
    async def read(request: web.Request) -> web.Response:
        contact = _contact(request)
        outcome = await request.config_dict[READ_RECEIPTS].mark_read(contact)
        if outcome is None:
            problem = f"no message from {mask(contact)} to mark read"
            raise field_error(web.HTTPNotFound, f"phone: {problem}", [{"path": "phone", "message": problem}])
        return answer({"contact": contact, "outcome": outcome.value})

    @api.route(
        "GET",
        "/roles",
        "Every role and who holds it: each role ever set, and the staff roles even while empty",
        query=RolePage,
        answers={200: "a page of roles with their members, by role name", 400: "a cursor this gateway did not issue"},
        returns=RolesListed,
    )
    async def roles(request: web.Request) -> web.Response:
        page = query_of(request, RolePage)
        stored = await request.config_dict[STORE].settings.starting_with(ROLE_PREFIX)
        held = {key.removeprefix(ROLE_PREFIX): members for key, members in stored.items()}
        everyone = {role: [] for role in STAFF_ROLES} | held
        after = after_cursor(page.cursor) if page.cursor is not None else ""
        names = [role for role in sorted(everyone) if role > after]
        shown, more = names[: page.limit], len(names) > page.limit
        return answer(
            {
                "roles": [{"role": role, "members": everyone[role]} for role in shown],
                "next_cursor": name_cursor(shown[-1]) if more else None,
            }
        )

    @api.route("GET", "/roles/{role}", "Who holds a role (staff, supervisors, quality, …)")
    async def role(request: web.Request) -> web.Response:
        members = await request.config_dict[STORE].settings.get(role_key(request.match_info["role"])) or []
        return answer({"role": request.match_info["role"], "members": members})

    @api.route("PUT", "/roles/{role}", "Set who holds a role", body=RoleMembers)
    async def set_role(request: web.Request) -> web.Response:
        given = await body_of(request, RoleMembers)
        members = list(dict.fromkeys(given.members))
        await request.config_dict[STORE].settings.set(role_key(request.match_info["role"]), members)
        return answer({"role": request.match_info["role"], "members": members})
