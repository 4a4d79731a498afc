"""A notification's file follows its template across processes: two `wa-gateway worker`
processes on one store (a SQLite file; a MongoDB database when GATEWAY_TEST_MONGO_URL is set)
send 20 payment reminders, each with its bill (by link, so nothing else slows the bill), through
a Twilio stand-in that takes a while to answer; every bill reaches Twilio after Twilio answered
for its reminder, whichever process or loop claimed it."""

import asyncio
from datetime import timedelta

import pytest

from adapters.storage import open_store
from adapters.storage.media import open_media_store
from gateway.clock import SystemClock
from gateway.models import MediaKind, OutboundMedia, Provider
from gateway.notifications.notifier import Notifier
from gateway.notifications.template_service import TemplateService
from gateway.outbound.outbox import Outbox
from gateway.ports.records import JobState
from gateway.settings import Settings
from tests.adapters.storage.conftest import store_url  # noqa: F401
from tests.faults.send_workers import start_worker
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


async def notify_everyone(store, media) -> None:
    """Queue each recipient's reminder and bill as billing's payment.due does."""
    await TemplateService(store).save("bill_notice", "en", "{{ customer_name }}, your bill is due.")
    since = (SystemClock().now() - timedelta(hours=1)).isoformat()
    for recipient in RECIPIENTS:
        await store.settings.update_contact(recipient, {"last_inbound_at": since, "last_provider": "twilio"})
    bill = await media.put(
        b"%PDF-1.7\n" + b"0" * 64, content_type="application/pdf", kind=MediaKind.DOCUMENT, filename="bill.pdf"
    )
    notifier = Notifier(store, Outbox(store, [Provider.TWILIO], Provider.TWILIO, lambda: None))
    attachment = OutboundMedia(kind=MediaKind.DOCUMENT, media_id=bill.id, filename="bill-2026-11.pdf")
    await notifier.notify(
        "bill_notice", RECIPIENTS, {"customer_name": "Asha"}, key="event:bills", attachments=[attachment]
    )


async def all_sent(store, workers, seconds: float) -> None:
    """Wait, in real time, for the worker processes to send every job."""
    async with asyncio.timeout(seconds):
        while (await store.queue.counts())[JobState.SENT] < 2 * len(RECIPIENTS):
            for worker in workers:
                assert worker.poll() is None, f"worker {worker.pid} exited with {worker.returncode}"
            await asyncio.sleep(0.1)
    assert (await store.queue.counts())[JobState.SENT] == 2 * len(RECIPIENTS)


async def test_each_bill_reaches_twilio_after_twilio_answered_for_its_reminder(store_url, tmp_path, aiohttp_server):
    provider = await StandInProvider(ACCEPTED).start(aiohttp_server)
    clock = SystemClock()
    store = await open_store(store_url, clock)
    media = await open_media_store(Settings(store_url=store_url, _env_file=None), clock, store)
    try:
        await notify_everyone(store, media)
        database = tmp_path / "gateway.db"
        workers = [
            start_worker(
                database,
                "http://127.0.0.1:9",
                tmp_path / f"worker-{name}.log",
                GATEWAY_STORE_URL=store_url,
                **twilio(provider.base),
            )
            for name in ("a", "b")
        ]
        try:
            await all_sent(store, workers, 120)
        finally:
            for worker in workers:
                stop(worker)
    finally:
        await media.close()
        await store.close()

    for recipient in RECIPIENTS:
        theirs = [request for request in provider.requests if request.form()["To"] == f"whatsapp:{recipient}"]
        assert ["MediaUrl" in request.form() for request in theirs] == [False, True], recipient
        reminder, bill = theirs
        assert bill.at - reminder.at >= LATENCY, f"{recipient}'s bill left before Twilio answered for its reminder"
    for name in ("a", "b"):
        assert "Traceback" not in (tmp_path / f"worker-{name}.log").read_text()
