"""Expiring signed links to stored media, which a provider fetches from the gateway: an HMAC
over the media id and the expiry, so a link can be neither guessed, altered nor kept past its time."""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import quote

from gateway.clock import Clock
from gateway.ports.store import PluginRecords
from gateway.settings import Settings

KEY_RECORDS = "gateway.media.links"
"""Where a deployment without GATEWAY_MEDIA_SIGNING_KEY keeps the key it generated once."""
KEY_RECORD = "signing_key"
KEY_BYTES = 32


class MediaLinks:
    """Signs `/media/{media_id}/{expires}/{signature}` under the public URL and checks such paths."""

    def __init__(self, public_url: str, key: bytes, ttl: timedelta, clock: Clock) -> None:
        self._base = public_url.rstrip("/")
        self._key = key
        self._ttl = ttl
        self._clock = clock

    def __repr__(self) -> str:
        return f"MediaLinks({self._base!r})"  # never the key

    def url_for(self, media_id: str) -> str:
        """An absolute link to the stored file, valid for the configured lifetime."""
        expires = int((self._clock.now() + self._ttl).timestamp())
        return f"{self._base}/media/{quote(media_id, safe='')}/{expires}/{self._signature(media_id, expires)}"

    def verify(self, media_id: str, expires: str, signature: str) -> int | None:
        """The seconds the link has left when it is genuine and unexpired, else None; every kind
        of refusal looks the same to the caller, so none tells anything about the others."""
        if not (expires.isascii() and expires.isdecimal()) or len(expires) > 12:
            return None
        expected = self._signature(media_id, int(expires)).encode()
        genuine = hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass"))
        remaining = int(expires) - int(self._clock.now().timestamp())
        return remaining if genuine and remaining > 0 else None

    def _signature(self, media_id: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{media_id}\n{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def signing_key(settings: Settings, records: PluginRecords) -> bytes:
    """GATEWAY_MEDIA_SIGNING_KEY, else the key this deployment generated: the first process to
    start writes one, atomically, and every process reads the one that won."""
    if settings.media_signing_key is not None:
        return settings.media_signing_key.get_secret_value().encode()
    generated = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    await records.insert(KEY_RECORDS, KEY_RECORD, {"key": generated})
    kept = await records.get(KEY_RECORDS, KEY_RECORD)
    return base64.urlsafe_b64decode(kept["key"])


async def open_links(settings: Settings, records: PluginRecords, clock: Clock) -> MediaLinks:
    """The deployment's links, signed with its shared key."""
    key = await signing_key(settings, records)
    return MediaLinks(str(settings.public_url), key, settings.media_link_ttl, clock)
