"""Core fallbacks, written as plugins that run last so any plugin can replace them."""

from gateway.conversation.context import Conversation
from gateway.hookspecs import hookimpl
from gateway.models import Content, InboundMessage


@hookimpl(trylast=True)
def handle_message(message: InboundMessage, conversation: Conversation) -> list[Content]:
    """Nobody understood the message: say so, and how to see the menu, rather than stay silent."""
    return [Content(text=conversation.t("core.not_understood"))]
