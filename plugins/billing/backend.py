"""Where subscriptions and bills live: the gateway's store (embedded, with a demo customer)
or the subscription business's REST API (http)."""

from datetime import date
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field

from gateway.business_api import BusinessApi
from gateway.conversation.translated import Translated
from gateway.ports.store import PluginRecords

NAMESPACE = "billing"


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"


class Subscription(BaseModel):
    customer: str
    product: Translated
    frequency: Frequency
    delivery_time: str = Field(pattern=r"^\d{2}:\d{2}$")
    paused_until: date | None = None

    def paused_on(self, today: date) -> bool:
        return self.paused_until is not None and self.paused_until > today


class Bill(BaseModel):
    customer: str = Field(description="the contact billed, by phone number")
    customer_name: str | None = Field(default=None, description="whom the billing system bills, as it names them")
    amount: float = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)
    period: date = Field(description="the first day of the month billed")
    due_date: date
    paid: bool = False


class BillingBackend(Protocol):
    async def subscription(self, contact: str) -> Subscription | None: ...

    async def pause(self, contact: str, until: date, key: str) -> Subscription:
        """Pause deliveries until `until`; doing it twice is doing it once, whatever the `key`."""

    async def resume(self, contact: str, key: str) -> Subscription:
        """Deliveries back on; doing it twice is doing it once, whatever the `key`."""

    async def bill(self, contact: str) -> Bill | None:
        """The contact's latest bill."""


class EmbeddedBilling:
    def __init__(self, records: PluginRecords) -> None:
        self._records = records

    async def subscription(self, contact: str) -> Subscription | None:
        found = await self._records.get(NAMESPACE, f"subscription:{contact}")
        return Subscription.model_validate(found) if found else None

    async def put_subscription(self, subscription: Subscription) -> Subscription:
        await self._records.put(
            NAMESPACE, f"subscription:{subscription.customer}", subscription.model_dump(mode="json")
        )
        return subscription

    async def pause(self, contact: str, until: date, key: str) -> Subscription:
        return await self.put_subscription(
            (await self.subscription(contact)).model_copy(update={"paused_until": until})
        )

    async def resume(self, contact: str, key: str) -> Subscription:
        return await self.put_subscription((await self.subscription(contact)).model_copy(update={"paused_until": None}))

    async def bill(self, contact: str) -> Bill | None:
        found = await self._records.get(NAMESPACE, f"bill:{contact}")
        return Bill.model_validate(found) if found else None


class HttpBilling:
    """The business system's API; its JSON contract is in docs/plugins.md."""

    def __init__(self, api: BusinessApi) -> None:
        self._api = api

    async def subscription(self, contact: str) -> Subscription | None:
        found = await self._api.get(f"subscriptions/{contact}")
        return Subscription.model_validate(found) if found else None

    async def pause(self, contact: str, until: date, key: str) -> Subscription:
        return Subscription.model_validate(
            await self._api.post(f"subscriptions/{contact}/pause", {"until": until.isoformat()}, idempotency_key=key)
        )

    async def resume(self, contact: str, key: str) -> Subscription:
        resumed = await self._api.post(f"subscriptions/{contact}/resume", {}, idempotency_key=key)
        return Subscription.model_validate(resumed)

    async def bill(self, contact: str) -> Bill | None:
        found = await self._api.get(f"bills/{contact}/latest")
        return Bill.model_validate(found) if found else None
