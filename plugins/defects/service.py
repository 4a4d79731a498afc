"""What the defects plugin answers: reporting a defect (which holds its order), listing and
tracking defects, and showing SOPs. All of it is for staff, the factory's people (see "Who may
see what" in docs/plugins.md)."""

from gateway.clock import Clock
from gateway.conversation.access import STAFF_ROLES, owned_by
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Answers, InvalidAnswer
from gateway.conversation.translated import localized
from gateway.handover.card import HandoverReason
from gateway.handover.service import Handovers
from gateway.models import Content
from plugins.defects.backend import Defect, DefectsBackend
from plugins.defects.references import DEFECT, SOP
from plugins.orders.references import ORDER

RECENT = 5
HANDED_OVER_SEVERITY = "high"
"""A defect this severe is not left to the bot: the quality team takes the conversation over."""


class DefectsService:
    def __init__(self, backend: DefectsBackend, clock: Clock, handovers: Handovers) -> None:
        self.backend = backend
        self._clock = clock
        self._handovers = handovers

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
        if defect.severity != HANDED_OVER_SEVERITY:
            return [Content(text=text)]
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
        return [Content(text=text)]

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
        return [Content(text=text)]
