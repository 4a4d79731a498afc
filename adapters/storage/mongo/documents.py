"""Templates, settings, sessions and plugin records in MongoDB. Operations safe to repeat whole
are @idempotent; the others (a new template version, a counter, a versioned session save) rely
on the driver's retryable writes, which the server applies once."""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.storage.mongo.fences import check_fence
from adapters.storage.mongo.retry import Retry, idempotent
from gateway.clock import Clock
from gateway.ports.records import ContactSettings, Fence, Session, TemplateVersion
from gateway.ports.store import NotFound, StaleSession

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def aware(moment: datetime | None) -> datetime | None:
    """BSON dates come back naive unless the client is tz-aware; they are always UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _field(name: str) -> str:
    if not _FIELD_NAME.match(name):
        raise ValueError(f"{name!r} is not a plain top-level field name")
    return name


class MongoTemplates:
    def __init__(self, collection: Any, clock: Clock, retry: Retry) -> None:
        self._templates = collection
        self._clock = clock
        self._retry = retry

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
        while True:
            latest = await self.get(name, language)
            document = {
                "name": name,
                "language": language,
                "version": (latest.version if latest else 0) + 1,
                "body": body,
                "category": category,
                "provider_template": provider_template,
                "saved_by": saved_by,
                "saved_at": self._clock.now(),
                "latest": True,
            }
            try:
                await self._templates.insert_one(document)
            except DuplicateKeyError:
                continue  # another process saved the same version number first: take the next
            await self._unmark_older(name, language, document["version"])
            return _template(document)

    @idempotent
    async def _unmark_older(self, name: str, language: str, version: int) -> None:
        """Leave `version` marked latest only if it is: of two saves racing, each unmarks the
        versions below its own after inserting it, and then itself when a higher one exists,
        so whichever order they run in, only the highest stays marked."""
        template = {"name": name, "language": language}
        await self._templates.update_many(
            template | {"version": {"$lt": version}, "latest": True}, {"$set": {"latest": False}}
        )
        if await self._templates.find_one(template | {"version": {"$gt": version}}):
            await self._templates.update_one(template | {"version": version}, {"$set": {"latest": False}})

    async def mark_latest(self) -> None:
        """Mark each template's latest version where start-up finds it unmarked (saved before
        versions were marked) or marked twice (a process died between a save's two writes)."""
        unmarked = await self._templates.aggregate(
            [
                {"$match": {"latest": {"$exists": False}}},
                {"$group": {"_id": {"name": "$name", "language": "$language"}, "version": {"$max": "$version"}}},
            ]
        )
        async for found in unmarked:
            template, version = found["_id"], found["version"]
            await self._templates.update_many(
                template | {"version": {"$lt": version}, "latest": {"$exists": False}}, {"$set": {"latest": False}}
            )
            await self._templates.update_one(
                template | {"version": version, "latest": {"$exists": False}}, {"$set": {"latest": True}}
            )
            await self._unmark_older(template["name"], template["language"], version)
        doubled = await self._templates.aggregate(
            [
                {"$match": {"latest": True}},
                {
                    "$group": {
                        "_id": {"name": "$name", "language": "$language"},
                        "version": {"$max": "$version"},
                        "marked": {"$sum": 1},
                    }
                },
                {"$match": {"marked": {"$gt": 1}}},
            ]
        )
        async for found in doubled:
            await self._unmark_older(found["_id"]["name"], found["_id"]["language"], found["version"])

    @idempotent
    async def get(self, name: str, language: str) -> TemplateVersion | None:
        document = await self._templates.find_one({"name": name, "language": language}, sort=[("version", -1)])
        return _template(document) if document else None

    @idempotent
    async def versions(self, name: str, language: str) -> list[TemplateVersion]:
        cursor = self._templates.find({"name": name, "language": language}).sort([("version", -1)])
        return [_template(document) for document in await cursor.to_list(None)]

    async def rollback(self, name: str, language: str, version: int) -> TemplateVersion:
        old = await self._templates.find_one({"name": name, "language": language, "version": version})
        if old is None:
            raise NotFound(f"template {name} ({language}) has no version {version}")
        return await self.save(
            name,
            language,
            old["body"],
            category=old.get("category"),
            provider_template=old.get("provider_template"),
            saved_by=f"rollback to version {version}",
        )

    @idempotent
    async def page(self, limit: int, after: tuple[str, str] | None = None) -> list[TemplateVersion]:
        query: dict[str, Any] = {"latest": True}
        if after is not None:
            name, language = after
            # the range on name lets the index seek to the page; the $or settles ties on it
            query |= {"name": {"$gte": name}, "$or": [{"name": {"$gt": name}}, {"language": {"$gt": language}}]}
        cursor = self._templates.find(query).sort([("name", 1), ("language", 1)]).limit(limit)
        return [_template(document) for document in await cursor.to_list(limit)]

    @idempotent
    async def list(self) -> list[TemplateVersion]:
        cursor = self._templates.find({"latest": True}).sort([("name", 1), ("language", 1)])
        return [_template(document) for document in await cursor.to_list(None)]


def _template(document: dict[str, Any]) -> TemplateVersion:
    return TemplateVersion(
        name=document["name"],
        language=document["language"],
        body=document["body"],
        version=document["version"],
        saved_at=aware(document["saved_at"]),
        category=document.get("category"),
        provider_template=document.get("provider_template"),
        saved_by=document["saved_by"],
    )


class MongoSettings:
    def __init__(self, settings: Any, contacts: Any, retry: Retry) -> None:
        self._settings = settings
        self._contacts = contacts
        self._retry = retry

    @idempotent
    async def get(self, key: str) -> Any | None:
        document = await self._settings.find_one({"_id": key})
        return document["value"] if document else None

    @idempotent
    async def set(self, key: str, value: Any) -> None:
        await self._settings.update_one({"_id": key}, {"$set": {"value": value}}, upsert=True)

    @idempotent
    async def many(self, keys: Sequence[str]) -> dict[str, Any]:
        cursor = self._settings.find({"_id": {"$in": keys}})
        return {found["_id"]: found["value"] for found in await cursor.to_list(None)}

    @idempotent
    async def starting_with(self, prefix: str) -> dict[str, Any]:
        cursor = self._settings.find({"_id": {"$regex": f"^{re.escape(prefix)}"}}).sort([("_id", 1)])
        return {found["_id"]: found["value"] for found in await cursor.to_list(None)}

    @idempotent
    async def contact(self, contact: str) -> ContactSettings:
        document = await self._contacts.find_one({"_id": contact})
        return ContactSettings(contact, document["settings"] if document else {})

    @idempotent
    async def update_contact(self, contact: str, changes: dict[str, Any]) -> ContactSettings:
        update: dict[str, Any] = {"$setOnInsert": {"_id": contact}}
        sets = {f"settings.{_field(key)}": value for key, value in changes.items() if value is not None}
        unsets = {f"settings.{_field(key)}": "" for key, value in changes.items() if value is None}
        if sets:
            update["$set"] = sets
        if unsets:
            update["$unset"] = unsets
        document = await self._contacts.find_one_and_update(
            {"_id": contact}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
        return ContactSettings(contact, document.get("settings", {}))

    @idempotent
    async def contacts(self, limit: int = 100, after: str | None = None) -> list[ContactSettings]:
        cursor = self._contacts.find({"_id": {"$gt": after or ""}}).sort([("_id", 1)]).limit(limit)
        return [ContactSettings(found["_id"], found.get("settings", {})) for found in await cursor.to_list(limit)]


class MongoSessions:
    def __init__(self, collection: Any, leases: Any, clock: Clock, retry: Retry) -> None:
        self._sessions = collection
        self._leases = leases
        self._clock = clock
        self._retry = retry

    @idempotent
    async def load(self, contact: str) -> Session | None:
        document = await self._sessions.find_one({"_id": contact, "expires_at": {"$gt": self._clock.now()}})
        return _session(document) if document else None

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
        changes: dict[str, Any] = {
            "$set": {"data": data, "expires_at": now + ttl, "updated_at": now},
            "$inc": {"version": 1},
        }
        if expected_version == 0:
            match: dict[str, Any] = {"_id": contact, "expires_at": {"$lte": now}}
        else:
            match = {"_id": contact, "version": expected_version}
        if fence is not None:
            await check_fence(self._leases, fence)
            # a holder whose lease was taken over between that read and this write still loses
            match["$or"] = [{"fence": {"$exists": False}}, {"fence": {"$lte": fence.token}}]
            changes["$set"]["fence"] = fence.token
        try:
            document = await self._sessions.find_one_and_update(
                match, changes, upsert=expected_version == 0, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:
            document = None  # a live session exists: the upsert collided with it
        if document is None:
            raise StaleSession(f"session changed since version {expected_version} was loaded")
        return _session(document)

    @idempotent
    async def delete(self, contact: str) -> None:
        await self._sessions.delete_one({"_id": contact})


def _session(document: dict[str, Any]) -> Session:
    return Session(
        contact=document["_id"],
        data=document["data"],
        version=document["version"],
        expires_at=aware(document["expires_at"]),
        updated_at=aware(document["updated_at"]),
    )


class MongoPluginRecords:
    def __init__(self, records: Any, counters: Any, clock: Clock, retry: Retry) -> None:
        self._records = records
        self._counters = counters
        self._clock = clock
        self._retry = retry

    @idempotent
    async def put(self, plugin: str, key: str, document: dict[str, Any]) -> None:
        await self._records.update_one(
            {"plugin": plugin, "key": key},
            {"$set": {"document": document, "updated_at": self._clock.now()}},
            upsert=True,
        )

    async def insert(self, plugin: str, key: str, document: dict[str, Any]) -> bool:
        # not @idempotent: repeated whole after a lost reply, the insert would find its own record
        # and answer False; the driver's retryable write applies it once instead
        record = {"plugin": plugin, "key": key, "document": document, "updated_at": self._clock.now()}
        try:
            await self._records.insert_one(record)
        except DuplicateKeyError:
            return False
        return True

    async def swap(self, plugin: str, key: str, document: dict[str, Any], *, version: int) -> bool:
        # not @idempotent, like insert: the driver's retryable write applies it once
        if version == 0:
            return await self.insert(plugin, key, document)
        result = await self._records.update_one(
            {"plugin": plugin, "key": key, "document.version": version},
            {"$set": {"document": document, "updated_at": self._clock.now()}},
        )
        return result.matched_count == 1

    @idempotent
    async def get(self, plugin: str, key: str) -> dict[str, Any] | None:
        found = await self._records.find_one({"plugin": plugin, "key": key})
        return found["document"] if found else None

    async def delete(self, plugin: str, key: str) -> bool:
        result = await self._records.delete_one({"plugin": plugin, "key": key})
        return result.deleted_count == 1

    @idempotent
    async def find(self, plugin: str, where: dict[str, Any] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        match = {"plugin": plugin} | {f"document.{_field(name)}": value for name, value in (where or {}).items()}
        cursor = self._records.find(match).sort([("updated_at", -1), ("key", -1)]).limit(limit)
        return [found["document"] for found in await cursor.to_list(limit)]

    @idempotent
    async def page(
        self,
        plugin: str,
        by: str,
        where: dict[str, Any] | None = None,
        limit: int = 100,
        after: tuple[Any, str] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        match = {"plugin": plugin} | {f"document.{_field(name)}": value for name, value in (where or {}).items()}
        order = f"document.{_field(by)}"

        async def ranked(condition: dict[str, Any], count: int) -> list[dict[str, Any]]:
            cursor = self._records.find(match | condition).sort([(order, -1), ("key", -1)]).limit(count)
            return await cursor.to_list(count)

        if after is None:
            found = await ranked({}, limit)
        elif after[0] is None:
            found = await ranked({order: None, "key": {"$lt": after[1]}}, limit)
        else:
            # records without `by` come last, read apart: a range on `by` is what lets the index
            # seek straight to the page instead of reading every record before it
            value, key = after
            ties_settled = {"$or": [{order: {"$lt": value}}, {"key": {"$lt": key}}]}
            found = await ranked({order: {"$lte": value}} | ties_settled, limit)
            if len(found) < limit:
                found += await ranked({order: None}, limit - len(found))
        return [(record["key"], record["document"]) for record in found]

    async def next_sequence(self, plugin: str, name: str) -> int:
        return await self.add(plugin, name, 1)

    async def add(self, plugin: str, name: str, amount: int) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": f"{plugin}:{name}"}, {"$inc": {"value": amount}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return counter["value"]

    @idempotent
    async def sequences(self, plugin: str) -> dict[str, int]:
        prefix = f"{plugin}:"
        cursor = self._counters.find({"_id": {"$regex": f"^{re.escape(prefix)}"}})
        return {found["_id"].removeprefix(prefix): found["value"] for found in await cursor.to_list(None)}
