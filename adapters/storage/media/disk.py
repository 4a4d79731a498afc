"""The embedded media store: files in a directory, named by their sha256, with a small SQLite
index beside them (WAL mode, so every process on the host reads and writes it safely)."""

import asyncio
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

from adapters.storage.sqlite.connection import Database, dumps, from_micros, loads, to_micros, transaction
from gateway.clock import Clock
from gateway.models import MediaKind, MediaRefusal
from gateway.ports.media import MediaState, MediaStoreError, ProviderUpload, StoredMedia
from gateway.ports.store import NotFound

T = TypeVar("T")

READ_PIECE_BYTES = 1 << 20
"""How much of a file `chunks` holds at once."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS media (
        id TEXT PRIMARY KEY, state TEXT NOT NULL, kind TEXT, content_type TEXT,
        size INTEGER NOT NULL, sha256 TEXT, filename TEXT, message_id TEXT UNIQUE, cache_key TEXT UNIQUE,
        created_at INTEGER NOT NULL, attempts INTEGER NOT NULL, error TEXT, uploads TEXT NOT NULL, refused TEXT)""",
    "CREATE INDEX IF NOT EXISTS media_created ON media (created_at)",
    "CREATE INDEX IF NOT EXISTS media_sha256 ON media (sha256)",
)


class DiskMediaStore:
    """The media store port over a directory; open it with `DiskMediaStore.open`.

    A file is written to a temporary name in the directory and renamed into place inside the
    index's write transaction, the same lock under which a purge removes files no record uses:
    a crash never leaves half a file, and a purge never takes a file a new record is claiming."""

    backend = "disk"

    def __init__(self, directory: Path, database: Database, clock: Clock) -> None:
        self.directory = directory
        self._db = database
        self._clock = clock

    @classmethod
    async def open(cls, directory: Path, clock: Clock) -> "DiskMediaStore":
        """Open (creating if needed) the directory and its index."""
        try:
            await asyncio.to_thread(lambda: (directory / "tmp").mkdir(parents=True, exist_ok=True))
        except OSError as error:
            raise MediaStoreError(f"cannot create the media directory {directory}: {error.strerror}") from error
        database = Database(directory / "index.db")
        await database.open()
        try:
            await database.run(_create_schema)
        except BaseException:
            await database.close()
            raise
        return cls(directory, database, clock)

    async def put(
        self,
        data: bytes,
        *,
        content_type: str,
        kind: MediaKind,
        filename: str | None = None,
        message_id: str | None = None,
        cache_key: str | None = None,
        attempts: int = 0,
    ) -> StoredMedia:
        if (kept := await self._kept(message_id, cache_key)) is not None:
            return kept
        written, digest = await asyncio.to_thread(self._write_temporary, data)
        record = StoredMedia(
            id=uuid4().hex,
            state=MediaState.STORED,
            kind=kind,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            filename=filename,
            message_id=message_id,
            cache_key=cache_key,
            created_at=self._clock.now(),
            attempts=attempts,
        )
        try:
            return await self._write(partial(self._claim, record=record, written=written))
        except sqlite3.Error as error:
            raise MediaStoreError(f"the media index refused the record: {error}") from error
        finally:
            written.unlink(missing_ok=True)

    async def put_unavailable(
        self,
        *,
        message_id: str,
        kind: MediaKind | None,
        content_type: str | None,
        error: str,
        attempts: int,
        refused: MediaRefusal | None = None,
    ) -> StoredMedia:
        record = StoredMedia(
            id=uuid4().hex,
            state=MediaState.UNAVAILABLE,
            kind=kind,
            content_type=content_type,
            message_id=message_id,
            created_at=self._clock.now(),
            attempts=attempts,
            error=error,
            refused=refused,
        )
        try:
            return await self._write(partial(_record_unavailable, record=record))
        except sqlite3.Error as failure:
            raise MediaStoreError(f"the media index refused the record: {failure}") from failure

    async def get(self, media_id: str) -> StoredMedia | None:
        return await self._db.run(lambda connection: _one(connection, "id = ?", media_id))

    async def read(self, media_id: str) -> bytes:
        path = await self._path(media_id)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound(f"media {media_id}: its file is gone") from None

    async def chunks(self, media_id: str) -> AsyncIterator[bytes]:
        path = await self._path(media_id)
        try:
            opened = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise NotFound(f"media {media_id}: its file is gone") from None
        try:
            while piece := await asyncio.to_thread(opened.read, READ_PIECE_BYTES):
                yield piece
        finally:
            opened.close()

    async def of_message(self, message_id: str) -> list[StoredMedia]:
        return await self._db.run(lambda connection: _many(connection, "message_id = ?", message_id))

    async def cached(self, cache_key: str) -> StoredMedia | None:
        return await self._db.run(lambda connection: _one(connection, "cache_key = ?", cache_key))

    async def remember_upload(self, media_id: str, provider: str, upload: ProviderUpload) -> None:
        def remember(connection: sqlite3.Connection) -> None:
            row = connection.execute("SELECT uploads FROM media WHERE id = ?", (media_id,)).fetchone()
            if row is None:
                raise NotFound(f"media {media_id}")
            uploads = loads(row["uploads"]) | {provider: upload.model_dump(mode="json")}
            connection.execute("UPDATE media SET uploads = ? WHERE id = ?", (dumps(uploads), media_id))

        await self._write(remember)

    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        purged = 0
        while True:
            went, digests = await self._write(partial(_purge_batch, before=to_micros(before), batch=batch))
            await self._write(partial(self._unlink_unused, digests=digests))
            purged += went
            if went < batch:
                return purged

    async def ping(self) -> None:
        await self._db.run(lambda connection: connection.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        await self._db.close()

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one write transaction, so no other process comes between its reads and writes."""
        return await self._db.run(lambda connection: transaction(connection, work))

    async def _kept(self, message_id: str | None, cache_key: str | None) -> StoredMedia | None:
        """The stored file already kept for this message or key, if any."""
        if message_id is None and cache_key is None:
            return None
        found = await self._db.run(
            lambda connection: _one(
                connection, "(message_id = ? OR cache_key = ?) AND state = ?", message_id, cache_key, MediaState.STORED
            )
        )
        return found

    async def _path(self, media_id: str) -> Path:
        """Where a stored file's bytes are; NotFound for an unknown or unavailable id."""
        record = await self.get(media_id)
        if record is None or record.state is not MediaState.STORED or record.sha256 is None:
            raise NotFound(f"media {media_id}")
        return self._blob(record.sha256)

    def _blob(self, digest: str) -> Path:
        return self.directory / digest[:2] / digest

    def _write_temporary(self, data: bytes) -> tuple[Path, str]:
        """Write the bytes, flushed to the disk, under a temporary name; return it and their sha256."""
        digest = hashlib.sha256(data).hexdigest()
        try:
            descriptor, name = tempfile.mkstemp(dir=self.directory / "tmp", prefix=digest[:8])
        except OSError as error:
            raise MediaStoreError(f"cannot write to the media directory: {error.strerror}") from error
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            Path(name).unlink(missing_ok=True)
            raise MediaStoreError(f"cannot write to the media directory: {error.strerror}") from error
        return Path(name), digest

    def _claim(self, connection: sqlite3.Connection, record: StoredMedia, written: Path) -> StoredMedia:
        """Within the write lock: the record kept meanwhile for the same message or key, else the
        file renamed into place and `record` inserted (replacing an unavailable record). A file
        that no record took is removed again, so no write leaves bytes a purge would never find."""
        kept = _one(connection, "message_id = ? OR cache_key = ?", record.message_id, record.cache_key)
        if kept is not None:
            if kept.state is MediaState.STORED:
                return kept
            connection.execute("DELETE FROM media WHERE id = ?", (kept.id,))
        assert record.sha256 is not None
        blob = self._blob(record.sha256)
        shared = blob.exists()
        try:
            blob.parent.mkdir(exist_ok=True)
            os.replace(written, blob)
        except OSError as error:
            raise MediaStoreError(f"cannot write to the media directory: {error.strerror}") from error
        try:
            _insert(connection, record)
        except sqlite3.Error:
            if not shared:
                blob.unlink(missing_ok=True)
            raise
        return record

    def _unlink_unused(self, connection: sqlite3.Connection, digests: set[str]) -> None:
        """Within the write lock, after the purge has committed: remove the files of `digests`
        that no record uses (one a put has claimed since stays)."""
        for digest in digests:
            if connection.execute("SELECT 1 FROM media WHERE sha256 = ? LIMIT 1", (digest,)).fetchone() is None:
                self._blob(digest).unlink(missing_ok=True)


def _create_schema(connection: sqlite3.Connection) -> None:
    for statement in SCHEMA:
        connection.execute(statement)
    columns = {row["name"] for row in connection.execute("PRAGMA table_info(media)")}
    if "refused" not in columns:  # an index made before the gateway said why it refused a file
        connection.execute("ALTER TABLE media ADD COLUMN refused TEXT")


def _purge_batch(connection: sqlite3.Connection, before: int, batch: int) -> tuple[int, set[str]]:
    """Delete up to `batch` records made before `before`; return how many, and the digests of
    their files, removed only once this has committed (a failed commit keeps every file)."""
    rows = connection.execute(
        "SELECT id, sha256 FROM media WHERE created_at < ? ORDER BY created_at LIMIT ?", (before, batch)
    ).fetchall()
    connection.executemany("DELETE FROM media WHERE id = ?", [(row["id"],) for row in rows])
    return len(rows), {row["sha256"] for row in rows if row["sha256"]}


def _record_unavailable(connection: sqlite3.Connection, record: StoredMedia) -> StoredMedia:
    """Insert the record, unless the message already has one: a stored file stays, an earlier
    unavailable record takes the latest error, count of attempts and refusal."""
    kept = _one(connection, "message_id = ?", record.message_id)
    if kept is None:
        _insert(connection, record)
        return record
    if kept.state is MediaState.STORED:
        return kept
    latest = {"error": record.error, "attempts": record.attempts, "refused": record.refused}
    connection.execute(
        "UPDATE media SET error = ?, attempts = ?, refused = ? WHERE id = ?",
        (record.error, record.attempts, record.refused and record.refused.value, kept.id),
    )
    return kept.model_copy(update=latest)


def _insert(connection: sqlite3.Connection, record: StoredMedia) -> None:
    row = record.model_dump(mode="json")
    row["created_at"] = to_micros(record.created_at)
    row["uploads"] = dumps(row["uploads"])
    columns = ", ".join(row)
    connection.execute(f"INSERT INTO media ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


def _one(connection: sqlite3.Connection, where: str, *values: Any) -> StoredMedia | None:
    found = _many(connection, where, *values)
    return found[0] if found else None


def _many(connection: sqlite3.Connection, where: str, *values: Any) -> list[StoredMedia]:
    rows = connection.execute(f"SELECT * FROM media WHERE {where} ORDER BY created_at, id", values).fetchall()
    return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> StoredMedia:
    fields = dict(row)
    fields["created_at"] = from_micros(fields["created_at"])
    fields["uploads"] = loads(fields["uploads"])
    return StoredMedia.model_validate(fields)
