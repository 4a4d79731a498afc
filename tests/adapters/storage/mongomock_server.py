"""A MongoDB server in-process for tests: mockupdb speaks the wire protocol as a replica set's
primary and mongomock does the work, so the real PyMongo client, and code built on it such as
GridFS's async bucket, runs unchanged over it. Faults are scripted per command and collection.

It answers the commands the media store and GridFS send: insert, find and getMore, update,
delete, createIndexes, listIndexes, aggregate, ping, endSessions, killCursors, dropDatabase."""

import itertools
import threading
from collections.abc import Callable
from typing import Any

import mongomock
from mockupdb import MockupDB, Request

from tests.adapters.storage.mongo_wire import run_as_primary

Fault = Callable[[Request], bool]

DUPLICATE_KEY = 11000
BATCH_BYTES = 4 * 1024 * 1024
"""Most bytes of documents in one reply, as the server keeps a reply far under 16 MB."""
IGNORED = {"lsid", "txnNumber", "$clusterTime", "$db", "$readPreference", "writeConcern", "readConcern", "maxTimeMS"}


class MongomockServer:
    """Start with `start()` (returns the URL of database `gateway`), `stop()` when done."""

    def __init__(self) -> None:
        self._server = MockupDB(auto_ismaster=False, request_timeout=30)
        self._client = mongomock.MongoClient()
        self._lock = threading.Lock()
        self._cursors: dict[int, list[dict[str, Any]]] = {}
        self._cursor_ids = itertools.count(1)
        self._faults: list[tuple[str, str | None, Fault]] = []
        self.commands: list[str] = []
        self.url = ""

    def start(self) -> str:
        sizes = {"maxBsonObjectSize": 16 * 1024 * 1024, "maxMessageSizeBytes": 48_000_000}
        self.url = run_as_primary(self._server, self._answer, **sizes)
        return self.url

    def stop(self) -> None:
        self._server.stop()

    def fail_next(self, command: str, collection: str | None, fault: Fault) -> None:
        """Answer the next `command` on `collection` (any collection when None) with `fault`."""
        self._faults.append((command, collection, fault))

    def clear_faults(self) -> None:
        self._faults.clear()

    def drop(self, database: str = "gateway") -> None:
        with self._lock:
            self._client.drop_database(database)

    def collection(self, name: str, database: str = "gateway") -> mongomock.Collection:
        """A collection as the server holds it, to check what a test left behind."""
        return self._client.get_database(database)[name]

    def _answer(self, request: Request) -> bool | None:
        command = {key: value for key, value in request.doc.items() if key not in IGNORED}
        name = next(iter(command))
        if name in ("ismaster", "hello"):
            return None
        self.commands.append(name)
        target = command[name] if isinstance(command[name], str) else None
        for index, (failing, collection, fault) in enumerate(self._faults):
            if failing == name and collection in (None, target):
                del self._faults[index]
                return fault(request)
        handler = getattr(self, f"_{name.lower()}", None)
        if handler is None:
            return request.command_err(code=59, errmsg=f"no such command: {name}")
        database = self._client.get_database(request.doc.get("$db", "gateway"))
        with self._lock:
            try:
                return request.ok(**handler(database, command))
            except mongomock.OperationFailure as error:
                return request.command_err(code=error.code or 2, errmsg=str(error))

    def _ping(self, database: Any, command: dict) -> dict:
        return {}

    _endsessions = _ping

    def _dropdatabase(self, database: Any, command: dict) -> dict:
        self._client.drop_database(database.name)
        return {}

    def _insert(self, database: Any, command: dict) -> dict:
        collection, written, errors = database[command["insert"]], 0, []
        for index, document in enumerate(command.get("documents", [])):
            try:
                collection.insert_one(document)
                written += 1
            except mongomock.DuplicateKeyError as error:
                errors.append({"index": index, "code": DUPLICATE_KEY, "errmsg": f"E11000 {error}"})
                if command.get("ordered", True):
                    break
        return {"n": written, **({"writeErrors": errors} if errors else {})}

    def _update(self, database: Any, command: dict) -> dict:
        collection, matched, modified, upserted = database[command["update"]], 0, 0, []
        for index, update in enumerate(command["updates"]):
            change = collection.update_many if update.get("multi") else collection.update_one
            result = change(update["q"], update["u"], upsert=update.get("upsert", False))
            matched += result.matched_count
            modified += result.modified_count
            if result.upserted_id is not None:
                upserted.append({"index": index, "_id": result.upserted_id})
        return {"n": matched + len(upserted), "nModified": modified, **({"upserted": upserted} if upserted else {})}

    def _delete(self, database: Any, command: dict) -> dict:
        collection, deleted = database[command["delete"]], 0
        for delete in command["deletes"]:
            remove = collection.delete_one if delete.get("limit") == 1 else collection.delete_many
            deleted += remove(delete["q"]).deleted_count
        return {"n": deleted}

    def _find(self, database: Any, command: dict) -> dict:
        cursor = database[command["find"]].find(command.get("filter", {}), command.get("projection"))
        if command.get("sort"):
            cursor = cursor.sort(list(command["sort"].items()))
        if command.get("skip"):
            cursor = cursor.skip(command["skip"])
        if command.get("limit"):
            cursor = cursor.limit(abs(command["limit"]))
        return self._first_batch(database, command["find"], list(cursor), command)

    def _aggregate(self, database: Any, command: dict) -> dict:
        found = list(database[command["aggregate"]].aggregate(command["pipeline"]))
        return self._first_batch(database, command["aggregate"], found, command.get("cursor", {}))

    def _createindexes(self, database: Any, command: dict) -> dict:
        collection = database[command["createIndexes"]]
        for index in command["indexes"]:
            options = {key: value for key, value in index.items() if key not in ("key", "v")}
            collection.create_index(list(index["key"].items()), **options)
        return {"numIndexesBefore": 1, "numIndexesAfter": 1 + len(command["indexes"])}

    def _listindexes(self, database: Any, command: dict) -> dict:
        information = database[command["listIndexes"]].index_information()
        indexes = [
            {"v": 2, "name": name, **details, "key": dict(details["key"])} for name, details in information.items()
        ]
        return self._first_batch(database, command["listIndexes"], indexes, command.get("cursor", {}))

    def _getmore(self, database: Any, command: dict) -> dict:
        cursor_id = command["getMore"]
        batch, rest = _split(self._cursors.pop(cursor_id, []), command.get("batchSize"))
        if rest:
            self._cursors[cursor_id] = rest
        namespace = f"{database.name}.{command['collection']}"
        return {"cursor": {"id": cursor_id if rest else 0, "ns": namespace, "nextBatch": batch}}

    def _killcursors(self, database: Any, command: dict) -> dict:
        for cursor_id in command["cursors"]:
            self._cursors.pop(cursor_id, None)
        return {"cursorsKilled": command["cursors"]}

    def _first_batch(self, database: Any, collection: str, found: list[dict], options: dict) -> dict:
        single = options.get("singleBatch") or (options.get("limit") or 0) < 0
        batch, rest = _split(found, options.get("batchSize"))
        cursor_id = 0
        if rest and not single:
            cursor_id = next(self._cursor_ids)
            self._cursors[cursor_id] = rest
        return {"cursor": {"id": cursor_id, "ns": f"{database.name}.{collection}", "firstBatch": batch}}


def _split(found: list[dict], batch_size: int | None) -> tuple[list[dict], list[dict]]:
    """The documents of one reply (at most `batch_size`, and BATCH_BYTES of chunk data), and the rest."""
    size, taken = 0, 0
    for document in found[: batch_size or None]:
        size += len(document.get("data", b"")) if isinstance(document.get("data"), bytes) else 0
        if taken and size > BATCH_BYTES:
            break
        taken += 1
    return found[:taken], found[taken:]


def write_error(code: int, message: str) -> Fault:
    """A write the server takes and refuses, as a full disk or a lost majority would."""
    return lambda request: request.ok(n=0, writeErrors=[{"index": 0, "code": code, "errmsg": message}])
