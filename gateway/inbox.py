"""Processing of stored inbound messages, after the webhook has answered: one message at a
time per contact, in the order received, and different contacts at once."""

import asyncio
import logging
from collections import deque

from gateway.conversation.engine import Engine
from gateway.logs import request_id
from gateway.models import InboundMessage, OutboundMessage, Priority
from gateway.outbox import Outbox
from gateway.phone import mask
from gateway.ports.records import ContactSettings
from gateway.ports.store import Store
from gateway.text_menus import TextMenus

log = logging.getLogger(__name__)

RECOVERY_BATCH = 500


class Inbox:
    def __init__(self, store: Store, engine: Engine, outbox: Outbox) -> None:
        self._store = store
        self._engine = engine
        self._outbox = outbox
        self._menus = TextMenus(store.records)
        self._waiting: dict[str, deque[tuple[InboundMessage, str | None]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._pending: set[str] = set()

    def submit(self, message: InboundMessage) -> None:
        """Queue a stored message for processing behind its contact's earlier ones."""
        if message.id in self._pending:
            return
        self._pending.add(message.id)
        self._waiting.setdefault(message.sender, deque()).append((message, request_id.get()))
        if message.sender not in self._workers:
            self._workers[message.sender] = asyncio.create_task(self._drain(message.sender))

    async def _drain(self, contact: str) -> None:
        waiting = self._waiting[contact]
        try:
            while waiting:
                message, arrived_with = waiting.popleft()
                request_id.set(arrived_with or message.id[-12:])
                await self.process(message)
        finally:
            del self._waiting[contact], self._workers[contact]

    async def process(self, message: InboundMessage) -> None:
        """Hand one message to the conversation engine and queue its replies. It is marked processed when
        that ends, even in failure, so one poison message cannot loop for ever; a shutdown
        midway leaves it unprocessed, for the next start to recover."""
        log.info("processing message %s from %s", message.id, mask(message.sender))
        try:
            try:
                await self._answer(message)
            except Exception:
                log.exception("processing message %s from %s failed", message.id, mask(message.sender))
            await self._store.log.mark_processed(message.id)
        finally:
            self._pending.discard(message.id)

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

    async def recover(self) -> int:
        """Process messages stored but never processed (the process died first), a batch at a
        time; replies carry idempotency keys, so a message processed twice answers once."""
        recovered = 0
        while True:
            entries = [
                entry
                for entry in await self._store.log.unprocessed_inbound(RECOVERY_BATCH)
                if entry.id not in self._pending
            ]
            if not entries:
                break
            for entry in entries:
                self.submit(InboundMessage.model_validate(entry.payload))
            recovered += len(entries)
            await self.idle()
        if recovered:
            log.info("recovered %d unprocessed inbound messages", recovered)
        return recovered

    async def idle(self) -> None:
        """Wait until every submitted message has been processed."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def close(self) -> None:
        """Stop processing; unprocessed messages stay stored and are recovered on the next start."""
        for task in self._workers.values():
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
