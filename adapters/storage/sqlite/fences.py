"""Fencing tokens checked inside the write they guard, so a stale lease holder cannot write."""

import sqlite3

from gateway.ports.records import Fence
from gateway.ports.store import LeaseLost


def check_fence(connection: sqlite3.Connection, fence: Fence | None) -> None:
    """Raise LeaseLost unless `fence` is still its lease's token; run it in the transaction
    of the write it guards, so no other holder can come between."""
    if fence is None:
        return
    row = connection.execute("SELECT token FROM leases WHERE name = ?", (fence.name,)).fetchone()
    if row is None or row["token"] != fence.token:
        raise LeaseLost(f"lease {fence.name} changed hands since token {fence.token}")
