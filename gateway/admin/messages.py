"""Sending, bulk sending, message history and resending, under /api/v1/messages."""

from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from gateway import rfc3339

from gateway.admin.api import Api, Query, answer, body_of, field_error, invalid_field, query_of
from gateway.admin.media import MediaInfo, media_of
from gateway.appkeys import CLOCK, HANDOVERS, MEDIA, OUTBOX, SETTINGS, STORE
from gateway.handover.service import ContactBlocked, HandoverConflict, OutsideWindow
from gateway.models import ContactId, Content, DeliveryStatus, MediaKind, OutboundMessage, Provider, new_id
from gateway.outbound.admission import Refused, admit
from gateway.ports.media import MediaState
from gateway.ports.records import Direction, Job, LogEntry, LogQuery, LogStatus
from gateway.ports.store import decode_cursor
from gateway.validation import first_problem

MAX_BULK = 1000
RESENDABLE = (LogStatus.FAILED, LogStatus.DEAD)


FORCE_QUEUE = (
    "queue free text or media though the contact is outside the 24-hour window: the window is checked again "
    "when it is sent (at once, or at send_at), and it dies undelivered unless the contact has written by then"
)


class Send(OutboundMessage):
    """One message, and whether to queue it even when it cannot be delivered now."""

    send_at: rfc3339.Time | None = Field(default=None, description="when to send it; now when left out")
    force_queue: bool = Field(default=False, description=FORCE_QUEUE)


class BulkSend(BaseModel):
    """One message to many recipients: one job each; bad recipients are reported, not fatal."""

    recipients: list[str] = Field(min_length=1, max_length=MAX_BULK)
    message: Content
    provider: Provider | None = None
    send_at: rfc3339.Time | None = None
    idempotency_key: str | None = Field(default=None, description="a prefix; each recipient's key adds its number")
    force_queue: bool = Field(default=False, description=FORCE_QUEUE)


class History(Query):
    phone: ContactId | None = None
    direction: Direction | None = None
    status: LogStatus | None = None
    provider: Provider | None = None
    since: rfc3339.Time | None = None
    until: rfc3339.Time | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None


class StatusChange(BaseModel):
    status: DeliveryStatus
    at: datetime
    error_code: str | None = None
    error_text: str | None = None


class LoggedMessage(BaseModel):
    """One message of the log as the API shows it (for the OpenAPI document; `entry_json` writes it)."""

    id: str
    direction: Direction
    provider: Provider | None
    contact: str
    status: LogStatus
    created_at: datetime
    provider_message_id: str | None
    error: str | None
    message: dict[str, Any] = Field(description="the message as received, or as sent (a stored file by media_id)")
    status_history: list[StatusChange]
    media: list[MediaInfo] = Field(description="files it came with or sent: stored, or unavailable and why")


class HistoryPage(BaseModel):
    entries: list[LoggedMessage]
    next_cursor: str | None


def entry_json(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "direction": entry.direction,
        "provider": entry.provider,
        "contact": entry.contact,
        "status": entry.status,
        "created_at": entry.created_at,
        "provider_message_id": entry.provider_message_id,
        "error": entry.error,
        "message": entry.payload,
        "status_history": [
            {"status": event.status, "at": event.at, "error_code": event.error_code, "error_text": event.error_text}
            for event in entry.status_history
        ],
    }


async def _shown(request: web.Request, entry: LogEntry) -> dict[str, Any]:
    """A logged message as the API shows it, with the media it carried."""
    media = await media_of(request.config_dict[MEDIA], entry)
    return entry_json(entry) | {"media": [info.model_dump(mode="json") for info in media]}


async def _check_media(request: web.Request, content: Content, path: str) -> None:
    """A stored file a message names must be in the media store, and sent as its own kind (or
    as a document, which any file can be); else a 422 naming the field."""
    media = content.media
    if media is None or media.media_id is None:
        return
    stored = await request.config_dict[MEDIA].get(media.media_id)
    if stored is None:
        raise invalid_field(f"{path}.media_id", f"no media {media.media_id}")
    if stored.state is not MediaState.STORED:
        raise invalid_field(f"{path}.media_id", f"media {media.media_id} is unavailable: {stored.error}")
    if stored.kind not in (None, media.kind) and media.kind is not MediaKind.DOCUMENT:
        raise invalid_field(f"{path}.kind", f"media {media.media_id} is {stored.kind.value}, not {media.kind.value}")


async def _admitted(request: web.Request, message: OutboundMessage, force_queue: bool) -> None:
    """A 422 naming the field when the message could not be delivered as it stands."""
    try:
        await admit(
            message,
            request.config_dict[STORE],
            request.config_dict[SETTINGS].enabled_providers,
            request.config_dict[CLOCK],
            force_queue=force_queue,
            locality=request.config_dict[SETTINGS].locality,
        )
    except Refused as refused:
        raise invalid_field(refused.path, refused.reason) from None


async def _logged(request: web.Request) -> LogEntry:
    """The logged message the path names; 404 when there is none."""
    entry = await request.config_dict[STORE].log.get(request.match_info["id"])
    if entry is None:
        raise web.HTTPNotFound(text=f"no message {request.match_info['id']}")
    return entry


async def _operator_reply(request: web.Request, message: OutboundMessage) -> Job:
    """An operator's message, under the handover rules: it takes the conversation, and goes
    only where and when WhatsApp lets a person write."""
    if message.send_at is not None:
        raise invalid_field("send_at", "an operator's reply goes now; leave send_at out with sent_by")
    content = Content.model_validate(message.model_dump(include=set(Content.model_fields), exclude_none=True))
    handovers = request.config_dict[HANDOVERS]
    try:
        return await handovers.reply(
            message.recipient, message.sent_by, content, idempotency_key=message.idempotency_key
        )
    except OutsideWindow as error:
        raise field_error(web.HTTPUnprocessableEntity, str(error), [{"path": "text", "message": str(error)}]) from None
    except (ContactBlocked, HandoverConflict) as error:
        raise web.HTTPConflict(text=str(error)) from None


def declare(api: Api) -> None:
    @api.route(
        "POST",
        "/messages",
        "Send one message (text, buttons, list, media or template); with `sent_by`, an operator's reply",
        body=Send,
        answers={
            202: "queued: the job id",
            409: "an operator's reply to a blocked contact, or to a conversation another operator has",
            422: "invalid field; an unknown template or unconfigured provider; free text outside the 24-hour "
            "window without force_queue",
        },
    )
    async def send(request: web.Request) -> web.Response:
        order = await body_of(request, Send)
        message = OutboundMessage.model_validate(order.model_dump(exclude={"force_queue"}, exclude_unset=True))
        await _check_media(request, message, "media")
        if message.sent_by is not None:
            job = await _operator_reply(request, message)
        else:
            await _admitted(request, message, order.force_queue)
            job = await request.config_dict[OUTBOX].enqueue(message)
        return answer({"job": job.id, "state": job.state, "due_at": job.due_at}, status=202)

    @api.route(
        "POST",
        "/messages/bulk",
        f"Send one message to up to {MAX_BULK} recipients",
        body=BulkSend,
        answers={202: "a result per recipient"},
    )
    async def bulk(request: web.Request) -> web.Response:
        order = await body_of(request, BulkSend)
        await _check_media(request, order.message, "message.media")
        outbox, store, clock = request.config_dict[OUTBOX], request.config_dict[STORE], request.config_dict[CLOCK]
        enabled, locality = request.config_dict[SETTINGS].enabled_providers, request.config_dict[SETTINGS].locality
        results, rendered = [], set()
        for index, recipient in enumerate(order.recipients):
            key = f"{order.idempotency_key}:{recipient}" if order.idempotency_key else None
            try:
                message = OutboundMessage.addressed(
                    order.message, recipient, provider=order.provider, send_at=order.send_at, idempotency_key=key
                )
                await admit(
                    message, store, enabled, clock, force_queue=order.force_queue, locality=locality, rendered=rendered
                )
            except ValidationError as error:
                results.append({"recipient": recipient, "index": index, "error": first_problem(error)})
                continue
            except Refused as refused:
                results.append({"recipient": recipient, "index": index, "error": f"message.{refused}"})
                continue
            job = await outbox.enqueue(message)
            results.append({"recipient": message.recipient, "index": index, "job": job.id})
        failed = sum("error" in result for result in results)
        return answer({"queued": len(results) - failed, "failed": failed, "results": results}, status=202)

    @api.route(
        "GET",
        "/messages",
        "Message history, newest first, filtered and paginated by cursor",
        query=History,
        answers={200: "a page of entries and the cursor of the next one", 400: "a cursor this gateway did not issue"},
        returns=HistoryPage,
    )
    async def history(request: web.Request) -> web.Response:
        asked = query_of(request, History)
        if asked.cursor is not None:
            try:
                decode_cursor(asked.cursor)
            except ValueError as error:
                raise web.HTTPBadRequest(text=f"cursor: {error}; start again without one") from None
        filters = asked.model_dump(exclude={"phone"}) | {"contact": asked.phone}
        page = await request.config_dict[STORE].log.query(LogQuery(**filters))
        entries = [await _shown(request, entry) for entry in page.entries]
        return answer({"entries": entries, "next_cursor": page.next_cursor})

    @api.route(
        "GET",
        "/messages/{id}",
        "One message with its status history and its media",
        answers={200: "the message", 404: "no such message"},
        returns=LoggedMessage,
    )
    async def one(request: web.Request) -> web.Response:
        return answer(await _shown(request, await _logged(request)))

    @api.route(
        "POST",
        "/messages/{id}/resend",
        "Send a failed or dead outbound message again",
        answers={202: "queued again: the new job id", 409: "not failed or dead"},
    )
    async def resend(request: web.Request) -> web.Response:
        entry = await _logged(request)
        if entry.direction is not Direction.OUTBOUND:
            raise web.HTTPNotFound(text=f"no outbound message {entry.id}")
        if entry.status not in RESENDABLE:
            raise web.HTTPConflict(
                text=f"message {entry.id} is {entry.status}; only failed or dead messages are resent"
            )
        original = OutboundMessage.model_validate(entry.payload)
        again = original.model_copy(update={"idempotency_key": f"resend:{entry.id}:{new_id()}"})
        job = await request.config_dict[OUTBOX].enqueue(again)
        return answer({"job": job.id, "resent": entry.id}, status=202)
