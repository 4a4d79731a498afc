"""Templates, settings, sessions and plugin records in SQLite."""

import re
import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from adapters.storage.sqlite.connection import (
    Database,
    dumps,
    from_micros,
    loads,
    to_micros,
    transaction,
)
from adapters.storage.sqlite.fences import check_fence
from gateway.clock import Clock
from gateway.ports.records import ContactSettings, Fence, Session, TemplateVersion
from gateway.ports.store import NotFound, StaleSession

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SqliteTemplates:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def save(
        self,
        name: str,
        language: str,
        body: str,
        *,
        category: str | None = None,
        provider_template: dict[str, Any] | None = None,
        saved_by: str = "operator",
    ) -> TemplateVersion:
        params = {
            "name": name,
            "language": language,
            "body": body,
            "category": category,
            "provider_template": dumps(provider_template) if provider_template is not None else None,
            "saved_by": saved_by,
            "saved_at": to_micros(self._clock.now()),
        }

        def insert(connection: sqlite3.Connection) -> sqlite3.Row:
            connection.execute(
                "UPDATE templates SET latest = 0 WHERE name = :name AND language = :language AND latest = 1", params
            )
            return connection.execute(
                """INSERT INTO templates
                       (name, language, version, body, category, provider_template, saved_by, saved_at, latest)
                   SELECT :name, :language, COALESCE(MAX(version), 0) + 1, :body, :category, :provider_template,
                          :saved_by, :saved_at, 1
                   FROM templates WHERE name = :name AND language = :language
                   RETURNING *""",
                params,
            ).fetchone()

        return _template(await self._db.run(lambda connection: transaction(connection, insert)))

    async def get(self, name: str, language: str) -> TemplateVersion | None:
        versions = await self._versions(name, language, limit=1)
        return versions[0] if versions else None

    async def versions(self, name: str, language: str) -> list[TemplateVersion]:
        return await self._versions(name, language, limit=-1)

    async def _versions(self, name: str, language: str, limit: int) -> list[TemplateVersion]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                "SELECT * FROM templates WHERE name = ? AND language = ? ORDER BY version DESC LIMIT ?",
                (name, language, limit),
            ).fetchall()
        )
        return [_template(row) for row in rows]

    async def rollback(self, name: str, language: str, version: int) -> TemplateVersion:
        old = next((v for v in await self.versions(name, language) if v.version == version), None)
        if old is None:
            raise NotFound(f"template {name} ({language}) has no version {version}")
        return await self.save(
            name,
            language,
            old.body,
            category=old.category,
            provider_template=old.provider_template,
            saved_by=f"rollback to version {version}",
        )

    async def page(self, limit: int, after: tuple[str, str] | None = None) -> list[TemplateVersion]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                """SELECT * FROM templates WHERE latest = 1 AND (name, language) > (?, ?)
                   ORDER BY name, language LIMIT ?""",
                (*(after or ("", "")), limit),
            ).fetchall()
        )
        return [_template(row) for row in rows]

    async def list(self) -> list[TemplateVersion]:
        return await self.page(-1)


def _template(row: sqlite3.Row) -> TemplateVersion:
    return TemplateVersion(
        name=row["name"],
        language=row["language"],
        body=row["body"],
        version=row["version"],
        saved_at=from_micros(row["saved_at"]),
        category=row["category"],
        provider_template=loads(row["provider_template"]),
        saved_by=row["saved_by"],
    )


class SqliteSettings:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str) -> Any | None:
        row = await self._db.run(
            lambda connection: connection.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        )
        return loads(row["value"]) if row else None

    async def set(self, key: str, value: Any) -> None:
        await self._db.run(
            lambda connection: connection.execute(
                "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, dumps(value)),
            )
        )

    async def many(self, keys: Sequence[str]) -> dict[str, Any]:
        wanted = list(keys)
        rows = await self._db.run(
            lambda connection: connection.execute(
                f"SELECT key, value FROM settings WHERE key IN ({', '.join('?' * len(wanted))})", wanted
            ).fetchall()
        )
        return {row["key"]: loads(row["value"]) for row in rows}

    async def starting_with(self, prefix: str) -> dict[str, Any]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                "SELECT key, value FROM settings WHERE substr(key, 1, length(?)) = ? ORDER BY key", (prefix, prefix)
            ).fetchall()
        )
        return {row["key"]: loads(row["value"]) for row in rows}

    async def contact(self, contact: str) -> ContactSettings:
        row = await self._db.run(
            lambda connection: connection.execute(
                "SELECT settings FROM contacts WHERE contact = ?", (contact,)
            ).fetchone()
        )
        return ContactSettings(contact, loads(row["settings"]) if row else {})

    async def update_contact(self, contact: str, changes: dict[str, Any]) -> ContactSettings:
        def merge(connection: sqlite3.Connection) -> dict[str, Any]:
            row = connection.execute("SELECT settings FROM contacts WHERE contact = ?", (contact,)).fetchone()
            values = loads(row["settings"]) if row else {}
            values.update(changes)
            values = {key: value for key, value in values.items() if value is not None}
            connection.execute(
                """INSERT INTO contacts VALUES (?, ?)
                   ON CONFLICT (contact) DO UPDATE SET settings = excluded.settings""",
                (contact, dumps(values)),
            )
            return values

        values = await self._db.run(lambda connection: transaction(connection, merge))
        return ContactSettings(contact, values)

    async def contacts(self, limit: int = 100, after: str | None = None) -> list[ContactSettings]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                "SELECT contact, settings FROM contacts WHERE contact > ? ORDER BY contact LIMIT ?",
                (after or "", limit),
            ).fetchall()
        )
        return [ContactSettings(row["contact"], loads(row["settings"])) for row in rows]


class SqliteSessions:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def load(self, contact: str) -> Session | None:
        now = to_micros(self._clock.now())
        row = await self._db.run(
            lambda connection: connection.execute(
                "SELECT * FROM sessions WHERE contact = ? AND expires_at > ?", (contact, now)
            ).fetchone()
        )
        return _session(row) if row else None

    async def save(
        self,
        contact: str,
        data: dict[str, Any],
        *,
        expected_version: int,
        ttl: timedelta,
        fence: Fence | None = None,
    ) -> Session:
        now = self._clock.now()
        params = {
            "contact": contact,
            "data": dumps(data),
            "expected": expected_version,
            "now": to_micros(now),
            "expires": to_micros(now + ttl),
        }
        if expected_version == 0:
            sql = """INSERT INTO sessions VALUES (:contact, :data, 1, :expires, :now)
                     ON CONFLICT (contact) DO UPDATE SET data = excluded.data, version = version + 1,
                         expires_at = excluded.expires_at, updated_at = excluded.updated_at
                     WHERE sessions.expires_at <= :now
                     RETURNING *"""
        else:
            sql = """UPDATE sessions SET data = :data, version = version + 1, expires_at = :expires, updated_at = :now
                     WHERE contact = :contact AND version = :expected RETURNING *"""

        def write(connection: sqlite3.Connection) -> sqlite3.Row | None:
            check_fence(connection, fence)
            return connection.execute(sql, params).fetchone()

        row = await self._db.run(lambda connection: transaction(connection, write))
        if row is None:
            raise StaleSession(f"session changed since version {expected_version} was loaded")
        return _session(row)

    async def delete(self, contact: str) -> None:
        await self._db.run(lambda connection: connection.execute("DELETE FROM sessions WHERE contact = ?", (contact,)))


def _session(row: sqlite3.Row) -> Session:
    return Session(
        contact=row["contact"],
        data=loads(row["data"]),
        version=row["version"],
        expires_at=from_micros(row["expires_at"]),
        updated_at=from_micros(row["updated_at"]),
    )


class SqlitePluginRecords:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def put(self, plugin: str, key: str, document: dict[str, Any]) -> None:
        params = (plugin, key, dumps(document), to_micros(self._clock.now()))
        await self._db.run(
            lambda connection: connection.execute(
                """INSERT INTO records VALUES (?, ?, ?, ?)
                   ON CONFLICT (plugin, key)
                   DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at""",
                params,
            )
        )

    async def insert(self, plugin: str, key: str, document: dict[str, Any]) -> bool:
        params = (plugin, key, dumps(document), to_micros(self._clock.now()))
        inserted = await self._db.run(
            lambda connection: connection.execute(
                "INSERT INTO records VALUES (?, ?, ?, ?) ON CONFLICT (plugin, key) DO NOTHING", params
            ).rowcount
        )
        return inserted == 1

    async def swap(self, plugin: str, key: str, document: dict[str, Any], *, version: int) -> bool:
        if version == 0:
            return await self.insert(plugin, key, document)
        params = (dumps(document), to_micros(self._clock.now()), plugin, key, version)
        swapped = await self._db.run(
            lambda connection: connection.execute(
                """UPDATE records SET document = ?, updated_at = ?
                   WHERE plugin = ? AND key = ? AND json_extract(document, '$.version') = ?""",
                params,
            ).rowcount
        )
        return swapped == 1

    async def get(self, plugin: str, key: str) -> dict[str, Any] | None:
        row = await self._db.run(
            lambda connection: connection.execute(
                "SELECT document FROM records WHERE plugin = ? AND key = ?", (plugin, key)
            ).fetchone()
        )
        return loads(row["document"]) if row else None

    async def delete(self, plugin: str, key: str) -> bool:
        deleted = await self._db.run(
            lambda connection: (
                connection.execute("DELETE FROM records WHERE plugin = ? AND key = ?", (plugin, key)).rowcount
            )
        )
        return deleted == 1

    async def find(self, plugin: str, where: dict[str, Any] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        matching, params = _matching(plugin, where)
        sql = f"SELECT document FROM records WHERE {matching} ORDER BY updated_at DESC, key DESC LIMIT ?"
        rows = await self._db.run(lambda connection: connection.execute(sql, (*params, limit)).fetchall())
        return [loads(row["document"]) for row in rows]

    async def page(
        self,
        plugin: str,
        by: str,
        where: dict[str, Any] | None = None,
        limit: int = 100,
        after: tuple[Any, str] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        matching, params = _matching(plugin, where)
        order = _extracted(by)

        ranked, unranked = f"{order} DESC, key DESC", "key DESC"

        def select(connection: sqlite3.Connection, where: str, bound: list[Any], ordering: str, count: int) -> list:
            sql = f"SELECT key, document FROM records WHERE {matching} AND {where} ORDER BY {ordering} LIMIT ?"
            return connection.execute(sql, (*params, *bound, count)).fetchall()

        def read(connection: sqlite3.Connection) -> list[sqlite3.Row]:
            if after is None:
                return select(connection, "1", [], ranked, limit)
            value, key = after
            # records without `by` come last, read apart: a range on `by` is what lets the index
            # seek straight to the page instead of reading every record before it
            if value is None:
                return select(connection, f"{order} IS NULL AND key < ?", [key], unranked, limit)
            rows = select(connection, f"{order} <= ? AND ({order} < ? OR key < ?)", [value, value, key], ranked, limit)
            if len(rows) < limit:
                rows += select(connection, f"{order} IS NULL", [], unranked, limit - len(rows))
            return rows

        return [(row["key"], loads(row["document"])) for row in await self._db.run(read)]

    async def next_sequence(self, plugin: str, name: str) -> int:
        return await self.add(plugin, name, 1)

    async def add(self, plugin: str, name: str, amount: int) -> int:
        row = await self._db.run(
            lambda connection: connection.execute(
                """INSERT INTO counters VALUES (?, ?, ?)
                   ON CONFLICT (plugin, name) DO UPDATE SET value = value + excluded.value RETURNING value""",
                (plugin, name, amount),
            ).fetchone()
        )
        return row["value"]

    async def sequences(self, plugin: str) -> dict[str, int]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                "SELECT name, value FROM counters WHERE plugin = ?", (plugin,)
            ).fetchall()
        )
        return {row["name"]: row["value"] for row in rows}


def _extracted(field: str) -> str:
    """The SQL reading a top-level document field, written as the indexes on records write it."""
    if not _FIELD_NAME.match(field):
        raise ValueError(f"cannot filter on field {field!r}: use a plain top-level field name")
    return f"json_extract(document, '$.{field}')"


def _matching(plugin: str, where: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters for a plugin's records whose fields equal `where`."""
    clauses, params = ["plugin = ?"], [plugin]
    for field, value in (where or {}).items():
        clauses.append(f"{_extracted(field)} = ?")
        params.append(value)
    return " AND ".join(clauses), params
