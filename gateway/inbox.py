"""Processing of stored inbound messages, after the webhook has answered: one message at a
time per contact, in the order received, and different contacts at once. At most MAX_HELD
messages wait in memory; beyond that they wait in the store, where they already are, and are
read back in order as room frees, so a flood costs disk, not memory."""

import asyncio
import logging
from collections import deque

from gateway.conversation.engine import Engine
from gateway.logs import request_id
from gateway.metrics import GatewayMetrics
from gateway.models import InboundMessage, OutboundMessage, Priority
from gateway.outbox import Outbox
from gateway.phone import mask
from gateway.ports.records import ContactSettings
from gateway.ports.store import Store
from gateway.text_menus import TextMenus

log = logging.getLogger(__name__)

MAX_HELD = 1_000
BACKLOG_BATCH = 250
PROCESSED_AT_ONCE = 64
"""Messages in processing at one time: enough to keep the store's batches full, few enough that
a flood of new contacts leaves the event loop room to answer webhooks."""


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
        self._freed = asyncio.Event()
        self._processing = asyncio.Semaphore(PROCESSED_AT_ONCE)
        self._backlog: asyncio.Task[None] | None = None
        self._backlog_grew = False

    @property
    def held(self) -> int:
        """Messages in memory, waiting or being processed."""
        return len(self._pending)

    def submit(self, message: InboundMessage) -> None:
        """Queue a stored message behind its contact's earlier ones; while the inbox is full, or
        still reading its backlog, leave it in the store for the backlog reader to bring in order."""
        if message.id in self._pending:
            return
        if self._backlog is not None or self.held >= MAX_HELD:
            if self._backlog is None:
                log.warning(
                    "inbox holds %d messages; newer ones wait in the store, to be read back in order", self.held
                )
            self._backlog_grew = True
            self.read_backlog()
            return
        self._hold(message, request_id.get())

    def read_backlog(self) -> None:
        """Start bringing in stored messages never processed: at start-up, those a previous run
        left; later, those a full inbox left in the store."""
        if self._backlog is None:
            self._backlog = asyncio.create_task(self._read_backlog())

    def _hold(self, message: InboundMessage, arrived_with: str | None) -> None:
        self._pending.add(message.id)
        self._metrics.inbox_held.set(self.held)
        self._waiting.setdefault(message.sender, deque()).append((message, arrived_with))
        if message.sender not in self._workers:
            self._workers[message.sender] = asyncio.create_task(self._drain(message.sender))

    async def _drain(self, contact: str) -> None:
        waiting = self._waiting[contact]
        try:
            while waiting:
                message, arrived_with = waiting.popleft()
                request_id.set(arrived_with or message.id[-12:])
                async with self._processing:
                    await self.process(message)
        finally:
            del self._waiting[contact], self._workers[contact]

    async def process(self, message: InboundMessage) -> None:
        """Hand one message to the conversation engine and queue its replies. It is marked processed when
        that ends, even in failure, so one poison message cannot loop for ever; a shutdown
        midway leaves it unprocessed, for the next start to read back."""
        log.info("processing message %s from %s", message.id, mask(message.sender))
        try:
            try:
                await self._answer(message)
            except Exception:
                log.exception("processing message %s from %s failed", message.id, mask(message.sender))
            await self._store.log.mark_processed(message.id)
        finally:
            self._pending.discard(message.id)
            self._metrics.inbox_held.set(self.held)
            self._freed.set()

    async def _answer(self, message: InboundMessage) -> None:
        message = await self._menus.resolve(message)
        contact = await self._remember_channel(message)
        replies = await self._engine.handle(message, contact.values)
        for number, content in enumerate(replies):
            await self._outbox.enqueue(
                OutboundMessage.addressed(
                    content,
                    message.sender,
                    provider=message.provider,
                    business_number_id=message.business_number_id,
                    priority=Priority.REPLY,
                    idempotency_key=f"reply:{message.id}:{number}",
                )
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

    async def _read_backlog(self) -> None:
        """Oldest first, a batch at a time as room frees; replies carry idempotency keys, so a
        message a crash left half processed answers once. Done when a read finds nothing new."""
        read = 0
        try:
            while True:
                while self.held > MAX_HELD - BACKLOG_BATCH:
                    self._freed.clear()
                    await self._freed.wait()
                self._backlog_grew = False
                stored = await self._store.log.unprocessed_inbound(self.held + BACKLOG_BATCH)
                entries = [entry for entry in stored if entry.id not in self._pending]
                for entry in entries:
                    self._hold(InboundMessage.model_validate(entry.payload), None)
                read += len(entries)
                if not entries and not self._backlog_grew:
                    break
        finally:
            self._backlog = None
        if read:
            log.info("read %d unprocessed messages back from the store", read)

    async def idle(self) -> None:
        """Wait until every submitted message, and the backlog, has been processed."""
        while self._workers or self._backlog:
            await asyncio.gather(*self._workers.values(), *filter(None, [self._backlog]), return_exceptions=True)

    async def close(self) -> None:
        """Stop processing; unprocessed messages stay stored and are read back on the next start."""
        tasks = [*self._workers.values(), *filter(None, [self._backlog])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
