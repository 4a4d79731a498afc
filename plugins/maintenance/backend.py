"""Where machines and maintenance tickets live: the gateway's store (embedded, with demo
machines) or a business system's REST API (http)."""

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, HttpUrl, TypeAdapter

from gateway.business_api import BusinessApi
from gateway.idempotency import reference_for
from gateway.ports.store import PluginRecords

NAMESPACE = "maintenance"
ISSUE_TYPES = ("mechanical", "electrical", "hydraulic", "software", "other")
URGENCIES = ("low", "medium", "high")


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class Machine(BaseModel):
    id: str
    name: str
    line: str
    video_url: HttpUrl | None = None
    """A training video for working on it, sent with each ticket opened on it: a direct MP4 or
    3GP over https to arrive as a video, else sent as a link (gateway.media.videos)."""


class Ticket(BaseModel):
    reference: str
    machine_id: str
    issue_type: str
    urgency: str
    reporter: str
    status: TicketStatus
    opened_at: AwareDatetime
    sla_deadline: AwareDatetime
    problem_media_id: str | None = None
    """The photo or voice note of the problem the reporter sent, in the gateway's media store."""
    video_url: HttpUrl | None = None
    """A training video or SOP for the work, sent with the ticket: a direct MP4 or 3GP over
    https to arrive as a video, else sent as a link (gateway.media.videos)."""


class MaintenanceBackend(Protocol):
    async def machine(self, machine_id: str) -> Machine | None: ...

    async def open_ticket(
        self,
        machine_id: str,
        issue_type: str,
        urgency: str,
        reporter: str,
        opened_at: datetime,
        deadline: datetime,
        key: str,
        problem_media_id: str | None = None,
    ) -> Ticket:
        """Record a ticket (with the media store id of a photo or voice note of the problem)
        under a new reference, e.g. MAINT-000045; a repeated `key` returns the ticket opened
        the first time."""

    async def ticket(self, reference: str) -> Ticket | None: ...

    async def open_tickets(self) -> list[Ticket]:
        """Tickets not yet resolved."""


class EmbeddedMaintenance:
    def __init__(self, records: PluginRecords) -> None:
        self._records = records

    async def machine(self, machine_id: str) -> Machine | None:
        found = await self._records.get(NAMESPACE, f"machine:{machine_id.upper()}")
        return Machine.model_validate(found) if found else None

    async def open_ticket(
        self,
        machine_id: str,
        issue_type: str,
        urgency: str,
        reporter: str,
        opened_at: datetime,
        deadline: datetime,
        key: str,
        problem_media_id: str | None = None,
    ) -> Ticket:
        reference = await reference_for(self._records, NAMESPACE, "ticket", key, self._new_reference)
        machine = await self.machine(machine_id)
        ticket = Ticket(
            reference=reference,
            machine_id=machine_id,
            issue_type=issue_type,
            urgency=urgency,
            reporter=reporter,
            status=TicketStatus.OPEN,
            opened_at=opened_at,
            sla_deadline=deadline,
            problem_media_id=problem_media_id,
            video_url=machine.video_url if machine else None,
        )
        document = {"kind": "ticket"} | ticket.model_dump(mode="json")
        await self._records.insert(NAMESPACE, f"ticket:{reference}", document)
        return Ticket.model_validate(await self._records.get(NAMESPACE, f"ticket:{reference}"))

    async def _new_reference(self) -> str:
        return f"MAINT-{await self._records.next_sequence(NAMESPACE, 'ticket'):06d}"

    async def ticket(self, reference: str) -> Ticket | None:
        found = await self._records.get(NAMESPACE, f"ticket:{reference.upper()}")
        return Ticket.model_validate(found) if found else None

    async def open_tickets(self) -> list[Ticket]:
        found = await self._records.find(NAMESPACE, {"kind": "ticket"}, limit=10_000)
        return [ticket for ticket in map(Ticket.model_validate, found) if ticket.status is not TicketStatus.RESOLVED]


class HttpMaintenance:
    """The business system's API; its JSON contract is in docs/plugins.md."""

    def __init__(self, api: BusinessApi) -> None:
        self._api = api

    async def machine(self, machine_id: str) -> Machine | None:
        found = await self._api.get(f"machines/{machine_id.upper()}")
        return Machine.model_validate(found) if found else None

    async def open_ticket(
        self,
        machine_id: str,
        issue_type: str,
        urgency: str,
        reporter: str,
        opened_at: datetime,
        deadline: datetime,
        key: str,
        problem_media_id: str | None = None,
    ) -> Ticket:
        body = {
            "machine_id": machine_id,
            "issue_type": issue_type,
            "urgency": urgency,
            "reporter": reporter,
            "opened_at": opened_at.isoformat(),
            "sla_deadline": deadline.isoformat(),
            "problem_media_id": problem_media_id,
        }
        return Ticket.model_validate(await self._api.post("tickets", body, idempotency_key=key))

    async def ticket(self, reference: str) -> Ticket | None:
        found = await self._api.get(f"tickets/{reference.upper()}")
        return Ticket.model_validate(found) if found else None

    async def open_tickets(self) -> list[Ticket]:
        return _TICKETS.validate_python(await self._api.get("tickets", status="open") or [])


_TICKETS = TypeAdapter(list[Ticket])
