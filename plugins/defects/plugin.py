"""The defects plugin's hooks; the work is in service.py, the data behind backend.py."""

from collections.abc import Awaitable
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from gateway.business_api import BusinessSystemSettings
from gateway.conversation.access import STAFF_ROLES
from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.flows import Choice, Flow, MenuEntry, Step
from gateway.conversation.translations import TranslationDomain
from gateway.demo import seed_staff
from gateway.hookspecs import hookimpl
from gateway.models import Content, InboundKind, InboundMessage, MediaKind
from gateway.notifications.events import EventType
from gateway.notifications.scheduler import PeriodicJob
from plugins.defects import demo
from plugins.defects.events import DefectCreated
from plugins.defects.backend import (
    DEFECT_TYPES,
    SEVERITIES,
    EmbeddedDefects,
    HttpDefects,
)
from plugins.defects.references import DEFECT, SOP
from plugins.defects.report import PENDING_CHECK, QUALITY_ROLES, DefectReports
from plugins.defects.service import PDF_BUTTON, DefectsService
from plugins.defects.templates import TEMPLATES
from plugins.orders.references import ORDER


SOP_WORDS = (
    "sop", "sops", "procedure", "procedimiento", "procédure", "procedimento", "إجراء التشغيل", "الإجراء",
    "प्रक्रिया", "एसओपी",
)
"""Words that open View SOP for staff ("I need the SOP", "procedimiento de torque")."""


class DefectsSettings(BusinessSystemSettings):
    """DEFECTS_API_URL set: defects live in that business system; unset: the embedded demo."""

    model_config = SettingsConfigDict(env_prefix="DEFECTS_", env_file=".env", extra="ignore")


class DefectsPlugin:
    def __init__(self) -> None:
        self.service: DefectsService | None = None
        self.reports: DefectReports | None = None
        self.defect = DEFECT

    @hookimpl
    async def on_startup(self, context: PluginContext) -> None:
        settings = DefectsSettings()
        api = settings.api(context.http)
        if api is not None:
            backend = HttpDefects(api)
            self.defect = DEFECT.as_issued()
        else:
            backend = EmbeddedDefects(context.store.records)
            await demo.seed(backend, context.store.records, context.clock.now())
            await seed_staff(context.store.settings)
        self.reports = DefectReports(context)
        self.service = DefectsService(backend, context.clock, context.handovers, self.reports)

    @hookimpl
    async def on_shutdown(self, context: PluginContext) -> None:
        if self.reports is not None:
            await self.reports.close()

    @hookimpl
    def register_menu_entries(self) -> list[MenuEntry]:
        return [
            MenuEntry(
                "defects.report", "defects.report", "defects.menu", flow="defects.report", order=10, roles=STAFF_ROLES
            ),
            MenuEntry(
                "defects.mine", "defects.mine", "defects.menu", action=self.service.mine, order=11, roles=STAFF_ROLES
            ),
            MenuEntry(
                "defects.track", "defects.track", "defects.menu", flow="defects.track", order=12, roles=STAFF_ROLES
            ),
            MenuEntry(
                "defects.sop",
                "defects.sop",
                "defects.menu",
                flow="defects.sop",
                order=13,
                roles=STAFF_ROLES,
                keywords=SOP_WORDS,
            ),
        ]

    @hookimpl
    def register_flows(self) -> list[Flow]:
        service = self.service
        order = Step(
            "order", "defects.ask_order", invalid="defects.bad_order", lookup=service.known_order, reference=ORDER
        )
        kind = Step("type", "defects.ask_type", choices=tuple(Choice(t, f"defects.type.{t}") for t in DEFECT_TYPES))
        severity = Step(
            "severity", "defects.ask_severity", choices=tuple(Choice(s, f"defects.severity.{s}") for s in SEVERITIES)
        )
        photo = Step("photo", "defects.ask_photo", media=frozenset({MediaKind.IMAGE}), optional=True)
        reference = Step(
            "reference",
            "defects.ask_reference",
            invalid="defects.bad_reference",
            lookup=service.known_defect,
            reference=self.defect,
        )
        sop = Step("sop", "defects.ask_sop", invalid="defects.bad_sop", lookup=service.known_sop, reference=SOP)
        return [
            Flow("defects.report", (order, kind, severity, photo), service.report),
            Flow("defects.track", (reference,), service.track),
            Flow("defects.sop", (sop,), service.sop),
        ]

    @hookimpl
    def handle_message(self, message: InboundMessage, conversation: Conversation) -> Awaitable[list[Content]] | None:
        """A "Report as PDF" button pressed, after a defect was recorded or tracked."""
        if message.kind not in (InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY):
            return None
        if not (message.reply_id or "").startswith(PDF_BUTTON):
            return None
        return self.service.pdf(message.reply_id.removeprefix(PDF_BUTTON), conversation)

    @hookimpl
    def register_jobs(self) -> list[PeriodicJob]:
        return [PeriodicJob("defects.pending_reports", PENDING_CHECK, self._attach_pending)]

    async def _attach_pending(self) -> None:
        if self.reports is not None and self.service is not None:
            await self.reports.attach_pending(self.service.backend.defect)

    @hookimpl
    def register_translations(self) -> list[TranslationDomain]:
        return [TranslationDomain("defects", Path(__file__).parent / "locale")]

    @hookimpl
    def register_event_types(self) -> list[EventType]:
        required = ("defect_id", "order_id", "defect_type", "severity")
        return [
            EventType(
                "defect.created",
                "quality_alert",
                required,
                roles=QUALITY_ROLES,
                to_recipients=False,
                data=DefectCreated,
            )
        ]

    @hookimpl
    def register_templates(self) -> list[dict[str, str]]:
        return TEMPLATES


plugin = DefectsPlugin()
