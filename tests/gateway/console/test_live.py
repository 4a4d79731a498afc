"""Live updates: what changed in the store, whichever process changed it, reaches every open
console page as a Server-Sent Event naming the part to fetch again."""

import asyncio

import pytest
from aiohttp import ClientResponse

from gateway.appkeys import CONSOLE_WATCHER, HANDOVERS, STORE
from gateway.console.live import Change, Page, Watcher
from gateway.ports.records import JobState
from gateway.testing import SimulatedContact
from tests.gateway.console.conftest import operators
from tests.gateway_fixtures import eventually

pytestmark = pytest.mark.usefixtures("alice_signed_in")

SECONDS = 5


async def next_event(stream: ClientResponse) -> str:
    """The name of the next event on the stream, past comments and the retry line."""
    async with asyncio.timeout(SECONDS):
        while True:
            line = (await stream.content.readline()).decode()
            if line.startswith("event: "):
                return line.removeprefix("event: ").strip()


async def next_events(stream: ClientResponse, count: int) -> set[str]:
    return {await next_event(stream) for _ in range(count)}


async def drained(page: Page) -> list[Change | None]:
    """What the page has yet to be sent, as its stream would send it."""
    changes = []
    while not page.changes.empty():
        changes.append(await page.next())
    return changes


def own_watcher(console) -> Watcher:
    """A watcher looking only when the test says, beside the app's own, which looks every second."""
    return Watcher(console.app[HANDOVERS], console.app[STORE])


async def says(contact: SimulatedContact, text: str) -> None:
    """The contact writes, and the replies are sent (so no status moves on between looks)."""
    await contact.send(text)

    async def all_sent() -> bool:
        counts = await contact.client.app[STORE].queue.counts()
        return not counts.get(JobState.QUEUED) and not counts.get(JobState.SENDING)

    await eventually(all_sent)


async def test_each_open_page_is_told_what_changed_for_it(console, contact):
    watcher = own_watcher(console)
    await says(contact, "hi")
    with watcher.page(contact.phone) as alices, watcher.page(contact.phone) as bobs, watcher.page(None) as inbox:
        await watcher.look()
        everything = [Change("inbox"), Change("card", contact.phone), Change("messages", contact.phone)]
        assert await drained(alices) == everything and await drained(inbox) == [Change("inbox")]
        await drained(bobs)
        await watcher.look()
        assert await drained(alices) == []
        await says(contact, "agent")
        await watcher.look()
        told = [Change("inbox"), Change("card", contact.phone), Change("messages", contact.phone)]
        assert await drained(alices) == told and await drained(bobs) == told
        assert await drained(inbox) == [Change("inbox")]
        await watcher.look()
        assert await drained(alices) == []


async def test_a_page_that_reads_slowly_is_told_each_change_once(console, contact):
    watcher = own_watcher(console)
    await says(contact, "hi")
    with watcher.page(contact.phone) as slow:
        await watcher.look()
        await drained(slow)
        for words in ("agent", "hello?", "anyone?"):
            await says(contact, words)
            await watcher.look()
        told = [Change("inbox"), Change("card", contact.phone), Change("messages", contact.phone)]
        assert await drained(slow) == told


async def test_a_message_another_process_stored_reaches_an_open_page_within_seconds(console, make_gateway, clock):
    other_process = await make_gateway()  # another gateway on the same store
    await SimulatedContact(other_process, "+15550001111", clock).send("hi")
    async with console.get("/console/events", params={"contact": "sim:+15550001111"}) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert await next_events(stream, 3) == {"inbox", "card", "messages"}  # a new page fetches everything
        await SimulatedContact(other_process, "+15550001111", clock).send("agent")
        assert await next_events(stream, 3) == {"inbox", "card", "messages"}


async def test_a_status_report_to_another_process_reaches_the_open_conversation(console, make_gateway, clock):
    other_process = await make_gateway()
    contact = SimulatedContact(other_process, "+15550001111", clock)
    await contact.send("hi")
    async with console.get("/console/events", params={"contact": contact.phone}) as stream:
        await next_events(stream, 3)
        report = {"phone": contact.phone, "message_id": contact.last[0].raw["provider_message_id"], "status": "read"}
        await other_process.post("/simulator/api/messages", json=report)
        assert await next_event(stream) == "messages"


async def test_streams_end_when_the_gateway_shuts_down(console):
    async with console.get("/console/events") as stream:
        await stream.content.readline()
        console.app[CONSOLE_WATCHER].close()
        async with asyncio.timeout(SECONDS):
            await stream.content.read()
        assert stream.content.at_eof()



async def test_a_stream_ends_once_its_operator_is_disabled(console, contact):
    """The guard checks the session when the stream opens; an operator disabled while it is open
    must hear nothing more about contacts."""
    async with console.get("/console/events") as stream:
        await stream.content.readline()
        await operators(console).set_disabled("alice", True)
        await says(contact, "agent")
        async with asyncio.timeout(SECONDS):
            rest = await stream.content.read()
        assert b"event:" not in rest and stream.content.at_eof()
