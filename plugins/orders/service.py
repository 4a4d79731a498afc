"""What the orders plugin answers: status with SLA state, recent orders, deliveries,
the production schedule and BOM updates. A customer sees their own orders; staff see every
order, the schedule and BOMs (see "Who may see what" in docs/plugins.md)."""

import logging
from datetime import date, datetime, timedelta

from gateway.clock import Clock
from gateway.conversation.access import STAFF_ROLES, owned_by
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Answers, InvalidAnswer
from gateway.conversation.formatting import day, number, percent
from gateway.conversation.translated import localized
from gateway.media.service import PluginMedia, attachment, file_then
from gateway.models import Content, MediaKind, OutboundMedia
from gateway.phone import mask
from plugins.orders import charts
from plugins.orders.backend import Order, OrdersBackend, OrderStatus
from plugins.orders.references import BOM, ORDER

AT_RISK_LAG = 0.15
"""An order is at risk when its progress trails the time elapsed by more than this share."""
DONE = (OrderStatus.COMPLETED, OrderStatus.SHIPPED)
log = logging.getLogger(__name__)


def sla_state(order: Order, now: datetime) -> str:
    """on_track, at_risk (progress lags the schedule) or breached (past due, unfinished)."""
    if order.status in DONE:
        return "on_track"
    if now > order.due_at:
        return "breached"
    planned = (order.due_at - order.started_at).total_seconds()
    elapsed = (now - order.started_at).total_seconds() / planned if planned > 0 else 1.0
    return "at_risk" if order.percent_complete / 100 < elapsed - AT_RISK_LAG else "on_track"


class OrdersService:
    def __init__(self, backend: OrdersBackend, clock: Clock, media: PluginMedia) -> None:
        self.backend = backend
        self._clock = clock
        self._media = media
        self._warned = False

    async def visible_order(self, order_id: str, conversation: Conversation) -> Order | None:
        """The order if the contact may see it: their own, or any for staff. None alike for an
        order that does not exist and one that is someone else's, so neither is revealed."""
        order = await self.backend.order(order_id)
        if order is None or conversation.holds(*STAFF_ROLES) or owned_by(order.customer, conversation.contact):
            return order
        return None

    async def own_orders(self, conversation: Conversation) -> list[Order]:
        """The contact's orders, newest first; checked here too, not left to the backend's query."""
        answered = await self.backend.orders_of(conversation.contact)
        orders = [order for order in answered if owned_by(order.customer, conversation.contact)]
        if len(orders) < len(answered) and not self._warned:
            self._warned = True  # the system's query or its numbers are wrong; said once
            log.warning("The orders system answered for %s with someone else's orders", mask(conversation.contact))
        return orders

    async def known_order(self, answer: str, conversation: Conversation) -> str:
        """A flow lookup: an order the contact may see."""
        if await self.visible_order(answer, conversation) is None:
            raise InvalidAnswer("orders.unknown_order", order=ORDER.show(answer))
        return answer

    async def status(self, answers: Answers, conversation: Conversation) -> list[Content]:
        order = await self.visible_order(answers["order"], conversation)
        t = conversation.t
        if order is None:
            return [Content(text=t("orders.unknown_order", order=ORDER.show(answers["order"])))]
        text = t(
            "orders.status_text",
            order=ORDER.show(order.id),
            product=localized(order.product, conversation),
            quantity=number(order.quantity, conversation),
            status=t(f"orders.state.{order.status.value}"),
            percent=percent(order.percent_complete, conversation),
            sla=t(f"orders.sla.{sla_state(order, self._clock.now())}"),
            due=day(order.due_at, conversation),
        )
        if not order.steps:
            return [Content(text=text)]
        return await file_then(self._gantt(order, conversation), Content(text=text))

    async def _gantt(self, order: Order, conversation: Conversation) -> OutboundMedia:
        """The order's production steps as a Gantt chart image, its caption naming the order."""
        chart = charts.gantt(order, conversation, self._clock.now())
        stored = await self._media.render(
            charts.draw_gantt,
            chart,
            kind=MediaKind.IMAGE,
            content_type="image/png",
            filename=f"order-{order.id}.png",
            version=charts.CHARTS_VERSION,
        )
        return attachment(stored, caption=chart.title)

    async def recent(self, conversation: Conversation) -> list[Content]:
        orders = (await self.own_orders(conversation))[:5]
        if not orders:
            return [Content(text=conversation.t("orders.none"))]
        lines = [
            conversation.t(
                "orders.recent_line",
                order=ORDER.show(o.id),
                product=localized(o.product, conversation),
                status=conversation.t(f"orders.state.{o.status.value}"),
                percent=percent(o.percent_complete, conversation),
            )
            for o in orders
        ]
        return [Content(text="\n".join([conversation.t("orders.recent_header"), *lines]))]

    async def deliveries(self, conversation: Conversation) -> list[Content]:
        today = self._clock.now().date()
        orders = [
            o
            for o in await self.own_orders(conversation)
            if o.status is not OrderStatus.SHIPPED and o.delivery_date >= today
        ]
        if not orders:
            return [Content(text=conversation.t("orders.no_deliveries"))]
        lines = [
            conversation.t(
                "orders.delivery_line", order=ORDER.show(o.id), date=day(o.delivery_date, conversation)
            )
            for o in sorted(orders, key=lambda o: o.delivery_date)
        ]
        return [Content(text="\n".join([conversation.t("orders.deliveries_header"), *lines]))]

    async def schedule(self, answers: Answers, conversation: Conversation) -> list[Content]:
        if not conversation.holds(*STAFF_ROLES):
            return [Content(text=conversation.t("core.not_allowed"))]
        today = self._clock.now().date()
        last = today if answers["period"] == "today" else today + timedelta(days=6 - today.weekday())
        period = conversation.t(f"orders.{answers['period']}").lower()
        slots = await self.backend.schedule(today, last)
        if not slots:
            return [Content(text=conversation.t("orders.no_schedule", period=period))]
        lines = [
            conversation.t(
                "orders.schedule_line",
                day=day(slot.day, conversation),
                line=localized(slot.line, conversation),
                job=ORDER.show(slot.job),
                product=localized(slot.product, conversation),
                quality=percent(slot.quality_percent, conversation),
            )
            for slot in slots
        ]
        text = "\n".join([conversation.t("orders.schedule_header", period=period), *lines])
        chart = charts.schedule_chart(slots, today, last, period, conversation)
        return await file_then(self._schedule_chart(chart, today), Content(text=text))

    async def _schedule_chart(self, chart: charts.ScheduleChart, today: date) -> OutboundMedia:
        stored = await self._media.render(
            charts.draw_schedule,
            chart,
            kind=MediaKind.IMAGE,
            content_type="image/png",
            filename=f"schedule-{today.isoformat()}.png",
            version=charts.CHARTS_VERSION,
        )
        return attachment(stored, caption=chart.title)

    async def known_bom(self, answer: str, conversation: Conversation) -> str:
        """A flow lookup: a BOM, for staff; to anyone else every BOM is unknown."""
        bom = await self.backend.bom(answer) if conversation.holds(*STAFF_ROLES) else None
        if bom is None:
            raise InvalidAnswer("orders.unknown_bom", bom=BOM.show(answer))
        return bom.id

    async def bom_update(self, answers: Answers, conversation: Conversation) -> list[Content]:
        if not conversation.holds(*STAFF_ROLES):
            return [Content(text=conversation.t("core.not_allowed"))]
        reference = await self.backend.submit_bom_update(
            answers["bom"], answers["change"], conversation.contact, self._clock.now(), conversation.idempotency_key
        )
        return [Content(text=conversation.t("orders.bom_done", bom=BOM.show(answers["bom"]), reference=reference))]
