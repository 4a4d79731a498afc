"""A circuit breaker per provider, on the injected clock: after enough consecutive retryable
failures it opens, the queue sends elsewhere or waits, and after a cool-down one trial
decides whether it closes again. Other processes' verdicts reach it through
`shared_circuits`."""

from datetime import datetime, timedelta
from enum import StrEnum

from gateway.clock import Clock


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, clock: Clock, failures_to_open: int, cooldown: timedelta) -> None:
        self._clock = clock
        self._failures_to_open = failures_to_open
        self._cooldown = cooldown
        self._failures = 0
        self._reopens_at: datetime | None = None
        self._trial_under_way = False

    @property
    def state(self) -> CircuitState:
        if self._reopens_at is None:
            return CircuitState.CLOSED
        if self._clock.now() < self._reopens_at:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    @property
    def reopens_at(self) -> datetime | None:
        return self._reopens_at

    @property
    def available(self) -> bool:
        """Whether `allows()` would say yes now; asking takes nothing."""
        state = self.state
        return state is CircuitState.CLOSED or (state is CircuitState.HALF_OPEN and not self._trial_under_way)

    def allows(self) -> bool:
        """Whether a send may go to this provider now: always when closed, one trial when half-open."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._trial_under_way:
            self._trial_under_way = True
            return True
        return False

    def succeeded(self) -> None:
        self._failures, self._reopens_at, self._trial_under_way = 0, None, False

    def failed(self) -> None:
        """A retryable failure: count it, and open (again) at the threshold or after a failed trial."""
        self._failures += 1
        if self._trial_under_way or self._failures >= self._failures_to_open:
            self._reopens_at, self._trial_under_way = self._clock.now() + self._cooldown, False

    def hold_until(self, reopens_at: datetime) -> None:
        """Another process opened the provider's circuit: stay open until `reopens_at`, unless
        this one already is for longer."""
        if self._reopens_at is None or reopens_at > self._reopens_at:
            self._reopens_at, self._trial_under_way = reopens_at, False

    def trial_elsewhere(self) -> None:
        """Another process's trial is deciding: hold sends as during a trial of this one's."""
        if self._reopens_at is None:
            self._reopens_at = self._clock.now()
        self._trial_under_way = True

    def released(self) -> None:
        """The trial ended without telling whether the provider recovered (it refused that one
        message, a bug, a cancelled send): the next send may be the trial."""
        self._trial_under_way = False
