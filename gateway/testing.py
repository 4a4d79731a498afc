"""Helpers for testing the gateway and plugins built on it: time that moves only when told."""

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
