"""Where every outgoing message enters the durable queue, and is logged as queued."""

from collections.abc import Callable

from gateway.logs import request_id
from gateway.models import OutboundMessage, Provider
from gateway.phone import is_simulated
from gateway.ports.records import Job
from gateway.ports.store import Store


class Outbox:
    """Enqueue, log, and wake the queue worker so a reply leaves within milliseconds."""

    def __init__(self, store: Store, enabled: list[Provider], default: Provider, wake: Callable[[], None]) -> None:
        self._store = store
        self._enabled = enabled
        self._default = default
        self._wake = wake

    async def enqueue(self, message: OutboundMessage, *, follows: str | None = None) -> Job:
        """Queue `message` through its provider, else the contact's last one, else the default; a
        simulated contact's always through the simulator, so no real provider is asked to reach one.
        With `follows`, it is sent only after that job was (a notification's file after its template)."""
        if is_simulated(message.recipient):
            provider = Provider.SIMULATOR
        else:
            provider = message.provider or await self._provider_for(message.recipient)
        message = message.model_copy(
            update={"provider": provider, "request_id": message.request_id or request_id.get()}
        )
        job = await self._store.queue.enqueue(message, follows=follows)
        await self._store.log.record_outbound(job.id, message, provider)
        self._wake()
        return job

    async def _provider_for(self, contact: str) -> Provider:
        """Never the simulator for a real contact, though an older version recorded it as their last."""
        last = (await self._store.settings.contact(contact)).values.get("last_provider")
        return Provider(last) if last in self._enabled and last != Provider.SIMULATOR else self._default
