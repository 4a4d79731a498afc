"""One leader across the deployment, through a named lease in the store: candidates on every
process try to take it, the holder renews it under its fencing token, and when the holder dies
another takes over once the lease runs out."""

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from gateway.faults import is_transient
from gateway.instance import instance_name
from gateway.ports.store import LeaseRepository

log = logging.getLogger(__name__)


class Leadership:
    """A candidacy for the lease `name`, as `host:pid:random` (one process may hold several);
    `on_change` hears whether it leads after each try."""

    def __init__(
        self,
        leases: LeaseRepository,
        name: str,
        ttl: timedelta,
        on_change: Callable[[bool], None] = lambda leading: None,
    ) -> None:
        self._leases = leases
        self._name = name
        self._owner = instance_name()
        self._ttl = ttl
        self._on_change = on_change
        self._token: int | None = None

    async def hold(self) -> bool:
        """Renew the lease while leading, else try to take it; whether this process leads now."""
        if self._token is not None and not await self._leases.renew(self._name, self._owner, self._token, self._ttl):
            log.warning("%s lost the %s lease (token %d): it ran out unrenewed", self._owner, self._name, self._token)
            self._token = None
        if self._token is None:
            self._token = await self._leases.acquire(self._name, self._owner, self._ttl)
            if self._token is not None:
                log.info("%s leads %s (token %d)", self._owner, self._name, self._token)
        self._on_change(self._token is not None)
        return self._token is not None

    async def keep(self, every: float) -> None:
        """Renew the lease every `every` seconds; return once it is lost. A store hiccup is ridden
        out: the lease outlives a few missed renewals."""
        while True:
            await asyncio.sleep(every)
            try:
                if not await self.hold():
                    return
            except Exception as error:
                if not is_transient(error):
                    raise
                log.warning("renewing the %s lease hit a store hiccup (%s)", self._name, type(error).__name__)

    async def release(self) -> None:
        """Step down, so another candidate takes over at once rather than after the lease runs out."""
        if self._token is None:
            return
        token, self._token = self._token, None
        self._on_change(False)
        try:
            await self._leases.release(self._name, self._owner, token)
        except Exception as error:
            log.warning("could not release the %s lease (%s); it runs out by itself", self._name, type(error).__name__)
