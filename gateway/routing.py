"""Which provider sends a job, and how fast: a send-rate limit and a circuit breaker per
provider, and failover to the next provider in GATEWAY_FAILOVER that can reach the contact
while a provider's circuit is open."""

import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter

from gateway.circuit import CircuitBreaker, CircuitState
from gateway.clock import Clock
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Provider
from gateway.phone import is_bsuid

log = logging.getLogger(__name__)

_CIRCUIT_LEVEL = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}


class Routing:
    def __init__(
        self,
        enabled: list[Provider],
        clock: Clock,
        metrics: GatewayMetrics,
        *,
        failover: list[Provider],
        rates: dict[Provider, float],
        failures_to_open: int,
        cooldown: timedelta,
    ) -> None:
        self._enabled = enabled
        self._failover = [provider for provider in failover if provider in enabled]
        self._metrics = metrics
        self._circuits = {provider: CircuitBreaker(clock, failures_to_open, cooldown) for provider in enabled}
        self._limiters = {provider: AsyncLimiter(rate, 1) for provider, rate in rates.items() if provider in enabled}

    def route(self, message: OutboundMessage) -> OutboundMessage | None:
        """The message on the provider to use now, or None when no provider may take it yet."""
        self._report()
        provider = message.provider
        if provider not in self._circuits or self._circuits[provider].allows():
            return message
        for alternative in self._failover:
            if (
                alternative != provider
                and self._reaches(alternative, message.recipient)
                and self._circuits[alternative].allows()
            ):
                log.warning("failover: %s circuit is open; job moves to %s", provider, alternative)
                self._metrics.failovers.labels(provider.value, alternative.value).inc()
                return message.model_copy(update={"provider": alternative, "business_number_id": None})
        return None

    @staticmethod
    def _reaches(provider: Provider, contact: str) -> bool:
        """Only Meta can reach a user known by business-scoped id alone."""
        return provider is Provider.META or not is_bsuid(contact)

    def wait_until(self, provider: Provider) -> datetime | None:
        """When the provider's open circuit may take a trial again."""
        return self._circuits[provider].reopens_at if provider in self._circuits else None

    def pace(self, provider: Provider) -> AbstractAsyncContextManager:
        """Hold a send until the provider's rate limit allows it."""
        return self._limiters.get(provider) or nullcontext()

    def succeeded(self, provider: Provider) -> None:
        if provider in self._circuits:
            self._circuits[provider].succeeded()
        self._report()

    def failed(self, provider: Provider) -> None:
        if provider in self._circuits:
            self._circuits[provider].failed()
        self._report()

    def _report(self) -> None:
        for provider, circuit in self._circuits.items():
            self._metrics.circuit_state.labels(provider.value).set(_CIRCUIT_LEVEL[circuit.state])
