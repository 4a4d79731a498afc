"""Providers' circuits shared by the whole deployment through two leases each in the store:
`circuit:<provider>:open` holds the provider back everywhere until the cool-down ends, and
`circuit:<provider>:trial` lets one process at a time run the trial that decides. Processes
read both on their heartbeat, never on a send."""

from datetime import datetime, timedelta

from gateway.clock import Clock
from gateway.models import Provider
from gateway.outbound.circuit import CircuitBreaker
from gateway.ports.store import LeaseRepository

CIRCUITS = "circuit:"
TRIAL_LEASE = timedelta(seconds=30)
"""A trial ends within the provider timeout (15 s); if its process dies, another may try after this."""


def _open(provider: Provider) -> str:
    return f"{CIRCUITS}{provider.value}:open"


def _trial(provider: Provider) -> str:
    return f"{CIRCUITS}{provider.value}:trial"


class SharedCircuits:
    """This process's circuits, told what the others found and telling them what it finds. A
    trial's lease given up before it ends with no open lease says the trial succeeded."""

    def __init__(
        self, leases: LeaseRepository, owner: str, clock: Clock, circuits: dict[Provider, CircuitBreaker]
    ) -> None:
        self._leases = leases
        self._owner = owner
        self._clock = clock
        self._circuits = circuits
        self._trial_tokens: dict[Provider, int] = {}
        self._trials_seen: dict[Provider, datetime] = {}
        """When the other process's trial seen at the last sync would have expired."""

    async def opened(self, provider: Provider) -> None:
        """This process's circuit opened: hold the provider back everywhere for its cool-down."""
        reopens_at = self._circuits[provider].reopens_at
        if reopens_at is not None:
            await self._leases.acquire(_open(provider), self._owner, reopens_at - self._clock.now())

    async def take_trial(self, provider: Provider) -> bool:
        """Whether this process may run the provider's trial now: no other process is running one."""
        token = await self._leases.acquire(_trial(provider), self._owner, TRIAL_LEASE)
        if token is None:
            return False
        self._trial_tokens[provider] = token
        return True

    async def trial_decided(self, provider: Provider) -> None:
        """This process's trial gave a verdict, already recorded (a failed one as `opened`
        first): free the trial, which tells the others it succeeded if no open lease is live."""
        token = self._trial_tokens.pop(provider, None)
        if token is not None:
            await self._leases.release(_trial(provider), self._owner, token)

    async def sync(self) -> None:
        """Take up the others' verdicts: an open lease holds the provider back here until it
        ends; another's trial holds this process's sends as its own trial would; a trial freed
        early closes the circuit, and one whose process died lets this one try."""
        live = {lease.name: lease for lease in await self._leases.holders(CIRCUITS)}
        now = self._clock.now()
        for provider, circuit in self._circuits.items():
            opened, trial = live.get(_open(provider)), live.get(_trial(provider))
            seen = self._trials_seen.pop(provider, None)
            if opened is not None:
                circuit.hold_until(opened.expires_at)
            elif trial is not None:
                if trial.owner != self._owner:
                    circuit.trial_elsewhere()
                    self._trials_seen[provider] = trial.expires_at
            elif seen is not None and now < seen:
                circuit.succeeded()
            elif seen is not None:
                circuit.released()
