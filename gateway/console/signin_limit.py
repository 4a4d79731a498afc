"""Failed console sign-ins, counted in the store per operator name and per client address, so
that guessing passwords is slow however many processes answer: five failures within one
15-minute window lock that name or address out for 15 minutes."""

import math
from datetime import datetime, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address

from aiohttp import web

from gateway.appkeys import SETTINGS
from gateway.clock import Clock
from gateway.ports.store import Store

NAMESPACE = "gateway.console.signin"
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def client_address(request: web.Request) -> str:
    """The address that signs in: the peer's, unless the peer is a trusted proxy
    (GATEWAY_TRUSTED_PROXIES), when it is the nearest address in X-Forwarded-For that is not
    one of them; a client can prepend anything to that header, never append."""
    trusted = request.config_dict[SETTINGS].trusted_proxies
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    address = request.remote or "unknown"
    while hops and _within(address, trusted):
        address = hops.pop()
    return address


def _within(address: str, networks: list[IPv4Network | IPv6Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


class SigninLimit:
    """Whether a sign-in may be tried, and the count of those that failed."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._records = store.records
        self._clock = clock

    async def retry_after(self, name: str, address: str) -> int | None:
        """Seconds until `name` and `address` may try again, or None when they may now."""
        now = self._clock.now()
        waits = [await self._lock_left(key, now) for key in _subjects(name, address)]
        longest = max(waits)
        return math.ceil(longest.total_seconds()) if longest > timedelta(0) else None

    async def failed(self, name: str, address: str) -> None:
        """Count a failure; the fifth in a window locks its subject out for WINDOW from now."""
        now = self._clock.now()
        window = int(now.timestamp() // WINDOW.total_seconds())
        for subject in _subjects(name, address):
            if await self._records.add(NAMESPACE, f"{subject}:{window}", 1) >= MAX_FAILURES:
                await self._records.put(NAMESPACE, subject, {"until": (now + WINDOW).isoformat()})

    async def _lock_left(self, subject: str, now: datetime) -> timedelta:
        lock = await self._records.get(NAMESPACE, subject)
        if lock is None:
            return timedelta(0)
        left = datetime.fromisoformat(lock["until"]) - now
        if left <= timedelta(0):
            await self._records.delete(NAMESPACE, subject)
        return left


def _subjects(name: str, address: str) -> tuple[str, str]:
    return f"name:{name.strip().lower()[:64]}", f"address:{address[:64]}"
