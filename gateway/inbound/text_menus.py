"""Buttons and lists for channels that cannot show them: a numbered text menu, remembered per
contact, so that a reply of `2` or an option's title reaches plugins as that option's press."""

from typing import Any

from gateway.models import InboundKind, InboundMessage, OutboundMessage
from gateway.ports.channel import Capabilities
from gateway.ports.store import PluginRecords

NAMESPACE = "gateway.inbound.text_menus"


def numbered(message: OutboundMessage) -> tuple[OutboundMessage, dict[str, Any]]:
    """The message as text with numbered options, and what to remember to read the answer."""
    if message.buttons is not None:
        kind, options = InboundKind.BUTTON_REPLY, [(b.id, b.title) for b in message.buttons]
    else:
        kind = InboundKind.LIST_REPLY
        options = [(row.id, row.title) for section in message.list.sections for row in section.rows]
    lines = [f"{number}. {title}" for number, (_, title) in enumerate(options, start=1)]
    text = f"{message.text}\n\n" + "\n".join(lines)
    as_text = message.model_copy(update={"text": text, "buttons": None, "list": None})
    shown = {"kind": kind.value, "options": [{"id": option_id, "title": title} for option_id, title in options]}
    return as_text, shown


def chosen(text: str, options: list[dict[str, str]]) -> dict[str, str] | None:
    """The option a typed answer picks: its number, or its title in any case."""
    answer = text.strip().rstrip(".").casefold()
    # isdecimal, not isdigit: "²" and "①" are digits that int() refuses; a menu never needs
    # more than a few of them, and int() refuses thousands
    if answer.isdecimal() and len(answer) <= 3 and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]
    return next((option for option in options if option["title"].casefold() == answer), None)


class TextMenus:
    def __init__(self, records: PluginRecords) -> None:
        self._records = records

    async def render_for(self, capabilities: Capabilities, message: OutboundMessage) -> OutboundMessage:
        """The message as the channel can show it; numbered options are remembered."""
        needs_text = (message.buttons is not None and not capabilities.buttons) or (
            message.list is not None and not capabilities.lists
        )
        if not needs_text:
            return message
        as_text, shown = numbered(message)
        await self._records.put(NAMESPACE, message.recipient, shown)
        return as_text

    async def resolve(self, message: InboundMessage) -> InboundMessage:
        """A typed answer to a numbered menu, turned into the press of that option."""
        if message.kind is not InboundKind.TEXT:
            return message
        shown = await self._records.get(NAMESPACE, message.sender)
        option = chosen(message.text, shown["options"]) if shown else None
        if option is None:
            return message
        await self._records.delete(NAMESPACE, message.sender)
        return message.model_copy(
            update={"kind": InboundKind(shown["kind"]), "reply_id": option["id"], "reply_title": option["title"]}
        )
