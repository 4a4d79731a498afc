"""Fencing tokens checked just before the write they guard, so a stale lease holder cannot write."""

from typing import Any

from gateway.ports.records import Fence
from gateway.ports.store import LeaseLost


async def check_fence(leases: Any, fence: Fence | None) -> None:
    """Raise LeaseLost unless `fence` is still its lease's token. Read just before the write it
    guards, which takes no transaction; a session's write also refuses a lower token than its last."""
    if fence is None:
        return
    if await leases.count_documents({"_id": fence.name, "token": fence.token}, limit=1) == 0:
        raise LeaseLost(f"lease {fence.name} changed hands since token {fence.token}")
