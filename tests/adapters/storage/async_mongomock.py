"""An in-process stand-in for PyMongo's async database, built on mongomock.

mongomock is synchronous and mongomock-motor would pull in Motor, which this project does
not use; this facade gives mongomock's collections the awaitable surface of
`pymongo.asynchronous` that the mongo adapter calls.
"""

from typing import Any

import mongomock
from pymongo import IndexModel
from pymongo.errors import OperationFailure

INDEX_OPTIONS_CONFLICT = 85


class AsyncCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> "AsyncCursor":
        self._cursor = self._cursor.sort(*args, **kwargs)
        return self

    def skip(self, count: int) -> "AsyncCursor":
        self._cursor = self._cursor.skip(count)
        return self

    def limit(self, count: int) -> "AsyncCursor":
        self._cursor = self._cursor.limit(count)
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        items = list(self._cursor)
        return items if length is None else items[:length]

    def __aiter__(self) -> "AsyncCursor":
        self._iterator = iter(self._cursor)
        return self

    async def __anext__(self) -> dict[str, Any]:
        try:
            return next(self._iterator)
        except StopIteration:
            raise StopAsyncIteration from None


class AsyncCollection:
    def __init__(
        self, collection: mongomock.Collection, declared_ttl: dict[str, int], declared: dict[str, dict]
    ) -> None:
        self._collection = collection
        self.declared_ttl = declared_ttl
        self._declared = declared

    def find(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._collection.find(*args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._collection.aggregate(pipeline, **kwargs))

    async def create_indexes(self, indexes: list[IndexModel]) -> list[str]:
        """Create the indexes, minus TTL expiry: mongomock expires documents against the
        wall clock, while the tests stamp them with the injected clock. Like the server, an
        index re-created under its name with other options is refused (IndexOptionsConflict)."""
        for model in indexes:
            name = model.document["name"]
            if self._declared.get(name, model.document) != model.document:
                raise OperationFailure(
                    f"An existing index has the same name as the requested index: {name}",
                    code=INDEX_OPTIONS_CONFLICT,
                )
        for model in indexes:
            name = model.document["name"]
            self._declared[name] = model.document
            if "expireAfterSeconds" in model.document:
                self.declared_ttl[name] = model.document["expireAfterSeconds"]
            options = {k: v for k, v in model.document.items() if k not in ("key", "expireAfterSeconds")}
            self._collection.create_index(list(model.document["key"].items()), **options)
        return [model.document["name"] for model in indexes]

    async def create_index(self, keys: Any, **options: Any) -> str:
        model = IndexModel(keys, **options)
        return (await self.create_indexes([model]))[0]

    async def index_information(self) -> dict[str, Any]:
        information = self._collection.index_information()
        for name, seconds in self.declared_ttl.items():
            information[name]["expireAfterSeconds"] = seconds
        return information

    async def drop_index(self, name: str) -> None:
        self._collection.drop_index(name)
        self._declared.pop(name, None)
        self.declared_ttl.pop(name, None)

    def collmod(self, index: dict[str, Any]) -> None:
        """The server's collMod changing a TTL index's expiry in place."""
        name = index["name"]
        if name not in self.declared_ttl:
            raise OperationFailure(f"cannot find index {name}", code=27)
        self.declared_ttl[name] = index["expireAfterSeconds"]
        self._declared[name] = self._declared[name] | {"expireAfterSeconds": index["expireAfterSeconds"]}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._collection, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


class AsyncDatabase:
    """What `AsyncMongoClient(...)[name]` gives, over one mongomock database."""

    def __init__(self) -> None:
        self._database = mongomock.MongoClient().get_database("gateway")
        self.name = "gateway"
        self.declared_ttl: dict[str, dict[str, int]] = {}
        self._declared: dict[str, dict[str, dict]] = {}

    def __getitem__(self, name: str) -> AsyncCollection:
        return AsyncCollection(
            self._database[name], self.declared_ttl.setdefault(name, {}), self._declared.setdefault(name, {})
        )

    def index_information(self, collection: str) -> dict[str, Any]:
        return self._database[collection].index_information()

    async def command(self, name: str, value: Any = None, **options: Any) -> dict[str, Any]:
        if name == "collMod":
            self[value].collmod(options["index"])
        return {"ok": 1.0, "command": name}
