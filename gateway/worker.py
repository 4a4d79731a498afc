"""The queue worker: claims due jobs with a lease, sends them through their channel, and
acks, retries or dead-letters each one. One bad job never stops the loop."""

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import timedelta
from functools import partial
from random import Random
from typing import Any

import aiohttp
from pydantic import ValidationError

from gateway.clock import Clock
from gateway.logs import request_id
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage
from gateway.notifications.delivery import DeliveryRules, Undeliverable
from gateway.phone import mask
from gateway.ports.channel import ChannelSet, SendError
from gateway.ports.records import Job, JobState, LogStatus
from gateway.ports.store import Store
from gateway.routing import Routing
from gateway.supervision import Supervisor
from gateway.text_menus import TextMenus

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 300.0


def backoff_seconds(attempts: int, retry_after: float | None, chance: Random) -> float:
    """How long before trying a job again: what the provider asked for, else "full jitter", a
    random wait up to a ceiling that doubles with each attempt, so failures spread out."""
    if retry_after is not None:
        return retry_after
    return chance.uniform(0, min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2**attempts))


class QueueWorker:
    """`concurrency` send loops sharing one wake-up signal; idle loops also look again every
    `idle_seconds` for jobs that fell due or were enqueued by another process."""

    def __init__(
        self,
        store: Store,
        channels: ChannelSet,
        http: aiohttp.ClientSession,
        clock: Clock,
        rules: DeliveryRules,
        routing: Routing,
        metrics: GatewayMetrics,
        *,
        concurrency: int = 4,
        idle_seconds: float = 1.0,
        chance: Random | None = None,
    ) -> None:
        self._store = store
        self._rules = rules
        self._routing = routing
        self._metrics = metrics
        self._chance = chance or Random()
        self._channels = channels
        self._http = http
        self._clock = clock
        self._menus = TextMenus(store.records)
        self._concurrency = concurrency
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._name = f"{socket.gethostname()}:{os.getpid()}"

    def wake(self) -> None:
        """Tell idle loops a job was just enqueued."""
        self._wake.set()

    def start(self, supervisor: Supervisor) -> list["asyncio.Task[None]"]:
        """Start the send loops under the supervisor, which restarts any loop that dies."""
        return [
            supervisor.start("send", partial(self._loop, f"{self._name}:{n}")) for n in range(self._concurrency)
        ]

    async def _loop(self, owner: str) -> None:
        while True:
            self._wake.clear()
            try:
                job = await self._store.queue.claim(owner, LEASE)
            except Exception:
                log.exception("claiming a job failed; trying again shortly")
                job = None
            if job is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_seconds)
                continue
            await self.deliver(job, owner)

    async def deliver(self, job: Job, owner: str) -> None:
        """Send one claimed job and record the outcome on the job, in the log and in metrics."""
        stored = job.message
        request_id.set(stored.get("request_id") or job.id[-12:])
        if job.recovered:
            self._metrics.lease_recoveries.inc()
            log.warning("job %s taken over after its previous worker's lease expired", job.id)
        if job.provider_message_id is not None:
            # the worker before us sent it and died before acking: acknowledge, do not send again
            await self._sent(job, owner, job.provider_message_id, OutboundMessage.model_validate(stored))
            return
        try:
            message = OutboundMessage.model_validate(stored)
        except ValidationError as error:
            await self._dead(job, owner, f"stored message is invalid: {error.error_count()} problem(s)", stored)
            return
        if self._channels.get(message.provider) is None:
            await self._dead(job, owner, f"provider {message.provider} is not configured", stored)
            return
        routed = self._routing.route(message)
        if routed is None:
            reopens = self._routing.wait_until(message.provider)
            await self._store.queue.retry(
                job.id, owner, f"{message.provider} circuit is open", reopens or self._clock.now()
            )
            return
        message, channel = routed, self._channels.get(routed.provider)
        try:
            message = await self._rules.prepare(message)
        except Undeliverable as refusal:
            finish = self._suppressed if refusal.suppressed else self._dead
            await finish(job, owner, refusal.reason, message.model_dump(mode="json"))
            return
        provider = message.provider.value
        try:
            message = await self._menus.render_for(channel.capabilities, message)
            async with self._routing.pace(message.provider):
                started = time.perf_counter()
                provider_message_id = await channel.send(message, self._http)
        except SendError as error:
            self._metrics.provider_errors.labels(provider, _error_class(error)).inc()
            if error.retryable:
                self._routing.failed(message.provider)
            await self._failed(job, owner, error, message.model_dump(mode="json"))
        except Exception as error:
            log.exception("sending job %s to %s failed unexpectedly", job.id, mask(message.recipient))
            failure = SendError(f"unexpected {type(error).__name__}", retryable=True)
            await self._failed(job, owner, failure, message.model_dump(mode="json"))
        else:
            self._metrics.provider_latency.labels(provider).observe(time.perf_counter() - started)
            self._routing.succeeded(message.provider)
            await self._store.queue.record_sent(job.id, owner, provider_message_id)
            await self._sent(job, owner, provider_message_id, message)

    async def _sent(self, job: Job, owner: str, provider_message_id: str, message: OutboundMessage) -> None:
        if await self._store.queue.ack(job.id, owner, provider_message_id):
            await self._store.log.set_outbound_status(
                job.id,
                LogStatus.SENT,
                provider=message.provider,
                provider_message_id=provider_message_id,
                sent=message.model_dump(mode="json", exclude_none=True),
            )
            provider = message.provider.value
            self._metrics.outbound.labels(provider, message_type(message.model_dump()), "sent").inc()
            self._metrics.send_delay.labels(provider).observe((self._clock.now() - job.created_at).total_seconds())
            log.info(
                "sent job %s to %s through %s as %s", job.id, mask(message.recipient), provider, provider_message_id
            )
        else:
            log.warning("job %s was sent after its lease expired; another worker may send it again", job.id)

    async def _failed(self, job: Job, owner: str, error: SendError, message: dict[str, Any]) -> None:
        reason = f"{error.code}: {error}" if error.code else str(error)
        if not error.retryable:
            await self._dead(job, owner, reason, message)
            return
        delay = backoff_seconds(job.attempts, error.retry_after, self._chance)
        retry_at = self._clock.now() + timedelta(seconds=delay)
        retried = await self._store.queue.retry(job.id, owner, reason, retry_at)
        if retried is None:
            return
        if retried.state is JobState.DEAD:
            await self._store.log.set_outbound_status(job.id, LogStatus.DEAD, error=reason)
            self._count_dead(message)
            log.warning("job %s is dead after %d attempts: %s", job.id, retried.attempts, reason)
        else:
            self._metrics.retries.labels(str(message.get("provider"))).inc()

    async def _suppressed(self, job: Job, owner: str, reason: str, message: dict[str, Any]) -> None:
        if await self._store.queue.suppress(job.id, owner, reason) is not None:
            await self._store.log.set_outbound_status(job.id, LogStatus.SUPPRESSED, error=reason)
            self._metrics.outbound.labels(str(message.get("provider")), message_type(message), "suppressed").inc()

    async def _dead(self, job: Job, owner: str, reason: str, message: dict[str, Any]) -> None:
        log.warning("job %s failed permanently: %s", job.id, reason)
        if await self._store.queue.fail(job.id, owner, reason) is not None:
            await self._store.log.set_outbound_status(job.id, LogStatus.DEAD, error=reason)
            self._count_dead(message)

    def _count_dead(self, message: dict[str, Any]) -> None:
        provider = str(message.get("provider"))
        self._metrics.dead_letters.labels(provider).inc()
        self._metrics.outbound.labels(provider, message_type(message), "dead").inc()


def message_type(message: dict[str, Any]) -> str:
    """What kind of message it is, for metric labels: template, buttons, list, media or text."""
    for kind in ("provider_template", "template", "buttons", "list", "media"):
        if message.get(kind):
            return kind
    return "text"


def _error_class(error: SendError) -> str:
    if error.code in ("timeout", "network"):
        return error.code
    return "retryable" if error.retryable else "permanent"
