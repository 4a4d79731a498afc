"""How plugins and business events queue notifications: one job per recipient, keyed so
that asking again (a replayed event, a scheduler run in another process) queues nothing new."""

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from gateway.models import OutboundMessage, Priority, TemplateRef
from gateway.outbound.outbox import Outbox
from gateway.phone import InvalidPhoneNumber, to_contact_id
from gateway.ports.store import Store

log = logging.getLogger(__name__)

ENQUEUED_AT_ONCE = 500
"""Jobs queued concurrently, so the store commits them in batches: 10,000 recipients queue in
about a second instead of one commit after another."""


ROLE_PREFIX = "roles."


def role_key(role: str) -> str:
    """The global setting holding a role's members, e.g. `roles.supervisors`."""
    return ROLE_PREFIX + role


class Notifier:
    def __init__(self, store: Store, outbox: Outbox) -> None:
        self._store = store
        self._outbox = outbox

    async def members(self, roles: Iterable[str]) -> list[str]:
        """Everyone holding any of `roles` in settings, once each."""
        members = []
        for role in roles:
            for member in await self._store.settings.get(role_key(role)) or []:
                try:
                    members.append(to_contact_id(member))
                except InvalidPhoneNumber:
                    log.warning("role %s holds an entry that is not a phone number; skipped", role)
        return list(dict.fromkeys(members))

    async def notify(
        self,
        template: str,
        recipients: Iterable[str],
        data: dict[str, Any],
        *,
        key: str,
        send_at: datetime | None = None,
    ) -> list[str]:
        """Queue `template` rendered with `data` for each recipient; returns the job ids."""
        messages = [
            OutboundMessage(
                recipient=recipient,
                template=TemplateRef(name=template, parameters=data),
                priority=Priority.NOTIFICATION,
                send_at=send_at,
                idempotency_key=f"{key}:{recipient}",
            )
            for recipient in dict.fromkeys(recipients)
        ]
        jobs = []
        for start in range(0, len(messages), ENQUEUED_AT_ONCE):
            chunk = messages[start : start + ENQUEUED_AT_ONCE]
            jobs += await asyncio.gather(*(self._outbox.enqueue(message) for message in chunk))
        return [job.id for job in jobs]
