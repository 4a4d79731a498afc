"""Core fallbacks, written as plugins that run last so any plugin can replace them."""

from gateway.conversation.commands import COMMAND_BUTTON, Command
from gateway.conversation.context import Conversation
from gateway.hookspecs import hookimpl
from gateway.models import Button, Content, InboundMessage


@hookimpl(trylast=True)
def handle_message(message: InboundMessage, conversation: Conversation) -> list[Content]:
    """Nobody understood the message: say so, with the menu one tap away, rather than stay silent."""
    menu = Button(id=COMMAND_BUTTON + Command.MENU, title=conversation.t("core.menu.button"))
    return [Content(text=conversation.t("core.not_understood"), buttons=[menu])]
