"""POST /api/v1/events: business systems tell the gateway what happened."""

from aiohttp import web

from gateway.admin.api import Api, answer, body_of, invalid_field
from gateway.appkeys import EVENTS
from gateway.notifications.events import Event, EventRejected


def declare(api: Api) -> None:
    @api.route(
        "POST",
        "/events",
        "Publish a business event; plugins turn it into notifications. Idempotent by event id.",
        body=Event,
        answers={202: "queued: the event id, its jobs, and whether it was a replay"},
    )
    async def publish(request: web.Request) -> web.Response:
        event = await body_of(request, Event)
        try:
            published = await request.config_dict[EVENTS].publish(event)
        except EventRejected as rejected:
            raise invalid_field(rejected.field, str(rejected)) from None
        return answer({"id": published.event_id, "jobs": published.jobs, "replay": published.replay}, status=202)
