"""A send checked at the door, before it is queued, so the caller hears at once what the queue
would only find out later: an unknown template or parameters it cannot render, a provider that
is not configured, or free text WhatsApp will not deliver because the contact is outside the
24-hour window."""

import json
from datetime import datetime
from typing import Any

from gateway.clock import Clock
from gateway.conversation.locality import Locality
from gateway.models import OutboundMessage, Priority, Provider, TemplateRef
from gateway.notifications.delivery import WINDOW
from gateway.notifications.previews import Unrenderable, preview_text
from gateway.notifications.template_service import TemplateService, UnknownTemplate
from gateway.phone import SIMULATED_PREFIX, is_simulated
from gateway.ports.records import TemplateVersion
from gateway.ports.store import Store

FORCE_QUEUE = "force_queue (`--force-queue` on the command line)"
HOW_TO_SEND = (
    "send a template that has a provider_template (WhatsApp's approved template), or set "
    f"{FORCE_QUEUE} to queue it anyway: the window is checked again when it is sent (at once, or at send_at), "
    "and it dies there undelivered unless the contact has written within the 24 hours before"
)


Rendered = tuple[str, str, str]
"""A template body, its language and its parameters as JSON: what rendered at the door."""


class Refused(ValueError):
    """The send cannot go as asked: `path` is the field at fault, `reason` says why and what to do."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


async def admit(
    message: OutboundMessage,
    store: Store,
    enabled: list[Provider],
    clock: Clock,
    *,
    force_queue: bool = False,
    locality: Locality = Locality(),
    rendered: set[Rendered] | None = None,
) -> None:
    """Raise Refused unless `message` can be delivered as it stands; `force_queue` lets free text
    outside the window through (the queue then holds it as it always did). A template is
    rendered once with its parameters as the worker will (`locality` gives the currency); a bulk
    send passes one `rendered` set for all its recipients, so one message renders once, not per
    recipient (some 6 ms a render, against 0.5 ms for the rest of the checks)."""
    if message.provider is not None and message.provider not in enabled:
        configured = ", ".join(provider.value for provider in enabled) or "none"
        raise Refused("provider", f"provider {message.provider.value} is not configured (configured: {configured})")
    _reachable(message, enabled)
    contact = (await store.settings.contact(message.recipient)).values
    provider_template: Any = message.provider_template
    if message.template is not None:
        try:
            template = await TemplateService(store).resolve(
                message.template.name, (message.template.language, contact.get("language"))
            )
        except UnknownTemplate as error:
            raise Refused("template.name", str(error).replace("'", "")) from None
        await _renders(message.template, template, store, locality, set() if rendered is None else rendered)
        provider_template = template.provider_template
    if force_queue or provider_template or _windowless(message) or _in_window(contact, clock.now()):
        return
    last = "has never written" if contact.get("last_inbound_at") is None else "last wrote more than 24 hours ago"
    if message.template is not None:
        reason = f"the contact {last} and template {message.template.name} has no provider_template"
        raise Refused("template.name", f"{reason}; add one to the template, or set {FORCE_QUEUE} to queue it anyway")
    field = "text" if message.text is not None else "media"
    raise Refused(field, f"the contact {last}, outside WhatsApp's 24-hour window: {HOW_TO_SEND}")


async def _renders(
    ref: TemplateRef, template: TemplateVersion, store: Store, locality: Locality, rendered: set[Rendered]
) -> None:
    """Refuse parameters the template cannot render, naming the one at fault as a preview does."""
    seen = (template.body, template.language, json.dumps(ref.parameters, sort_keys=True, default=str))
    if seen in rendered:
        return
    try:
        await preview_text(template, ref.parameters, store, locality)
    except Unrenderable as error:
        version = f"{template.name} ({template.language}) v{template.version}"
        raise Refused(error.path("template.parameters"), f"template {version} cannot render: {error.reason}") from None
    rendered.add(seen)


def _reachable(message: OutboundMessage, enabled: list[Provider]) -> None:
    """Refuse a real contact whom only the simulator could be asked to reach: it would refuse them
    in the queue, and the send would die where the caller never looks."""
    if is_simulated(message.recipient):
        return
    simulated = f"simulated contacts ({SIMULATED_PREFIX}+…)"
    if message.provider is Provider.SIMULATOR:
        raise Refused("provider", f"the simulator reaches {simulated} only, not {message.recipient}")
    if all(provider is Provider.SIMULATOR for provider in enabled):
        only = "no provider is configured"
        if enabled:
            only = f"only the simulator is configured, which reaches {simulated}"
        raise Refused(
            "recipient",
            f"no provider can reach {message.recipient}: {only}; configure Twilio, Meta or MyOperator for real numbers",
        )


def _windowless(message: OutboundMessage) -> bool:
    """A reply, or a send to a simulated contact, which has no 24-hour window."""
    return message.priority is Priority.REPLY or is_simulated(message.recipient)


def _in_window(contact: dict[str, Any], now: datetime) -> bool:
    last = contact.get("last_inbound_at")
    return last is not None and now - datetime.fromisoformat(last) < WINDOW
