"""Read receipts: the contact sees their message read (blue ticks), with "typing…" while the bot
prepares a reply, wherever the provider's API allows it. A receipt is a courtesy: it never fails
and never holds up the work that asked for it."""

import asyncio
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import cast

import aiohttp

from gateway.metrics import GatewayMetrics
from gateway.models import InboundMessage, Provider
from gateway.phone import mask
from gateway.ports.channel import ChannelSet, ReadReceiptChannel, SendError
from gateway.ports.records import Direction, LogQuery
from gateway.ports.store import MessageLog

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
"""How long a provider gets to take a receipt; "typing…" means little once the reply is there."""
AT_ONCE = 64
"""Receipts under way in the background in one process; more are dropped (and counted), so a
provider that hangs ties up a bounded number of tasks."""


class ReadOutcome(StrEnum):
    """What became of one receipt: the `outcome` of gateway_read_receipts_total, and the API's answer."""

    SENT = "sent"
    UNSUPPORTED = "unsupported"
    FAILED = "failed"
    DROPPED = "dropped"


class ReadReceipts:
    """Marks contacts' messages read through the provider that carried them; `available` says
    whether a provider's circuit lets a call through now."""

    def __init__(
        self,
        message_log: MessageLog,
        channels: ChannelSet,
        http: aiohttp.ClientSession,
        metrics: GatewayMetrics,
        available: Callable[[Provider], bool],
    ) -> None:
        self._log = message_log
        self._channels = channels
        self._http = http
        self._metrics = metrics
        self._available = available
        self._tasks: set[asyncio.Task[ReadOutcome]] = set()

    async def mark_read(self, contact: str, *, typing: bool = False) -> ReadOutcome | None:
        """Mark the contact's latest message read (an operator opened the conversation, or the
        API asked); None when the log holds no message from them. Waits at most TIMEOUT_SECONDS
        for the provider and raises nothing of it; a store error is raised as any log read's is."""
        page = await self._log.query(LogQuery(contact=contact, direction=Direction.INBOUND, limit=1))
        if not page.entries:
            return None
        latest = page.entries[0]
        if latest.provider is None or latest.provider_message_id is None:
            return None
        channel = self._channel(latest.provider, typing)
        if channel is None:
            return self._unsupported(latest.provider, typing)
        business_number_id = latest.payload.get("business_number_id")
        return await self._send(channel, contact, latest.provider_message_id, business_number_id, typing=typing)

    def acknowledge(self, message: InboundMessage) -> None:
        """Mark `message` read with "typing…" as the bot starts on it, in the background: the
        answer never waits for the provider, and the indicator ends when the reply arrives."""
        channel = self._channel(message.provider, typing=True)
        if channel is None:
            self._unsupported(message.provider, typing=True)
            return
        if len(self._tasks) >= AT_ONCE:
            log.debug("read receipt for message %s dropped: %d already under way", message.id, AT_ONCE)
            self._metrics.read_receipts.labels(message.provider.value, ReadOutcome.DROPPED.value).inc()
            return
        task = asyncio.create_task(
            self._send(channel, message.sender, message.provider_message_id, message.business_number_id, typing=True)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel the receipts still under way (their replies may already be out) and wait for them."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _channel(self, provider: Provider, typing: bool) -> ReadReceiptChannel | None:
        """The provider's channel when its API can do what is asked, else None."""
        channel = self._channels.get(provider)
        if channel is None:
            return None
        able = channel.capabilities.typing_indicator if typing else channel.capabilities.read_receipts
        return cast(ReadReceiptChannel, channel) if able else None

    def _unsupported(self, provider: Provider, typing: bool) -> ReadOutcome:
        log.debug("%s has no read receipt%s; not sent", provider, " with typing" if typing else "")
        self._metrics.read_receipts.labels(provider.value, ReadOutcome.UNSUPPORTED.value).inc()
        return ReadOutcome.UNSUPPORTED

    async def _send(
        self,
        channel: ReadReceiptChannel,
        contact: str,
        provider_message_id: str,
        business_number_id: str | None,
        *,
        typing: bool,
    ) -> ReadOutcome:
        provider = channel.provider
        outcome, reason = ReadOutcome.FAILED, ""
        if not self._available(provider):
            reason = "its circuit is open"
        else:
            try:
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    await channel.mark_read(provider_message_id, business_number_id, typing=typing, http=self._http)
                outcome = ReadOutcome.SENT
            except TimeoutError:
                reason = f"no answer within {TIMEOUT_SECONDS:g} s"
            except SendError as error:
                reason = str(error)
            except Exception as error:  # a courtesy must never fail the turn or page that asked for it
                log.exception("read receipt on %s for message %s failed unexpectedly", provider, provider_message_id)
                reason = type(error).__name__
        if outcome is ReadOutcome.FAILED:
            log.warning(
                "no read receipt on %s for %s's message %s: %s", provider, mask(contact), provider_message_id, reason
            )
        self._metrics.read_receipts.labels(provider.value, outcome.value).inc()
        return outcome
