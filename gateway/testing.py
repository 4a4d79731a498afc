"""Helpers for testing the gateway and plugins built on it: time that moves only when told,
and webhook requests signed the way each provider signs them.

The signing here is written from the providers' documentation independently of the
adapters, so tests that use it check the adapters against a second implementation.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta


class FakeClock:
    """A clock for tests: starts at a fixed moment and moves only through `advance`."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move time forward, e.g. `advance(minutes=5)`, and return the new now."""
        self._now += timedelta(**delta)
        return self._now


def meta_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """Headers of a Meta webhook POST: `X-Hub-Signature-256` over the raw body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def twilio_headers(url: str, params: dict[str, str], auth_token: str) -> dict[str, str]:
    """Headers of a Twilio webhook POST to the public `url` with form `params`."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": base64.b64encode(digest).decode(),
    }


def myoperator_headers(webhook_secret: str) -> dict[str, str]:
    """Headers of a MyOperator webhook POST configured with the shared secret header."""
    return {"Content-Type": "application/json", "X-Webhook-Key": webhook_secret}
