"""Gauges read from the store, refreshed every few seconds in the background rather than on
each scrape, so Prometheus scraping often costs the store nothing."""

import asyncio
import logging
from datetime import timedelta

from gateway.clock import Clock
from gateway.handover.card import NAMESPACE, ConversationCard, HandoverState
from gateway.metrics import GatewayMetrics
from gateway.ports.records import JobState
from gateway.ports.store import Store

log = logging.getLogger(__name__)

REFRESH_SECONDS = 15.0
"""As often as Prometheus scrapes by default; every process reads these, so not more often."""
ACTIVE_WINDOW = timedelta(minutes=30)
WAITING_COUNTED = 10_000
"""Waiting handovers read at most; a team with more has a bigger problem than this gauge."""


async def refresh(store: Store, metrics: GatewayMetrics, clock: Clock) -> None:
    """Queue depth by state, the oldest due job's wait, the oldest unprocessed message's wait,
    contacts active in 30 minutes, and handovers waiting for an operator and the longest wait."""
    for state, count in (await store.queue.counts()).items():
        metrics.queue_jobs.labels(state.value).set(count)
    oldest = await store.queue.list(JobState.QUEUED, 1)
    now = clock.now()
    waiting = (now - oldest[0].due_at).total_seconds() if oldest and oldest[0].due_at <= now else 0.0
    metrics.queue_oldest_due.set(waiting)
    unprocessed = await store.log.unprocessed_inbound(1)
    metrics.inbox_oldest_waiting.set(max(0.0, (now - unprocessed[0].created_at).total_seconds()) if unprocessed else 0.0)
    metrics.sessions_active.set(await store.log.active_contacts(now - ACTIVE_WINDOW))
    found = await store.records.find(NAMESPACE, {"state": HandoverState.WAITING.value}, WAITING_COUNTED)
    waiting = [ConversationCard.model_validate(document) for document in found]
    metrics.handovers_waiting.set(len(waiting))
    oldest = min((card.requested_at for card in waiting if card.requested_at), default=now)
    metrics.handover_oldest_waiting.set(max(0.0, (now - oldest).total_seconds()))


async def keep_fresh(store: Store, metrics: GatewayMetrics, clock: Clock) -> None:
    """Refresh until cancelled; a failed read is logged and tried again next time."""
    while True:
        try:
            await refresh(store, metrics, clock)
        except Exception:
            log.exception("could not refresh the queue and session gauges")
        await asyncio.sleep(REFRESH_SECONDS)
