"""Live updates for open console pages, across processes: one watcher per process reads the
store once a second (the most recently written conversation cards, and the card and latest
messages of each conversation an operator has open), or at once when this process changed
something, and tells each page what changed over Server-Sent Events; the page fetches the
fragments it names and swaps them in. A message or a status report that reached another
process is in the store, so it shows here within a second or so."""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from aiohttp import web

from gateway.handover.card import NAMESPACE as CARDS
from gateway.handover.service import Handovers
from gateway.ports.records import LogQuery
from gateway.ports.store import Store

LOOK_EVERY_SECONDS = 1.0
"""How often the store is read for changes made by other processes."""
KEEP_ALIVE_SECONDS = 15.0
"""A comment is sent this often on a quiet stream, so proxies do not close it as idle."""
KEEP_ALIVE = object()
"""What a quiet stream sends in place of a change: a comment."""
RECONNECT_MILLISECONDS = 2000
"""How soon a page's EventSource reconnects after the stream broke."""
WATCHED_MESSAGES = 20
"""The latest messages of an open conversation whose arrival and status are watched."""
WATCHED_CARDS = 50
"""The most recently written conversation cards compared at each look."""


@dataclass(frozen=True, slots=True)
class Change:
    """What a page re-fetches: the inbox list, or one conversation (its card or its messages)."""

    kind: str
    """"inbox", "card" or "messages"."""
    contact: str | None = None

    def event(self) -> bytes:
        data = json.dumps({"contact": self.contact} if self.contact else {})
        return f"event: {self.kind}\ndata: {data}\n\n".encode()


class Page:
    """One open console page's stream: the changes it has yet to be sent, each once however
    often it happened meanwhile, so a page that reads slowly holds three at most."""

    def __init__(self, contact: str | None) -> None:
        self.contact = contact
        self.changes: asyncio.Queue[Change | None] = asyncio.Queue()
        self.fresh = True
        """Not looked for yet: whatever changed between rendering the page and opening its
        stream is unknown, so the first look tells it to fetch everything again."""
        self._pending: set[Change] = set()

    def tell(self, change: Change | None) -> None:
        if change not in self._pending:
            self._pending.add(change)
            self.changes.put_nowait(change)

    async def next(self) -> Change | None:
        """The next change to send; None when the stream must end."""
        change = await self.changes.get()
        self._pending.discard(change)
        return change


class Watcher:
    """Reads the store for changes on behalf of every page open on this process."""

    def __init__(self, handovers: Handovers, store: Store) -> None:
        self._handovers = handovers
        self._store = store
        self._pages: set[Page] = set()
        self._recent: dict[str, int] | None = None
        self._open: dict[str, tuple[int, tuple[tuple[str, str, bool], ...]]] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look now: this process just changed something an operator may be watching."""
        self._wake.set()

    @contextlib.contextmanager
    def page(self, contact: str | None) -> Iterator[Page]:
        """Register an open page (watching `contact`'s conversation, if any) while it is open."""
        page = Page(contact)
        self._pages.add(page)
        self.wake()
        try:
            yield page
        finally:
            self._pages.discard(page)
            if contact not in {other.contact for other in self._pages}:
                self._open.pop(contact, None)

    def close(self) -> None:
        """End every page's stream, so a shutdown does not wait on them."""
        for page in self._pages:
            page.tell(None)

    async def run(self) -> None:
        """Look for changes every LOOK_EVERY_SECONDS, or when woken, while any page is open."""
        while True:
            self._wake.clear()
            if self._pages:
                await self.look()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOOK_EVERY_SECONDS):  # unlike wait_for, never swallows a cancel
                    await self._wake.wait()

    async def look(self) -> None:
        """Read the latest written cards, and each open conversation's card and latest messages,
        once; tell the pages what differs from the last look."""
        inbox_changed = await self._inbox_changed()
        changed: dict[str, set[str]] = {}
        for contact in {page.contact for page in self._pages if page.contact}:
            changed[contact] = await self._conversation_changes(contact)
        for page in self._pages:
            kinds = {"card", "messages"} if page.fresh and page.contact else changed.get(page.contact, set())
            if inbox_changed or page.fresh:
                page.tell(Change("inbox"))
            for kind in sorted(kinds):
                page.tell(Change(kind, page.contact))
            page.fresh = False

    async def _inbox_changed(self) -> bool:
        """Whether a card was written since the last look: every change to a card rewrites it,
        so the most recently written ones show it."""
        written = await self._store.records.find(CARDS, None, WATCHED_CARDS)
        recent = {document["contact"]: document.get("version", 0) for document in written}
        before, self._recent = self._recent, recent
        return before is not None and recent != before

    async def _conversation_changes(self, contact: str) -> set[str]:
        """"card" when the contact's card changed, "messages" when a message arrived or moved on
        (sent, delivered, read, failed; processed, so its file is fetched or known unavailable),
        since the last look."""
        card = await self._handovers.card(contact)
        page = await self._store.log.query(LogQuery(contact=contact, limit=WATCHED_MESSAGES))
        seen = card.version, tuple((entry.id, entry.status.value, entry.processed) for entry in page.entries)
        before = self._open.get(contact)
        self._open[contact] = seen
        if before is None:
            return set()
        differs = {"card": before[0] != seen[0], "messages": before[1] != seen[1]}
        return {kind for kind, changed in differs.items() if changed}


async def stream(
    request: web.Request, watcher: Watcher, contact: str | None, signed_in: Callable[[], Awaitable[bool]]
) -> web.StreamResponse:
    """The page's event stream: a line for every change it shows, until it goes away. (A page
    re-fetches its fragments whenever the stream opens, for what changed while it was away.)"""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)
    await response.write(f"retry: {RECONNECT_MILLISECONDS}\n\n".encode())
    with watcher.page(contact) as page:
        while True:
            try:
                async with asyncio.timeout(KEEP_ALIVE_SECONDS):
                    change = await page.next()
            except TimeoutError:
                change = KEEP_ALIVE
            # the guard checked the session when the stream opened; an operator disabled or
            # signed out since then must stop hearing about contacts at once
            if change is None or not await signed_in():
                break
            await response.write(b": still here\n\n" if change is KEEP_ALIVE else change.event())
    return response
