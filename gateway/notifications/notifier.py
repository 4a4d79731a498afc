"""How plugins and business events queue notifications: one job per recipient, keyed so
that asking again (a replayed event, a scheduler run in another process) queues nothing new."""

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from gateway.models import OutboundMedia, OutboundMessage, Priority, TemplateRef
from gateway.outbound.outbox import Outbox
from gateway.phone import InvalidPhoneNumber, to_contact_id
from gateway.ports.records import Job
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
        attachments: Sequence[OutboundMedia] = (),
    ) -> list[str]:
        """Queue `template` rendered with `data` for each recipient, each of `attachments` (a bill
        as a PDF) after it, sent only once the message before it was; returns the job ids, each
        recipient's template first."""
        groups = [
            [
                OutboundMessage(
                    template=TemplateRef(name=template, parameters=data),
                    idempotency_key=f"{key}:{recipient}",
                    **self._addressing(recipient, send_at),
                ),
                *(
                    OutboundMessage(
                        media=media,
                        idempotency_key=f"{key}:{recipient}:media:{n}",
                        **self._addressing(recipient, send_at),
                    )
                    for n, media in enumerate(attachments)
                ),
            ]
            for recipient in dict.fromkeys(recipients)
        ]
        per_batch = max(1, ENQUEUED_AT_ONCE // (1 + len(attachments)))
        jobs = []
        for start in range(0, len(groups), per_batch):
            batch = groups[start : start + per_batch]
            jobs += [job for queued in await asyncio.gather(*map(self._in_order, batch)) for job in queued]
        return [job.id for job in jobs]

    @staticmethod
    def _addressing(recipient: str, send_at: datetime | None) -> dict[str, Any]:
        return {"recipient": recipient, "priority": Priority.NOTIFICATION, "send_at": send_at}

    async def _in_order(self, messages: list[OutboundMessage]) -> list[Job]:
        """One recipient's messages, each following the one before: the queue sends an attachment
        only after its template was sent, whichever workers claim them."""
        jobs: list[Job] = []
        for message in messages:
            jobs.append(await self._outbox.enqueue(message, follows=jobs[-1].id if jobs else None))
        return jobs
