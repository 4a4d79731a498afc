"""`wa-gateway backup` and `restore`: a consistent copy of the SQLite store and its media
directory, taken while the gateway runs, into a new directory laid out like `var/`
(`gateway.db` and `media/`) so that a gateway starts on the copy as it is, and the copy put
back where the settings say the store goes."""

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
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
    store = _sqlite_store(settings, "use mongodump")
    if not store.is_file():
        raise BackupFailed(f"there is no SQLite store at {store} (GATEWAY_STORE_URL)")
    if target.exists():
        raise BackupFailed(f"{target} already exists; name a new directory")
    if target.resolve().is_relative_to(settings.media_directory.resolve()):
        raise BackupFailed(f"{target} is inside the media directory it would copy; name a directory outside it")
    with _partial_directory(beside=target) as partial:
        copy_database(store, partial / STORE_FILE)
        files, size, purged = _copy_media(settings.media_directory, partial / MEDIA_FOLDER)
        os.rename(partial, target)
    return Backup(target, (target / STORE_FILE).stat().st_size, files, size, purged)


def restore_from(settings: Settings, source: Path) -> Backup:
    """Put the backup in `source` where the settings' store and media directory go. Neither may
    exist: a restore never writes over a store, live or damaged, nor leaves its old `-wal`
    file beside the copy, where SQLite would replay it into the restored database."""
    store = _sqlite_store(settings, "use mongorestore")
    media = settings.media_directory
    if not (source / STORE_FILE).is_file():
        raise BackupFailed(f"{source} holds no {STORE_FILE}: name a directory that `wa-gateway backup` wrote")
    present = [path for path in (store, Path(f"{store}-wal"), Path(f"{store}-shm"), media) if path.exists()]
    if present:
        raise BackupFailed(f"found {', '.join(map(str, present))}: stop every process and move these aside first")
    media.parent.mkdir(parents=True, exist_ok=True)
    with _partial_directory(beside=media) as partial_media, _partial_directory(beside=store) as partial_store:
        copy_database(source / STORE_FILE, partial_store / STORE_FILE)
        files, size, purged = _copy_media(source / MEDIA_FOLDER, partial_media / MEDIA_FOLDER)
        if (partial_media / MEDIA_FOLDER).exists():
            os.rename(partial_media / MEDIA_FOLDER, media)
        os.rename(partial_store / STORE_FILE, store)  # last: a gateway never starts on a store without its media
    return Backup(source, store.stat().st_size, files, size, purged)


def _sqlite_store(settings: Settings, instead: str) -> Path:
    if settings.store_backend != "sqlite":
        raise BackupFailed(f"the store is MongoDB, which this command does not copy: {instead} (docs/deployment.md#backups)")
    return Path(settings.store_url.removeprefix("sqlite:///"))


@contextmanager
def _partial_directory(beside: Path) -> Iterator[Path]:
    """A temporary directory beside `beside` (so a rename moves what it holds into place),
    removed afterwards; the file system's and SQLite's errors become one-line BackupFailed."""
    try:
        beside.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=beside.parent, prefix=f".{beside.name}.partial-"))
    except OSError as error:
        raise BackupFailed(f"cannot write to {beside.parent}: {error.strerror or error}") from None
    try:
        yield partial
    except OSError as error:
        raise BackupFailed(f"{error.strerror or error}: {error.filename or beside}") from None
    except sqlite3.Error as error:
        raise BackupFailed(f"SQLite refused the copy: {error}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)


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
