"""The MongoDB client as a replica set needs it: writes acknowledged by a majority (so a
failover cannot roll back an acknowledged inbound message), reads from the primary, and
timeouts that outlast an election."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from pymongo import AsyncMongoClient

CLIENT_OPTIONS: dict[str, Any] = {
    "w": "majority",
    "readPreference": "primary",
    "retryWrites": True,
    "retryReads": True,
    # an election takes 10-12 s: wait that long for a new primary, not the 5 s that gave up mid-election
    "serverSelectionTimeoutMS": 15_000,
    # every operation ends within this, server selection and the driver's own retries included,
    # so a hung primary or a majority that cannot be reached never holds a caller forever
    "timeoutMS": 15_000,
    # the notifier enqueues 500 jobs at once; beyond the pool they wait their turn within timeoutMS
    "maxPoolSize": 200,
}
"""Defaults for options the URL leaves out; an option in `GATEWAY_STORE_URL` wins."""


def connect(url: str) -> AsyncMongoClient:
    """A client for `url` with CLIENT_OPTIONS wherever the URL does not set its own."""
    given = {name.lower() for name in parse_qs(urlsplit(url).query)}
    defaults = {name: value for name, value in CLIENT_OPTIONS.items() if name.lower() not in given}
    return AsyncMongoClient(url, tz_aware=True, **defaults)
