"""The disk media store when its disk refuses a write: a clear error, and neither a record nor
a stray file left behind."""

import errno
import os
import sqlite3
import tempfile

import pytest

from adapters.storage.media import disk
from adapters.storage.media.disk import DiskMediaStore
from gateway.models import MediaKind, MediaRefusal
from gateway.ports.media import MediaStoreError


def files_under(directory) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


async def test_a_full_disk_gives_a_clear_error_and_keeps_nothing(tmp_path, clock, monkeypatch):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    before = files_under(tmp_path / "media")
    real_mkstemp = tempfile.mkstemp

    def onto_a_full_disk(**options):
        descriptor, name = real_mkstemp(**options)
        os.close(descriptor)
        return os.open("/dev/full", os.O_WRONLY), name

    monkeypatch.setattr(tempfile, "mkstemp", onto_a_full_disk)
    try:
        with pytest.raises(MediaStoreError, match="No space left on device"):
            await media.put(b"x" * 100_000, content_type="image/png", kind=MediaKind.IMAGE, message_id="in-1")
        assert await media.of_message("in-1") == []
        assert files_under(tmp_path / "media") == before
    finally:
        await media.close()


async def test_a_read_only_directory_gives_a_clear_error_and_keeps_nothing(tmp_path, clock, monkeypatch):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    before = files_under(tmp_path / "media")

    def read_only(source, destination):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(destination))

    monkeypatch.setattr(os, "replace", read_only)
    try:
        with pytest.raises(MediaStoreError, match="Read-only file system"):
            await media.put(b"%PDF", content_type="application/pdf", kind=MediaKind.DOCUMENT, cache_key="k")
        assert await media.cached("k") is None
        assert files_under(tmp_path / "media") == before
    finally:
        await media.close()


async def test_the_same_bytes_twice_are_one_file_on_disk(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    try:
        first = await media.put(b"same", content_type="image/png", kind=MediaKind.IMAGE, message_id="a")
        second = await media.put(b"same", content_type="image/png", kind=MediaKind.IMAGE, message_id="b")
        assert first.id != second.id
        blobs = [name for name in files_under(tmp_path / "media") if name.endswith(first.sha256)]
        assert blobs == [f"{first.sha256[:2]}/{first.sha256}"]
        assert not list((tmp_path / "media" / "tmp").iterdir()), "no temporary file is left behind"
    finally:
        await media.close()


async def test_a_second_process_s_store_on_the_same_directory_sees_the_same_files(tmp_path, clock):
    one = await DiskMediaStore.open(tmp_path / "media", clock)
    other = await DiskMediaStore.open(tmp_path / "media", clock)
    try:
        stored = await one.put(b"shared", content_type="image/png", kind=MediaKind.IMAGE, message_id="in-9")
        assert await other.put(b"again", content_type="image/png", kind=MediaKind.IMAGE, message_id="in-9") == stored
        assert await other.read(stored.id) == b"shared"
    finally:
        await one.close()
        await other.close()


def refuse_inserts(directory) -> None:
    """The index refuses every new record from now on, as a full or failing disk would."""
    with sqlite3.connect(directory / "index.db") as index:
        index.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON media BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )


async def test_a_refused_record_leaves_no_file_behind(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    before = files_under(tmp_path / "media")
    refuse_inserts(tmp_path / "media")
    try:
        with pytest.raises(MediaStoreError, match="disk is full"):
            await media.put(b"%PDF-1.7", content_type="application/pdf", kind=MediaKind.DOCUMENT, message_id="in-1")
        assert files_under(tmp_path / "media") == before, "bytes no record names are never purged"
    finally:
        await media.close()


async def test_a_refused_record_keeps_the_file_another_record_uses(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    kept = await media.put(b"same", content_type="image/png", kind=MediaKind.IMAGE, message_id="in-1")
    refuse_inserts(tmp_path / "media")
    try:
        with pytest.raises(MediaStoreError):
            await media.put(b"same", content_type="image/png", kind=MediaKind.IMAGE, message_id="in-2")
        assert await media.read(kept.id) == b"same"
    finally:
        await media.close()


async def test_a_refused_unavailable_record_gives_the_store_s_clear_error(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    refuse_inserts(tmp_path / "media")
    try:
        with pytest.raises(MediaStoreError, match="disk is full"):
            await media.put_unavailable(
                message_id="in-1", kind=MediaKind.IMAGE, content_type="image/jpeg", error="404", attempts=1
            )
    finally:
        await media.close()


async def test_a_purge_whose_commit_fails_keeps_every_file(tmp_path, clock, monkeypatch):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    old = await media.put(b"old photo", content_type="image/png", kind=MediaKind.IMAGE, message_id="in-1")
    clock.advance(days=10)
    real_transaction = disk.transaction

    def failing_at_commit(connection, work):
        def then_the_disk_fails(connection):
            work(connection)
            raise sqlite3.OperationalError("disk I/O error")

        return real_transaction(connection, then_the_disk_fails)

    monkeypatch.setattr(disk, "transaction", failing_at_commit)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await media.purge_before(clock.now())
        monkeypatch.undo()
        assert await media.read(old.id) == b"old photo", "a record kept by the failed commit lost its bytes"
    finally:
        await media.close()


async def test_an_index_from_before_refusals_were_kept_opens_and_keeps_them(tmp_path, clock):
    directory = tmp_path / "media"
    directory.mkdir()
    with sqlite3.connect(directory / "index.db") as index:  # the table as the previous release made it
        index.execute(disk.SCHEMA[0].replace(", refused TEXT)", ")"))
        index.execute(
            "INSERT INTO media (id, state, size, message_id, created_at, attempts, error, uploads)"
            " VALUES ('m1', 'unavailable', 0, 'in-1', 0, 1, 'timeout', '{}')"
        )
    media = await DiskMediaStore.open(directory, clock)
    try:
        assert (await media.get("m1")).refused is None
        refused = await media.put_unavailable(
            message_id="in-2", kind=MediaKind.IMAGE, content_type=None, error="6 MB", attempts=1,
            refused=MediaRefusal.TOO_LARGE,
        )  # fmt: skip
        assert (await media.get(refused.id)).refused is MediaRefusal.TOO_LARGE
    finally:
        await media.close()
