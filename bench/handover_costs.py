"""A microbenchmark for issue 13, on SQLite in a temporary folder: what a message's conversation
card update (one read, one compare-and-set) costs beside the contact-settings write the inbox
already made, and how long one look of the console's live watcher takes with 0, 1, 10 and 50
conversations open among 1,000. Run on purpose:

    python -m bench.handover_costs [--messages N]
"""

import argparse
import asyncio
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.console.live import Watcher
from gateway.handover.hours import SupportHours
from gateway.handover.service import Handovers
from gateway.handover.timeouts import Timeouts
from gateway.metrics import GatewayMetrics
from gateway.models import InboundKind, InboundMessage, Provider

CONTACTS = 1000
MESSAGES_EACH = 20
LOOKS = 20


def _message(contact: str, number: int, clock: SystemClock) -> InboundMessage:
    return InboundMessage(
        provider=Provider.META,
        provider_message_id=f"wamid.{contact}.{number}",
        sender=contact,
        timestamp=clock.now(),
        kind=InboundKind.TEXT,
        text="hello there",
    )


async def _per_message(store: SqliteStore, handovers: Handovers, clock: SystemClock, count: int) -> None:
    messages = [_message(f"+9198123{n % 100:05d}", n, clock) for n in range(count)]
    started = time.perf_counter()
    for message in messages:
        await handovers.note_inbound(message)
    cards = (time.perf_counter() - started) / count
    started = time.perf_counter()
    for message in messages:
        await store.settings.update_contact(message.sender, {"last_inbound_at": message.timestamp.isoformat()})
    settings = (time.perf_counter() - started) / count
    print(f"card update {cards * 1e6:.0f} us a message; contact-settings write {settings * 1e6:.0f} us "
          f"({cards / settings:.1f}x; {count} messages, 100 contacts)")


async def _watcher_looks(store: SqliteStore, handovers: Handovers, clock: SystemClock) -> None:
    contacts = [f"+1555{n:07d}" for n in range(CONTACTS)]
    for contact in contacts:
        for number in range(MESSAGES_EACH):
            message = _message(contact, number, clock)
            await store.log.record_inbound(message)
            await handovers.note_inbound(message)
    watcher = Watcher(handovers, store)
    for opened in (0, 1, 10, 50):
        with ExitStack() as pages:
            pages.enter_context(watcher.page(None))
            for contact in contacts[:opened]:
                pages.enter_context(watcher.page(contact))
            await watcher.look()
            started = time.perf_counter()
            for _ in range(LOOKS):
                await watcher.look()
            print(f"watcher look, {opened} conversations open: {(time.perf_counter() - started) / LOOKS * 1e3:.1f} ms")


async def main(count: int) -> None:
    clock = SystemClock()
    timeouts = Timeouts(SupportHours.parse("always", "UTC"), timedelta(days=1), timedelta(days=1))
    with tempfile.TemporaryDirectory() as folder:
        store = await SqliteStore.open(Path(folder) / "gateway.db", clock)
        handovers = Handovers(store, None, clock, GatewayMetrics("sqlite"), timeouts)
        try:
            await _per_message(store, handovers, clock, count)
            await _watcher_looks(store, handovers, clock)
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages whose card is updated")
    asyncio.run(main(parser.parse_args().messages))
