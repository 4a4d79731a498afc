"""Where orders live: the gateway's own store (embedded, with demo data) or a business
system's REST API (http). Both return the same validated models."""

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol, Self

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter, model_validator

from gateway.business_api import BusinessApi
from gateway.conversation.translated import Translated
from gateway.idempotency import reference_for
from gateway.ports.store import PluginRecords

NAMESPACE = "orders"


class OrderStatus(StrEnum):
    PLANNED = "planned"
    IN_PRODUCTION = "in_production"
    QUALITY_CHECK = "quality_check"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    SHIPPED = "shipped"


class ProductionStep(BaseModel):
    """One step of making an order (cutting, machining, ...): when it was planned, and when it
    really started and ended, once it has."""

    name: Translated
    planned_start: AwareDatetime
    planned_end: AwareDatetime
    actual_start: AwareDatetime | None = None
    actual_end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.planned_end < self.planned_start:
            raise ValueError("a step's planned_end comes before its planned_start")
        if self.actual_end is not None and (self.actual_start is None or self.actual_end < self.actual_start):
            raise ValueError("a step's actual_end needs an earlier actual_start")
        return self


class Order(BaseModel):
    id: str
    customer: str
    product: Translated
    quantity: int = Field(ge=1)
    status: OrderStatus
    percent_complete: int = Field(ge=0, le=100)
    started_at: AwareDatetime
    due_at: AwareDatetime = Field(description="expected completion")
    delivery_date: date
    steps: list[ProductionStep] = Field(default_factory=list, description="in production order")


class ScheduleSlot(BaseModel):
    day: date
    line: Translated
    job: str = Field(description="the order in production")
    product: Translated
    quality_percent: float = Field(ge=0, le=100)


class Bom(BaseModel):
    id: str
    product: Translated
    revision: int


class OrdersBackend(Protocol):
    async def order(self, order_id: str) -> Order | None: ...

    async def orders_of(self, contact: str) -> list[Order]:
        """The contact's orders, most recently started first."""

    async def set_status(self, order_id: str, status: OrderStatus, key: str) -> None:
        """Move an order to `status`; repeating it with the same `key` changes nothing."""

    async def schedule(self, first: date, last: date) -> list[ScheduleSlot]:
        """Production slots from `first` to `last` inclusive, by day and line."""

    async def bom(self, bom_id: str) -> Bom | None: ...

    async def submit_bom_update(self, bom_id: str, description: str, contact: str, at: datetime, key: str) -> str:
        """Record a requested change to a BOM; returns its reference, e.g. BOM-000012, the same
        one for a repeated `key`."""


class EmbeddedOrders:
    """Orders, schedule and BOMs as plugin records in the gateway's store."""

    def __init__(self, records: PluginRecords) -> None:
        self._records = records

    async def order(self, order_id: str) -> Order | None:
        found = await self._records.get(NAMESPACE, f"order:{order_id}")
        return Order.model_validate(found) if found else None

    async def orders_of(self, contact: str) -> list[Order]:
        found = await self._records.find(NAMESPACE, {"kind": "order", "customer": contact})
        return sorted((Order.model_validate(o) for o in found), key=lambda o: o.started_at, reverse=True)

    async def set_status(self, order_id: str, status: OrderStatus, key: str) -> None:
        order = await self.order(order_id)
        if order is not None:
            await self.put_order(order.model_copy(update={"status": status}))

    async def put_order(self, order: Order) -> None:
        await self._records.put(NAMESPACE, f"order:{order.id}", {"kind": "order"} | order.model_dump(mode="json"))

    async def schedule(self, first: date, last: date) -> list[ScheduleSlot]:
        found = await self._records.find(NAMESPACE, {"kind": "slot"}, limit=1000)
        slots = [ScheduleSlot.model_validate(slot) for slot in found]
        return sorted((s for s in slots if first <= s.day <= last), key=lambda s: (s.day, s.line.text))

    async def bom(self, bom_id: str) -> Bom | None:
        found = await self._records.get(NAMESPACE, f"bom:{bom_id.upper()}")
        return Bom.model_validate(found) if found else None

    async def submit_bom_update(self, bom_id: str, description: str, contact: str, at: datetime, key: str) -> str:
        reference = await reference_for(self._records, NAMESPACE, "bom_update", key, self._new_bom_reference)
        update = {"kind": "bom_update", "reference": reference, "bom": bom_id, "description": description}
        await self._records.insert(NAMESPACE, reference, update | {"contact": contact, "at": at.isoformat()})
        return reference

    async def _new_bom_reference(self) -> str:
        return f"BOM-{await self._records.next_sequence(NAMESPACE, 'bom_update'):06d}"


_ORDERS = TypeAdapter(list[Order])
_SLOTS = TypeAdapter(list[ScheduleSlot])


class HttpOrders:
    """The business system's API; its JSON contract is in docs/plugins.md."""

    def __init__(self, api: BusinessApi) -> None:
        self._api = api

    async def order(self, order_id: str) -> Order | None:
        found = await self._api.get(f"orders/{order_id}")
        return Order.model_validate(found) if found else None

    async def orders_of(self, contact: str) -> list[Order]:
        return _ORDERS.validate_python(await self._api.get("orders", customer=contact) or [])

    async def set_status(self, order_id: str, status: OrderStatus, key: str) -> None:
        await self._api.post(f"orders/{order_id}/status", {"status": status.value}, idempotency_key=key)

    async def schedule(self, first: date, last: date) -> list[ScheduleSlot]:
        return _SLOTS.validate_python(
            await self._api.get("schedule", first=first.isoformat(), last=last.isoformat()) or []
        )

    async def bom(self, bom_id: str) -> Bom | None:
        found = await self._api.get(f"boms/{bom_id.upper()}")
        return Bom.model_validate(found) if found else None

    async def submit_bom_update(self, bom_id: str, description: str, contact: str, at: datetime, key: str) -> str:
        body = {"description": description, "contact": contact, "at": at.isoformat()}
        return (await self._api.post(f"boms/{bom_id.upper()}/updates", body, idempotency_key=key))["reference"]
