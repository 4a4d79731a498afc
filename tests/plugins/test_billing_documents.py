"""The bill as a PDF: sent with My bill and after the payment.due reminder, in the contact's
language, opening as a PDF whose text holds the bill's reference and amount as written there."""

import functools
import io
import logging

import pypdf
import pytest

from gateway.appkeys import INBOX, MEDIA, STORE
from gateway.demo import DEMO_CUSTOMER
from gateway.testing import SimulatedContact
from plugins.billing import documents
from plugins.billing.plugin import BillingPlugin
from tests.plugins.test_billing import choose

TOKEN = "admin-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PAYMENT_DUE = {
    "id": "evt-bill",
    "type": "payment.due",
    "data": {"customer_name": "Asha", "amount": 1860, "period": "2026-11", "due_date": "2026-12-10"},
    "recipients": ["+919812345678"],
}


@pytest.fixture
async def subscriber(make_gateway, clock):
    return SimulatedContact(await make_gateway([BillingPlugin()], admin_token=TOKEN), DEMO_CUSTOMER, clock)


def text_of(pdf: bytes) -> str:
    """A one-page PDF's text."""
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


async def pdf_text(contact: SimulatedContact, reply) -> str:
    """The text of the PDF a reply carries, as the simulator's page fetches it."""
    response = await contact.client.get(reply.media["url"])
    assert reply.media["kind"] == "document" and response.content_type == "application/pdf"
    return text_of(await response.read())


async def test_my_bill_sends_the_bill_as_a_pdf(subscriber):
    pdf, bill = await choose(subscriber, "My bill")
    assert bill.text.startswith("*Bill for December 2025*")
    assert (pdf.media["filename"], pdf.media["caption"]) == ("bill-2025-12.pdf", "Your bill for December 2025")
    text = await pdf_text(subscriber, pdf)
    assert "Bill for December 2025" in text and "BILL-2025-12" in text and "₹1,860.00" in text
    assert "Due date 10 Jan 2026" in text


async def test_my_bill_in_arabic_is_an_arabic_pdf(subscriber):
    await subscriber.send("مرحبا")
    pdf, bill = await subscriber.send("أين فاتورتي؟")
    assert "المبلغ" in bill.text
    text = await pdf_text(subscriber, pdf)
    assert "BILL-2025-12" in text and "1,860.00" in text and "فاتورة" in text


async def test_my_bill_in_hindi_is_a_hindi_pdf(subscriber):
    await subscriber.send("नमस्ते")
    pdf, bill = await subscriber.send("मेरा बिल")
    assert "राशि" in bill.text
    text = await pdf_text(subscriber, pdf)
    assert "BILL-2025-12" in text and "₹1,860.00" in text and "राशि" in text


async def bill_asked_for_by(contact: SimulatedContact, profile_name: str) -> str:
    """The text of the PDF sent to a contact whose WhatsApp profile is named `profile_name`."""
    message = {"phone": contact.phone, "id": "asks-for-bill", "text": "can I see my bill?", "name": profile_name}
    response = await contact.client.post("/simulator/api/messages", json=message)
    assert response.status == 200
    await contact.client.app[INBOX].idle()
    pdf, _text = await contact.received()
    return await pdf_text(contact, pdf)


async def test_the_bill_names_the_billing_systems_customer_not_the_whatsapp_profile(subscriber):
    text = await bill_asked_for_by(subscriber, "Bunty 😎")
    assert "Customer Asha Patel" in text and "Bunty" not in text


async def test_a_bill_without_the_customers_name_names_the_whatsapp_profile(subscriber):
    records = subscriber.client.app[STORE].records
    unnamed = await records.get("billing", f"bill:{DEMO_CUSTOMER}")
    await records.put("billing", f"bill:{DEMO_CUSTOMER}", {k: v for k, v in unnamed.items() if k != "customer_name"})
    assert "Customer Bunty" in await bill_asked_for_by(subscriber, "Bunty")


async def test_asking_for_the_bill_again_sends_the_pdf_already_made(subscriber, monkeypatch):
    drawn = []

    @functools.wraps(documents.draw_bill)
    def counting(document: documents.BillDocument) -> bytes:
        drawn.append(document.title)
        return counting.__wrapped__(document)

    monkeypatch.setattr(documents, "draw_bill", counting)
    first, _ = await choose(subscriber, "My bill")
    again, _ = await choose(subscriber, "My bill")
    assert again.media["url"] == first.media["url"]
    assert drawn == ["Bill for December 2025"]


async def publish(client, event: dict) -> list[dict]:
    """Post `event`; the messages it queued, in the order they were queued."""
    response = await client.post("/api/v1/events", json=event, headers=AUTH)
    assert response.status == 202
    jobs = [await client.app[STORE].queue.get(job_id) for job_id in (await response.json())["jobs"]]
    return [job.message for job in sorted(jobs, key=lambda job: job.created_at)]


async def test_a_bill_that_cannot_be_drawn_leaves_its_text_going_alone(subscriber, monkeypatch):
    def broken(document):
        raise ValueError("the PDF library failed")

    monkeypatch.setattr(documents, "draw_bill", broken)
    [bill] = await choose(subscriber, "My bill")
    assert bill.media is None and bill.text.startswith("*Bill for December 2025*")


async def test_payment_due_queues_the_bill_after_the_reminder_in_the_recipients_language(subscriber):
    await subscriber.client.app[STORE].settings.update_contact("+919812345678", {"language": "es"})
    reminder, bill = await publish(subscriber.client, PAYMENT_DUE)
    assert reminder["template"]["name"] == "payment_reminder"
    assert bill["idempotency_key"] == "event:evt-bill:+919812345678:media:0"
    assert (bill["media"]["filename"], bill["media"]["caption"]) == (
        "bill-2026-11.pdf", "Tu factura de noviembre de 2026",
    )  # fmt: skip
    text = text_of(await subscriber.client.app[MEDIA].read(bill["media"]["media_id"]))
    assert "Factura de noviembre de 2026" in text and "BILL-2026-11" in text and "1.860,00" in text
    assert "Asha" in text


async def test_a_payment_due_whose_bill_cannot_be_made_still_sends_the_reminder(subscriber, caplog, monkeypatch):
    def broken(*arguments):
        raise RuntimeError("the bill's layout failed")

    monkeypatch.setattr(documents, "bill_document", broken)
    with caplog.at_level(logging.ERROR):
        messages = await publish(subscriber.client, PAYMENT_DUE)
    assert [message["template"]["name"] for message in messages] == ["payment_reminder"]
    assert "Attachments for payment.due event evt-bill failed" in caplog.text
