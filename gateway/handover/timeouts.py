"""Handovers nobody finishes go back to the bot: one waiting past GATEWAY_HANDOVER_WAIT_MINUTES
(counted from the team's next opening when asked for outside the support hours), or assigned
with no message either way for GATEWAY_HANDOVER_IDLE_MINUTES. Checked by a periodic job that
only the scheduler's leader runs, on the injected clock."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.handover.card import ConversationCard, HandoverOutcome, HandoverState
from gateway.handover.hours import SupportHours
from gateway.notifications.scheduler import PeriodicJob

JOB_NAME = "handover.timeouts"
CHECK_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    hours: SupportHours
    wait: timedelta
    idle: timedelta

    def overdue(self, card: ConversationCard, now: datetime) -> HandoverOutcome | None:
        """The time-out that ends this handover now, if one does."""
        if card.state is HandoverState.WAITING and card.requested_at is not None:
            if now >= self.hours.next_opening(card.requested_at) + self.wait:
                return HandoverOutcome.WAIT_TIMEOUT
        if card.state is HandoverState.ASSIGNED:
            quiet_since = max(moment for moment in (card.assigned_at, card.last_activity_at) if moment is not None)
            if now >= quiet_since + self.idle:
                return HandoverOutcome.IDLE_TIMEOUT
        return None


def timeout_job(expire: Callable[[], Awaitable[int]]) -> PeriodicJob:
    """The scheduler's job that ends overdue handovers once a minute across the deployment."""

    async def run() -> None:
        await expire()

    return PeriodicJob(JOB_NAME, CHECK_EVERY, run)
