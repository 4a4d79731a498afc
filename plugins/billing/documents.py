"""A bill as a PDF in the contact's language: what it says is written on the event loop
(amounts and dates by Babel, as the contact writes them); the PDF is made in the rendering
pool from that alone, so the same bill in the same language is made once."""

from pydantic import BaseModel

from gateway.conversation.context import Conversation
from gateway.conversation.formatting import day, money, month
from plugins.billing.backend import Bill

BILL_VERSION = "1"
"""Bump when the layout changes, so bills cached from the old layout are made anew."""


class BillDocument(BaseModel):
    language: str
    title: str
    rows: list[tuple[str, str]]
    thanks: str


def reference(bill: Bill) -> str:
    """The bill's reference, after the month it bills: BILL-2026-11."""
    return f"BILL-{bill.period:%Y-%m}"


def filename(bill: Bill) -> str:
    return f"bill-{bill.period:%Y-%m}.pdf"


def customer(bill: Bill, conversation: Conversation) -> str:
    """Whom the bill names: the billing system's customer; the name the contact gave WhatsApp
    (whatever they typed) only when the billing system has none, else their number."""
    return bill.customer_name or conversation.profile_name or bill.customer


def bill_document(bill: Bill, state: str, conversation: Conversation) -> BillDocument:
    """What the bill says to the contact, in their language; `state` is paid, due or overdue."""
    t = conversation.t
    return BillDocument(
        language=conversation.language,
        title=t("billing.pdf.title", period=month(bill.period, conversation)),
        rows=[
            (t("billing.pdf.reference"), reference(bill)),
            (t("billing.pdf.customer"), customer(bill, conversation)),
            (t("billing.pdf.period"), month(bill.period, conversation)),
            (t("billing.pdf.amount"), money(bill.amount, bill.currency, conversation)),
            (t("billing.pdf.due"), day(bill.due_date, conversation)),
            (t("billing.pdf.status"), t(f"billing.bill.{state}")),
        ],
        thanks=t("billing.pdf.thanks"),
    )


def draw_bill(bill: BillDocument) -> bytes:
    from gateway.media.pdf import Document  # imported when drawn: see gateway.media.rendering.DRAWING_MODULES

    document = Document(bill.language, title=bill.title)
    document.fields(bill.rows)
    document.paragraph(bill.thanks)
    return document.output()
