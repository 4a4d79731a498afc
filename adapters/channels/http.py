"""One way to call a provider's HTTP API: network failures and timeouts become retryable
SendErrors, and the answer comes back as status, headers and JSON (or None); and one way to
download a contact's file from it, bounded in size, failures as MediaUnavailable."""

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from gateway.media.public_links import LinkRefused
from gateway.models import Media, MediaRefusal
from gateway.ports.channel import Download, MediaUnavailable, SendError


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
    return await call(http, "POST", url, provider, **request)


async def call(http: aiohttp.ClientSession, method: str, url: str, provider: str, **request: Any) -> ProviderAnswer:
    """Call a provider's API; a timeout or connection failure raises a retryable SendError."""
    try:
        async with http.request(method, url, **request) as response:
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


DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=300, sock_connect=10, sock_read=30)
"""A contact's file may take minutes (a 100 MB document), but a host that stops sending for
30 seconds has stalled; the API calls' short total timeout would cut large files off."""
_CHUNK_BYTES = 64 * 1024


class FileRefused(MediaUnavailable):
    """The host answered the file's request with an error `status`."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, retryable=status == 429 or status >= 500)
        self.status = status


async def download(
    http: aiohttp.ClientSession,
    url: str,
    provider: str,
    *,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    timeout: aiohttp.ClientTimeout = DOWNLOAD_TIMEOUT,
) -> Download:
    """GET a file, following redirects, reading at most `max_bytes`: a larger Content-Length is
    refused before the body is read, and a body that runs past it is cut off there. aiohttp drops
    the Authorization header when a redirect leaves the URL's origin (scheme, host and port), so
    credentials meant for the provider never reach the host it redirects to."""
    try:
        async with http.get(url, headers=headers, timeout=timeout) as response:
            if response.status >= 300:
                raise FileRefused(f"{provider} answered {response.status} for the file", status=response.status)
            if (response.content_length or 0) > max_bytes:
                response.close()
                raise too_large(provider, max_bytes)
            # BytesIO hands its buffer over as bytes without a copy, so a file takes its own size
            # in memory once, where a bytearray would be copied into bytes at the end
            data = io.BytesIO()
            async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
                data.write(chunk)
                if data.tell() > max_bytes:
                    response.close()
                    raise too_large(provider, max_bytes)
            return Download(
                data.getvalue(),
                content_type=response.headers.get("Content-Type") or None,
                filename=response.content_disposition.filename if response.content_disposition else None,
            )
    except TimeoutError:
        raise MediaUnavailable(f"{provider} did not hand over the file in time", retryable=True) from None
    except LinkRefused as refused:
        message = f"{provider} gave a file address the gateway does not fetch: {refused}"
        raise MediaUnavailable(message, retryable=False) from None
    except aiohttp.InvalidURL:
        raise MediaUnavailable(f"{provider} gave a file address that cannot be fetched", retryable=False) from None
    except aiohttp.ClientError as error:
        message = f"could not fetch the file from {provider}: {type(error).__name__}"
        raise MediaUnavailable(message, retryable=True) from None


def too_large(provider: str, max_bytes: int) -> MediaUnavailable:
    message = f"the file from {provider} is larger than {max_bytes} bytes"
    return MediaUnavailable(message, retryable=False, refused=MediaRefusal.TOO_LARGE)


async def fetch_link(
    http: aiohttp.ClientSession,
    media: Media,
    provider: str,
    *,
    api_base: str,
    credentials: Mapping[str, str],
    max_bytes: int,
    timeout: aiohttp.ClientTimeout,
) -> Download:
    """A contact's file from the link the provider gave, with the provider's `credentials` only
    when the link is on its API's origin (`api_base`), the one host they are for; the declared
    type and filename are the provider's where it gave them."""
    if media.url is None:
        raise MediaUnavailable(f"{provider} gave no link for the file", retryable=False)
    url = str(media.url)
    headers = credentials if URL(url).origin() == URL(api_base).origin() else None
    got = await download(http, url, provider, max_bytes=max_bytes, headers=headers, timeout=timeout)
    return Download(got.data, media.mime_type or got.content_type, media.filename or got.filename)
