"""The console's pages: the inbox (conversations by the attention they need) and a
conversation (its history, its state and actions, and the composer), each also served in
fragments that the page swaps in when the live stream says they changed."""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from gateway.appkeys import CONSOLE_WATCHER, HANDOVERS, MEDIA, READ_RECEIPTS, SETTINGS, STORE
from gateway.console import guard, history, listing, live
from gateway.console.rendering import render
from gateway.console.words import WORDS, conversation_path
from gateway.handover.card import ConversationCard, HandoverState
from gateway.handover.service import Handovers
from gateway.models import Provider
from gateway.phone import InvalidPhoneNumber, to_contact_id

routes = web.RouteTableDef()

SEARCHED = 1000
"""The most recently active conversations the inbox's search and filters look through."""
SHOWN = 200
"""Conversations the inbox lists at once; a search or filter narrows the rest down."""


@routes.get("")
async def inbox(request: web.Request) -> web.Response:
    """Every conversation, waiting ones first; search and filters in the query string."""
    return render(request, "inbox.html", await inbox_view(request))


@routes.get("/contacts/{contact}")
async def conversation(request: web.Request) -> web.Response:
    """One conversation beside the inbox; opening it marks it read."""
    contact = contact_of(request)
    await mark_read(request, contact)
    return render(request, "conversation.html", await inbox_view(request) | await conversation_view(request, contact))


@routes.get("/fragments/inbox")
async def inbox_fragment(request: web.Request) -> web.Response:
    return render(request, "_inbox_list.html", await inbox_view(request))


@routes.get("/fragments/contacts/{contact}/{part:card|messages|composer}")
async def conversation_fragment(request: web.Request) -> web.Response:
    contact = contact_of(request)
    part = request.match_info["part"]
    return render(request, f"_{part}.html", await conversation_view(request, contact))


@routes.get("/events")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: what changed, for the page to re-fetch (`?contact=` for an open conversation)."""
    contact = contact_of(request, request.query["contact"]) if request.query.get("contact") else None

    async def signed_in() -> bool:
        return await guard.live_session(request) is not None

    return await live.stream(request, request.config_dict[CONSOLE_WATCHER], contact, signed_in)


async def mark_read(request: web.Request, contact: str) -> None:
    """The operator has seen the conversation: its unread count clears, and the contact sees
    their messages read (blue ticks) where the provider allows."""
    handovers = request.config_dict[HANDOVERS]
    if (await handovers.card(contact)).unread:
        await handovers.mark_read(contact, guard.operator_of(request))
        await request.config_dict[READ_RECEIPTS].mark_read(contact)
        request.config_dict[CONSOLE_WATCHER].wake()


def contact_of(request: web.Request, raw: str | None = None) -> str:
    """The contact a console URL names; a 404 that says why when it names none."""
    try:
        return to_contact_id(raw if raw is not None else request.match_info["contact"])
    except InvalidPhoneNumber as error:
        raise web.HTTPNotFound(text=f"contact: {error}") from None


def inbox_query(request: web.Request) -> listing.InboxQuery:
    """The inbox's search and filters from the query string; a value the console never offers
    is a 400 naming the field."""
    query = request.query
    try:
        state = HandoverState(query["state"]) if query.get("state") else None
    except ValueError:
        raise web.HTTPBadRequest(text=f"state: must be one of {', '.join(HandoverState)}") from None
    try:
        provider = Provider(query["provider"]) if query.get("provider") else None
    except ValueError:
        raise web.HTTPBadRequest(text=f"provider: must be one of {', '.join(Provider)}") from None
    return listing.InboxQuery(query.get("q", "").strip()[:100], state, query.get("tag", "").strip(), provider)


async def inbox_view(request: web.Request) -> dict[str, Any]:
    """What the inbox list shows."""
    asked = inbox_query(request)
    cards = await request.config_dict[HANDOVERS].cards(limit=SEARCHED)
    matching = listing.shown(cards, asked)
    filters = {"q": asked.text, "state": asked.state or "", "tag": asked.tag, "provider": asked.provider or ""}
    return WORDS | {
        "cards": matching[:SHOWN],
        "more": len(matching) - SHOWN,
        "asked": asked,
        "filters": urlencode({key: value for key, value in filters.items() if value}),
        "tags": listing.tags_of(cards),
        "states": list(HandoverState),
        "providers": list(request.config_dict[SETTINGS].enabled_providers),
        "number": _numbers(request),
        "open_contact": _open_contact(request),
    }


async def conversation_view(request: web.Request, contact: str, **shown: Any) -> dict[str, Any]:
    """What the conversation's fragments show; `shown` adds an error next to a control and
    what the operator had typed."""
    handovers = request.config_dict[HANDOVERS]
    card: ConversationCard = await handovers.card(contact)
    try:
        messages = await history.read(
            request.config_dict[STORE].log, request.config_dict[MEDIA], contact, request.query.get("before")
        )
    except ValueError as error:
        raise web.HTTPBadRequest(text=f"before: {error}") from None
    in_window = handovers.in_window(card)
    return WORDS | {
        "card": card,
        "contact": contact,
        "path": conversation_path(contact),
        "fragments": "/console/fragments/contacts/" + quote(contact, safe=""),
        "history": messages,
        "in_window": in_window,
        "templates": [] if in_window else await offered_templates(handovers, card),
        "number": _numbers(request),
        "error": None,
        "typed": "",
    } | shown


async def offered_templates(handovers: Handovers, card: ConversationCard) -> list[dict[str, Any]]:
    """The approved templates the composer offers outside the window, each with the
    parameters it needs filled in."""
    provider = card.provider.value if card.provider else ""
    offered = []
    for template in await handovers.approved_templates(card.contact):
        mapping = (template.provider_template or {}).get(provider, {})
        offered.append(
            {"name": template.name, "language": template.language, "parameters": mapping.get("parameters", [])}
        )
    return offered


def _open_contact(request: web.Request) -> str | None:
    """The conversation open beside the inbox: the page's own, or the one a fragment names."""
    raw = request.match_info.get("contact") or request.query.get("open")
    return contact_of(request, raw) if raw else None


def _numbers(request: web.Request) -> Callable[[str], str]:
    """How the pages show a number: masked, unless the deployment shows them in full."""
    full = request.config_dict[SETTINGS].console_full_numbers
    return lambda contact: listing.number(contact, full)

