"""Handovers to people, under /api/v1/handovers: list them by state, look at one with its
events, request one, and take, hand back or close it in an operator's name. Operators reply
through POST /api/v1/messages with `sent_by`."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from gateway.admin.api import (
    Api,
    Query,
    after_key,
    answer,
    body_of,
    field_error,
    invalid_field,
    key_cursor,
    query_of,
    unknown_cursor,
)
from gateway.appkeys import HANDOVERS
from gateway.handover.card import ConversationCard, HandoverReason, HandoverState
from gateway.handover.service import ContactBlocked, HandoverConflict, Handovers, ListingKey
from gateway.phone import InvalidPhoneNumber, to_contact_id


class HandoverListing(Query):
    state: HandoverState = HandoverState.WAITING
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, description="the previous page's next_cursor")


class HandoversListed(BaseModel):
    handovers: list[ConversationCard] = Field(description="the conversations' cards, most recent activity first")
    next_cursor: str | None = Field(description="the cursor of the next page; null on the last")


class HandoverRequest(BaseModel):
    """Why people should take the conversation over, for the operator who takes it."""

    model_config = ConfigDict(extra="forbid")
    detail: str | None = Field(default=None, max_length=500)


class OperatorAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operator: str = Field(min_length=1, max_length=100, description="the operator, as named in the log and events")


def _contact(request: web.Request) -> str:
    try:
        return to_contact_id(request.match_info["phone"])
    except InvalidPhoneNumber as error:
        raise invalid_field("phone", str(error)) from None


async def _known(request: web.Request) -> tuple[Handovers, ConversationCard]:
    """The service and the path's contact's card; 404 when the contact never wrote."""
    handovers, contact = request.config_dict[HANDOVERS], _contact(request)
    card = await handovers.card(contact)
    if card.version == 0:
        message = f"no conversation with {contact}: the contact has never written"
        raise field_error(web.HTTPNotFound, message, [{"path": "phone", "message": message}])
    return handovers, card


def _card_cursor(key: ListingKey) -> str:
    """The cursor after a card: its latest activity exactly as stored (empty for a card never
    active), since the store compares that text, and its contact."""
    activity, contact = key
    return key_cursor(activity or "", contact)


def _after_card(cursor: str) -> ListingKey:
    """The listing key a cursor made by _card_cursor points after; 400 for one this gateway did not issue."""
    activity, contact = after_key(cursor, 2)
    if activity:
        try:
            aware = datetime.fromisoformat(activity).tzinfo is not None
        except ValueError:
            aware = False
        if not aware:
            raise unknown_cursor()
    return activity or None, contact


def conflict(error: HandoverConflict | ContactBlocked) -> web.HTTPConflict:
    return web.HTTPConflict(text=str(error))


def declare(api: Api) -> None:
    @api.route(
        "GET",
        "/handovers",
        "Conversations handed to people, by state (waiting, assigned, closed), most recent activity first",
        query=HandoverListing,
        answers={
            200: "a page of the conversations' cards and the cursor of the next one",
            400: "a cursor this gateway did not issue",
        },
        returns=HandoversListed,
    )
    async def listing(request: web.Request) -> web.Response:
        asked = query_of(request, HandoverListing)
        after = _after_card(asked.cursor) if asked.cursor is not None else None
        found = await request.config_dict[HANDOVERS].listed(state=asked.state, limit=asked.limit + 1, after=after)
        shown = found[: asked.limit]
        return answer(
            {
                "handovers": [card.model_dump(mode="json") for _, card in shown],
                "next_cursor": _card_cursor(shown[-1][0]) if len(found) > asked.limit else None,
            }
        )

    @api.route(
        "GET",
        "/handovers/{phone}",
        "One contact's conversation card and its handover events",
        answers={200: "the card and its events, oldest first", 404: "the contact never wrote", 422: "not a phone"},
    )
    async def one(request: web.Request) -> web.Response:
        handovers, card = await _known(request)
        return answer({"card": card.model_dump(mode="json"), "events": await handovers.events(card.contact)})

    @api.route(
        "POST",
        "/handovers/{phone}",
        "Hand a conversation to people; the contact is told a person will answer",
        body=HandoverRequest,
        answers={201: "the card, waiting", 404: "the contact never wrote", 409: "already with people, or blocked"},
    )
    async def request_one(request: web.Request) -> web.Response:
        handovers, card = await _known(request)
        asked = await body_of(request, HandoverRequest)
        try:
            return answer(await handovers.request(card.contact, HandoverReason.API, asked.detail), status=201)
        except (HandoverConflict, ContactBlocked) as error:
            raise conflict(error) from None

    operator_answers = {404: "the contact never wrote", 409: "another operator has it, or nobody does"}

    @api.route(
        "POST",
        "/handovers/{phone}/take",
        "An operator takes the conversation: it is assigned to them, and they answer from now on",
        body=OperatorAction,
        answers={200: "the card, assigned"} | operator_answers,
    )
    async def take(request: web.Request) -> web.Response:
        return await _operator_step(request, Handovers.take)

    @api.route(
        "POST",
        "/handovers/{phone}/handback",
        "Hand the conversation back to the bot, which greets the contact with its menu",
        body=OperatorAction,
        answers={200: "the card, back with the bot"} | operator_answers,
    )
    async def hand_back(request: web.Request) -> web.Response:
        return await _operator_step(request, Handovers.hand_back)

    @api.route(
        "POST",
        "/handovers/{phone}/close",
        "Close the handover; the contact is told, and their next message goes to the bot",
        body=OperatorAction,
        answers={200: "the card, closed"} | operator_answers,
    )
    async def close(request: web.Request) -> web.Response:
        return await _operator_step(request, Handovers.close)


async def _operator_step(
    request: web.Request, step: Callable[[Handovers, str, str], Awaitable[ConversationCard]]
) -> web.Response:
    """Take, hand back or close the path's conversation in the operator's name the body gives."""
    handovers, card = await _known(request)
    operator = (await body_of(request, OperatorAction)).operator
    try:
        return answer(await step(handovers, card.contact, operator))
    except HandoverConflict as error:
        raise conflict(error) from None
