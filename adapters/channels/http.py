"""One way to call a provider's HTTP API: network failures and timeouts become retryable
SendErrors, and the answer comes back as status, headers and JSON (or None)."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from gateway.ports.channel import SendError


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    status: int
    headers: CIMultiDictProxy[str]
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def post(http: aiohttp.ClientSession, url: str, provider: str, **request: Any) -> ProviderAnswer:
    """POST to a provider; a timeout or connection failure raises a retryable SendError."""
    try:
        async with http.post(url, **request) as response:
            raw = await response.read()
            return ProviderAnswer(response.status, response.headers, _json_or_none(raw))
    except TimeoutError:
        raise SendError(f"{provider} did not answer in time", retryable=True, code="timeout") from None
    except aiohttp.ClientError as error:
        raise SendError(f"could not reach {provider}: {type(error).__name__}", retryable=True, code="network") from None


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def retry_after(headers: CIMultiDictProxy[str], now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, given as seconds or as an HTTP date."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
