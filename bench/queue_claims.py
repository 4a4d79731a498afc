"""A microbenchmark of the queue's claim on SQLite, in a temporary folder: one worker claims and
acks a backlog of notifications, plain (each recipient's reminder and bill on their own) or as
billing queues them (each bill following its reminder), in jobs a second. Run on purpose:

    python -m bench.queue_claims [--recipients N] [--rounds N]
"""

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import OutboundMessage


async def jobs_a_second(recipients: int, *, following: bool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        store = await SqliteStore.open(Path(folder) / "gateway.db", SystemClock())
        try:
            for n in range(recipients):
                recipient = f"+91981{n:07d}"
                reminder = await store.queue.enqueue(OutboundMessage(recipient=recipient, text="reminder"))
                bill = OutboundMessage(recipient=recipient, text="bill")
                await store.queue.enqueue(bill, follows=reminder.id if following else None)
            started, sent = time.perf_counter(), 0
            while (job := await store.queue.claim("bench", timedelta(minutes=1))) is not None:
                await store.queue.ack(job.id, "bench", "sent")
                sent += 1
            assert sent == 2 * recipients
            return sent / (time.perf_counter() - started)
        finally:
            await store.close()


async def main(recipients: int, rounds: int) -> None:
    for _ in range(rounds):
        plain = await jobs_a_second(recipients, following=False)
        following = await jobs_a_second(recipients, following=True)
        print(f"{2 * recipients} jobs: plain {plain:.0f}/s, bills following reminders {following:.0f}/s "
              f"({following / plain:.2f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.recipients, arguments.rounds))
