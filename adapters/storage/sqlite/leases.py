"""Named leases with fencing tokens in SQLite: one holder at a time across processes."""

import sqlite3
from datetime import datetime, timedelta

from adapters.storage.sqlite.connection import Database, from_micros, to_micros
from gateway.clock import Clock
from gateway.ports.records import Lease


class SqliteLeases:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def acquire(self, name: str, owner: str, ttl: timedelta) -> int | None:
        now = self._clock.now()
        params = {"name": name, "owner": owner, "now": to_micros(now), "expires": to_micros(now + ttl)}
        # one statement, so two processes racing for an expired lease cannot both win it
        sql = """INSERT INTO leases VALUES (:name, :owner, 1, :expires)
                 ON CONFLICT (name) DO UPDATE SET
                     token = CASE WHEN leases.owner = :owner AND leases.expires_at > :now
                                  THEN leases.token ELSE leases.token + 1 END,
                     owner = :owner, expires_at = :expires
                 WHERE leases.owner = :owner OR leases.expires_at <= :now
                 RETURNING token"""
        row = await self._db.run(lambda connection: connection.execute(sql, params).fetchone())
        return row["token"] if row else None

    async def renew(self, name: str, owner: str, token: int, ttl: timedelta) -> bool:
        now = self._clock.now()
        params = (to_micros(now + ttl), name, owner, token, to_micros(now))
        changed = await self._db.run(
            lambda connection: connection.execute(
                "UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND token = ? AND expires_at > ?",
                params,
            ).rowcount
        )
        return changed == 1

    async def release(self, name: str, owner: str, token: int) -> None:
        # expire rather than delete, so the next holder's token still grows
        params = (to_micros(self._clock.now()), name, owner, token)
        await self._db.run(
            lambda connection: connection.execute(
                "UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND token = ?", params
            )
        )

    async def holders(self, prefix: str) -> list[Lease]:
        # a range of the primary key, so the purged and expired rows of other names cost nothing
        params = (prefix, prefix + "\uffff", to_micros(self._clock.now()))
        rows = await self._db.run(
            lambda connection: connection.execute(
                "SELECT * FROM leases WHERE name >= ? AND name < ? AND expires_at > ? ORDER BY name", params
            ).fetchall()
        )
        return [_lease(row) for row in rows]

    async def purge_expired(self, before: datetime) -> int:
        return await self._db.run(
            lambda connection: connection.execute(
                "DELETE FROM leases WHERE expires_at < ?", (to_micros(before),)
            ).rowcount
        )


def _lease(row: sqlite3.Row) -> Lease:
    return Lease(row["name"], row["owner"], row["token"], from_micros(row["expires_at"]))

