"""The media store port: files contacts sent and files the gateway sends, shared by every
process of a deployment (a directory on disk by default, GridFS on MongoDB in production)."""

from collections.abc import AsyncIterator
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from gateway.models import MediaKind, MediaRefusal, UtcDatetime


class MediaState(StrEnum):
    STORED = "stored"
    UNAVAILABLE = "unavailable"


class MediaStoreError(RuntimeError):
    """The media store could not keep a file (its disk full or read-only, its database refusing
    the write); nothing was recorded, so the caller may try again or give up cleanly."""


class ProviderUpload(BaseModel):
    """A provider's id for an upload of a stored file, reused while the provider keeps it."""

    model_config = ConfigDict(frozen=True)

    id: str
    at: UtcDatetime


class StoredMedia(BaseModel):
    """One file in the media store, or the record that a contact's file could not be had."""

    model_config = ConfigDict(frozen=True)

    id: str
    state: MediaState
    kind: MediaKind | None = None
    content_type: str | None = None
    size: int = Field(default=0, ge=0)
    sha256: str | None = Field(default=None, description="hex digest of the bytes")
    filename: str | None = None
    message_id: str | None = Field(default=None, description="the inbound message it came with")
    cache_key: str | None = Field(default=None, description="for generated files: a digest of what it was made from")
    created_at: UtcDatetime
    attempts: int = Field(default=0, ge=0, description="downloads tried for a contact's file")
    error: str | None = Field(default=None, description="why an unavailable file could not be had")
    refused: MediaRefusal | None = Field(default=None, description="which refusal, when the gateway refused the file")
    uploads: dict[str, ProviderUpload] = Field(default_factory=dict, description="by provider")


class MediaStore(Protocol):
    backend: str

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
        """Store a file. With `message_id` or `cache_key` it is idempotent: the record already
        kept for that message or key is returned and nothing new is written."""

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
        """Record that a contact's file could not be fetched or was refused (`refused` saying
        which refusal, for the contact), and why."""

    async def get(self, media_id: str) -> StoredMedia | None: ...

    async def read(self, media_id: str) -> bytes:
        """The file's bytes; raises gateway.ports.store.NotFound for an unknown or unavailable id."""

    def chunks(self, media_id: str) -> AsyncIterator[bytes]:
        """The file's bytes in pieces, for serving a large one without holding it; raises NotFound."""

    async def of_message(self, message_id: str) -> list[StoredMedia]:
        """What came with an inbound message, oldest first."""

    async def cached(self, cache_key: str) -> StoredMedia | None:
        """A generated file made earlier from the same inputs."""

    async def remember_upload(self, media_id: str, provider: str, upload: ProviderUpload) -> None:
        """Keep a provider's id for the file, so the next send reuses it."""

    async def purge_before(self, before: datetime, batch: int = 500) -> int:
        """Delete files stored before `before`, in batches; returns how many went."""

    async def ping(self) -> None:
        """Answers once the store can be reached; raises otherwise (for readiness)."""

    async def close(self) -> None: ...
