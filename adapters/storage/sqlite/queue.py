"""The outbound queue in SQLite: each claim is one UPDATE … RETURNING, atomic across processes."""

import sqlite3
from datetime import datetime, timedelta

from adapters.storage.sqlite.connection import (
    Database,
    dumps,
    from_micros,
    loads,
    to_micros,
    transaction,
)
from gateway.clock import Clock
from gateway.models import OutboundMessage, new_id
from gateway.ports.records import Job, JobState
from gateway.ports.store import DEFAULT_MAX_ATTEMPTS, replied_contact

_EXPIRED = "state = 'sending' AND lease_expires_at <= :now"
_DUE = "state = 'queued' AND due_at <= :now"
# a claim takes a job whose lease expired first, else the most urgent due one, reading queue_due
# in order and stopping at the first it may take; left to itself the planner would sort every
# due job, and check each one's turn, at every claim
_IN_TURN = """(reply_to IS NULL OR NOT EXISTS (
    SELECT 1 FROM queue AS earlier
    WHERE earlier.reply_to = queue.reply_to AND earlier.state IN ('queued', 'sending') AND earlier.id < queue.id))
    AND (follows IS NULL OR NOT EXISTS (
    SELECT 1 FROM queue AS followed WHERE followed.id = queue.follows AND followed.state IN ('queued', 'sending')))"""


class SqliteQueue:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def enqueue(
        self, message: OutboundMessage, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, follows: str | None = None
    ) -> Job:
        now = to_micros(self._clock.now())
        row = {
            "id": new_id(),
            "message": dumps(message.model_dump(mode="json", exclude_none=True)),
            "priority": int(message.priority),
            "due_at": to_micros(message.send_at) if message.send_at else now,
            "max_attempts": max_attempts,
            "key": message.idempotency_key,
            "reply_to": replied_contact(message),
            "follows": follows,
            "now": now,
        }

        def insert(connection: sqlite3.Connection) -> sqlite3.Row:
            connection.execute(
                """INSERT INTO queue (id, message, state, priority, due_at, max_attempts, idempotency_key,
                       reply_to, follows, created_at, updated_at)
                   VALUES (:id, :message, 'queued', :priority, :due_at, :max_attempts, :key, :reply_to, :follows,
                       :now, :now)
                   ON CONFLICT (idempotency_key) DO NOTHING""",
                row,
            )
            if row["key"] is None:
                return connection.execute("SELECT * FROM queue WHERE id = ?", (row["id"],)).fetchone()
            return connection.execute("SELECT * FROM queue WHERE idempotency_key = ?", (row["key"],)).fetchone()

        return _job(await self._db.run(insert))

    async def claim(self, owner: str, lease: timedelta) -> Job | None:
        now = self._clock.now()
        params = {"owner": owner, "now": to_micros(now), "expires": to_micros(now + lease)}
        row = await self._db.run(
            lambda connection: connection.execute(
                f"""UPDATE queue SET recovered = (state = 'sending'), state = 'sending', attempts = attempts + 1,
                        lease_owner = :owner, lease_expires_at = :expires, updated_at = :now
                    WHERE id = COALESCE(
                        (SELECT id FROM queue WHERE {_EXPIRED} AND {_IN_TURN} ORDER BY lease_expires_at LIMIT 1),
                        (SELECT id FROM queue INDEXED BY queue_due WHERE {_DUE} AND {_IN_TURN}
                         ORDER BY priority DESC, due_at LIMIT 1))
                    RETURNING *""",
                params,
            ).fetchone()
        )
        return _job(row) if row else None

    async def record_sent(self, job_id: str, owner: str, provider_message_id: str) -> bool:
        params = (provider_message_id, job_id, owner)
        updated = await self._db.run(
            lambda connection: (
                connection.execute(
                    "UPDATE queue SET provider_message_id = ? WHERE id = ? AND state = 'sending' AND lease_owner = ?",
                    params,
                ).rowcount
            )
        )
        return updated == 1

    async def ack(self, job_id: str, owner: str, provider_message_id: str) -> bool:
        row = await self._finish(
            "state = 'sent', provider_message_id = :pmid, last_error = NULL",
            job_id,
            owner,
            pmid=provider_message_id,
        )
        return row is not None

    async def retry(self, job_id: str, owner: str, error: str, retry_at: datetime) -> Job | None:
        row = await self._finish(
            """state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
               due_at = :retry_at, last_error = :error""",
            job_id,
            owner,
            error=error,
            retry_at=to_micros(retry_at),
        )
        return _job(row) if row else None

    async def postpone(self, job_id: str, owner: str, reason: str, until: datetime) -> Job | None:
        row = await self._finish(
            "state = 'queued', attempts = attempts - 1, due_at = :until, last_error = :error",
            job_id,
            owner,
            error=reason,
            until=to_micros(until),
        )
        return _job(row) if row else None

    async def fail(self, job_id: str, owner: str, error: str) -> Job | None:
        row = await self._finish("state = 'dead', last_error = :error", job_id, owner, error=error)
        return _job(row) if row else None

    async def suppress(self, job_id: str, owner: str, reason: str) -> Job | None:
        row = await self._finish("state = 'suppressed', last_error = :error", job_id, owner, error=reason)
        return _job(row) if row else None

    async def _finish(self, assignments: str, job_id: str, owner: str, **params: object) -> sqlite3.Row | None:
        """End a claim: applies only while `owner` still holds the job's lease."""
        params |= {"id": job_id, "owner": owner, "now": to_micros(self._clock.now())}
        return await self._db.run(
            lambda connection: connection.execute(
                f"""UPDATE queue SET {assignments}, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
                    WHERE id = :id AND state = 'sending' AND lease_owner = :owner RETURNING *""",
                params,
            ).fetchone()
        )

    async def requeue(self, job_id: str) -> Job | None:
        params = {"id": job_id, "now": to_micros(self._clock.now())}

        def requeue(connection: sqlite3.Connection) -> sqlite3.Row | None:
            row = connection.execute(
                """UPDATE queue SET state = 'queued', attempts = 0, due_at = :now, updated_at = :now
                   WHERE id = :id AND state IN ('dead', 'suppressed') RETURNING *""",
                params,
            ).fetchone()
            if row is not None:
                connection.execute(
                    """WITH RECURSIVE held (id) AS (
                            SELECT id FROM queue WHERE follows = :id AND state = 'suppressed'
                            UNION SELECT queue.id FROM queue JOIN held ON queue.follows = held.id
                            WHERE queue.state = 'suppressed')
                        UPDATE queue SET state = 'queued', attempts = 0, due_at = :now, updated_at = :now
                        WHERE id IN held""",
                    params,
                )
            return row

        row = await self._db.run(lambda connection: transaction(connection, requeue))
        return _job(row) if row else None

    async def get(self, job_id: str) -> Job | None:
        row = await self._db.run(
            lambda connection: connection.execute("SELECT * FROM queue WHERE id = ?", (job_id,)).fetchone()
        )
        return _job(row) if row else None

    async def counts(self) -> dict[JobState, int]:
        rows = await self._db.run(
            lambda connection: connection.execute("SELECT state, COUNT(*) FROM queue GROUP BY state").fetchall()
        )
        return {state: 0 for state in JobState} | {JobState(state): count for state, count in rows}

    async def list(self, state: JobState, limit: int = 50, after: tuple[datetime, str] | None = None) -> list[Job]:
        due, job = (to_micros(after[0]), after[1]) if after else (-1, "")
        rows = await self._db.run(
            lambda connection: connection.execute(
                "SELECT * FROM queue WHERE state = ? AND (due_at, id) > (?, ?) ORDER BY due_at, id LIMIT ?",
                (state.value, due, job, limit),
            ).fetchall()
        )
        return [_job(row) for row in rows]

    async def purge_finished(self, before: datetime, batch: int = 500) -> int:
        """Batch by batch, each its own short write, so webhooks never wait behind a long delete."""
        params = {"before": to_micros(before), "batch": batch}
        purged = 0
        while deleted := await self._db.run(
            lambda connection: connection.execute(
                """DELETE FROM queue WHERE id IN (
                       SELECT id FROM queue WHERE state IN ('sent', 'suppressed') AND updated_at < :before
                       LIMIT :batch)""",
                params,
            ).rowcount
        ):
            purged += deleted
        return purged


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        message=loads(row["message"]),
        state=JobState(row["state"]),
        priority=row["priority"],
        due_at=from_micros(row["due_at"]),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        created_at=from_micros(row["created_at"]),
        updated_at=from_micros(row["updated_at"]),
        idempotency_key=row["idempotency_key"],
        lease_owner=row["lease_owner"],
        lease_expires_at=from_micros(row["lease_expires_at"]),
        provider_message_id=row["provider_message_id"],
        last_error=row["last_error"],
        recovered=bool(row["recovered"]),
        follows=row["follows"],
    )
