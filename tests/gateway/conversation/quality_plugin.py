"""A small plugin the engine's tests talk to: one group with a form (lookup, buttons, list) and an action."""

from gateway.conversation.flows import Choice, Flow, InvalidAnswer, MenuEntry, Step
from gateway.conversation.references import Reference
from gateway.hookspecs import hookimpl
from gateway.models import Content

KNOWN_ORDERS = {"4411", "4412"}
ORDER = Reference("order", ("ORD",), words=("order", "pedido"), digits=(4, 4), prefixed_ids=False)


class Quality:
    """A small plugin: one group with a form (lookup, buttons, list) and an action."""

    def __init__(self, fail_on_complete: bool = False) -> None:
        self.fail_on_complete = fail_on_complete
        self.reports: list[dict[str, str]] = []

    @hookimpl
    def register_menu_entries(self):
        return [
            MenuEntry("quality.report", "quality.report", "quality.menu", flow="quality.report", order=10),
            MenuEntry(
                "quality.count",
                "quality.count",
                "quality.menu",
                action=self._count,
                order=11,
                keywords=("count", "conteo", "compte", "contagem", "عدد", "गिनती"),
            ),
        ]

    @hookimpl
    def register_flows(self):
        steps = (
            Step("order", "quality.ask_order", invalid="quality.bad_order", lookup=self._order, reference=ORDER),
            Step("severity", "quality.ask_severity", choices=tuple(Choice(s, f"quality.{s}") for s in ("low", "high"))),
            Step(
                "kind",
                "quality.ask_kind",
                choices=tuple(Choice(k, f"quality.{k}") for k in ("dent", "scratch", "crack", "other")),
            ),
        )
        return [Flow("quality.report", steps, self._complete)]

    @hookimpl
    def register_translations(self):
        english = {
            "quality.menu": "Quality",
            "quality.report": "Report",
            "quality.count": "Count",
            "quality.ask_order": "Order number?",
            "quality.bad_order": "An order number has 4 digits.",
            "quality.unknown_order": "There is no order {order}.",
            "quality.ask_severity": "Severity?",
            "quality.ask_kind": "What kind?",
            "quality.low": "Low",
            "quality.high": "High",
            "quality.dent": "Dent",
            "quality.scratch": "Scratch",
            "quality.crack": "Crack",
            "quality.other": "Other",
            "quality.done": "Recorded {severity} {kind} on {order}.",
        }
        return {"en": english, "es": {"quality.menu": "Calidad", "quality.ask_order": "¿Número de pedido?"}}

    async def _order(self, answer, conversation):
        if answer not in KNOWN_ORDERS:
            raise InvalidAnswer("quality.unknown_order", order=answer)
        return answer

    async def _complete(self, answers, conversation):
        if self.fail_on_complete:
            raise RuntimeError("backend down")
        self.reports.append(answers)
        return [Content(text=conversation.t("quality.done", **answers))]

    async def _count(self, conversation):
        return [Content(text=f"{len(self.reports)} reports")]
