"""An in-process stand-in for PyMongo's async database, built on mongomock.

mongomock is synchronous and mongomock-motor would pull in Motor, which this project does
not use; this facade gives mongomock's collections the awaitable surface of
`pymongo.asynchronous` that the mongo adapter calls.
"""

from typing import Any

import mongomock
from pymongo import IndexModel


class AsyncCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> "AsyncCursor":
        self._cursor = self._cursor.sort(*args, **kwargs)
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
    def __init__(self, collection: mongomock.Collection, declared_ttl: dict[str, int]) -> None:
        self._collection = collection
        self.declared_ttl = declared_ttl

    def find(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._collection.find(*args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._collection.aggregate(pipeline, **kwargs))

    async def create_indexes(self, indexes: list[IndexModel]) -> list[str]:
        """Create the indexes, minus TTL expiry: mongomock expires documents against the
        wall clock, while the tests stamp them with the injected clock."""
        self.declared_ttl.update(
            {
                model.document["name"]: model.document["expireAfterSeconds"]
                for model in indexes
                if "expireAfterSeconds" in model.document
            }
        )
        for model in indexes:
            options = {k: v for k, v in model.document.items() if k not in ("key", "expireAfterSeconds")}
            self._collection.create_index(list(model.document["key"].items()), **options)
        return [model.document["name"] for model in indexes]

    async def create_index(self, keys: Any, **options: Any) -> str:
        model = IndexModel(keys, **options)
        return (await self.create_indexes([model]))[0]

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

    def __getitem__(self, name: str) -> AsyncCollection:
        return AsyncCollection(self._database[name], self.declared_ttl.setdefault(name, {}))

    def index_information(self, collection: str) -> dict[str, Any]:
        return self._database[collection].index_information()

    async def command(self, name: str) -> dict[str, Any]:
        return {"ok": 1.0, "command": name}
