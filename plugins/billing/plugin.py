"""The billing plugin's hooks; the work is in service.py, the data behind backend.py."""


from pydantic_settings import SettingsConfigDict

from gateway.business_api import BusinessSystemSettings
from gateway.conversation.context import PluginContext
from gateway.conversation.flows import Flow, MenuEntry, Step
from gateway.conversation.translations import TranslationDomain
from gateway.hookspecs import hookimpl
from gateway.notifications.events import EventType
from plugins.billing import demo, events
from plugins.billing.backend import EmbeddedBilling, HttpBilling
from plugins.billing.readers import DOMAIN, Readers
from plugins.billing.service import BillingService
from plugins.billing.templates import TEMPLATES


BILL_WORDS = ("bill", "invoice", "factura", "facture", "fatura", "فاتورة", "فاتورتي", "बिल", "bil")
"""Words that, anywhere in free text ("can I see my bill?", "ver mi factura"), open My bill."""
SUBSCRIPTION_WORDS = (
    "subscription", "my plan", "suscripción", "abonnement", "assinatura", "الاشتراك", "اشتراكي", "सदस्यता",
    "सब्सक्रिप्शन",
)
"""Words that open My subscription ("my subscription", "mi suscripción", "اشتراكي")."""


class BillingSettings(BusinessSystemSettings):
    """BILLING_API_URL set: subscriptions and bills come from that system; unset: the embedded demo."""

    model_config = SettingsConfigDict(env_prefix="BILLING_", env_file=".env", extra="ignore")


class BillingPlugin:
    def __init__(self) -> None:
        self.service: BillingService | None = None

    @hookimpl
    async def on_startup(self, context: PluginContext) -> None:
        settings = BillingSettings()
        api = settings.api(context.http)
        if api is not None:
            backend = HttpBilling(api)
        else:
            backend = EmbeddedBilling(context.store.records)
            await demo.seed(backend, context.store.records, context.clock.now())
        readers = Readers(context)
        self.service = BillingService(backend, context.clock, context.media, readers)

    @hookimpl
    def register_menu_entries(self) -> list[MenuEntry]:
        service = self.service
        return [
            MenuEntry(
                "billing.subscription",
                "billing.subscription",
                "billing.menu",
                action=service.subscription,
                order=40,
                keywords=SUBSCRIPTION_WORDS,
            ),
            MenuEntry("billing.pause", "billing.pause", "billing.menu", flow="billing.pause", order=41),
            MenuEntry("billing.resume", "billing.resume", "billing.menu", action=service.resume, order=42),
            MenuEntry(
                "billing.bill", "billing.bill", "billing.menu", action=service.bill, order=43, keywords=BILL_WORDS
            ),
        ]

    @hookimpl
    def register_flows(self) -> list[Flow]:
        until = Step("until", "billing.ask_until", invalid="billing.bad_date", lookup=self.service.valid_pause_date)
        return [Flow("billing.pause", (until,), self.service.pause, precondition=self.service.pausable)]

    @hookimpl
    def register_translations(self) -> list[TranslationDomain]:
        return [DOMAIN]

    @hookimpl
    def register_event_types(self) -> list[EventType]:
        return [
            EventType(
                "order.confirmed",
                "order_confirmation",
                ("order_id", "customer_name", "amount", "delivery_date"),
                numeric=("amount",),
                data=events.OrderConfirmed,
            ),
            EventType("delivery.scheduled", "delivery_reminder", ("customer_name", "delivery_date"), data=events.Delivery),
            EventType("delivery.completed", "delivery_confirmed", ("customer_name", "delivery_date"), data=events.Delivery),
            EventType("delivery.delayed", "delivery_delayed", ("customer_name", "eta"), data=events.DeliveryDelayed),
            EventType(
                "payment.due",
                "payment_reminder",
                ("customer_name", "amount", "period", "due_date"),
                numeric=("amount",),
                attachments=self.service.payment_due_bill,
                data=events.PaymentDue,
            ),
            EventType(
                "payment.received",
                "payment_confirmation",
                ("customer_name", "amount"),
                numeric=("amount",),
                data=events.PaymentReceived,
            ),
            EventType(
                "subscription.created",
                "subscription_confirmation",
                ("customer_name", "product", "start_date"),
                data=events.SubscriptionCreated,
            ),
            EventType(
                "subscription.paused",
                "pause_confirmation",
                ("customer_name", "product", "resume_date"),
                data=events.SubscriptionPaused,
            ),
            EventType("customer.churn_risk", "churn_risk", ("customer_name", "offer"), data=events.ChurnRisk),
            EventType("product.launched", "new_product", ("product", "area"), data=events.ProductLaunched),
        ]

    @hookimpl
    def register_templates(self) -> list[dict[str, str]]:
        return TEMPLATES


plugin = BillingPlugin()
