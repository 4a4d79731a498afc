"""GridFS over the in-process MongoDB stand-in, where PyMongo's async bucket runs for real:
how records are kept, a refused write leaves nothing, a failover is ridden out, and the
media store shares the store's client."""

import hashlib
import os
import threading
from collections.abc import AsyncIterator

import pytest

from adapters.storage.media import open_media_store
from adapters.storage.media.gridfs import GridFSMediaStore
from adapters.storage.mongo import MongoStore
from adapters.storage.mongo.retry import Retry
from gateway.models import MediaKind
from gateway.ports.media import MediaStoreError
from gateway.settings import Settings
from tests.adapters.storage.mongomock_server import write_error

OUT_OF_DISK_SPACE = 14031
NOT_PRIMARY = 10107


class RecordedPauses:
    """Retry's sleep: notes each pause and returns at once."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.fixture
async def gridfs(mongo_stand_in, clock) -> AsyncIterator[GridFSMediaStore]:
    opened = await GridFSMediaStore.connect(mongo_stand_in.url, clock, Retry(sleep=RecordedPauses()))
    yield opened
    await opened.close()


async def test_a_file_is_a_gridfs_file_in_bucket_media_with_its_record_in_metadata(gridfs, mongo_stand_in):
    data = os.urandom(600_000)
    stored = await gridfs.put(
        data, content_type="video/mp4", kind=MediaKind.VIDEO, filename="site.mp4", message_id="in-1"
    )
    [document] = mongo_stand_in.collection("media.files").find()
    assert document["_id"] == stored.id and document["length"] == len(data) and document["filename"] == "site.mp4"
    assert document["metadata"] | {"created_at": None} == {
        "state": "stored",
        "kind": "video",
        "content_type": "video/mp4",
        "sha256": stored.sha256,
        "message_id": "in-1",
        "attempts": 0,
        "uploads": {},
        "created_at": None,
    }
    chunks = mongo_stand_in.collection("media.chunks").find({"files_id": stored.id}).sort("n")
    assert b"".join(chunk["data"] for chunk in chunks) == data


async def test_the_message_and_cache_key_are_unique_where_present(gridfs, mongo_stand_in):
    indexes = mongo_stand_in.collection("media.files").index_information()
    by_key = {tuple(index["key"]): index for index in indexes.values()}
    for field in ("metadata.message_id", "metadata.cache_key"):
        index = by_key[((field, 1),)]
        assert index["unique"] and index["partialFilterExpression"] == {field: {"$type": "string"}}
    assert mongo_stand_in.collection("media.chunks").index_information()["files_id_1_n_1"]["unique"]


async def test_a_refused_write_of_the_record_gives_a_clear_error_and_leaves_no_bytes(gridfs, mongo_stand_in):
    mongo_stand_in.fail_next("insert", "media.files", write_error(OUT_OF_DISK_SPACE, "Out of disk space"))
    with pytest.raises(MediaStoreError, match="Out of disk space"):
        await gridfs.put(os.urandom(700_000), content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="in-2")
    assert await gridfs.of_message("in-2") == []
    assert mongo_stand_in.collection("media.files").count_documents({}) == 0
    assert mongo_stand_in.collection("media.chunks").count_documents({}) == 0, "no chunks left without a record"


async def test_a_refused_write_of_the_bytes_gives_a_clear_error_and_no_record(gridfs, mongo_stand_in):
    mongo_stand_in.fail_next("insert", "media.chunks", write_error(OUT_OF_DISK_SPACE, "Out of disk space"))
    with pytest.raises(MediaStoreError, match="Out of disk space"):
        await gridfs.put(b"%PDF-1.7", content_type="application/pdf", kind=MediaKind.DOCUMENT, cache_key="report")
    assert await gridfs.cached("report") is None
    assert mongo_stand_in.collection("media.files").count_documents({}) == 0


async def test_a_stepdown_during_an_upload_is_ridden_out_and_leaves_one_whole_file(mongo_stand_in, clock):
    def stepped_down(request):
        return request.command_err(code=NOT_PRIMARY, errmsg="not primary", errorLabels=["RetryableWriteError"])

    pauses = RecordedPauses()
    # the driver's own retry off: what rides the election out here is the adapter's
    gridfs = await GridFSMediaStore.connect(mongo_stand_in.url + "&retryWrites=false", clock, Retry(sleep=pauses))
    try:
        mongo_stand_in.fail_next("insert", "media.files", stepped_down)
        mongo_stand_in.fail_next("insert", "media.chunks", stepped_down)
        data = os.urandom(300_000)
        stored = await gridfs.put(data, content_type="image/png", kind=MediaKind.IMAGE, message_id="in-3")
        assert await gridfs.read(stored.id) == data
        assert len(pauses.pauses) == 2
        assert mongo_stand_in.collection("media.files").count_documents({}) == 1
        assert mongo_stand_in.collection("media.chunks").count_documents({}) == 2, "the failed attempts' chunks went"
    finally:
        await gridfs.close()


async def test_the_media_store_shares_the_store_s_client_and_leaves_it_open(mongo_stand_in, clock, tmp_path):
    settings = Settings(_env_file=None, store_url=mongo_stand_in.url)
    store = await MongoStore.open(mongo_stand_in.url, clock, server_clock=False)
    try:
        media = await open_media_store(settings, clock, store)
        stored = await media.put(b"photo", content_type="image/jpeg", kind=MediaKind.IMAGE)
        await media.close()
        await store.ping()
        assert media.backend == "gridfs"
        assert mongo_stand_in.collection("media.files").find_one({"_id": stored.id}) is not None
    finally:
        await store.close()


async def test_a_refused_write_of_an_unavailable_record_gives_the_store_s_clear_error(gridfs, mongo_stand_in):
    mongo_stand_in.fail_next("insert", "media.files", write_error(OUT_OF_DISK_SPACE, "Out of disk space"))
    with pytest.raises(MediaStoreError, match="Out of disk space"):
        await gridfs.put_unavailable(
            message_id="in-4", kind=MediaKind.IMAGE, content_type="image/jpeg", error="404", attempts=1
        )
    assert await gridfs.of_message("in-4") == []


async def test_a_large_file_is_hashed_off_the_event_loop(gridfs, monkeypatch):
    data = os.urandom(2_000_000)
    hashed_on: list[int] = []
    real_sha256 = hashlib.sha256

    def noting_the_thread(content=b"", **options):
        if content is data:
            hashed_on.append(threading.get_ident())
        return real_sha256(content, **options)

    monkeypatch.setattr(hashlib, "sha256", noting_the_thread)
    stored = await gridfs.put(data, content_type="video/mp4", kind=MediaKind.VIDEO, message_id="in-5")
    assert stored.sha256 == real_sha256(data).hexdigest()
    assert hashed_on and threading.get_ident() not in hashed_on, "the event loop's thread hashed the file"
