"""The embedded default store: one SQLite file in WAL mode, shared safely by several processes."""

from pathlib import Path

from adapters.storage.sqlite.connection import Database
from adapters.storage.sqlite.documents import (
    SqlitePluginRecords,
    SqliteSessions,
    SqliteSettings,
    SqliteTemplates,
)
from adapters.storage.sqlite.leases import SqliteLeases
from adapters.storage.sqlite.log import SqliteMessageLog
from adapters.storage.sqlite.queue import SqliteQueue
from adapters.storage.sqlite.schema import migrate
from gateway.clock import Clock


class SqliteStore:
    """The store port over SQLite; open it with `SqliteStore.open`."""

    backend = "sqlite"

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self.templates = SqliteTemplates(database, clock)
        self.log = SqliteMessageLog(database, clock)
        self.queue = SqliteQueue(database, clock)
        self.settings = SqliteSettings(database)
        self.sessions = SqliteSessions(database, clock)
        self.records = SqlitePluginRecords(database, clock)
        self.leases = SqliteLeases(database, clock)

    @classmethod
    async def open(cls, path: Path, clock: Clock) -> "SqliteStore":
        """Open (creating if needed) the database file and bring its schema up to date."""
        database = Database(path)
        await database.open()
        try:
            await database.run(migrate)
        except BaseException:
            await database.close()
            raise
        return cls(database, clock)

    @property
    def path(self) -> Path:
        return self._db.path

    async def ping(self) -> None:
        await self._db.run(lambda connection: connection.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        await self._db.close()
