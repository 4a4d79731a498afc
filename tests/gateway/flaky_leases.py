"""The store's lease repository with a switch that makes every call fail as a locked SQLite
database does, for the heartbeat and the shared circuits cut off from the store."""

import sqlite3
from typing import Any


class FlakyLeases:
    def __init__(self, leases: Any) -> None:
        self._leases = leases
        self.down = False

    def __getattr__(self, operation: str) -> Any:
        call = getattr(self._leases, operation)

        async def unless_down(*arguments: Any) -> Any:
            if self.down:
                raise sqlite3.OperationalError("database is locked")
            return await call(*arguments)

        return unless_down
