"""Notifications with files: each recipient gets the template, then each attachment, once."""

import pytest

from adapters.storage import open_store
from gateway.models import MediaKind, OutboundMedia, Provider
from gateway.notifications.notifier import Notifier
from gateway.outbound.outbox import Outbox
from gateway.ports.records import JobState

BILL = OutboundMedia(kind=MediaKind.DOCUMENT, media_id="m-bill", filename="bill-2026-11.pdf", caption="Your bill")
CHART = OutboundMedia(kind=MediaKind.IMAGE, media_id="m-chart")


@pytest.fixture
async def store(tmp_path, clock):
    store = await open_store(f"sqlite:///{tmp_path / 'gateway.db'}", clock)
    yield store
    await store.close()


@pytest.fixture
def notifier(store) -> Notifier:
    return Notifier(store, Outbox(store, [Provider.META], Provider.META, lambda: None))


async def queued(store) -> list[dict]:
    jobs = await store.queue.list(JobState.QUEUED, limit=100)
    return [job.message for job in sorted(jobs, key=lambda job: job.created_at)]


async def test_each_recipient_gets_the_template_then_its_attachments_in_order(store, notifier):
    recipients = ["+15550001111", "+919812345678"]
    jobs = await notifier.notify(
        "payment_reminder", recipients, {"amount": 1860}, key="event:e1", attachments=[BILL, CHART]
    )
    assert len(jobs) == 6
    messages = await queued(store)
    for recipient in recipients:
        theirs = [m for m in messages if m["recipient"] == recipient]
        assert [m.get("template", {}).get("name") or m["media"]["media_id"] for m in theirs] == [
            "payment_reminder", "m-bill", "m-chart",
        ]  # fmt: skip
        assert theirs[1]["media"]["filename"] == "bill-2026-11.pdf"
        assert theirs[1]["idempotency_key"] == f"event:e1:{recipient}:media:0"


async def test_notifying_again_with_the_same_key_queues_nothing_new(store, notifier):
    first = await notifier.notify("payment_reminder", ["+15550001111"], {}, key="event:e2", attachments=[BILL])
    again = await notifier.notify("payment_reminder", ["+15550001111"], {}, key="event:e2", attachments=[BILL])
    assert again == first
    assert len(await queued(store)) == 2


async def test_without_attachments_only_the_template_is_queued(store, notifier):
    await notifier.notify("payment_reminder", ["+15550001111", "+15550001111"], {}, key="event:e3")
    assert [m["template"]["name"] for m in await queued(store)] == ["payment_reminder"]
