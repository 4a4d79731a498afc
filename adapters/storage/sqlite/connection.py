"""One SQLite connection driven from its own thread, so queries never block the event loop;
work that queues up while the thread is busy is committed together (group commit)."""

import asyncio
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
BATCH_LIMIT = 256
"""Most pieces of work in one transaction: enough to amortize the commit, few enough that a
webhook's insert never waits long behind a batch."""
URGENT_WAITS_FOR = 32
"""Pieces a batch still runs once urgent work is waiting; it then commits and leaves the rest
for the next batch, behind the urgent work, so a webhook never waits out a whole batch."""
WAL_SWITCH_SECONDS = 30.0
"""As long as the busy timeout: how long a process opening the file waits for another's switch."""
_WAKE = object()
"""Put on the queue for urgent work, which waits on its own deque to jump the line."""


@dataclass
class _Work(Generic[T]):
    function: Callable[[sqlite3.Connection], T]
    future: "asyncio.Future[T]"
    loop: asyncio.AbstractEventLoop
    failed: bool = False
    result: Any = None


class Database:
    """Runs functions of one connection on a dedicated thread, one at a time. When several are
    waiting, the thread runs them all in one transaction, each in its own savepoint (a failure
    undoes only its own writes), and every caller hears back only after the commit. Under load
    this turns dozens of commits, each writing the same index pages to the WAL, into one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._waiting: queue.SimpleQueue[_Work | object | None] = queue.SimpleQueue()
        self._urgent: deque[_Work] = deque()
        self._thread: threading.Thread | None = None
        self._open = False

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        connected: asyncio.Future[None] = loop.create_future()
        self._thread = threading.Thread(target=self._serve, args=(loop, connected), name="sqlite", daemon=True)
        self._thread.start()
        await connected
        self._open = True

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.row_factory = sqlite3.Row
        _switch_to_wal(connection)
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA busy_timeout = 30000")
        return connection

    async def run(self, work: Callable[[sqlite3.Connection], T], *, urgent: bool = False) -> T:
        """Run `work(connection)` on the database thread and return its result once committed;
        `urgent` work goes into the next batch ahead of whatever is waiting."""
        if not self._open:
            raise RuntimeError("the SQLite store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if urgent:
            self._urgent.append(_Work(work, future, loop))
            self._waiting.put(_WAKE)
        else:
            self._waiting.put(_Work(work, future, loop))
        return await future

    async def close(self) -> None:
        """Finish the work already queued, then close the connection."""
        if self._thread is None:
            return
        self._open = False
        self._waiting.put(None)
        await asyncio.to_thread(self._thread.join)
        self._thread = None

    def _serve(self, loop: asyncio.AbstractEventLoop, connected: "asyncio.Future[None]") -> None:
        try:
            connection = self._connect()
        except Exception as error:
            loop.call_soon_threadsafe(_settle, connected, True, error)
            return
        loop.call_soon_threadsafe(_settle, connected, False, None)
        closing, carried = False, []
        while carried or not closing:
            batch, close_called = self._next_batch(carried)
            closing = closing or close_called
            ran = _run_batch(connection, batch, self._urgent) if batch else 0
            _answer(batch[:ran])
            carried = batch[ran:]
        connection.close()

    def _next_batch(self, carried: list[_Work]) -> tuple[list[_Work], bool]:
        """Wait for work (unless some was carried over from a batch cut short), then take all
        urgent work, the carried work, and the rest in order up to BATCH_LIMIT; also says
        whether close() was called."""
        if carried:
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                item = _WAKE
        else:
            item = self._waiting.get()
        batch: list[_Work] = []
        while self._urgent:
            batch.append(self._urgent.popleft())
        batch += carried
        while True:
            while self._urgent:
                batch.append(self._urgent.popleft())
            if item is None:
                return batch, True
            if isinstance(item, _Work):
                batch.append(item)
            if len(batch) >= BATCH_LIMIT:
                return batch, False
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                return batch, False


def _run_batch(connection: sqlite3.Connection, batch: list[_Work], urgent: deque[_Work]) -> int:
    """Run `batch` in one transaction and return how many pieces ran: once `urgent` work is
    waiting and URGENT_WAITS_FOR pieces have run, it commits early and leaves the rest."""
    if len(batch) == 1:
        _run_one(batch[0], lambda: batch[0].function(connection))
        return 1
    ran = 0
    try:
        connection.execute("BEGIN IMMEDIATE")
        for work in batch:
            if urgent and ran >= URGENT_WAITS_FOR:
                break
            _run_one(work, lambda: savepoint(connection, work.function))
            ran += 1
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        ran = ran or len(batch)
        for work in batch[:ran]:
            work.failed, work.result = True, error
    return ran


def _run_one(work: _Work, run: Callable[[], Any]) -> None:
    try:
        work.result = run()
    except Exception as error:
        work.failed, work.result = True, error


def _answer(batch: list[_Work]) -> None:
    """Hand the results back to each caller's event loop, one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Work]] = {}
    for work in batch:
        by_loop.setdefault(work.loop, []).append(work)
    for loop, answered in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_all, answered)
        except RuntimeError:
            pass


def _settle_all(batch: list[_Work]) -> None:
    for work in batch:
        _settle(work.future, work.failed, work.result)


def _settle(future: asyncio.Future, failed: bool, result: Any) -> None:
    if future.cancelled():
        return
    if failed:
        future.set_exception(result)
    else:
        future.set_result(result)


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode. Processes that open a new file at once race to convert it,
    and the losers are told "locked" at once, without the busy timeout: they try again."""
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


def savepoint(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` so that, if it fails, its writes alone are undone."""
    connection.execute("SAVEPOINT work")
    try:
        result = work(connection)
    except BaseException:
        connection.execute("ROLLBACK TO work")
        connection.execute("RELEASE work")
        raise
    connection.execute("RELEASE work")
    return result


def transaction(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` atomically: a savepoint inside a batch's transaction, else one write
    transaction (taken at once, so readers never deadlock)."""
    if connection.in_transaction:
        return savepoint(connection, work)
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


def to_micros(moment: datetime) -> int:
    """Times are stored as integer microseconds since the epoch: exact and cheap to compare."""
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + micros * _MICROSECOND


def dumps(value: Any) -> str:
    """Documents are stored as JSON text, by orjson: every message and job goes through here."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)
