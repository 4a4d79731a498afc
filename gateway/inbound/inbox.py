"""Processing of stored inbound messages, after the webhook has answered: one message at a
time per contact, in the order received, and different contacts at once. At most MAX_HELD
messages wait in memory; beyond that they wait in the store, where they already are, and are
read back in order as room frees, so a flood costs disk, not memory.

A store hiccup is tried again after a pause, the message keeping its place in its contact's
line; a bug or bad data fails that one message, logged with its id and counted."""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from pydantic import ValidationError

from gateway.conversation.engine import Engine
from gateway.faults import is_transient
from gateway.logs import request_id
from gateway.metrics import GatewayMetrics
from gateway.models import Content, InboundMessage, OutboundMessage, Priority
from gateway.outbound.outbox import Outbox
from gateway.phone import mask
from gateway.ports.records import ContactSettings, LogEntry
from gateway.ports.store import Store
from gateway.supervision import Supervisor
from gateway.inbound.text_menus import TextMenus

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_HELD = 1_000
BACKLOG_BATCH = 250
PROCESSED_AT_ONCE = 64
"""Messages in processing at one time: enough to keep the store's batches full, few enough that
a flood of new contacts leaves the event loop room to answer webhooks."""
RETRY_FIRST_SECONDS = 1.0
RETRY_LONGEST_SECONDS = 60.0
"""A store operation that failed transiently is tried again after a pause that doubles up to
this, for as long as it takes: the message is stored, and only a working store can answer it."""
REMEMBERED_DONE = 10_000
"""Ids of messages finished lately, so that a backlog read or a redelivery that races the end
of a message's processing cannot start it again."""


class Inbox:
    def __init__(self, store: Store, engine: Engine, outbox: Outbox, metrics: GatewayMetrics) -> None:
        self._store = store
        self._metrics = metrics
        self._engine = engine
        self._outbox = outbox
        self._menus = TextMenus(store.records)
        self._waiting: dict[str, deque[tuple[InboundMessage, str | None]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._pending: set[str] = set()
        self._done: dict[str, None] = {}
        self._deferred: dict[str, str | None] = {}
        self._freed = asyncio.Event()
        self._processing = asyncio.Semaphore(PROCESSED_AT_ONCE)
        self._backlog_wanted = asyncio.Event()
        self._reading = False
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def held(self) -> int:
        """Messages in memory, waiting or being processed."""
        return len(self._pending)

    def start(self, supervisor: Supervisor) -> "asyncio.Task[None]":
        """Run the backlog reader under the supervisor, first reading back what a previous run
        left unprocessed."""
        self.read_backlog()
        return supervisor.start("inbox", self._read_backlogs)

    def submit(self, message: InboundMessage) -> None:
        """Queue a stored message behind its contact's earlier ones; while the inbox is full, or
        still reading its backlog, leave it in the store for the backlog reader to bring in order."""
        if message.id in self._pending or message.id in self._done:
            return
        if self._reading or self.held >= MAX_HELD:
            if not self._reading:
                log.warning(
                    "inbox holds %d messages; newer ones wait in the store, to be read back in order", self.held
                )
            if len(self._deferred) < MAX_HELD:  # so its log lines share the webhook's request id; a flood's need not
                self._deferred[message.id] = request_id.get()
            self.read_backlog()
            return
        self._hold(message, request_id.get())

    def read_backlog(self) -> None:
        """Have stored messages never processed brought in: at start-up, those a previous run
        left; later, those a full inbox left in the store, or a redelivery found unprocessed."""
        self._reading = True
        self._quiet.clear()
        self._backlog_wanted.set()

    def _hold(self, message: InboundMessage, arrived_with: str | None) -> None:
        self._pending.add(message.id)
        self._metrics.inbox_held.set(self.held)
        self._waiting.setdefault(message.sender, deque()).append((message, arrived_with))
        if message.sender not in self._workers:
            self._workers[message.sender] = asyncio.create_task(self._drain(message.sender))
            self._quiet.clear()

    async def _drain(self, contact: str) -> None:
        waiting = self._waiting[contact]
        try:
            while waiting:
                message, arrived_with = waiting[0]
                request_id.set(arrived_with or message.id[-12:])
                # a pause for a store hiccup keeps its slot: the hiccup stalls every contact alike
                async with self._processing:
                    await self.process(message)
                waiting.popleft()
        finally:
            for message, _ in waiting:  # cancelled at shutdown: they stay stored, for the next start
                self._pending.discard(message.id)
            del self._waiting[contact], self._workers[contact]
            self._settle()

    async def process(self, message: InboundMessage) -> None:
        """Hand one message to the conversation engine, queue its replies and mark it processed.
        A store hiccup is retried; a failure for any other reason is logged, counted and marked
        processed all the same, so one poison message cannot loop for ever. A shutdown midway
        leaves it unprocessed, for the next start to read back."""
        log.info("processing message %s from %s", message.id, mask(message.sender))
        try:
            failure = await self._answer(message)
            self._metrics.inbox_processed.labels("answered" if failure is None else "failed").inc()
            await self._mark_processed(message.id, failure)
        except Exception:
            log.exception("message %s could not be marked processed; the next start handles it again", message.id)
        finally:
            self._pending.discard(message.id)
            self._metrics.inbox_held.set(self.held)
            self._freed.set()
        self._remember_done(message.id)

    async def _answer(self, message: InboundMessage) -> str | None:
        """None, or why the message went unanswered when a bug or bad data stopped it (logged
        with its id and the traceback; the reason names only the error's type).
        The turn and each reply are retried on their own, so a hiccup while queueing a reply
        does not run the conversation a second time."""
        try:
            replies = await self._patiently(f"processing message {message.id}", partial(self._turn, message))
            for number, content in enumerate(replies):
                reply = self._reply(message, number, content)
                await self._patiently(f"queueing a reply to message {message.id}", partial(self._outbox.enqueue, reply))
        except Exception as error:
            log.exception(
                "processing message %s from %s failed; it is marked processed unanswered",
                message.id,
                mask(message.sender),
            )
            return f"processing failed ({type(error).__name__}); the gateway log has the details"
        return None

    async def _turn(self, message: InboundMessage) -> list[Content]:
        message = await self._menus.resolve(message)
        contact = await self._remember_channel(message)
        return await self._engine.handle(message, contact.values)

    @staticmethod
    def _reply(message: InboundMessage, number: int, content: Content) -> OutboundMessage:
        return OutboundMessage.addressed(
            content,
            message.sender,
            provider=message.provider,
            business_number_id=message.business_number_id,
            priority=Priority.REPLY,
            idempotency_key=f"reply:{message.id}:{number}",
        )

    async def _remember_channel(self, message: InboundMessage) -> ContactSettings:
        """Notifications later go out the way the contact last wrote in; returns the contact's
        settings as saved, which the engine reads the language from."""
        return await self._store.settings.update_contact(
            message.sender,
            {
                "last_provider": message.provider.value,
                "last_business_number_id": message.business_number_id,
                "last_inbound_at": message.timestamp.isoformat(),
            },
        )

    async def _mark_processed(self, message_id: str, failure: str | None = None) -> None:
        mark = partial(self._store.log.mark_processed, message_id, failure)
        await self._patiently(f"marking message {message_id} processed", mark)

    async def _patiently(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`, tried again after a growing pause for as long as it fails transiently;
        any other failure is raised at once."""
        pause = RETRY_FIRST_SECONDS
        while True:
            try:
                return await attempt()
            except Exception as error:
                if not is_transient(error):
                    raise
                log.warning("%s hit a store hiccup (%s); trying again in %.0f s", what, type(error).__name__, pause)
                self._metrics.inbox_retries.inc()
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_LONGEST_SECONDS)

    def _remember_done(self, message_id: str) -> None:
        self._done[message_id] = None
        if len(self._done) > REMEMBERED_DONE:
            del self._done[next(iter(self._done))]

    async def _read_backlogs(self) -> None:
        """The backlog reader: waits to be asked, then reads until nothing new is left."""
        if self._reading:
            self._backlog_wanted.set()  # restarted after dying mid-read: read again
        while True:
            await self._backlog_wanted.wait()
            read = await self._read_backlog()
            if read:
                log.info("read %d unprocessed messages back from the store", read)
            self._reading = False
            self._settle()

    async def _read_backlog(self) -> int:
        """Oldest first, a batch at a time as room frees; replies carry idempotency keys, so a
        message a crash left half processed answers once. Done when a read finds nothing new
        and no one asked for another."""
        read = 0
        while True:
            while self.held > MAX_HELD - BACKLOG_BATCH:
                self._freed.clear()
                await self._freed.wait()
            self._backlog_wanted.clear()
            stored = await self._patiently(
                "reading unprocessed messages", lambda: self._store.log.unprocessed_inbound(self.held + BACKLOG_BATCH)
            )
            entries = [entry for entry in stored if entry.id not in self._pending and entry.id not in self._done]
            for entry in entries:
                await self._hold_stored(entry)
            read += len(entries)
            if not entries and not self._backlog_wanted.is_set():
                return read

    async def _hold_stored(self, entry: LogEntry) -> None:
        """Hold a message read back from the store; one stored by an older version that no longer
        reads as a message is failed, rather than stopping the reader at it every time."""
        arrived_with = self._deferred.pop(entry.id, None)
        try:
            message = InboundMessage.model_validate(entry.payload)
        except ValidationError as error:
            fields = ", ".join(".".join(map(str, problem["loc"])) for problem in error.errors())
            log.error("stored message %s is unreadable (%s); marking it processed unanswered", entry.id, fields)
            self._metrics.inbox_processed.labels("failed").inc()
            self._remember_done(entry.id)
            await self._mark_processed(entry.id, f"stored message is unreadable ({fields})")
            return
        self._hold(message, arrived_with)

    def _settle(self) -> None:
        if self._workers or self._reading:
            self._quiet.clear()
        else:
            self._quiet.set()

    async def idle(self) -> None:
        """Wait until every submitted message, and the backlog, has been processed."""
        await self._quiet.wait()

    async def close(self) -> None:
        """Stop processing; unprocessed messages stay stored and are read back on the next start."""
        tasks = list(self._workers.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
