"""What the maintenance plugin answers: opening tickets with an SLA deadline by urgency (with a
photo or voice note of the problem, and the work's training video when the backend has one),
and the SLA status of a ticket. Both are for staff, the factory's people (see "Who may see what" in
docs/plugins.md); a ticket's reporter is also warned of its SLA."""

from datetime import datetime, timedelta

from gateway.clock import Clock
from gateway.conversation.access import STAFF_ROLES
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Answers, InvalidAnswer
from gateway.conversation.formatting import duration, moment, percent
from gateway.media.service import PluginMedia
from gateway.media.videos import video_or_link
from gateway.models import Content, MediaKind
from gateway.notifications.notifier import Notifier
from plugins.maintenance.backend import MaintenanceBackend, Ticket, TicketStatus
from plugins.maintenance.references import MACHINE, TICKET

WARNING_SHARE = 0.25
"""A ticket is in warning when less than this share of its SLA remains."""


def sla_phase(ticket: Ticket, now: datetime) -> str:
    """ok, warning (under 25 % of the SLA left) or breached; resolved tickets are ok."""
    if ticket.status is TicketStatus.RESOLVED:
        return "ok"
    if now >= ticket.sla_deadline:
        return "breached"
    remaining = (ticket.sla_deadline - now) / (ticket.sla_deadline - ticket.opened_at)
    return "warning" if remaining < WARNING_SHARE else "ok"


class MaintenanceService:
    def __init__(
        self,
        backend: MaintenanceBackend,
        clock: Clock,
        sla_hours: dict[str, int],
        notifier: Notifier,
        media: PluginMedia,
    ) -> None:
        self.backend = backend
        self._clock = clock
        self._sla_hours = sla_hours
        self._notifier = notifier
        self._media = media

    async def check_slas(self) -> None:
        """Warn the reporter and supervisors once when a ticket has under 25 % of its SLA left,
        and once when it is breached; the keys make it once across processes and restarts."""
        now = self._clock.now()
        supervisors = await self._notifier.members(["supervisors"])
        for ticket in await self.backend.open_tickets():
            phase = sla_phase(ticket, now)
            if phase == "ok":
                continue
            template = "sla_warning" if phase == "warning" else "sla_breached"
            data = {
                "ticket_id": TICKET.show(ticket.reference),
                "machine_id": MACHINE.show(ticket.machine_id),
                "urgency": ticket.urgency,
                "sla_deadline": ticket.sla_deadline.isoformat(),
            }
            await self._notifier.notify(
                template, [ticket.reporter, *supervisors], data, key=f"{template}:{ticket.reference}"
            )

    async def known_machine(self, answer: str, conversation: Conversation) -> str:
        """A flow lookup: a machine, for staff; to anyone else every machine is unknown."""
        machine = await self.backend.machine(answer) if conversation.holds(*STAFF_ROLES) else None
        if machine is None:
            raise InvalidAnswer("maintenance.unknown_machine", machine=MACHINE.show(answer))
        return machine.id

    async def report(self, answers: Answers, conversation: Conversation) -> list[Content]:
        if not conversation.holds(*STAFF_ROLES):
            return [Content(text=conversation.t("core.not_allowed"))]
        now = self._clock.now()
        hours = self._sla_hours[answers["urgency"]]
        ticket = await self.backend.open_ticket(
            answers["machine"],
            answers["issue"],
            answers["urgency"],
            conversation.contact,
            now,
            now + timedelta(hours=hours),
            conversation.idempotency_key,
            answers.get("problem") or None,
        )
        text = conversation.t(
            "maintenance.opened",
            reference=TICKET.show(ticket.reference),
            machine=MACHINE.show(ticket.machine_id),
            issue=conversation.t(f"maintenance.issue.{ticket.issue_type}").lower(),
            urgency=conversation.t(f"maintenance.urgency.{ticket.urgency}").lower(),
            deadline=moment(ticket.sla_deadline, conversation),
            hours=conversation.tn("maintenance.hours", hours),
        )
        if (kept := await self._kept(ticket)) is not None:
            text = f"{text} {conversation.t(kept)}"
        return [Content(text=text), *_video(ticket, conversation)]

    async def _kept(self, ticket: Ticket) -> str | None:
        """What the ticket keeps of the problem, as a catalog key: a photo or a voice note."""
        if ticket.problem_media_id is None:
            return None
        stored = await self._media.get(ticket.problem_media_id)
        kind = stored.kind if stored is not None else None
        return "maintenance.with_voice" if kind is MediaKind.AUDIO else "maintenance.with_photo"

    async def visible_ticket(self, reference: str, conversation: Conversation) -> Ticket | None:
        """The ticket if the contact may see it: staff see every ticket, and nobody else any, not
        even its reporter once they no longer hold a staff role. None alike for a ticket that does
        not exist and one hidden, so neither is revealed."""
        return await self.backend.ticket(reference) if conversation.holds(*STAFF_ROLES) else None

    async def known_ticket(self, answer: str, conversation: Conversation) -> str:
        if await self.visible_ticket(answer, conversation) is None:
            raise InvalidAnswer("maintenance.unknown_ticket", reference=TICKET.show(answer))
        return answer

    async def sla_status(self, answers: Answers, conversation: Conversation) -> list[Content]:
        ticket = await self.visible_ticket(answers["reference"], conversation)
        if ticket is None:
            reference = TICKET.show(answers["reference"])
            return [Content(text=conversation.t("maintenance.unknown_ticket", reference=reference))]
        now = self._clock.now()
        phase = sla_phase(ticket, now)
        reference = TICKET.show(ticket.reference)
        if ticket.status is TicketStatus.RESOLVED:
            text = conversation.t("maintenance.resolved", reference=reference)
        elif phase == "breached":
            text = conversation.t(
                "maintenance.breached", reference=reference, ago=duration(now - ticket.sla_deadline, conversation)
            )
        else:
            left = duration(ticket.sla_deadline - now, conversation)
            text = conversation.t(
                f"maintenance.{phase}",
                reference=reference,
                left=left,
                deadline=moment(ticket.sla_deadline, conversation),
                share=percent(WARNING_SHARE * 100, conversation),
            )
        return [Content(text=text)]


def _video(ticket: Ticket, conversation: Conversation) -> list[Content]:
    """The ticket's training video, when it has one: a video where the channel shows one and
    the link is a video file, else its link as text."""
    if ticket.video_url is None:
        return []
    caption = conversation.t("maintenance.video", machine=MACHINE.show(ticket.machine_id))
    return [video_or_link(ticket.video_url, caption)]
