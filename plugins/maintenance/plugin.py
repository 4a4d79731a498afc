"""The maintenance plugin's hooks; the work is in service.py, the data behind backend.py."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gateway.business_api import BusinessSystemSettings
from gateway.conversation.access import STAFF_ROLES
from gateway.conversation.context import PluginContext
from gateway.conversation.flows import Choice, Flow, MenuEntry, Step
from gateway.conversation.translations import TranslationDomain
from gateway.demo import seed_staff
from gateway.hookspecs import hookimpl
from gateway.models import MediaKind
from gateway.notifications.events import EventRejected, EventType
from gateway.notifications.scheduler import PeriodicJob
from plugins.maintenance import demo
from plugins.maintenance.events import ShiftScheduled, TicketCreated
from plugins.maintenance.backend import (
    ISSUE_TYPES,
    URGENCIES,
    EmbeddedMaintenance,
    HttpMaintenance,
)
from plugins.maintenance.references import MACHINE, TICKET
from plugins.maintenance.service import MaintenanceService
from plugins.maintenance.templates import TEMPLATES

SHIFT_REMINDER_LEAD = timedelta(minutes=15)
SLA_CHECK_INTERVAL = timedelta(minutes=1)


def reminder_time(data: dict[str, Any]) -> datetime:
    """A shift reminder goes out 15 minutes before the shift starts."""
    try:
        start = datetime.fromisoformat(str(data["shift_start"]))
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise EventRejected(
            "data.shift_start", "shift_start must be an ISO 8601 time with an offset, such as 2026-01-06T06:00:00+05:30"
        )
    return start - SHIFT_REMINDER_LEAD


class MaintenanceSettings(BusinessSystemSettings):
    """MAINTENANCE_API_URL set: tickets live in that system; MAINTENANCE_SLA_HOURS_* set the
    SLA by urgency."""

    model_config = SettingsConfigDict(env_prefix="MAINTENANCE_", env_file=".env", extra="ignore")
    sla_hours_high: int = Field(8, ge=1)
    sla_hours_medium: int = Field(24, ge=1)
    sla_hours_low: int = Field(48, ge=1)


class MaintenancePlugin:
    def __init__(self) -> None:
        self.service: MaintenanceService | None = None
        self.ticket = TICKET

    @hookimpl
    async def on_startup(self, context: PluginContext) -> None:
        settings = MaintenanceSettings()
        api = settings.api(context.http)
        if api is not None:
            backend = HttpMaintenance(api)
            self.ticket = TICKET.as_issued()
        else:
            backend = EmbeddedMaintenance(context.store.records)
            await demo.seed(context.store.records, context.clock.now())
            await seed_staff(context.store.settings)
        hours = {"high": settings.sla_hours_high, "medium": settings.sla_hours_medium, "low": settings.sla_hours_low}
        self.service = MaintenanceService(backend, context.clock, hours, context.notifier, context.media)

    @hookimpl
    def register_menu_entries(self) -> list[MenuEntry]:
        return [
            MenuEntry(
                "maintenance.report",
                "maintenance.report",
                "maintenance.menu",
                flow="maintenance.report",
                order=30,
                roles=STAFF_ROLES,
            ),
            MenuEntry(
                "maintenance.sla", "maintenance.sla", "maintenance.menu", flow="maintenance.sla", order=31, roles=STAFF_ROLES
            ),
        ]

    @hookimpl
    def register_flows(self) -> list[Flow]:
        service = self.service
        machine = Step(
            "machine",
            "maintenance.ask_machine",
            invalid="maintenance.bad_machine",
            lookup=service.known_machine,
            reference=MACHINE,
        )
        issue = Step(
            "issue", "maintenance.ask_issue", choices=tuple(Choice(i, f"maintenance.issue.{i}") for i in ISSUE_TYPES)
        )
        urgency = Step(
            "urgency",
            "maintenance.ask_urgency",
            choices=tuple(Choice(u, f"maintenance.urgency.{u}") for u in URGENCIES),
        )
        problem = Step(
            "problem",
            "maintenance.ask_problem",
            media=frozenset({MediaKind.IMAGE, MediaKind.AUDIO}),
            optional=True,
        )
        ticket = Step(
            "reference",
            "maintenance.ask_ticket",
            invalid="maintenance.bad_ticket",
            lookup=service.known_ticket,
            reference=self.ticket,
        )
        return [
            Flow("maintenance.report", (machine, issue, urgency, problem), service.report),
            Flow("maintenance.sla", (ticket,), service.sla_status),
        ]

    @hookimpl
    def register_jobs(self) -> list[PeriodicJob]:
        return [PeriodicJob("maintenance.sla_check", SLA_CHECK_INTERVAL, self.service.check_slas)]

    @hookimpl
    def register_translations(self) -> list[TranslationDomain]:
        return [TranslationDomain("maintenance", Path(__file__).parent / "locale")]

    @hookimpl
    def register_event_types(self) -> list[EventType]:
        return [
            EventType(
                "maintenance.ticket_created",
                "ticket_created",
                ("ticket_id", "machine_id", "urgency", "sla_deadline"),
                roles=("supervisors",),
                data=TicketCreated,
            ),
            EventType(
                "shift.scheduled",
                "shift_reminder",
                ("operator_name", "shift_start", "line"),
                send_at=reminder_time,
                data=ShiftScheduled,
            ),
        ]

    @hookimpl
    def register_templates(self) -> list[dict[str, str]]:
        return TEMPLATES


plugin = MaintenancePlugin()
