"""Which provider sends a job, and how fast: a send rate and a circuit breaker per provider,
both shared with the deployment's other senders through the store, and failover to the next
provider in GATEWAY_FAILOVER that can reach the contact while a provider's circuit is open."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import datetime, timedelta

from gateway.clock import Clock
from gateway.faults import is_transient
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Provider
from gateway.outbound.circuit import CircuitBreaker, CircuitState
from gateway.outbound.rate import HEARTBEAT_SECONDS, SendRates
from gateway.outbound.shared_circuits import SharedCircuits
from gateway.phone import is_bsuid
from gateway.ports.channel import SendError
from gateway.ports.store import LeaseRepository

log = logging.getLogger(__name__)

_CIRCUIT_LEVEL = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}

TRIAL_WAIT = timedelta(seconds=5)
"""How long a job that met a trial under way waits before asking again; a trial ends within
the provider timeout, and its outcome decides for everyone."""


class CircuitOpen(Exception):
    """No provider may take the job yet: its circuit is open or its one trial is under way.
    The job comes back at `until`, its attempts untouched: it never reached the provider."""

    def __init__(self, provider: Provider, until: datetime) -> None:
        super().__init__(f"{provider.value} circuit is open")
        self.provider = provider
        self.until = until


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
        leases: LeaseRepository,
        owner: str,
    ) -> None:
        self._enabled = enabled
        self._clock = clock
        self._failover = [provider for provider in failover if provider in enabled]
        self._metrics = metrics
        self._circuits = {provider: CircuitBreaker(clock, failures_to_open, cooldown) for provider in enabled}
        self._shared = SharedCircuits(leases, owner, clock, self._circuits)
        self.rates = SendRates(
            leases, owner, {provider: rate for provider, rate in rates.items() if provider in enabled}, metrics
        )

    async def beat(self) -> None:
        """This sender's heartbeat: renew it, re-divide the rates among the live senders, and
        take up circuits other processes opened or closed. A store hiccup keeps what it had."""
        try:
            await self.rates.beat()
            await self._shared.sync()
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("the heartbeat failed (%s); keeping the last send rates and circuits", type(error).__name__)
        self._report()

    async def keep_beating(self) -> None:
        """Beat every few seconds for as long as the process sends."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.beat()

    async def leave(self) -> None:
        """Stop counting as a sender at shutdown; a store that cannot be reached lets the TTL do it."""
        try:
            await self.rates.leave()
        except Exception as error:
            log.warning("leaving the senders failed (%s); the others notice within 10 s", type(error).__name__)

    def route(self, message: OutboundMessage) -> OutboundMessage:
        """The message on the provider to use now; raises CircuitOpen when none may take it yet."""
        self._report()
        provider = message.provider
        if self.available(provider):
            return message
        for alternative in self._failover:
            if (
                alternative != provider
                and self._reaches(alternative, message.recipient)
                and self.available(alternative)
            ):
                log.warning("failover: %s circuit is open; job moves to %s", provider, alternative)
                self._metrics.failovers.labels(provider.value, alternative.value).inc()
                return message.model_copy(update={"provider": alternative, "business_number_id": None})
        raise CircuitOpen(provider, self.held_until(provider) or self._clock.now() + TRIAL_WAIT)

    def available(self, provider: Provider) -> bool:
        """Whether the provider's circuit lets a call through now (asking takes nothing)."""
        return provider not in self._circuits or self._circuits[provider].available

    @staticmethod
    def _reaches(provider: Provider, contact: str) -> bool:
        """Only Meta can reach a user known by business-scoped id alone."""
        return provider is Provider.META or not is_bsuid(contact)

    def held_until(self, provider: Provider) -> datetime | None:
        """When a job kept from the provider by its circuit may come back: the end of the
        cool-down, or a little later while a trial is under way; None while it is closed."""
        circuit = self._circuits.get(provider)
        if circuit is None or circuit.state is CircuitState.CLOSED:
            return None
        now = self._clock.now()
        reopens = circuit.reopens_at
        return reopens if reopens > now else now + TRIAL_WAIT

    @asynccontextmanager
    async def sending(self, provider: Provider) -> AsyncIterator[bool]:
        """One send through the (enabled) provider's circuit at its rate; yields whether it is
        the circuit's trial, which is the deployment's one trial. Raises CircuitOpen when the
        circuit refuses; tells the circuit, and through the store the other processes, how the
        send ended, and releases a trial that ends any other way (a refusal, a bug, a
        cancellation) so that this process's next send may be the trial."""
        circuit = self._circuits[provider]
        trial = circuit.state is CircuitState.HALF_OPEN
        if not circuit.allows():
            raise CircuitOpen(provider, self.held_until(provider) or self._clock.now() + TRIAL_WAIT)
        if trial and not await self._take_trial(provider):
            circuit.released()  # another process's trial decides; this one asks again on its next send
            raise CircuitOpen(provider, self._clock.now() + TRIAL_WAIT)
        try:
            async with self.pace(provider):
                yield trial
        except SendError as error:
            if error.retryable:
                was = circuit.state
                circuit.failed()
                if circuit.state is CircuitState.OPEN and was is not CircuitState.OPEN:
                    log.warning("%s circuit is open (%s); next trial at %s", provider, error, circuit.reopens_at)
                    await self._share(self._shared.opened, provider)
                if trial:
                    await self._share(self._shared.trial_decided, provider)
            elif trial:
                circuit.released()
            raise
        except BaseException:
            if trial:
                circuit.released()
            raise
        else:
            circuit.succeeded()
            if trial:
                log.warning("%s circuit is closed again: its trial send went through", provider)
                await self._share(self._shared.trial_decided, provider)
        finally:
            self._report()

    async def _take_trial(self, provider: Provider) -> bool:
        """Whether no other process runs the provider's trial; a store that cannot say lets
        this process run its own, as it would alone."""
        try:
            return await self._shared.take_trial(provider)
        except Exception as error:
            log.warning(
                "taking the %s trial in the store failed (%s); trying alone",
                provider,
                type(error).__name__,
                exc_info=None if is_transient(error) else error,
            )
            return True

    @staticmethod
    async def _share(tell: Callable[[Provider], Awaitable[None]], provider: Provider) -> None:
        """Tell the other processes through the store; failing that, they find out for themselves."""
        try:
            await tell(provider)
        except Exception as error:
            log.warning(
                "sharing the %s circuit failed (%s)",
                provider,
                type(error).__name__,
                exc_info=None if is_transient(error) else error,
            )

    def pace(self, provider: Provider) -> AbstractAsyncContextManager:
        """Hold a send until this process's share of the provider's rate allows it."""
        return self.rates.pacers.get(provider) or nullcontext()

    def _report(self) -> None:
        for provider, circuit in self._circuits.items():
            self._metrics.circuit_state.labels(provider.value).set(_CIRCUIT_LEVEL[circuit.state])
