"""A notification's file follows its template across processes: two `wa-gateway worker`
processes on one SQLite file send 20 payment reminders, each with its bill (by link, so
nothing else slows the bill), through a Twilio stand-in that takes a while to answer; every
bill reaches Twilio after Twilio answered for its reminder, whichever process or loop claimed it."""

from datetime import timedelta

import pytest

from adapters.storage.media.disk import DiskMediaStore
from adapters.storage.sqlite import SqliteStore
from gateway.clock import SystemClock
from gateway.models import MediaKind, OutboundMedia, Provider
from gateway.notifications.notifier import Notifier
from gateway.notifications.template_service import TemplateService
from gateway.outbound.outbox import Outbox
from tests.faults.send_workers import job_states, start_worker, until
from tests.faults.test_outage_provider import stop
from tests.stand_in_provider import Answer, StandInProvider

pytestmark = pytest.mark.slow

RECIPIENTS = [f"+9198123450{n:02d}" for n in range(20)]
LATENCY = 0.2
"""How long Twilio takes to answer each call: a bill claimed while its reminder is in flight
would reach Twilio inside this time."""
ACCEPTED = Answer(201, {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}, delay=LATENCY)


def twilio(api_base: str) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": "AC7e0000000000000000000000000001",
        "TWILIO_AUTH_TOKEN": "twilio-token",
        "TWILIO_WHATSAPP_NUMBER": "+14155238886",
        "TWILIO_API_BASE": api_base,
        "TWILIO_SEND_RATE": "1000",
    }


async def notify_everyone(database, media_directory) -> None:
    """Queue each recipient's reminder and bill as billing's payment.due does."""
    clock = SystemClock()
    store = await SqliteStore.open(database, clock)
    media = await DiskMediaStore.open(media_directory, clock)
    try:
        await TemplateService(store).save("bill_notice", "en", "{{ customer_name }}, your bill is due.")
        for recipient in RECIPIENTS:
            since = (clock.now() - timedelta(hours=1)).isoformat()
            await store.settings.update_contact(recipient, {"last_inbound_at": since, "last_provider": "twilio"})
        bill = await media.put(
            b"%PDF-1.7\n" + b"0" * 64, content_type="application/pdf", kind=MediaKind.DOCUMENT, filename="bill.pdf"
        )
        notifier = Notifier(store, Outbox(store, [Provider.TWILIO], Provider.TWILIO, lambda: None))
        attachment = OutboundMedia(kind=MediaKind.DOCUMENT, media_id=bill.id, filename="bill-2026-11.pdf")
        await notifier.notify(
            "bill_notice", RECIPIENTS, {"customer_name": "Asha"}, key="event:bills", attachments=[attachment]
        )
    finally:
        await media.close()
        await store.close()


async def test_each_bill_reaches_twilio_after_twilio_answered_for_its_reminder(tmp_path, aiohttp_server):
    provider = await StandInProvider(ACCEPTED).start(aiohttp_server)
    database = tmp_path / "gateway.db"
    await notify_everyone(database, tmp_path / "media")
    workers = [
        start_worker(database, "http://127.0.0.1:9", tmp_path / f"worker-{name}.log", **twilio(provider.base))
        for name in ("a", "b")
    ]
    try:
        await until(lambda: job_states(database) == {"sent": 2 * len(RECIPIENTS)}, 120, *workers)
    finally:
        for worker in workers:
            stop(worker)

    for recipient in RECIPIENTS:
        theirs = [request for request in provider.requests if request.form()["To"] == f"whatsapp:{recipient}"]
        assert ["MediaUrl" in request.form() for request in theirs] == [False, True], recipient
        reminder, bill = theirs
        assert bill.at - reminder.at >= LATENCY, f"{recipient}'s bill left before Twilio answered for its reminder"
    for name in ("a", "b"):
        assert "Traceback" not in (tmp_path / f"worker-{name}.log").read_text()
