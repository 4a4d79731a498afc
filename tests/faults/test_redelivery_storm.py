"""A redelivery storm: providers retry a webhook they think failed, sometimes several times
at once. Every message is processed once and answered once, however the copies interleave."""

import asyncio
import json
from collections import Counter

import pytest

from gateway.app import create_app
from gateway.appkeys import INBOX, STORE
from gateway.hookspecs import hookimpl
from gateway.models import Content, InboundMessage
from gateway.ports.records import JobState
from gateway.testing import meta_headers
from tests.gateway_fixtures import META_SECRET, meta_text


class SlowEcho:
    """Echoes after yielding to the event loop a few times, so that redeliveries, backlog reads
    and the end of processing interleave as they do under load."""

    def __init__(self) -> None:
        self.processed: Counter[str] = Counter()

    @hookimpl
    def handle_message(self, message: InboundMessage):
        return self._answer(message)

    async def _answer(self, message: InboundMessage) -> list[Content]:
        self.processed[message.provider_message_id] += 1
        for _ in range(3):
            await asyncio.sleep(0)
        return [Content(text=f"echo: {message.text}")]


@pytest.fixture
def echo() -> SlowEcho:
    return SlowEcho()


@pytest.fixture
async def gateway(aiohttp_client, provider_settings, clock, echo):
    """No queue worker: the replies are the jobs the inbox queued."""
    app = create_app(provider_settings, clock=clock, plugins=[echo], entry_points=False, run_worker=False)
    client = await aiohttp_client(app)
    await app[INBOX].idle()
    return client


def signed(payload: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, meta_headers(body, META_SECRET)


async def deliver(gateway, body: bytes, headers: dict[str, str], copies: int) -> list[int]:
    """Post the same webhook `copies` times at once; the statuses answered."""
    responses = await asyncio.gather(
        *(gateway.post("/webhooks/meta", data=body, headers=headers) for _ in range(copies))
    )
    return [response.status for response in responses]


async def replies(gateway) -> list[str]:
    await gateway.app[INBOX].idle()
    jobs = await gateway.app[STORE].queue.list(JobState.QUEUED, limit=1000)
    return sorted(job.message["text"] for job in jobs)


async def test_the_same_webhook_three_times_at_once_is_processed_and_answered_once(gateway, echo):
    assert await deliver(gateway, *signed(meta_text(text="ping")), copies=3) == [200, 200, 200]
    assert await replies(gateway) == ["echo: ping"]
    assert echo.processed == {"wamid.IN1": 1}


async def test_fifty_webhooks_each_redelivered_five_times_at_once_are_each_processed_once(gateway, echo):
    webhooks = [
        signed(meta_text(f"wamid.STORM{n}", f"m{n}", sender=f"9198000{n % 7:05d}")) for n in range(50)
    ]
    statuses = await asyncio.gather(*(deliver(gateway, body, headers, copies=5) for body, headers in webhooks))
    assert {status for answered in statuses for status in answered} == {200}
    assert await replies(gateway) == sorted(f"echo: m{n}" for n in range(50))
    assert echo.processed == {f"wamid.STORM{n}": 1 for n in range(50)}
    assert await gateway.app[STORE].log.unprocessed_inbound() == []


async def test_a_redelivery_overtaking_a_late_acknowledged_write_is_processed_once(gateway, echo, monkeypatch):
    """Over a network (MongoDB) the first delivery's write can be stored, and found by the
    redelivery, before its acknowledgement comes back to the first delivery."""
    log, written, acknowledge = gateway.app[STORE].log, asyncio.Event(), asyncio.Event()
    write = log.record_inbound

    async def acknowledged_late(message: InboundMessage) -> bool:
        stored = await write(message)
        if stored:
            written.set()
            await acknowledge.wait()
        return stored

    monkeypatch.setattr(log, "record_inbound", acknowledged_late)
    body, headers = signed(meta_text(text="ping"))
    first = asyncio.ensure_future(gateway.post("/webhooks/meta", data=body, headers=headers))
    await written.wait()
    assert await deliver(gateway, body, headers, copies=1) == [200]
    assert await replies(gateway) == ["echo: ping"], "the redelivery had the stored message processed"
    acknowledge.set()
    assert (await first).status == 200
    assert await replies(gateway) == ["echo: ping"]
    assert echo.processed == {"wamid.IN1": 1}
