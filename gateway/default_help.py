"""The core Help entry: FAQs, talking to a person from the team, and reporting a problem to
operators. Written as a plugin that runs last, so a deployment's own help plugin can replace it."""

from pathlib import Path

from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.flows import Answers, Flow, MenuEntry, Step
from gateway.conversation.translations import TranslationDomain
from gateway.handover.card import HandoverReason
from gateway.hookspecs import hookimpl
from gateway.models import Content

NAMESPACE = "help"


class Help:
    def __init__(self) -> None:
        self._context: PluginContext | None = None

    @hookimpl
    def on_startup(self, context: PluginContext) -> None:
        self._context = context

    @hookimpl(trylast=True)
    def register_menu_entries(self) -> list[MenuEntry]:
        return [
            MenuEntry("help.faq", "help.faq", "help.menu", action=self._faq, order=1000),
            MenuEntry("help.person", "help.person", "help.menu", action=self._person, order=1001),
            MenuEntry("help.problem", "help.problem", "help.menu", flow="help.problem", order=1002),
        ]

    @hookimpl
    def register_flows(self) -> list[Flow]:
        describe = Step("description", "help.problem.prompt", pattern=r"(?s).{10,}", invalid="help.problem.too_short")
        return [Flow("help.problem", (describe,), self._report)]

    @hookimpl
    def register_translations(self) -> list[TranslationDomain]:
        return [TranslationDomain("help", Path(__file__).parent / "locale")]

    async def _faq(self, conversation: Conversation) -> list[Content]:
        return [Content(text=conversation.t("help.faq.text"))]

    async def _person(self, conversation: Conversation) -> list[Content]:
        """Someone on WhatsApp already is where the team answers: hand the conversation over."""
        return await self._context.handovers.hand_over(conversation, HandoverReason.MENU)

    async def _report(self, answers: Answers, conversation: Conversation) -> list[Content]:
        """Log the problem for operators under a reference the contact can quote."""
        records, clock = self._context.store.records, self._context.clock
        reference = f"PRB-{await records.next_sequence(NAMESPACE, 'problem'):06d}"
        problem = {
            "reference": reference,
            "contact": conversation.contact,
            "description": answers["description"],
            "reported_at": clock.now().isoformat(),
            "status": "open",
        }
        await records.put(NAMESPACE, reference, problem)
        return [Content(text=conversation.t("help.problem.done", reference=reference))]
