"""The message log in SQLite: inbound dedupe rests on a unique index, never on a prior read."""

import sqlite3
from datetime import date, datetime
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
from gateway.models import (
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    Provider,
    StatusUpdate,
)
from gateway.ports.records import (
    Direction,
    Fence,
    LogEntry,
    LogPage,
    LogQuery,
    LogStatus,
    StatusEvent,
)
from gateway.ports.store import (
    BEFORE_THE_PROVIDER,
    INBOX_LEASE,
    WAITING_SCAN,
    decode_cursor,
    describe_error,
    encode_cursor,
    furthest_report,
    statuses_before,
)

_MICROS_A_DAY = 86_400 * 1_000_000
_EPOCH_DAY = date(1970, 1, 1)


class SqliteMessageLog:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def record_inbound(self, message: InboundMessage) -> bool:
        """Urgent: a webhook waits for it before answering the provider."""
        row = (
            message.id,
            message.provider.value,
            message.provider_message_id,
            message.sender,
            dumps(message.model_dump(mode="json")),
            to_micros(message.timestamp),
        )
        inserted = await self._db.run(
            lambda connection: (
                connection.execute(
                    """INSERT INTO log (id, direction, provider, provider_message_id, contact, status, payload, created_at)
                   VALUES (?, 'inbound', ?, ?, ?, 'received', ?, ?)
                   ON CONFLICT (provider, provider_message_id) WHERE direction = 'inbound' DO NOTHING""",
                    row,
                ).rowcount
            ),
            urgent=True,
        )
        return inserted == 1

    async def mark_processed(self, entry_id: str, error: str | None = None, *, fence: Fence | None = None) -> None:
        def mark(connection: sqlite3.Connection) -> None:
            check_fence(connection, fence)
            connection.execute("UPDATE log SET processed = 1, error = ? WHERE id = ?", (error, entry_id))

        await self._db.run(lambda connection: transaction(connection, mark))

    async def unprocessed_inbound(self, limit: int = 100) -> list[LogEntry]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                # without statistics the planner prefers the direction index and sorts; this
                # partial index holds only the unprocessed messages, already in order
                """SELECT * FROM log INDEXED BY log_unprocessed WHERE direction = 'inbound' AND processed = 0
                   ORDER BY created_at, id LIMIT ?""",
                (limit,),
            ).fetchall()
        )
        return [_entry(row) for row in rows]

    async def waiting_contacts(self, limit: int) -> list[str]:
        now = to_micros(self._clock.now())
        params = {"limit": limit, "scan": limit * WAITING_SCAN, "now": now, "lease": INBOX_LEASE}
        # the scan walks the oldest unprocessed messages, skipping those of held contacts as it goes
        sql = """SELECT contact FROM (
                     SELECT contact, created_at FROM log INDEXED BY log_unprocessed
                     WHERE direction = 'inbound' AND processed = 0
                       AND NOT EXISTS (SELECT 1 FROM leases WHERE name = :lease || contact AND expires_at > :now)
                     ORDER BY created_at, id LIMIT :scan)
                 GROUP BY contact ORDER BY min(created_at) LIMIT :limit"""
        rows = await self._db.run(lambda connection: connection.execute(sql, params).fetchall())
        return [row["contact"] for row in rows]

    async def unprocessed_from(self, contact: str, limit: int) -> list[LogEntry]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                """SELECT * FROM log INDEXED BY log_unprocessed_by_contact
                   WHERE contact = ? AND direction = 'inbound' AND processed = 0
                   ORDER BY created_at, id LIMIT ?""",
                (contact, limit),
            ).fetchall()
        )
        return [_entry(row) for row in rows]

    async def record_outbound(self, entry_id: str, message: OutboundMessage, provider: Provider | None) -> LogEntry:
        row = (
            entry_id,
            provider.value if provider else None,
            message.recipient,
            dumps(message.model_dump(mode="json", exclude_none=True)),
            to_micros(self._clock.now()),
        )

        def insert(connection: sqlite3.Connection) -> sqlite3.Row:
            connection.execute(
                """INSERT INTO log (id, direction, provider, contact, status, processed, payload, created_at)
                   VALUES (?, 'outbound', ?, ?, 'queued', 1, ?, ?) ON CONFLICT (id) DO NOTHING""",
                row,
            )
            return connection.execute("SELECT * FROM log WHERE id = ?", (entry_id,)).fetchone()

        return _entry(await self._db.run(insert))

    async def set_outbound_status(
        self,
        entry_id: str,
        status: LogStatus,
        *,
        provider: Provider | None = None,
        provider_message_id: str | None = None,
        error: str | None = None,
        sent: dict[str, Any] | None = None,
    ) -> None:
        params = (
            status.value,
            provider.value if provider else None,
            provider_message_id,
            error,
            dumps(sent) if sent is not None else None,
            entry_id,
            *(earlier.value for earlier in BEFORE_THE_PROVIDER),
        )

        def record(connection: sqlite3.Connection) -> None:
            updated = connection.execute(
                f"""UPDATE log SET status = ?, provider = COALESCE(?, provider),
                       provider_message_id = COALESCE(?, provider_message_id), error = ?,
                       payload = COALESCE(?, payload)
                   WHERE id = ? AND direction = 'outbound' AND status IN ({_marks(BEFORE_THE_PROVIDER)})""",
                params,
            ).rowcount
            if not updated and sent is not None:
                connection.execute(
                    """INSERT INTO log (id, direction, provider, provider_message_id, contact, status, processed,
                                        error, payload, created_at)
                       VALUES (?, 'outbound', ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
                    (entry_id, params[1], provider_message_id, sent.get("recipient"), status.value, error,
                     params[4], to_micros(self._clock.now())),
                )
            if provider_message_id is not None:
                _catch_up(connection, entry_id)

        await self._db.run(lambda connection: transaction(connection, record))

    async def add_status(self, update: StatusUpdate) -> bool:
        """Urgent, like record_inbound: a status callback's webhook waits for it."""

        def record(connection: sqlite3.Connection) -> bool:
            connection.execute(
                "INSERT INTO statuses VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    update.provider.value,
                    update.provider_message_id,
                    update.status.value,
                    to_micros(update.timestamp),
                    update.error_code,
                    update.error_text,
                ),
            )
            known = connection.execute(
                """SELECT id FROM log WHERE direction = 'outbound' AND provider_message_id = ? AND provider = ?""",
                (update.provider_message_id, update.provider.value),
            ).fetchone()
            if known is not None:
                _move_forward(connection, known["id"], update)
            return known is not None

        return await self._db.run(lambda connection: transaction(connection, record), urgent=True)

    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        """Batch by batch, each its own short write, so webhooks never wait behind a long delete;
        a message still waiting to be processed is kept whatever its age."""
        params = {"before": to_micros(before), "batch": batch}
        purged = 0
        while deleted := await self._db.run(
            lambda connection: connection.execute(
                """DELETE FROM log WHERE id IN (
                       SELECT id FROM log WHERE created_at < :before
                       AND NOT (direction = 'inbound' AND processed = 0) LIMIT :batch)""",
                params,
            ).rowcount
        ):
            purged += deleted
        while await self._db.run(
            lambda connection: connection.execute(
                "DELETE FROM statuses WHERE rowid IN (SELECT rowid FROM statuses WHERE at < :before LIMIT :batch)",
                params,
            ).rowcount
        ):
            pass
        return purged

    async def outbound_counts(self, since: datetime) -> list[tuple[str, str | None, str, int]]:
        rows = await self._db.run(
            lambda connection: connection.execute(
                """SELECT created_at / ? AS day, provider, status, COUNT(*)
                   FROM log WHERE direction = 'outbound' AND created_at >= ?
                   GROUP BY day, provider, status ORDER BY day, provider, status""",
                (_MICROS_A_DAY, to_micros(since)),
            ).fetchall()
        )
        return [
            (_EPOCH_DAY.fromordinal(_EPOCH_DAY.toordinal() + day).isoformat(), provider, status, count)
            for day, provider, status, count in rows
        ]

    async def active_contacts(self, since: datetime) -> int:
        row = await self._db.run(
            lambda connection: connection.execute(
                "SELECT COUNT(DISTINCT contact) FROM log WHERE direction = 'inbound' AND created_at >= ?",
                (to_micros(since),),
            ).fetchone()
        )
        return row[0]

    async def get(self, entry_id: str) -> LogEntry | None:
        def read(connection: sqlite3.Connection) -> LogEntry | None:
            row = connection.execute("SELECT * FROM log WHERE id = ?", (entry_id,)).fetchone()
            if row is None:
                return None
            history = []
            if row["provider_message_id"] and row["direction"] == "outbound":
                history = connection.execute(
                    """SELECT * FROM statuses WHERE provider_message_id = ? AND provider = ? ORDER BY at""",
                    (row["provider_message_id"], row["provider"]),
                ).fetchall()
            return _entry(row, history)

        return await self._db.run(read)

    async def query(self, query: LogQuery) -> LogPage:
        clauses, params = _filters(query)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM log {where} ORDER BY created_at DESC, id DESC LIMIT ?"
        rows = await self._db.run(lambda connection: connection.execute(sql, (*params, query.limit + 1)).fetchall())
        entries = [_entry(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        return LogPage(entries, encode_cursor(entries[-1].created_at, entries[-1].id) if more else None)


def _filters(query: LogQuery) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("contact", query.contact),
        ("direction", query.direction),
        ("status", query.status),
        ("provider", query.provider),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(str(value))
    if query.since is not None:
        clauses.append("created_at >= ?")
        params.append(to_micros(query.since))
    if query.until is not None:
        clauses.append("created_at < ?")
        params.append(to_micros(query.until))
    if query.cursor is not None:
        created_at, entry_id = decode_cursor(query.cursor)
        clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
        params.extend([to_micros(created_at), to_micros(created_at), entry_id])
    return clauses, params


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def _move_forward(connection: sqlite3.Connection, entry_id: str, report: StatusUpdate | StatusEvent) -> None:
    """Apply a provider's report to a logged message, if it moves the message forward."""
    status = LogStatus(report.status.value)
    earlier = [s.value for s in statuses_before(status)]
    connection.execute(
        f"""UPDATE log SET status = ?, error = CASE WHEN ? = 'failed' THEN ? ELSE error END
            WHERE id = ? AND status IN ({_marks(earlier)})""",
        (status.value, status.value, describe_error(report), entry_id, *earlier),
    )


def _catch_up(connection: sqlite3.Connection, entry_id: str) -> None:
    """Apply the reports that arrived before the message's provider id was recorded."""
    row = connection.execute("SELECT * FROM log WHERE id = ?", (entry_id,)).fetchone()
    if row is None:
        return
    history = connection.execute(
        "SELECT * FROM statuses WHERE provider_message_id = ? AND provider = ? ORDER BY at",
        (row["provider_message_id"], row["provider"]),
    ).fetchall()
    report = furthest_report(_entry(row, history).status_history)
    if report is not None:
        _move_forward(connection, entry_id, report)


def _entry(row: sqlite3.Row, history: list[sqlite3.Row] = ()) -> LogEntry:
    return LogEntry(
        id=row["id"],
        direction=Direction(row["direction"]),
        provider=Provider(row["provider"]) if row["provider"] else None,
        contact=row["contact"],
        status=LogStatus(row["status"]),
        created_at=from_micros(row["created_at"]),
        payload=loads(row["payload"]),
        provider_message_id=row["provider_message_id"],
        processed=bool(row["processed"]),
        error=row["error"],
        status_history=tuple(
            StatusEvent(
                status=DeliveryStatus(h["status"]),
                at=from_micros(h["at"]),
                error_code=h["error_code"],
                error_text=h["error_text"],
            )
            for h in history
        ),
    )
