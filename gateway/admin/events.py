"""POST /api/v1/events: business systems tell the gateway what happened."""

from aiohttp import web

from gateway.admin.api import Api, answer, body_of, field_error, invalid_field
from gateway.appkeys import EVENTS
from gateway.notifications.events import Event, EventConflict, EventRejected


def declare(api: Api) -> None:
    @api.route(
        "POST",
        "/events",
        "Publish a business event; plugins turn it into notifications. Idempotent by event id.",
        body=Event,
        answers={
            202: "queued: the event id, its jobs, and whether it was a replay",
            409: "a replay whose type, data or recipients differ from the first post of its id; "
            "`error.fields` names each",
        },
    )
    async def publish(request: web.Request) -> web.Response:
        event = await body_of(request, Event)
        try:
            published = await request.config_dict[EVENTS].publish(event)
        except EventRejected as rejected:
            raise invalid_field(rejected.field, str(rejected)) from None
        except EventConflict as conflict:
            raise conflicting(conflict) from None
        return answer({"id": published.event_id, "jobs": published.jobs, "replay": published.replay}, status=202)


def conflicting(conflict: EventConflict) -> web.HTTPConflict:
    """A 409 naming each part of a replay that differs from the first post."""
    differing = [{"path": name, "message": "differs from the first post"} for name in conflict.differing]
    return field_error(web.HTTPConflict, str(conflict), differing)
