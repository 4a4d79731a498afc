"""The queue worker: claims due jobs with a lease, sends them through their channel, and
acks, retries, postpones or dead-letters each one. Nothing one job raises stops the loop."""

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import datetime, timedelta
from functools import partial
from random import Random
from typing import Any

import aiohttp
from pydantic import ValidationError

from gateway.clock import Clock
from gateway.faults import is_transient
from gateway.logs import request_id
from gateway.metrics import GatewayMetrics
from gateway.models import OutboundMessage, Provider
from gateway.notifications.delivery import DeliveryRules, Undeliverable
from gateway.outbound.attachments import Attachments, for_log
from gateway.phone import mask
from gateway.ports.channel import Channel, ChannelSet, SendError
from gateway.ports.records import Job, JobState, LogStatus
from gateway.ports.store import Store
from gateway.outbound.routing import CircuitOpen, Routing
from gateway.supervision import Supervisor
from gateway.inbound.text_menus import TextMenus
from gateway.validation import problems

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 300.0
SPREAD_SECONDS = 5.0
"""Jobs put back without an attempt come back spread over this many seconds, so a circuit
that may try again, or a store that answers again, is not met by the whole backlog at once."""
REASON_CHARACTERS = 500


def backoff_seconds(attempts: int, retry_after: float | None, chance: Random) -> float:
    """How long before trying a job again: what the provider asked for, else "full jitter", a
    random wait up to a ceiling that doubles with each attempt, so failures spread out."""
    if retry_after is not None:
        return retry_after
    return chance.uniform(0, min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2**attempts))


class SentUnrecorded(Exception):
    """The provider took the message but the store failed to record it: the job keeps its
    lease, and the worker that takes it over acks it (or, without the provider id, sends again)."""

    def __init__(self, provider_message_id: str) -> None:
        super().__init__(f"sent as {provider_message_id}, not recorded")


class QueueWorker:
    """`concurrency` send loops sharing one wake-up signal; idle loops also look again every
    `idle_seconds` for jobs that fell due or were enqueued by another process. Without
    `attachments` (a process with no media store) a message naming a stored file fails."""

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
        attachments: Attachments | None = None,
    ) -> None:
        self._store = store
        self._attachments = attachments
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
            except Exception as error:
                if not is_transient(error):
                    raise  # a bug in the claim itself: the supervisor logs it, restarts us and /readyz says so
                log.warning("claiming a job failed (%s); trying again shortly", type(error).__name__)
                job = None
            if job is None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._idle_seconds):  # unlike wait_for, never swallows a cancel
                        await self._wake.wait()
                continue
            await self.deliver(job, owner)

    async def deliver(self, job: Job, owner: str) -> None:
        """Send one claimed job and record the outcome on the job, in the log and in metrics.
        Whatever goes wrong is settled on this job alone (`_contain`), never raised to the loop."""
        request_id.set(job.message.get("request_id") or job.id[-12:])
        if job.recovered:
            self._metrics.lease_recoveries.inc()
            log.warning("job %s taken over after its previous worker's lease expired", job.id)
        try:
            await self._attempt(job, owner)
        except Exception as error:
            await self._contain(job, owner, error)

    async def _attempt(self, job: Job, owner: str) -> None:
        if job.provider_message_id is not None:
            # the worker before us sent it and died before acking: acknowledge, do not send again
            await self._finish_sent(job, owner, job.provider_message_id, job.message)
            return
        message = OutboundMessage.model_validate(job.message)
        if self._channels.get(message.provider) is None:
            await self._dead(job, owner, f"provider {message.provider} is not configured", job.message)
            return
        message = self._routing.route(message)
        channel = self._channels.get(message.provider)
        message = await self._rules.prepare(message, follows=job.follows)
        queued = await self._menus.render_for(channel.capabilities, message)
        message = await self._rules.laid_out(await self._linked(channel, queued))
        trial = False
        try:
            async with self._routing.sending(message.provider) as trial:
                if self._attachments is not None:
                    message = await self._attachments.uploaded(channel, message, self._http)
                started = time.perf_counter()
                provider_message_id = await self._call(channel, message)
        except SendError as error:
            await self._failed(job, owner, error, message.model_dump(mode="json"), trial=trial)
            return
        self._metrics.provider_latency.labels(message.provider.value).observe(time.perf_counter() - started)
        sent = for_log(queued, message).model_dump(mode="json", exclude_none=True)
        await self._finish_sent(job, owner, provider_message_id, sent, record=True)

    async def _linked(self, channel: Channel, message: OutboundMessage) -> OutboundMessage:
        if self._attachments is not None:
            return await self._attachments.linked(channel.capabilities, message)
        if message.media is not None and message.media.media_id is not None:
            raise Undeliverable("this process has no media store to send a stored file from")
        return message

    async def _call(self, channel: Channel, message: OutboundMessage) -> str:
        """The channel's send, where anything but a SendError becomes one: a network or store
        hiccup may pass (retryable); a bug in the adapter will not, and retrying it after the
        provider took the message would send it again (permanent)."""
        try:
            return await channel.send(message, self._http)
        except SendError:
            raise
        except Exception as error:
            error_class = _error_class(error)
            self._metrics.job_errors.labels("send", error_class).inc()
            if error_class == "bug":
                log.error("the %s adapter failed to send", message.provider.value, exc_info=error)
            raise SendError(_reason(error), retryable=error_class == "transient", code="unexpected") from error

    async def _contain(self, job: Job, owner: str, error: Exception) -> None:
        """The one place a failure of one job is settled: an open circuit, or a store error
        before the send, puts it back without spending an attempt; a refusal suppresses or
        fails it; a bug or bad data fails it with the reason. If even that cannot be written,
        the job keeps its lease until it runs out and another worker takes it over."""
        provider = str(job.message.get("provider"))
        try:
            if isinstance(error, CircuitOpen):
                await self._postpone(job, owner, str(error), error.until, error.provider.value, "circuit_open")
            elif isinstance(error, Undeliverable):
                finish = self._suppressed if error.suppressed else self._dead
                await finish(job, owner, error.reason, job.message)
            elif isinstance(error, SentUnrecorded):
                self._metrics.job_errors.labels("finish", _error_class(error.__cause__)).inc()
                log.warning(
                    "job %s was %s (%s); a worker that takes it over when its lease runs out acks it",
                    job.id,
                    error,
                    type(error.__cause__).__name__,
                )
            elif is_transient(error):
                self._metrics.job_errors.labels("prepare", "transient").inc()
                reason = f"store error before sending: {type(error).__name__}"
                await self._postpone(job, owner, reason, self._clock.now(), provider, "store_error")
            else:
                self._metrics.job_errors.labels("prepare", "bug").inc()
                if not isinstance(error, ValidationError):  # bad data needs no traceback, a bug does
                    log.error("job %s cannot be sent", job.id, exc_info=error)
                await self._dead(job, owner, _reason(error), job.message)
        except Exception as failure:
            log.warning(
                "job %s: recording its outcome failed too (%s); its lease will run out and another worker "
                "will take it over",
                job.id,
                type(failure).__name__,
            )

    async def _postpone(
        self, job: Job, owner: str, reason: str, until: datetime, provider: str, why: str
    ) -> None:
        spread = timedelta(seconds=self._chance.uniform(1, SPREAD_SECONDS))
        if await self._store.queue.postpone(job.id, owner, reason, until + spread) is not None:
            self._metrics.postponements.labels(provider, why).inc()
            log.debug("job %s postponed: %s", job.id, reason)

    async def _finish_sent(
        self, job: Job, owner: str, provider_message_id: str, message: dict[str, Any], *, record: bool = False
    ) -> None:
        """Record a send the provider took; a failure here must not send it again."""
        try:
            if record:
                await self._store.queue.record_sent(job.id, owner, provider_message_id)
            await self._sent(job, owner, provider_message_id, message)
        except Exception as error:
            raise SentUnrecorded(provider_message_id) from error

    async def _sent(self, job: Job, owner: str, provider_message_id: str, message: dict[str, Any]) -> None:
        if await self._store.queue.ack(job.id, owner, provider_message_id):
            provider = str(message.get("provider"))
            await self._store.log.set_outbound_status(
                job.id,
                LogStatus.SENT,
                provider=Provider(provider),
                provider_message_id=provider_message_id,
                sent=message,
            )
            self._metrics.outbound.labels(provider, message_type(message), "sent").inc()
            self._metrics.send_delay.labels(provider).observe((self._clock.now() - job.created_at).total_seconds())
            log.info(
                "sent job %s to %s through %s as %s",
                job.id,
                mask(str(message.get("recipient"))),
                provider,
                provider_message_id,
            )
        else:
            log.warning("job %s was sent after its lease expired; another worker may send it again", job.id)

    async def _failed(self, job: Job, owner: str, error: SendError, message: dict[str, Any], *, trial: bool) -> None:
        provider = str(message.get("provider"))
        self._metrics.provider_errors.labels(provider, _send_error_class(error)).inc()
        reason = f"{error.code}: {error}" if error.code else str(error)
        if not error.retryable:
            await self._dead(job, owner, reason, message)
            return
        held = self._routing.held_until(Provider(provider))
        if trial and held is not None:
            # the circuit's probe failed and it opened again: that says the provider is down, not the job
            await self._postpone(job, owner, reason, held, provider, "circuit_open")
            return
        delay = backoff_seconds(job.attempts, error.retry_after, self._chance)
        retried = await self._store.queue.retry(job.id, owner, reason, self._clock.now() + timedelta(seconds=delay))
        if retried is None:
            return
        if retried.state is JobState.DEAD:
            await self._store.log.set_outbound_status(job.id, LogStatus.DEAD, error=reason)
            self._count_dead(message)
            log.warning("job %s is dead after %d attempts: %s", job.id, retried.attempts, reason)
        else:
            self._metrics.retries.labels(provider).inc()

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


def _reason(error: BaseException) -> str:
    """An exception as the one line an operator reads on the dead job."""
    if isinstance(error, ValidationError):
        return f"stored message is invalid: {'; '.join(problems(error))}"[:REASON_CHARACTERS]
    return f"{type(error).__name__}: {error}"[:REASON_CHARACTERS]


def _error_class(error: BaseException | None) -> str:
    return "transient" if error is not None and is_transient(error) else "bug"


def _send_error_class(error: SendError) -> str:
    if error.code in ("timeout", "network"):
        return error.code
    return "retryable" if error.retryable else "permanent"
