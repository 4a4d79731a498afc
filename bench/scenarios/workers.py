"""The queue under one and then two `wa-gateway worker` processes on one SQLite file: the same
10,000 approved-template jobs drained to the stand-in provider; no job may be sent twice. Then
conversation steps (bench/scenarios/conversation.py) through `serve` (ingest only) with one and
then two workers; no contact may be answered twice."""

import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from adapters.storage import open_store
from bench.harness import (
    Deployment,
    Row,
    arrivals,
    cpu_seconds,
    free_port,
    gateway_environment,
    get_json,
    stand_in_provider,
    start,
    stop,
)
from bench.scenarios import conversation
from bench.webhooks import sender
from gateway.clock import SystemClock
from gateway.models import OutboundMessage, Priority, Provider, ProviderTemplate

SPEED_UP_TARGET = 1.6


def run(options) -> list[Row]:
    return _sends(options) + _steps(options)


def _steps(options) -> list[Row]:
    one, one_row = conversation.throughput(options, Deployment(workers=1, ingest_only=True))
    two, two_row = conversation.throughput(options, Deployment(workers=2, ingest_only=True))
    two_row.measured += f"; {two / one:.2f}× one worker"
    return [one_row, two_row]


def _sends(options) -> list[Row]:
    one = _drain(options, workers=1)
    two = _drain(options, workers=2)
    return [
        Row(
            "queue, one worker process",
            f"{one['rate']:,.0f} sends/s, {one['twice']} sent twice; {one['cpu']}",
            "-",
            None,
        ),
        Row(
            "queue, two worker processes",
            f"{two['rate']:,.0f} sends/s ({two['rate'] / one['rate']:.2f}× one), {two['twice']} sent twice; {two['cpu']}",
            f"≥ {SPEED_UP_TARGET}× one worker; none twice",
            two["rate"] >= SPEED_UP_TARGET * one["rate"] and not (one["twice"] or two["twice"]) and two["all"],
        ),
    ]


def _drain(options, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, stand_in_provider() as provider_api:
        folder = Path(folder)
        environment = gateway_environment(folder, free_port(), provider_api, options.store_url)
        asyncio.run(_fill(environment["GATEWAY_STORE_URL"], options.recipients))
        processes = [start("worker", environment, folder) for _ in range(workers)]
        try:
            while not get_json(f"{provider_api}/arrivals"):
                time.sleep(0.01)
            before = _cpu(processes, provider_api)
            sends = arrivals(provider_api, quiet_seconds=3)
            used = [after - earlier for after, earlier in zip(_cpu(processes, provider_api), before)]
        finally:
            for process in processes:
                stop(process)
    times = sorted(moment for moment, _ in sends)
    per_recipient = Counter(recipient for _, recipient in sends)
    wall = times[-1] - times[0]
    return {
        "rate": (len(times) - 1) / wall,
        "cpu": f"cores busy: workers {sum(used[:-1]) / wall:.2f}, stand-in provider {used[-1] / wall:.2f}",
        "twice": sum(1 for count in per_recipient.values() if count > 1),
        "all": len(per_recipient) == options.recipients,
    }


def _cpu(processes: list, provider_api: str) -> list[float]:
    """CPU seconds used so far by each worker process, then by the stand-in provider."""
    return [*(cpu_seconds(process.pid) for process in processes), get_json(f"{provider_api}/cpu")]


async def _fill(store_url: str, jobs: int) -> None:
    store = await open_store(store_url, SystemClock())
    try:
        for number in range(jobs):
            message = OutboundMessage(
                recipient=f"+{sender(number)}",
                provider=Provider.META,
                provider_template=ProviderTemplate(name="delivery_delayed", parameters=["Asha", "2026-12-01"]),
                priority=Priority.NOTIFICATION,
            )
            # as the outbox queues it: a job and its log entry, which the worker marks sent
            job = await store.queue.enqueue(message)
            await store.log.record_outbound(job.id, message, Provider.META)
    finally:
        await store.close()
