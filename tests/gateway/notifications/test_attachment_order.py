"""A notification's files reach the recipient after its template, though the worker's loops send
side by side: the queue holds each file until the message before it was sent (OutboundQueue.claim,
`follows`), and suppresses it, saying why, when that message died or was suppressed. These tests
hold each template's send until every other loop has looked for work, so a file that could
overtake its template would."""

from datetime import timedelta

import pytest

from gateway.models import MediaKind, OutboundMedia
from gateway.notifications.delivery import FILE_OUTSIDE_WINDOW, NOT_AFTER_SENT
from gateway.notifications.notifier import Notifier
from gateway.notifications.template_service import TemplateService
from gateway.outbound.attachments import Attachments
from gateway.outbound.outbox import Outbox
from gateway.ports.channel import SendError
from gateway.ports.records import JobState, LogStatus
from tests.gateway.held_sends import HeldUntilOthersLooked, run_until_sent
from tests.gateway.test_outbound_media import PHOTO, Channel, links, media, worker_for  # noqa: F401
from tests.gateway.test_outbound_media_order import store  # noqa: F401

RECIPIENT = "+919812345678"
LOOPS = 16
REMINDER = "Asha, your bill for November is due."
NOT_ON_WHATSAPP = SendError("the number is not on WhatsApp", retryable=False, code="131026")


class HeldTemplates(Channel):
    """Holds each send without a file (a template) until the other loops have each found nothing
    to claim, or until a file overtakes it; fails template sends as scripted; records what
    reached the recipient, in order."""

    def __init__(self, store, *failures: SendError) -> None:
        super().__init__()
        self.received: list[str] = []
        self._failures = list(failures)
        self._held = HeldUntilOthersLooked(store, LOOPS)

    async def send(self, message, http) -> str:
        if message.media is None:
            await self._held.hold()
            if self._failures:
                raise self._failures.pop(0)
        else:
            self._held.release()  # a file overtaking a held template ends the hold, and the order shows it
        self.received.append(_seen(message))
        return await super().send(message, http)


def _seen(message) -> str:
    if message.media is not None:
        return message.media.filename or message.media.kind.value
    return message.text or f"approved {message.provider_template.name}"


@pytest.fixture
async def files(media) -> list[OutboundMedia]:
    bill = await media.put(
        b"%PDF-1.7\n" + b"0" * 64, content_type="application/pdf", kind=MediaKind.DOCUMENT, filename="bill-2026-11.pdf"
    )
    chart = await media.put(PHOTO, content_type="image/png", kind=MediaKind.IMAGE)
    return [
        OutboundMedia(kind=MediaKind.DOCUMENT, media_id=bill.id, filename="bill-2026-11.pdf"),
        OutboundMedia(kind=MediaKind.IMAGE, media_id=chart.id),
    ]


async def notified(store, clock, media, links, channel, files, *, wrote_hours_ago: float = 1) -> list[str]:
    """Notify the recipient of their bill with its files as billing does, run the worker's loops
    until no job is left, and return the template and each file's job ids."""
    await TemplateService(store).save(
        "payment_reminder",
        "en",
        "{{ customer_name }}, your bill for November is due.",
        provider_template={"twilio": {"name": "HXpayment_due", "parameters": ["customer_name"]}},
    )
    last_inbound = clock.now() - timedelta(hours=wrote_hours_ago)
    await store.settings.update_contact(RECIPIENT, {"last_inbound_at": last_inbound.isoformat()})
    worker = worker_for(store, clock, channel, Attachments(media, links, clock), concurrency=LOOPS)
    notifier = Notifier(store, Outbox(store, [channel.provider], channel.provider, worker.wake))
    jobs = await notifier.notify(
        "payment_reminder", [RECIPIENT], {"customer_name": "Asha"}, key="event:bill", attachments=files
    )
    await run_until_sent(store, worker, clock)
    return jobs


async def test_the_reminder_then_its_bill_then_its_chart_reach_the_recipient_in_that_order(
    store, media, links, clock, files
):
    channel = HeldTemplates(store)
    await notified(store, clock, media, links, channel, files)
    assert channel.received == [REMINDER, "bill-2026-11.pdf", "image"]


async def test_a_reminder_retried_still_comes_before_its_bill(store, media, links, clock, files):
    channel = HeldTemplates(store, SendError("twilio answered 503", retryable=True, code="503"))
    await notified(store, clock, media, links, channel, files)
    assert channel.received == [REMINDER, "bill-2026-11.pdf", "image"]


async def test_a_bill_whose_reminder_died_is_not_sent_and_the_queue_says_why(store, media, links, clock, files):
    channel = HeldTemplates(store, NOT_ON_WHATSAPP)
    reminder, bill, chart = await notified(store, clock, media, links, channel, files)
    assert channel.received == []
    assert (await store.queue.get(reminder)).state is JobState.DEAD
    bill_job, chart_job = await store.queue.get(bill), await store.queue.get(chart)
    assert bill_job.state is chart_job.state is JobState.SUPPRESSED
    assert bill_job.last_error == f"{NOT_AFTER_SENT}; job {reminder} is dead: 131026: the number is not on WhatsApp"
    assert chart_job.last_error.startswith(f"{NOT_AFTER_SENT}; job {bill} is suppressed: ")
    assert (await store.log.get(bill)).status is LogStatus.SUPPRESSED


async def test_a_reminder_an_operator_retries_brings_its_bill_and_chart_back_in_order(
    store, media, links, clock, files
):
    channel = HeldTemplates(store, NOT_ON_WHATSAPP)
    reminder, bill, chart = await notified(store, clock, media, links, channel, files)
    await store.queue.requeue(reminder)  # POST /api/v1/queue/{job}/retry, once the number is fixed
    await run_until_sent(store, worker_for(store, clock, channel, Attachments(media, links, clock), LOOPS), clock)
    assert channel.received == [REMINDER, "bill-2026-11.pdf", "image"]
    assert {(await store.queue.get(job)).state for job in (reminder, bill, chart)} == {JobState.SENT}


async def test_a_bill_whose_reminder_was_suppressed_is_suppressed_too(store, media, links, clock, files):
    await store.settings.update_contact(RECIPIENT, {"opted_out": True})
    channel = HeldTemplates(store)
    reminder, bill, _chart = await notified(store, clock, media, links, channel, files)
    assert channel.received == []
    assert (await store.queue.get(bill)).last_error == (
        f"{NOT_AFTER_SENT}; job {reminder} is suppressed: the contact opted out of notifications"
    )


async def test_outside_the_window_the_reminder_goes_approved_and_its_files_are_suppressed(
    store, media, links, clock, files
):
    channel = HeldTemplates(store)
    reminder, bill, chart = await notified(store, clock, media, links, channel, files, wrote_hours_ago=48)
    assert channel.received == ["approved HXpayment_due"]
    assert (await store.queue.get(reminder)).state is JobState.SENT
    assert (await store.queue.get(bill)).last_error == FILE_OUTSIDE_WINDOW
    assert (await store.queue.get(chart)).state is JobState.SUPPRESSED
