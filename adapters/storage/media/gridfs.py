"""The production media store: GridFS bucket `media` in the store's MongoDB database, through
PyMongo's async bucket; a file's record is its files document's `metadata`."""

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import uuid4

from gridfs import AsyncGridFSBucket
from gridfs.errors import FileExists, NoFile
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.errors import PyMongoError

from adapters.storage.mongo.connection import connect
from adapters.storage.mongo.retry import Retry
from gateway.clock import Clock
from gateway.models import MediaKind, MediaRefusal
from gateway.ports.media import MediaState, MediaStoreError, ProviderUpload, StoredMedia
from gateway.ports.store import NotFound

log = logging.getLogger(__name__)

BUCKET = "media"
INDEXES: dict[str, list[IndexModel]] = {
    "files": [
        IndexModel(
            "metadata.message_id", unique=True, partialFilterExpression={"metadata.message_id": {"$type": "string"}}
        ),
        IndexModel(
            "metadata.cache_key", unique=True, partialFilterExpression={"metadata.cache_key": {"$type": "string"}}
        ),
        IndexModel("metadata.created_at"),
        # GridFS's own, made here so a bucket never has to check for them
        IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)]),
    ],
    "chunks": [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)],
}


class GridFSMediaStore:
    """The media store port over GridFS; open it with `GridFSMediaStore.open` on the store's
    database (sharing its client) or `connect` on a URL (its own client, closed with it)."""

    backend = "gridfs"

    def __init__(
        self, database: Any, clock: Clock, client: AsyncMongoClient | None = None, retry: Retry | None = None
    ) -> None:
        self._database = database
        self._bucket = AsyncGridFSBucket(database, BUCKET)
        self._files = database[f"{BUCKET}.files"]
        self._chunks = database[f"{BUCKET}.chunks"]
        self._clock = clock
        self._client = client
        self._retry = retry or Retry()

    @classmethod
    async def open(cls, database: Any, clock: Clock, retry: Retry | None = None) -> "GridFSMediaStore":
        """The bucket in `database` (whose client the caller keeps and closes), indexes made."""
        store = cls(database, clock, retry=retry)
        await store.create_indexes()
        return store

    @classmethod
    async def connect(cls, url: str, clock: Clock, retry: Retry | None = None) -> "GridFSMediaStore":
        """The bucket in the database `url` names, on a client of its own."""
        client = connect(url)
        try:
            store = cls(client.get_default_database(), clock, client, retry)
            await store.create_indexes()
        except BaseException:
            await client.close()
            raise
        return store

    async def create_indexes(self) -> None:
        for collection, indexes in INDEXES.items():
            await self._database[f"{BUCKET}.{collection}"].create_indexes(indexes)

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
        kept = await self._kept(message_id, cache_key)
        if kept is not None and kept.state is MediaState.STORED:
            return kept
        if kept is not None:
            unavailable = {"_id": kept.id, "metadata.state": MediaState.UNAVAILABLE.value}
            await self._retry.run("media replace", lambda: self._files.delete_one(unavailable))
        digest = await asyncio.to_thread(_sha256, data)  # a 100 MB file takes the loop's time otherwise
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
            created_at=_to_millis(self._clock.now()),
            attempts=attempts,
        )
        try:
            return await self._retry.run("media put", lambda: self._upload(record, data))
        except FileExists:
            if (kept := await self._kept(message_id, cache_key)) is not None:
                return kept
            raise MediaStoreError("MongoDB refused the file: a record for it exists already") from None
        except PyMongoError as error:
            raise MediaStoreError(f"MongoDB refused the file: {_reason(error)}") from error

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
            created_at=_to_millis(self._clock.now()),
            attempts=attempts,
            error=error,
            refused=refused,
        )
        for _ in range(2):
            kept = await self._find_one({"metadata.message_id": message_id})
            if kept is not None:
                return await self._update_unavailable(kept, record)
            try:
                return await self._retry.run("media put unavailable", lambda: self._upload(record, b""))
            except FileExists:
                continue
            except PyMongoError as failure:
                raise MediaStoreError(f"MongoDB refused the record: {_reason(failure)}") from failure
        raise MediaStoreError(f"MongoDB refused the record of message {message_id}'s unavailable file")

    async def get(self, media_id: str) -> StoredMedia | None:
        return await self._find_one({"_id": media_id})

    async def read(self, media_id: str) -> bytes:
        await self._stored(media_id)

        async def download() -> bytes:
            stream = await self._bucket.open_download_stream(media_id)
            return await stream.read()

        try:
            return await self._retry.run("media read", download)
        except NoFile:
            raise NotFound(f"media {media_id}: its file is gone") from None

    async def chunks(self, media_id: str) -> AsyncIterator[bytes]:
        await self._stored(media_id)
        try:
            stream = await self._retry.run("media open", lambda: self._bucket.open_download_stream(media_id))
        except NoFile:
            raise NotFound(f"media {media_id}: its file is gone") from None
        try:
            while piece := await stream.readchunk():
                yield piece
        finally:
            await stream.close()

    async def of_message(self, message_id: str) -> list[StoredMedia]:
        order = [("metadata.created_at", ASCENDING), ("_id", ASCENDING)]
        documents = await self._retry.run(
            "media of message", lambda: self._files.find({"metadata.message_id": message_id}).sort(order).to_list()
        )
        return [_record(document) for document in documents]

    async def cached(self, cache_key: str) -> StoredMedia | None:
        return await self._find_one({"metadata.cache_key": cache_key, "metadata.state": MediaState.STORED.value})

    async def remember_upload(self, media_id: str, provider: str, upload: ProviderUpload) -> None:
        change = {"$set": {f"metadata.uploads.{provider}": {"id": upload.id, "at": upload.at}}}
        result = await self._retry.run(
            "media remember upload", lambda: self._files.update_one({"_id": media_id}, change)
        )
        if result.matched_count == 0:
            raise NotFound(f"media {media_id}")

    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        purged = 0
        while True:
            old = {"metadata.created_at": {"$lt": before}}
            found = await self._retry.run(
                "media purge",
                lambda: self._files.find(old, {"_id": 1}).sort("metadata.created_at", ASCENDING).limit(batch).to_list(),
            )
            ids = [document["_id"] for document in found]
            if ids:
                # the records first: a purge cut short leaves chunks no one sees, never a record without its bytes
                await self._retry.run("media purge", lambda: self._files.delete_many({"_id": {"$in": ids}}))
                await self._retry.run("media purge", lambda: self._chunks.delete_many({"files_id": {"$in": ids}}))
            purged += len(ids)
            if len(ids) < batch:
                return purged

    async def ping(self) -> None:
        await self._database.command("ping")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def _upload(self, record: StoredMedia, data: bytes) -> StoredMedia:
        """Write `record`'s bytes under a fresh id; a failed write leaves nothing behind."""
        record = record.model_copy(update={"id": uuid4().hex})
        try:
            await self._bucket.upload_from_stream_with_id(
                record.id, record.filename or "", data, metadata=_metadata(record)
            )
        except BaseException as error:
            await self._forget(record.id)
            if isinstance(error, PyMongoError) and not isinstance(error, FileExists):
                log.warning("media upload %s failed: %s", record.id, type(error).__name__)
            raise
        return record

    async def _forget(self, media_id: str) -> None:
        """Remove what a failed upload wrote (the driver leaves its chunks)."""
        try:
            await self._files.delete_one({"_id": media_id})
            await self._chunks.delete_many({"files_id": media_id})
        except PyMongoError as error:
            log.warning("could not remove failed media upload %s: %s", media_id, type(error).__name__)

    async def _kept(self, message_id: str | None, cache_key: str | None) -> StoredMedia | None:
        """The record already kept for this message or key, if any."""
        keys = {"metadata.message_id": message_id, "metadata.cache_key": cache_key}
        wanted = [{field: value} for field, value in keys.items() if value is not None]
        return await self._find_one({"$or": wanted}) if wanted else None

    async def _stored(self, media_id: str) -> StoredMedia:
        record = await self.get(media_id)
        if record is None or record.state is not MediaState.STORED:
            raise NotFound(f"media {media_id}")
        return record

    async def _update_unavailable(self, kept: StoredMedia, record: StoredMedia) -> StoredMedia:
        """A stored file stays; an unavailable one takes the latest error, attempts and refusal."""
        if kept.state is MediaState.STORED:
            return kept
        refused = record.refused.value if record.refused is not None else None
        latest = {"metadata.error": record.error, "metadata.attempts": record.attempts, "metadata.refused": refused}
        await self._retry.run(
            "media put unavailable", lambda: self._files.update_one({"_id": kept.id}, {"$set": latest})
        )
        return kept.model_copy(update={"error": record.error, "attempts": record.attempts, "refused": record.refused})

    async def _find_one(self, query: dict[str, Any]) -> StoredMedia | None:
        document = await self._retry.run("media find", lambda: self._files.find_one(query))
        return None if document is None else _record(document)


def _metadata(record: StoredMedia) -> dict[str, Any]:
    fields = record.model_dump(exclude={"id", "size", "filename"}, exclude_none=True)
    fields["state"] = record.state.value
    if record.kind is not None:
        fields["kind"] = record.kind.value
    if record.refused is not None:
        fields["refused"] = record.refused.value
    return fields


def _record(document: dict[str, Any]) -> StoredMedia:
    fields = {"id": document["_id"], "size": document["length"], "filename": document.get("filename") or None}
    return StoredMedia.model_validate(document["metadata"] | fields)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reason(error: PyMongoError) -> str:
    """The server's own words for a refused write, else the kind of failure."""
    details = getattr(error, "details", None) or {}
    written = details.get("writeErrors") or [details]
    return written[0].get("errmsg") or type(error).__name__


def _to_millis(moment: datetime) -> datetime:
    """MongoDB keeps times to the millisecond: the record returned says what a read will."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
