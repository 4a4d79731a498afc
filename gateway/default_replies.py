"""Core fallbacks, written as plugins that run last so any plugin can replace them."""

from gateway.hookspecs import hookimpl
from gateway.models import Content, InboundMessage


@hookimpl(trylast=True)
def handle_message(message: InboundMessage) -> list[Content]:
    """Nobody understood the message: say so rather than stay silent."""
    return [Content(text="Sorry, I did not understand that.")]
