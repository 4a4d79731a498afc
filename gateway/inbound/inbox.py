"""Processing of stored inbound messages, after the webhook has answered. A contact's messages
are processed by whichever process holds that contact's inbox lease in the store, oldest first,
so order holds across any number of processes and hosts, and a contact is never processed
twice at once. Each process holds at most CONTACTS_AT_ONCE leases; every other message waits
in the store, where it already is, so a flood costs disk, not memory. (RapidPro's mailroom
works the same way: a per-contact queue and a contact lock with an expiry.)

A store hiccup is tried again after a pause, the message keeping its place in its contact's
line; a bug or bad data fails that one message, logged with its id and counted. A holder whose
lease was taken over (it stalled past the lease) stops at once: the store refuses its writes."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from pydantic import ValidationError

from gateway.clock import Clock
from gateway.conversation.engine import Engine
from gateway.faults import patiently
from gateway.handover.service import Handovers
from gateway.inbound.text_menus import TextMenus
from gateway.logs import request_id
from gateway.media.fetching import MediaFetcher
from gateway.metrics import GatewayMetrics
from gateway.models import Content, InboundMessage, OutboundMessage, Priority
from gateway.outbound.outbox import Outbox
from gateway.outbound.receipts import ReadReceipts
from gateway.phone import mask
from gateway.ports.records import ContactSettings, Fence, LogEntry
from gateway.ports.store import LeaseLost, Store, inbox_lease
from gateway.supervision import Supervisor

log = logging.getLogger(__name__)

T = TypeVar("T")

CONTACTS_AT_ONCE = 64
"""Contacts in processing at one time in one process: enough to keep the store's batches full,
few enough that a flood of new contacts leaves the event loop room to answer webhooks."""
BATCH = 20
"""A contact's messages read from the store at once by its lease holder."""
LEASE = timedelta(seconds=30)
"""How long a contact's inbox lease lasts unrenewed: after a crash its messages wait this long
for another process. The holder renews it once a third of it has passed."""
LOOK_EVERY_SECONDS = 0.05
"""How often an idle process looks in the store for messages another process stored; a message
stored by this process is looked for at once."""
RENEW_WHILE_FETCHING_SECONDS = LEASE.total_seconds() / 3
"""A contact's file can take longer to download than the lease lasts: it is renewed this often
while one downloads."""
CLOSE_GRACE_SECONDS = 10.0
"""At shutdown, how long the turns in processing get to finish before they are cut short."""
RETRY_FIRST_SECONDS = 1.0
RETRY_LONGEST_SECONDS = 60.0
"""A store operation that failed transiently is tried again after a pause that doubles up to
this, for as long as it takes: the message is stored, and only a working store can answer it."""


class Inbox:
    def __init__(
        self,
        store: Store,
        engine: Engine,
        handovers: Handovers,
        outbox: Outbox,
        metrics: GatewayMetrics,
        clock: Clock,
        owner: str,
        *,
        receipts: ReadReceipts,
        fetcher: MediaFetcher,
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._engine = engine
        self._handovers = handovers
        self._outbox = outbox
        self._clock = clock
        self._owner = owner
        self._receipts = receipts
        self._fetcher = fetcher
        self._menus = TextMenus(store.records)
        self._held: dict[str, Fence] = {}
        self._arrived: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._quiet = asyncio.Event()
        self._closing = False

    @property
    def held(self) -> int:
        """Contacts whose inbox lease this process holds."""
        return len(self._held)

    def start(self, supervisor: Supervisor) -> "asyncio.Task[None]":
        """Run the claim loop under the supervisor: it takes the contacts whose messages wait in
        the store, whoever stored them, first those a previous run left."""
        self._wake.set()
        return supervisor.start("inbox", self._claim)

    def submit(self, message: InboundMessage) -> None:
        """A message was stored: its contact's holder here reads it next, or the claim loop
        looks for it now."""
        if message.sender in self._held:
            self._arrived.add(message.sender)
        self._quiet.clear()
        self._wake.set()

    def wake(self) -> None:
        """Look in the store now, such as when a redelivery found its message stored but maybe
        never processed."""
        self._quiet.clear()
        self._wake.set()

    async def _claim(self) -> None:
        """Take the leases of contacts whose messages wait, longest waiting first, as slots free;
        then wait to be woken, or look again shortly for what other processes stored."""
        while True:
            self._wake.clear()
            free = CONTACTS_AT_ONCE - self.held
            if free > 0:
                waiting = await self._patiently(
                    "looking for waiting messages",
                    lambda: self._store.log.waiting_contacts(free),
                )
                for contact in [contact for contact in waiting if contact not in self._held]:
                    token = await self._patiently(
                        "taking a contact's inbox lease",
                        partial(self._store.leases.acquire, inbox_lease(contact), self._owner, LEASE),
                    )
                    if token is not None:
                        self._serve(contact, Fence(inbox_lease(contact), token))
                if not waiting and not self._held and not self._wake.is_set():
                    self._quiet.set()
            try:
                async with asyncio.timeout(LOOK_EVERY_SECONDS):  # unlike wait_for, never swallows a cancel
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _serve(self, contact: str, fence: Fence) -> None:
        self._held[contact] = fence
        self._metrics.inbox_held.set(self.held)
        task = asyncio.create_task(self._drain(contact, fence))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, contact: str, fence: Fence) -> None:
        """Process the contact's stored messages in order while the lease holds, then give it up.
        After a failure no later message is taken before the failed one: the contact is given up
        after a pause, to be taken again from that message (which its session may have answered)."""
        try:
            await self._in_order(contact, fence)
        except LeaseLost:
            self._metrics.inbox_leases_lost.inc()
            log.warning("the inbox lease on %s moved to another process; it carries on from here", mask(contact))
        except Exception:
            log.exception("processing the messages of %s failed; trying again shortly", mask(contact))
            await asyncio.sleep(RETRY_FIRST_SECONDS)
            await self._release(fence)
        else:
            await self._release(fence)
        finally:
            del self._held[contact]
            self._metrics.inbox_held.set(self.held)
            self._wake.set()

    async def _in_order(self, contact: str, fence: Fence) -> None:
        renewed = self._clock.now()
        while True:
            self._arrived.discard(contact)
            entries = await self._patiently(
                "reading a contact's messages", partial(self._store.log.unprocessed_from, contact, BATCH)
            )
            for entry in entries:
                if self._closing:
                    return
                renewed = await self._renew(fence, renewed)
                await self.process(entry, fence)
            if len(entries) < BATCH and contact not in self._arrived:
                return

    async def _release(self, fence: Fence) -> None:
        try:
            await self._store.leases.release(fence.name, self._owner, fence.token)
        except Exception as error:
            log.warning("an inbox lease was not given up (%s); it expires in %s", type(error).__name__, LEASE)

    async def _renew(self, fence: Fence, renewed: datetime) -> datetime:
        """Renew the lease once a third of it has passed; raises LeaseLost when it was lost."""
        now = self._clock.now()
        if now - renewed < LEASE / 3:
            return renewed
        renew = partial(self._store.leases.renew, fence.name, self._owner, fence.token, LEASE)
        if not await self._patiently("renewing an inbox lease", renew):
            raise LeaseLost(f"lease {fence.name} expired under token {fence.token}")
        return now

    async def process(self, entry: LogEntry, fence: Fence) -> None:
        """Hand one stored message to the conversation engine, queue its replies and mark it
        processed. A store hiccup is retried; a failure for any other reason is logged, counted
        and marked processed all the same, so one poison message cannot loop for ever."""
        request_id.set(entry.payload.get("request_id") or entry.id[-12:])
        try:
            message = InboundMessage.model_validate(entry.payload)
        except ValidationError as error:
            fields = ", ".join(".".join(map(str, problem["loc"])) for problem in error.errors())
            log.error("stored message %s is unreadable (%s); marking it processed unanswered", entry.id, fields)
            self._metrics.inbox_processed.labels("failed").inc()
            await self._mark_processed(entry.id, fence, f"stored message is unreadable ({fields})")
            return
        log.info("processing message %s from %s", message.id, mask(message.sender))
        failure = await self._answer(message, fence)
        await self._mark_processed(message.id, fence, failure)
        self._metrics.inbox_processed.labels("answered" if failure is None else "failed").inc()

    async def _answer(self, message: InboundMessage, fence: Fence) -> str | None:
        """None, or why the message went unanswered when a bug or bad data stopped it (logged
        with its id and the traceback; the reason names only the error's type).
        The turn and each reply are retried on their own, so a hiccup while queueing a reply
        does not run the conversation a second time."""
        try:
            replies = await self._patiently(f"processing message {message.id}", partial(self._turn, message, fence))
            for number, content in enumerate(replies):
                reply = self._reply(message, number, content)
                await self._patiently(f"queueing a reply to message {message.id}", partial(self._outbox.enqueue, reply))
        except LeaseLost:
            raise
        except Exception as error:
            log.exception(
                "processing message %s from %s failed; it is marked processed unanswered",
                message.id,
                mask(message.sender),
            )
            return f"processing failed ({type(error).__name__}); the gateway log has the details"
        return None

    async def _turn(self, message: InboundMessage, fence: Fence) -> list[Content]:
        """The replies to one message; none to a blocked contact, whose message is kept all the
        same (its file unfetched). A contact's file is fetched first, so operators, the engine
        and plugins see it stored, or why it could not be."""
        message = await self._menus.resolve(message)
        contact = await self._remember_channel(message)
        blocked = contact.values.get("blocked")
        if not blocked:
            message = await self._fetched(message, fence)
        card = await self._handovers.note_inbound(message)
        if blocked:
            log.info("message %s from %s is not answered: the contact is blocked", message.id, mask(message.sender))
            return []
        if not card.held:
            self._receipts.acknowledge(message)  # read, and "typing…" until the bot's reply arrives
        return await self._engine.handle(message, contact.values, fence, card)

    async def _fetched(self, message: InboundMessage, fence: Fence) -> InboundMessage:
        """The message with its file fetched, the contact's lease renewed meanwhile; raises
        LeaseLost, the download abandoned, when the lease could not be kept."""
        fetching = asyncio.ensure_future(self._fetcher.fetched(message))
        renew = partial(self._store.leases.renew, fence.name, self._owner, fence.token, LEASE)
        try:
            while not (await asyncio.wait({fetching}, timeout=RENEW_WHILE_FETCHING_SECONDS))[0]:
                if not await self._patiently("renewing an inbox lease during a download", renew):
                    raise LeaseLost(f"lease {fence.name} expired under token {fence.token} during a download")
            return fetching.result()
        finally:
            fetching.cancel()

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

    async def _mark_processed(self, message_id: str, fence: Fence, failure: str | None) -> None:
        mark = partial(self._store.log.mark_processed, message_id, failure, fence=fence)
        await self._patiently(f"marking message {message_id} processed", mark)

    async def _patiently(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`, tried again for as long as it fails transiently; any other failure is raised."""
        count = self._metrics.inbox_retries.inc
        return await patiently(what, attempt, first=RETRY_FIRST_SECONDS, longest=RETRY_LONGEST_SECONDS, on_retry=count)

    async def idle(self) -> None:
        """Wait until no message waits in the store for this process and none is in processing."""
        await self._quiet.wait()

    async def close(self) -> None:
        """Stop taking messages, let each contact's message in processing finish (up to
        CLOSE_GRACE_SECONDS), and give the leases up, so other processes carry on at once and a
        rolling restart runs no turn twice. A turn cut short stays unprocessed in the store."""
        self._closing = True
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=CLOSE_GRACE_SECONDS)
        held = list(self._held.values())
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for fence in held:
            await self._release(fence)
