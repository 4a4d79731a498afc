"""Every hook a plugin can implement, grouped by when the gateway calls it.

Families: `register_*` returns a list, `on_*` is a notification, `handle_*` is first-result
(the first implementation to return something other than None wins). A hook may return an
awaitable; a first-result implementation that passes must return None before awaiting.
"""

from collections.abc import Awaitable

import pluggy

from gateway.models import Content, InboundMessage

hookspec = pluggy.HookspecMarker("wa_gateway")
hookimpl = pluggy.HookimplMarker("wa_gateway")


# ------------------------------------------------------------------ conversation


@hookspec(firstresult=True)
def handle_message(message: InboundMessage) -> list[Content] | Awaitable[list[Content]] | None:
    """Called for each inbound message; the first plugin to return replies handles it."""
