"""GET /api/v1/stats: what the gateway has been doing, read from the store (so it covers
every gateway process), not from one process's metrics."""

from datetime import timedelta

from aiohttp import web
from pydantic import BaseModel, Field

from gateway.admin.api import Api, answer, query_of
from gateway.appkeys import CLOCK, STORE
from gateway.conversation.engine import FLOWS_NAMESPACE


class Period(BaseModel):
    days: int = Field(default=7, ge=1, le=90, description="how many days back the message counts go")


def declare(api: Api) -> None:
    @api.route(
        "GET", "/stats", "Messages by provider, day and status; queue depth; active contacts; flows", query=Period
    )
    async def stats(request: web.Request) -> web.Response:
        store, now = request.config_dict[STORE], request.config_dict[CLOCK].now()
        since = now - timedelta(days=query_of(request, Period).days)
        outbound = [
            {"day": day, "provider": provider, "status": status, "count": count}
            for day, provider, status, count in await store.log.outbound_counts(since)
        ]
        flows: dict[str, dict[str, int]] = {}
        for name, count in (await store.records.sequences(FLOWS_NAMESPACE)).items():
            flow, _, outcome = name.rpartition(":")
            flows.setdefault(flow, {"started": 0, "completed": 0, "cancelled": 0})[outcome] = count
        return answer(
            {
                "since": since,
                "outbound": outbound,
                "queue": await store.queue.counts(),
                "active_contacts": {
                    "24h": await store.log.active_contacts(now - timedelta(hours=24)),
                    "7d": await store.log.active_contacts(now - timedelta(days=7)),
                },
                "flows": flows,
            }
        )
