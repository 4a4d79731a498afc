"""The orders plugin's hooks; the work is in service.py, the data behind backend.py."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from gateway.business_api import BusinessSystemSettings
from gateway.conversation.access import STAFF_ROLES
from gateway.conversation.context import PluginContext
from gateway.conversation.flows import Choice, Flow, MenuEntry, Step
from gateway.conversation.translations import TranslationDomain
from gateway.demo import seed_staff
from gateway.hookspecs import hookimpl
from gateway.notifications.events import EventType
from plugins.orders import demo
from plugins.orders.events import OrderCompleted
from plugins.orders.backend import EmbeddedOrders, HttpOrders
from plugins.orders.references import BOM, ORDER
from plugins.orders.service import OrdersService
from plugins.orders.templates import TEMPLATES


STATUS_WORDS = (
    "order", "status", "pedido", "estado", "commande", "statut", "encomenda", "situação", "طلب", "طلبي", "حالة",
    "ऑर्डर", "स्थिति",
)
"""Words that, in free text ("where is my order?", "¿y mi pedido?"), open Order status; with a
reference ("where is my order 4411?") they also pick it over a defect report on that order."""
RECENT_WORDS = (
    "orders", "my orders", "recent orders", "pedidos", "commandes", "encomendas", "طلباتي", "الطلبات",
    "हाल के ऑर्डर", "मेरे ऑर्डर",
)
"""Words that open Recent orders ("my orders", "mis pedidos", "طلباتي")."""
DELIVERY_WORDS = (
    "delivery", "deliveries", "shipment", "entrega", "entregas", "envío", "livraison", "livraisons",
    "توصيل", "التوصيل", "شحنة", "شحنتي", "डिलीवरी",
)
"""Words that open Upcoming deliveries ("where is my delivery?", "¿cuándo llega mi entrega?")."""


class OrdersSettings(BusinessSystemSettings):
    """ORDERS_API_URL set: orders come from that business system; unset: the embedded demo."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", env_file=".env", extra="ignore")


class OrdersPlugin:
    def __init__(self) -> None:
        self.service: OrdersService | None = None

    @hookimpl
    async def on_startup(self, context: PluginContext) -> None:
        settings = OrdersSettings()
        api = settings.api(context.http)
        if api is not None:
            backend = HttpOrders(api)
        else:
            backend = EmbeddedOrders(context.store.records)
            await demo.seed(backend, context.store.records, context.clock.now())
            await seed_staff(context.store.settings)
        self.service = OrdersService(backend, context.clock, context.media)

    @hookimpl
    def register_menu_entries(self) -> list[MenuEntry]:
        return [
            MenuEntry(
                "orders.status", "orders.status", "orders.menu", flow="orders.status", order=20, keywords=STATUS_WORDS
            ),
            MenuEntry(
                "orders.recent",
                "orders.recent",
                "orders.menu",
                action=self.service.recent,
                order=21,
                keywords=RECENT_WORDS,
            ),
            MenuEntry(
                "orders.deliveries",
                "orders.deliveries",
                "orders.menu",
                action=self.service.deliveries,
                order=22,
                keywords=DELIVERY_WORDS,
            ),
            MenuEntry(
                "orders.schedule", "orders.schedule", "orders.menu", flow="orders.schedule", order=23, roles=STAFF_ROLES
            ),
            MenuEntry("orders.bom", "orders.bom", "orders.menu", flow="orders.bom", order=24, roles=STAFF_ROLES),
        ]

    @hookimpl
    def register_flows(self) -> list[Flow]:
        service = self.service
        order = Step(
            "order", "orders.ask_order", invalid="orders.bad_order", lookup=service.known_order, reference=ORDER
        )
        period = Step(
            "period", "orders.ask_period", choices=(Choice("today", "orders.today"), Choice("week", "orders.week"))
        )
        bom = Step("bom", "orders.ask_bom", invalid="orders.bad_bom", lookup=service.known_bom, reference=BOM)
        change = Step("change", "orders.ask_change", pattern=r"(?s).{5,}", invalid="orders.short_change")
        return [
            Flow("orders.status", (order,), service.status),
            Flow("orders.schedule", (period,), service.schedule),
            Flow("orders.bom", (bom, change), service.bom_update),
        ]

    @hookimpl
    def register_translations(self) -> list[TranslationDomain]:
        return [TranslationDomain("orders", Path(__file__).parent / "locale")]

    @hookimpl
    def register_event_types(self) -> list[EventType]:
        return [EventType("order.completed", "order_completed", ("order_id", "completed_at"), data=OrderCompleted)]

    @hookimpl
    def register_templates(self) -> list[dict[str, str]]:
        return TEMPLATES


plugin = OrdersPlugin()
