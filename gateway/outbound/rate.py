"""Send rates for the whole deployment: every sending process holds a heartbeat lease in the
store and paces each provider at its configured rate divided by the live senders, so N
workers together send at the configured rate, not N times it."""

import asyncio
import logging
import math
from datetime import timedelta
from types import TracebackType

from gateway.metrics import GatewayMetrics
from gateway.models import Provider
from gateway.ports.store import LeaseRepository

log = logging.getLogger(__name__)

SENDERS = "sender:"
HEARTBEAT_TTL = timedelta(seconds=10)
"""A sender that stops renewing (killed, hung, cut off) stops counting after this."""
HEARTBEAT_SECONDS = 3.0
"""How often a sender renews its lease and counts the others: well inside the TTL."""


class Pacer:
    """Spaces sends evenly at `rate` a second across all of a process's send loops; a new rate
    applies from the next send. Even spacing rather than a bucket, so senders that start
    together do not each burst a second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next_slot = -math.inf

    def reserve(self, now: float) -> float:
        """Take the next free slot at or after `now` (loop time); how long to wait for it."""
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1 / self.rate
        return slot - now

    async def __aenter__(self) -> None:
        wait = self.reserve(asyncio.get_running_loop().time())
        if wait > 0:
            await asyncio.sleep(wait)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        return None


class SendRates:
    """This process's share of each provider's configured rate. Until it has counted the
    senders, and whenever the store cannot be reached, it keeps the share it last had, never
    more than the whole rate."""

    def __init__(
        self, leases: LeaseRepository, owner: str, configured: dict[Provider, float], metrics: GatewayMetrics
    ) -> None:
        self._leases = leases
        self._owner = owner
        self._lease = SENDERS + owner
        self._configured = configured
        self._metrics = metrics
        self._token: int | None = None
        self.pacers = {provider: Pacer(rate) for provider, rate in configured.items()}
        self.senders = 1

    async def beat(self) -> None:
        """Renew this sender's heartbeat, count the live senders, and re-divide the rates."""
        self._token = await self._leases.acquire(self._lease, self._owner, HEARTBEAT_TTL)
        live = {lease.owner for lease in await self._leases.holders(SENDERS)} | {self._owner}
        if len(live) != self.senders:
            log.info("%d senders share the send rates", len(live))
        self.senders = len(live)
        for provider, pacer in self.pacers.items():
            pacer.rate = self._configured[provider] / self.senders
        self._report()

    async def leave(self) -> None:
        """Give the heartbeat up at shutdown, so the others take the whole rate at their next
        beat rather than after the TTL."""
        if self._token is not None:
            await self._leases.release(self._lease, self._owner, self._token)

    def _report(self) -> None:
        self._metrics.senders.set(self.senders)
        for provider, pacer in self.pacers.items():
            self._metrics.send_rate.labels(provider.value).set(pacer.rate)
