"""What the billing plugin answers: the subscription, pausing and resuming it, and the bill;
each contact only ever their own (see "Who may see what" in docs/plugins.md)."""

import logging
from datetime import date, time, timedelta
from typing import Any

from gateway.clock import Clock
from gateway.conversation.access import owned_by
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Answers, InvalidAnswer
from gateway.conversation.dates import read_day
from gateway.conversation.formatting import day, in_reader_zone, money, month, time_of_day
from gateway.conversation.translated import localized
from gateway.media.service import PluginMedia, attachment, file_then
from gateway.models import Content, MediaKind, OutboundMedia
from gateway.phone import mask
from plugins.billing import documents
from plugins.billing.backend import Bill, BillingBackend, Subscription
from plugins.billing.readers import Readers

MAX_PAUSE_DAYS = 90
log = logging.getLogger(__name__)


class BillingService:
    def __init__(self, backend: BillingBackend, clock: Clock, media: PluginMedia, readers: Readers) -> None:
        self.backend = backend
        self._clock = clock
        self._media = media
        self._readers = readers
        self._warned = False

    async def own_subscription(self, conversation: Conversation) -> Subscription | None:
        """The contact's subscription; one the backend answers for someone else counts as none."""
        subscription = await self.backend.subscription(conversation.contact)
        return subscription if subscription is not None and self._theirs(subscription, conversation) else None

    def _theirs(self, record: Subscription | Bill, conversation: Conversation) -> bool:
        """Whether the billing system's answer for the contact is theirs. Someone else's means its
        query or its numbers are wrong: logged once, the number masked, and not shown."""
        if owned_by(record.customer, conversation.contact):
            return True
        if not self._warned:
            self._warned = True
            log.warning("The billing system answered for %s with someone else's record", mask(conversation.contact))
        return False

    def _schedule(self, subscription: Subscription, conversation: Conversation) -> str:
        delivery = time_of_day(time.fromisoformat(subscription.delivery_time), self._clock.now().date(), conversation)
        return conversation.t(f"billing.frequency.{subscription.frequency.value}", time=delivery)

    async def subscription(self, conversation: Conversation) -> list[Content]:
        subscription = await self.own_subscription(conversation)
        if subscription is None:
            return [Content(text=conversation.t("billing.no_subscription"))]
        today = self._clock.now().date()
        status = (
            conversation.t("billing.status.paused", date=day(subscription.paused_until, conversation))
            if subscription.paused_on(today)
            else conversation.t("billing.status.active")
        )
        text = conversation.t(
            "billing.subscription_text",
            product=localized(subscription.product, conversation),
            schedule=self._schedule(subscription, conversation),
            status=status,
        )
        return [Content(text=text)]

    async def valid_pause_date(self, answer: str, conversation: Conversation) -> str:
        """A flow lookup: a date after today, at most MAX_PAUSE_DAYS ahead."""
        today = in_reader_zone(self._clock.now(), conversation).date()
        until = await read_day(answer, conversation, today)
        if until is None:
            raise InvalidAnswer("billing.bad_date")
        if not today < until <= today + timedelta(days=MAX_PAUSE_DAYS):
            raise InvalidAnswer("billing.date_out_of_range", days=conversation.tn("billing.days", MAX_PAUSE_DAYS))
        return until.isoformat()

    async def pausable(self, conversation: Conversation) -> list[Content]:
        """The pause form's precondition: a contact with no subscription is told so at once."""
        if await self.own_subscription(conversation) is None:
            return [Content(text=conversation.t("billing.no_subscription"))]
        return []

    async def pause(self, answers: Answers, conversation: Conversation) -> list[Content]:
        if await self.own_subscription(conversation) is None:
            return [Content(text=conversation.t("billing.no_subscription"))]
        until = date.fromisoformat(answers["until"])
        subscription = await self.backend.pause(conversation.contact, until, conversation.idempotency_key)
        product = localized(subscription.product, conversation)
        text = conversation.t("billing.paused", product=product, date=day(until, conversation))
        return [Content(text=text)]

    async def resume(self, conversation: Conversation) -> list[Content]:
        subscription = await self.own_subscription(conversation)
        if subscription is None:
            return [Content(text=conversation.t("billing.no_subscription"))]
        if not subscription.paused_on(self._clock.now().date()):
            return [Content(text=conversation.t("billing.not_paused"))]
        subscription = await self.backend.resume(conversation.contact, conversation.idempotency_key)
        text = conversation.t(
            "billing.resumed",
            product=localized(subscription.product, conversation),
            schedule=self._schedule(subscription, conversation),
        )
        return [Content(text=text)]

    async def bill(self, conversation: Conversation) -> list[Content]:
        bill = await self.backend.bill(conversation.contact)
        if bill is None or not self._theirs(bill, conversation):
            return [Content(text=conversation.t("billing.no_bill"))]
        text = conversation.t(
            "billing.bill_text",
            period=month(bill.period, conversation),
            amount=money(bill.amount, bill.currency, conversation),
            due=day(bill.due_date, conversation),
            status=conversation.t(f"billing.bill.{self._bill_state(bill)}"),
        )
        return await file_then(self._pdf(bill, conversation), Content(text=text))

    async def payment_due_bill(self, recipient: str, data: dict[str, Any]) -> list[OutboundMedia]:
        """The bill a payment.due event announces, as a PDF in the recipient's language, sent
        after the reminder."""
        currency = data.get("currency") or await self._readers.currency()
        bill = Bill(
            customer=recipient,
            customer_name=str(data["customer_name"]),
            amount=data["amount"],
            currency=currency,
            period=date.fromisoformat(f"{str(data['period'])[:7]}-01"),
            due_date=date.fromisoformat(str(data["due_date"])[:10]),
        )
        conversation = await self._readers.reader(recipient)
        return [await self._pdf(bill, conversation)]

    async def _pdf(self, bill: Bill, conversation: Conversation) -> OutboundMedia:
        document = documents.bill_document(bill, self._bill_state(bill), conversation)
        stored = await self._media.render(
            documents.draw_bill,
            document,
            kind=MediaKind.DOCUMENT,
            content_type="application/pdf",
            filename=documents.filename(bill),
            version=documents.BILL_VERSION,
        )
        caption = conversation.t("billing.pdf.caption", period=month(bill.period, conversation))
        return attachment(stored, caption=caption)

    def _bill_state(self, bill: Bill) -> str:
        """paid, overdue (unpaid after its due date) or due."""
        if bill.paid:
            return "paid"
        return "overdue" if bill.due_date < self._clock.now().date() else "due"
