"""What the defects plugin answers: reporting a defect (which holds its order and alerts the
quality team), listing and tracking defects, a defect's report as a PDF, and showing SOPs. All
of it is for staff, the factory's people (see "Who may see what" in docs/plugins.md)."""

from gateway.clock import Clock
from gateway.conversation.access import STAFF_ROLES, owned_by
from gateway.conversation.commands import COMMAND_BUTTON, Command
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Answers, InvalidAnswer
from gateway.conversation.translated import localized
from gateway.handover.card import HandoverReason
from gateway.handover.service import Handovers
from gateway.media.rendering import RenderingFailed
from gateway.media.videos import video_or_link
from gateway.models import MAX_CAPTION_CHARS, Button, Content
from gateway.ports.media import MediaStoreError
from plugins.defects.backend import Defect, DefectsBackend
from plugins.defects.references import DEFECT, SOP
from plugins.defects.report import DefectReports
from plugins.orders.references import ORDER

RECENT = 5
HANDED_OVER_SEVERITY = "high"
"""A defect this severe is not left to the bot: the quality team takes the conversation over."""
PDF_BUTTON = "defects.pdf:"
"""The id of a "Report as PDF" button is this and the defect's reference."""


class DefectsService:
    def __init__(self, backend: DefectsBackend, clock: Clock, handovers: Handovers, reports: DefectReports) -> None:
        self.backend = backend
        self._clock = clock
        self._handovers = handovers
        self._reports = reports

    async def known_order(self, answer: str, conversation: Conversation) -> str:
        """A flow lookup: an order, for staff; to anyone else every order is unknown."""
        if not (conversation.holds(*STAFF_ROLES) and await self.backend.order_exists(answer)):
            raise InvalidAnswer("defects.unknown_order", order=ORDER.show(answer))
        return answer

    async def report(self, answers: Answers, conversation: Conversation) -> list[Content]:
        if not conversation.holds(*STAFF_ROLES):
            return [Content(text=conversation.t("core.not_allowed"))]
        defect = await self.backend.report(
            answers["order"], answers["type"], answers["severity"], conversation.contact,
            self._clock.now(),
            conversation.idempotency_key,
            answers.get("photo") or None,
        )
        text = conversation.t(
            "defects.recorded",
            reference=DEFECT.show(defect.reference),
            type=conversation.t(f"defects.type.{defect.defect_type}"),
            severity=conversation.t(f"defects.severity.{defect.severity}").lower(),
            order=ORDER.show(defect.order_id),
        )
        if defect.photo_media_id:
            text = f"{text} {conversation.t('defects.with_photo')}"
        await self._reports.alert(defect, conversation)
        if defect.severity != HANDED_OVER_SEVERITY:
            return _offering_pdf(text, defect, conversation)
        detail = f"{DEFECT.show(defect.reference)}: {defect.severity} severity on order {ORDER.show(defect.order_id)}"
        return [Content(text=text), *await self._handovers.hand_over(conversation, HandoverReason.PLUGIN, detail)]

    async def mine(self, conversation: Conversation) -> list[Content]:
        reported = await self.backend.defects_of(conversation.contact)
        defects = [d for d in reported if owned_by(d.reporter, conversation.contact)][:RECENT]
        if not defects:
            return [Content(text=conversation.t("defects.none"))]
        lines = [
            conversation.t(
                "defects.mine_line",
                reference=DEFECT.show(d.reference),
                order=ORDER.show(d.order_id),
                type=conversation.t(f"defects.type.{d.defect_type}"),
                status=conversation.t(f"defects.status.{d.status.value}"),
            )
            for d in defects
        ]
        return [Content(text="\n".join([conversation.t("defects.mine_header"), *lines]))]

    async def visible_defect(self, reference: str, conversation: Conversation) -> Defect | None:
        """The defect if the contact may see it: staff see every defect, and nobody else any, not
        even its reporter once they no longer hold a staff role. None alike for a defect that does
        not exist and one hidden, so neither is revealed."""
        return await self.backend.defect(reference) if conversation.holds(*STAFF_ROLES) else None

    async def known_defect(self, answer: str, conversation: Conversation) -> str:
        if await self.visible_defect(answer, conversation) is None:
            raise InvalidAnswer("defects.unknown_reference", reference=DEFECT.show(answer))
        return answer

    async def track(self, answers: Answers, conversation: Conversation) -> list[Content]:
        defect = await self.visible_defect(answers["reference"], conversation)
        if defect is None:
            reference = DEFECT.show(answers["reference"])
            return [Content(text=conversation.t("defects.unknown_reference", reference=reference))]
        text = conversation.t(
            "defects.tracked",
            reference=DEFECT.show(defect.reference),
            order=ORDER.show(defect.order_id),
            type=conversation.t(f"defects.type.{defect.defect_type}"),
            severity=conversation.t(f"defects.severity.{defect.severity}").lower(),
            status=conversation.t(f"defects.status.{defect.status.value}"),
            notes=localized(defect.resolution_notes, conversation)
            if defect.resolution_notes
            else conversation.t("defects.no_notes"),
        )
        return _offering_pdf(text, defect, conversation)

    async def pdf(self, reference: str, conversation: Conversation) -> list[Content]:
        """The defect's report as a PDF, for staff ("Report as PDF" pressed)."""
        defect = await self.visible_defect(reference, conversation)
        if defect is None:
            return [Content(text=conversation.t("defects.unknown_reference", reference=DEFECT.show(reference)))]
        try:
            return [Content(media=await self._reports.attachment(defect, conversation))]
        except (RenderingFailed, MediaStoreError):
            return [Content(text=conversation.t("defects.pdf.failed"))]

    async def known_sop(self, answer: str, conversation: Conversation) -> str:
        """A flow lookup: an SOP, for staff; to anyone else every SOP is unknown."""
        if not (conversation.holds(*STAFF_ROLES) and await self.backend.sop(answer) is not None):
            raise InvalidAnswer("defects.unknown_sop", sop=SOP.show(answer))
        return answer

    async def sop(self, answers: Answers, conversation: Conversation) -> list[Content]:
        if not conversation.holds(*STAFF_ROLES):
            return [Content(text=conversation.t("core.not_allowed"))]
        sop = await self.backend.sop(answers["sop"])
        steps = "\n".join(
            f"{number}. {localized(step, conversation)}" for number, step in enumerate(sop.steps, start=1)
        )
        failure = localized(sop.last_failure, conversation) if sop.last_failure else conversation.t("defects.no_failure")
        title = localized(sop.title, conversation)
        text = conversation.t("defects.sop_text", sop=SOP.show(sop.id), title=title, steps=steps, failure=failure)
        if sop.video_url is None:
            return [Content(text=text)]
        caption = conversation.t("defects.sop_video", sop=SOP.show(sop.id), title=title)
        return [Content(text=text), video_or_link(sop.video_url, caption)]


def _offering_pdf(text: str, defect: Defect, conversation: Conversation) -> list[Content]:
    """A defect's text with its next steps: its report as a PDF, or the menu."""
    buttons = [
        Button(id=PDF_BUTTON + defect.reference, title=conversation.t("defects.pdf.button")),
        Button(id=COMMAND_BUTTON + Command.MENU, title=conversation.t("core.menu.button")),
    ]
    if len(text) <= MAX_CAPTION_CHARS:
        return [Content(text=text, buttons=buttons)]
    return [Content(text=text), Content(text=conversation.t("core.next_step"), buttons=buttons)]
