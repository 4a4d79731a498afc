"""`wa-gateway backup`: a consistent copy of the SQLite store and its media directory, taken
while the gateway runs, into a new directory laid out like `var/` (`gateway.db` and `media/`)
so that a gateway starts on the copy as it is."""

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from gateway.ports.media import MediaState
from gateway.settings import Settings

STORE_FILE = "gateway.db"
MEDIA_FOLDER = "media"
MEDIA_INDEX = "index.db"
PAGES_PER_STEP = 1024
"""Database pages (4 KiB each by default) copied per step of SQLite's online backup."""


class BackupFailed(Exception):
    """The backup could not be made; the message says why in one line."""


@dataclass(frozen=True)
class Backup:
    """What a backup holds."""

    path: Path
    store_bytes: int
    media_files: int
    media_bytes: int
    media_purged: int
    """Media records left out because housekeeping deleted their file while the backup ran."""


def back_up(settings: Settings, target: Path) -> Backup:
    """Copy the store and `settings.media_directory` into the new directory `target`, which
    appears whole or not at all."""
    if settings.store_backend != "sqlite":
        raise BackupFailed(
            "the store is MongoDB, which this command does not copy: use mongodump (docs/deployment.md#backups)"
        )
    store = Path(settings.store_url.removeprefix("sqlite:///"))
    if not store.is_file():
        raise BackupFailed(f"there is no SQLite store at {store} (GATEWAY_STORE_URL)")
    if target.exists():
        raise BackupFailed(f"{target} already exists; name a new directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    except OSError as error:
        raise BackupFailed(f"cannot write to {target.parent}: {error.strerror or error}") from None
    try:
        copy_database(store, partial / STORE_FILE)
        files, size, purged = _copy_media(settings.media_directory, partial / MEDIA_FOLDER)
        os.rename(partial, target)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, OSError):
            raise BackupFailed(f"{error.strerror or error}: {error.filename or target}") from None
        if isinstance(error, sqlite3.Error):
            raise BackupFailed(f"SQLite refused the copy: {error}") from None
        raise
    return Backup(target, (target / STORE_FILE).stat().st_size, files, size, purged)


def copy_database(source: Path, destination: Path) -> None:
    """Copy a live SQLite database with its online backup API, step by step inside one read
    transaction: in WAL mode (the store's) writers carry on meanwhile, and the copy is the
    database as it was when the transaction began. Without that transaction each write by the
    gateway would restart the copy, which under steady traffic might never finish."""
    with closing(sqlite3.connect(source, isolation_level=None, timeout=30)) as reading:
        reading.execute("BEGIN")
        reading.execute("SELECT count(*) FROM sqlite_master").fetchone()
        with closing(sqlite3.connect(destination, isolation_level=None)) as copy:
            reading.backup(copy, pages=PAGES_PER_STEP)
            reading.execute("COMMIT")
            copy.execute("PRAGMA journal_mode = DELETE")
            if (verdict := copy.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                raise BackupFailed(f"the copy of {source} fails SQLite's check: {verdict}")


def _copy_media(directory: Path, destination: Path) -> tuple[int, int, int]:
    """Copy the media index, then the files (each never changes once written); return how many
    files, their bytes, and how many records were left out for want of their file."""
    if not (directory / MEDIA_INDEX).is_file():
        return 0, 0, 0
    destination.mkdir()
    copy_database(directory / MEDIA_INDEX, destination / MEDIA_INDEX)
    copied: set[str] = set()
    size = 0
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if relative.parts[0] == "tmp" or relative.name.startswith(MEDIA_INDEX) or not path.is_file():
            continue
        try:
            size += _copy_file(path, destination / relative)
        except FileNotFoundError:
            continue  # purged since the index was copied; its record goes below
        copied.add(path.name)
    return len(copied), size, _forget_missing(destination / MEDIA_INDEX, copied)


def _copy_file(source: Path, destination: Path) -> int:
    """Copy one file, flushed to the disk; return its size."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reading, destination.open("xb") as writing:
        shutil.copyfileobj(reading, writing, 1 << 20)
        writing.flush()
        os.fsync(writing.fileno())
        return writing.tell()


def _forget_missing(index: Path, copied: set[str]) -> int:
    """Delete from the copied index the stored records whose file (named by its sha256) was
    not copied, because housekeeping purged it after the index was read."""
    with closing(sqlite3.connect(index, isolation_level=None)) as connection:
        rows = connection.execute("SELECT id, sha256 FROM media WHERE state = ?", (MediaState.STORED.value,))
        missing = [(media_id,) for media_id, digest in rows.fetchall() if digest not in copied]
        connection.executemany("DELETE FROM media WHERE id = ?", missing)
    return len(missing)
