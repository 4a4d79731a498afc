"""GET /api/v1/stats: what the gateway has been doing, read from the store (so it covers
every gateway process), not from one process's metrics."""

from collections import Counter, defaultdict
from datetime import timedelta

from aiohttp import web
from pydantic import Field

from gateway.admin.api import Api, Query, answer, query_of
from gateway.appkeys import CLOCK, ENGINE, STORE
from gateway.conversation.engine import (
    FLOWS_NAMESPACE,
    MENU_NAMESPACE,
    SESSIONS_NAMESPACE,
    Engine,
)


class Period(Query):
    days: int = Field(default=7, ge=1, le=90, description="how many days back the message counts go")


def declare(api: Api) -> None:
    @api.route(
        "GET",
        "/stats",
        "Messages by provider, day and status; delivery and read rates; queue depth; active contacts; outbound "
        "messages per active contact; average session length; flows and completion by plugin; top menu options",
        query=Period,
    )
    async def stats(request: web.Request) -> web.Response:
        store, now = request.config_dict[STORE], request.config_dict[CLOCK].now()
        days = query_of(request, Period).days
        since = now - timedelta(days=days)
        outbound = [
            {"day": day, "provider": provider, "status": status, "count": count}
            for day, provider, status, count in await store.log.outbound_counts(since)
        ]
        active_in_period = await store.log.active_contacts(since)
        active_7d = active_in_period if days == 7 else await store.log.active_contacts(now - timedelta(days=7))
        sent_in_period = sum(row["count"] for row in outbound)
        flows: dict[str, dict[str, int]] = {}
        for name, count in (await store.records.sequences(FLOWS_NAMESPACE)).items():
            flow, _, outcome = name.rpartition(":")
            flows.setdefault(flow, {"started": 0, "completed": 0, "cancelled": 0, "timed_out": 0})[outcome] = count
        menu = await store.records.sequences(MENU_NAMESPACE)
        sessions = await store.records.sequences(SESSIONS_NAMESPACE)
        return answer(
            {
                "since": since,
                "outbound": outbound,
                "rates_by_provider": delivery_rates(outbound),
                "queue": await store.queue.counts(),
                "active_contacts": {"24h": await store.log.active_contacts(now - timedelta(hours=24)), "7d": active_7d},
                "outbound_per_active_contact": round(sent_in_period / active_in_period, 2) if active_in_period else 0,
                "average_session_seconds": round(sessions["seconds"] / sessions["ended"])
                if sessions.get("ended")
                else None,
                "flows": flows,
                "flow_completion_by_plugin": _completion(flows, request.config_dict[ENGINE]),
                "top_menu_options": sorted(menu.items(), key=lambda item: (-item[1], item[0]))[:10],
            }
        )


def delivery_rates(outbound: list[dict]) -> dict[str, dict[str, float]]:
    """Per provider, the share of messages sent in the period that were delivered (or read),
    and that were read; a message counts once, at the furthest status it reached."""
    by_provider: dict[str, Counter[str]] = defaultdict(Counter)
    for row in outbound:
        by_provider[str(row["provider"])][row["status"]] += row["count"]
    rates = {}
    for provider, statuses in by_provider.items():
        handed_over = sum(statuses[status] for status in ("sent", "delivered", "read", "failed"))
        if not handed_over:
            rates[provider] = {"delivered": 0.0, "read": 0.0}
            continue
        rates[provider] = {
            "delivered": round((statuses["delivered"] + statuses["read"]) / handed_over, 4),
            "read": round(statuses["read"] / handed_over, 4),
        }
    return rates


def _completion(flows: dict[str, dict[str, int]], engine: Engine) -> dict[str, float]:
    """Completed over started, per plugin, for the flows the running plugins declare."""
    totals: dict[str, list[int]] = {}
    for flow, counts in flows.items():
        if flow in engine.flows:
            plugin_totals = totals.setdefault(engine.flows[flow][0], [0, 0])
            plugin_totals[0] += counts["completed"]
            plugin_totals[1] += counts["started"]
    return {plugin: round(completed / started, 4) for plugin, (completed, started) in totals.items() if started}
