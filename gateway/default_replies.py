"""Core fallbacks, written as plugins that run last so any plugin can replace them."""

from gateway.conversation.commands import COMMAND_BUTTON, Command
from gateway.conversation.context import Conversation
from gateway.hookspecs import hookimpl
from gateway.models import Button, Content, InboundKind, InboundMessage

WORDS = (InboundKind.TEXT, InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY)


@hookimpl(trylast=True)
def handle_message(message: InboundMessage, conversation: Conversation) -> list[Content] | None:
    """Nobody understood the message: say so, with the menu one tap away, rather than stay
    silent. A file or location is left to the engine, which says it cannot use it there."""
    if message.kind not in WORDS:
        return None
    menu = Button(id=COMMAND_BUTTON + Command.MENU, title=conversation.t("core.menu.button"))
    return [Content(text=conversation.t("core.not_understood"), buttons=[menu])]
