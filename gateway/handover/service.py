"""Every handover transition: a contact, a plugin, the API or an operator hands a conversation
to people; an operator takes it, replies, hands it back to the bot or closes it; time-outs
return it to the bot. Each change is a compare-and-set on the contact's card in the store, so
any number of processes (operators' requests, inbox lease holders, the scheduler's leader)
change it without losing each other's updates."""

import logging
import statistics
from collections.abc import Callable
from datetime import datetime
from math import ceil
from typing import TYPE_CHECKING, Any, Protocol

from gateway.clock import Clock
from gateway.conversation.catalog import DEFAULT_LANGUAGE, Catalog
from gateway.handover.card import (
    NAMESPACE,
    PREVIEW_CHARS,
    ConversationCard,
    HandoverOutcome,
    HandoverReason,
    HandoverState,
)
from gateway.handover.timeouts import Timeouts
from gateway.metrics import GatewayMetrics
from gateway.models import Content, InboundMessage, OutboundMessage, Priority, Provider, new_id
from gateway.notifications.delivery import WINDOW
from gateway.outbound.outbox import Outbox
from gateway.phone import mask
from gateway.ports.records import Job, TemplateVersion
from gateway.ports.store import Store

if TYPE_CHECKING:
    from gateway.conversation.context import Conversation

log = logging.getLogger(__name__)

EVENTS_NAMESPACE = "gateway.handover_events"
"""One record per handover event (requested, taken, replied, handed_back, closed, timed_out)."""
RECENT_TAKES = 20
"""How many recent takes the expected wait is the median of."""
LISTED_AT_MOST = 1000
"""How many cards a look for overdue handovers reads at a time."""
EVENT_ORDER = {"requested": 0, "taken": 1, "replied": 2}
"""Events of one instant in the order they happen; the ending comes last."""


ListingKey = tuple[str | None, str]
"""Where a card stands in the list: its latest activity as stored (the text the store orders
by), then its contact."""


class HandoverConflict(Exception):
    """The conversation is not in a state that allows this (assigned to someone else, not handed over)."""


class ContactBlocked(Exception):
    """The contact is blocked: nothing is sent to them."""


class OutsideWindow(Exception):
    """Free text outside WhatsApp's 24-hour window; only an approved provider template may go."""


class Bot(Protocol):
    """What the conversation engine does for handovers: speak, and greet a contact it gets back."""

    catalog: Catalog

    async def greet(self, contact: str, first: str) -> list[Content]:
        """The text `first`, then the main menu, in the contact's language; the menu is saved in
        their session, so a typed number picks from it."""


class Handovers:
    def __init__(
        self, store: Store, outbox: Outbox, clock: Clock, metrics: GatewayMetrics, timeouts: Timeouts
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._clock = clock
        self._metrics = metrics
        self._timeouts = timeouts
        self.bot: Bot | None = None
        """The conversation engine, set once it is built (it hands over through this service)."""

    # ------------------------------------------------------------------ reading

    async def card(self, contact: str) -> ConversationCard:
        """The contact's card; a fresh bot card when they have none."""
        stored = await self._store.records.get(NAMESPACE, contact)
        return ConversationCard.model_validate(stored) if stored else ConversationCard(contact=contact)

    async def cards(
        self, *, state: HandoverState | None = None, limit: int = 200, after: ListingKey | None = None
    ) -> list[ConversationCard]:
        """Cards, in one state when given, most recent activity first (then by contact; cards
        never active last), those after `after` when given."""
        return [card for _, card in await self.listed(state=state, limit=limit, after=after)]

    async def listed(
        self, *, state: HandoverState | None = None, limit: int = 200, after: ListingKey | None = None
    ) -> list[tuple[ListingKey, ConversationCard]]:
        """The same cards, each with its listing key: a page read from the store's index,
        however many cards there are."""
        where = {"state": state.value} if state else None
        found = await self._store.records.page(NAMESPACE, "last_activity_at", where, limit, after)
        return [
            ((document.get("last_activity_at"), contact), ConversationCard.model_validate(document))
            for contact, document in found
        ]

    async def events(self, contact: str, limit: int = 50) -> list[dict[str, Any]]:
        """The contact's latest handover events, oldest first."""
        found = await self._store.records.find(EVENTS_NAMESPACE, {"contact": contact}, limit)
        return sorted(found, key=lambda event: (event["at"], EVENT_ORDER.get(event["kind"], len(EVENT_ORDER))))

    def in_window(self, card: ConversationCard) -> bool:
        """Whether free text reaches the contact: they wrote within 24 hours (the simulator has no window)."""
        if card.provider is Provider.SIMULATOR:
            return True
        return card.last_inbound_at is not None and self._clock.now() - card.last_inbound_at < WINDOW

    async def approved_templates(self, contact: str) -> list[TemplateVersion]:
        """Templates the provider approved for the contact's provider: what may go outside the window."""
        provider = (await self.card(contact)).provider
        return [
            template
            for template in await self._store.templates.list()
            if provider is not None and (template.provider_template or {}).get(provider.value)
        ]

    # ------------------------------------------------------------------ to people

    async def hand_over(
        self, conversation: "Conversation", reason: HandoverReason = HandoverReason.PLUGIN, detail: str | None = None
    ) -> list[Content]:
        """Inside a turn: the bot stops answering the contact and people take over; returns what
        to tell them. The handover is named after the message being answered, so a turn run
        again returns the same announcement instead of "already waiting"."""
        handover_id = conversation.idempotency_key
        already = False

        def start(card: ConversationCard) -> ConversationCard | None:
            nonlocal already
            if card.handover_id == handover_id:
                return None
            if card.held:
                already = True
                return None
            return self._started(card, handover_id, reason, detail)

        card = await self._change(conversation.contact, start)
        if already:
            return [Content(text=conversation.t("handover.already"))]
        await self._event(card, "requested", None, detail=detail)
        return [Content(text=await self._announcement(conversation.language))]

    async def request(self, contact: str, reason: HandoverReason, detail: str | None = None) -> ConversationCard:
        """Outside a turn (the API, a plugin's job): the same, and the announcement is queued."""
        if await self._blocked(contact):
            raise ContactBlocked(f"{mask(contact)} is blocked")
        handover_id = new_id()

        def start(card: ConversationCard) -> ConversationCard:
            if card.held:
                raise HandoverConflict(f"the conversation is already {card.state.value}")
            return self._started(card, handover_id, reason, detail)

        card = await self._change(contact, start)
        await self._event(card, "requested", None, detail=detail)
        language = await self._language(contact)
        await self._send(card, "requested", [Content(text=await self._announcement(language))])
        return card

    async def take(self, contact: str, operator: str) -> ConversationCard:
        """The operator answers the contact from now on; HandoverConflict when another one does."""
        waited: float | None = None
        taken = False

        def assign(card: ConversationCard) -> ConversationCard | None:
            nonlocal waited, taken
            if card.state is HandoverState.ASSIGNED:
                if card.assigned_to != operator:
                    raise HandoverConflict(f"the conversation is assigned to {card.assigned_to}")
                return None
            if card.state is HandoverState.WAITING:
                since = self._timeouts.hours.next_opening(card.requested_at)
                waited = max(0.0, (self._clock.now() - since).total_seconds())
            else:
                card = self._started(card, new_id(), HandoverReason.OPERATOR, None)
            card.state, card.assigned_to, card.assigned_at = HandoverState.ASSIGNED, operator, self._clock.now()
            taken = True
            return card

        card = await self._change(contact, assign)
        if taken:
            await self._event(card, "taken", operator, waited_seconds=waited)
            log.info("operator %s took the conversation of %s", operator, mask(contact))
        return card

    async def reply(
        self, contact: str, operator: str, content: Content, *, idempotency_key: str | None = None
    ) -> Job:
        """Queue an operator's message to the contact, taking the conversation if nobody has;
        ContactBlocked, HandoverConflict (another operator has it), OutsideWindow (free text
        more than 24 hours after the contact last wrote)."""
        if await self._blocked(contact):
            raise ContactBlocked(f"{mask(contact)} is blocked: nothing is sent to them")
        card = await self.card(contact)
        if card.state is HandoverState.ASSIGNED and card.assigned_to != operator:
            raise HandoverConflict(f"the conversation is assigned to {card.assigned_to}")
        if content.template is None and content.provider_template is None and not self.in_window(card):
            raise OutsideWindow(
                "the contact last wrote more than 24 hours ago, so WhatsApp delivers only an approved "
                "provider template (provider_template, or a stored template with one) until they write again"
            )
        if card.state is not HandoverState.ASSIGNED:
            await self.take(contact, operator)
        message = OutboundMessage.addressed(
            content, contact, priority=Priority.REPLY, sent_by=operator, idempotency_key=idempotency_key
        )
        job = await self._outbox.enqueue(message)
        now, first = self._clock.now(), False

        def note(card: ConversationCard) -> ConversationCard:
            nonlocal first
            first = card.first_reply_at is None
            if first:
                card.first_reply_at = now
            card.last_activity_at, card.last_message = now, _preview_of(content)
            return card

        card = await self._change(contact, note)
        if first:
            self._metrics.handover_first_reply.observe((now - card.requested_at).total_seconds())
            await self._event(card, "replied", operator)
        log.info("operator %s replied to %s (job %s)", operator, mask(contact), job.id)
        return job

    # ------------------------------------------------------------------ back to the bot

    async def hand_back(self, contact: str, operator: str) -> ConversationCard:
        """The bot answers the contact again, and greets them with the main menu."""
        card = await self._end(contact, HandoverOutcome.HANDED_BACK, operator)
        await self._send(card, "handed_back", await self._bot().greet(contact, "handover.handed_back"))
        return card

    async def close(self, contact: str, operator: str) -> ConversationCard:
        """The handover is over and the contact is told; their next message goes to the bot."""
        card = await self._end(contact, HandoverOutcome.CLOSED, operator)
        text = self._bot().catalog.text("handover.closed", await self._language(contact))
        await self._send(card, "closed", [Content(text=text)])
        return card

    async def end_by_contact(self, contact: str) -> ConversationCard:
        """Inside a turn: the contact asked for the bot back (menu); the turn answers them."""
        return await self._end(contact, HandoverOutcome.CONTACT_RETURNED, None)

    async def expire(self) -> int:
        """End every overdue handover (the periodic job), telling each contact; how many ended.
        Every held card is read, page by page: the quietest, the likeliest overdue, come last."""
        ended = 0
        now = self._clock.now()
        for state in (HandoverState.WAITING, HandoverState.ASSIGNED):
            after: ListingKey | None = None
            while listed := await self.listed(state=state, limit=LISTED_AT_MOST, after=after):
                after = listed[-1][0]
                for _, card in listed:
                    ended += await self._expire(card, now)
        return ended

    async def _expire(self, card: ConversationCard, now: datetime) -> bool:
        """End `card`'s handover if a time-out does now, telling the contact; whether it ended."""
        outcome = self._timeouts.overdue(card, now)
        if outcome is None:
            return False
        try:
            card = await self._end(card.contact, outcome, None, expected_handover=card.handover_id)
        except HandoverConflict:
            return False  # taken, answered or ended since it was read
        await self._send(card, outcome.value, await self._bot().greet(card.contact, f"handover.{outcome}"))
        return True

    # ------------------------------------------------------------------ the card

    async def note_inbound(self, message: InboundMessage) -> ConversationCard:
        """The inbox, for each message: activity, preview, unread count, name, provider. A
        message noted already (its turn run again) changes nothing."""

        def note(card: ConversationCard) -> ConversationCard | None:
            if card.last_inbound_id == message.id:
                return None
            card.name = message.profile_name or card.name
            card.provider = message.provider
            card.last_activity_at = card.last_inbound_at = message.timestamp
            card.last_inbound_id = message.id
            card.last_message = _preview_of(message)
            card.unread += 1
            return card

        return await self._change(message.sender, note)

    async def mark_read(self, contact: str, operator: str) -> ConversationCard:
        return await self._edit(contact, operator, "read", unread=0)

    async def set_tags(self, contact: str, tags: list[str], operator: str) -> ConversationCard:
        return await self._edit(contact, operator, "tagged", tags=list(dict.fromkeys(tags)))

    async def set_pinned(self, contact: str, pinned: bool, operator: str) -> ConversationCard:
        return await self._edit(contact, operator, "pinned" if pinned else "unpinned", pinned=pinned)

    async def set_blocked(self, contact: str, blocked: bool, operator: str) -> ConversationCard:
        """Block or unblock: the contact setting (which the inbox and delivery read) changes, and
        the card mirrors it; a handover under way ends, telling the blocked contact nothing."""
        await self._store.settings.update_contact(contact, {"blocked": True if blocked else None})
        if blocked and (await self.card(contact)).held:
            try:
                await self._end(contact, HandoverOutcome.CLOSED, operator)
            except HandoverConflict:
                pass  # ended meanwhile
        return await self._edit(contact, operator, "blocked" if blocked else "unblocked", blocked=blocked)

    async def _edit(self, contact: str, operator: str, what: str, **changes: Any) -> ConversationCard:
        def edit(card: ConversationCard) -> ConversationCard:
            return card.model_copy(update=changes)

        card = await self._change(contact, edit)
        log.info("operator %s %s the conversation of %s", operator, what, mask(contact))
        return card

    # ------------------------------------------------------------------ inside

    def _started(
        self, card: ConversationCard, handover_id: str, reason: HandoverReason, detail: str | None
    ) -> ConversationCard:
        now = self._clock.now()
        return card.model_copy(
            update={
                "state": HandoverState.WAITING,
                "handover_id": handover_id,
                "reason": reason,
                "detail": detail,
                "requested_at": now,
                "assigned_at": None,
                "assigned_to": None,
                "first_reply_at": None,
                "ended_at": None,
                "outcome": None,
                "last_activity_at": card.last_activity_at or now,
            }
        )

    async def _end(
        self, contact: str, outcome: HandoverOutcome, operator: str | None, expected_handover: str | None = None
    ) -> ConversationCard:
        """Finish the handover under way with `outcome`; HandoverConflict when there is none, or,
        with `expected_handover` (a time-out), when that one was taken, answered or ended since."""

        def end(card: ConversationCard) -> ConversationCard:
            if not card.held or (expected_handover and card.handover_id != expected_handover):
                raise HandoverConflict("the conversation is not with people now")
            if expected_handover and self._timeouts.overdue(card, self._clock.now()) is not outcome:
                raise HandoverConflict("the conversation moved on since it was read")
            card.state = HandoverState.CLOSED if outcome is HandoverOutcome.CLOSED else HandoverState.BOT
            card.outcome, card.ended_at = outcome, self._clock.now()
            return card

        card = await self._change(contact, end)
        self._metrics.handovers.labels(card.reason.value, outcome.value).inc()
        await self._event(card, outcome.value, operator)
        log.info("handover of %s ended: %s (%s)", mask(contact), outcome.value, operator or "no operator")
        return card

    async def _change(
        self, contact: str, change: Callable[[ConversationCard], ConversationCard | None]
    ) -> ConversationCard:
        """Apply `change` to the card as stored, again whenever someone wrote it meanwhile; a
        change that returns None leaves the card as it is."""
        while True:
            card = await self.card(contact)
            changed = change(card.model_copy(deep=True))
            if changed is None:
                return card
            changed.version = card.version + 1
            document = changed.model_dump(mode="json")
            if await self._store.records.swap(NAMESPACE, contact, document, version=card.version):
                return changed

    async def _event(self, card: ConversationCard, kind: str, operator: str | None, **facts: Any) -> None:
        event = {
            "contact": card.contact,
            "handover_id": card.handover_id,
            "kind": kind,
            "operator": operator,
            "at": self._clock.now().isoformat(),
        }
        facts = {name: value for name, value in facts.items() if value is not None}
        # one event of a kind per handover, so a step run again records it once
        await self._store.records.put(EVENTS_NAMESPACE, f"{card.handover_id}:{kind}", event | facts)

    async def _announcement(self, language: str) -> str:
        """A person will answer: when the team is back, or with the expected wait when known."""
        catalog, now = self._bot().catalog, self._clock.now()
        opening = self._timeouts.hours.next_opening(now)
        if opening > now:
            when = self._timeouts.hours.describe(opening, language)
            return catalog.text("handover.requested.away", language, when=when)
        waits = [
            event["waited_seconds"]
            for event in await self._store.records.find(EVENTS_NAMESPACE, {"kind": "taken"}, RECENT_TAKES)
            if "waited_seconds" in event
        ]
        if waits:
            minutes = max(1, ceil(statistics.median(waits) / 60))
            waited = catalog.plural("handover.minutes", language, minutes)
            return catalog.text("handover.requested.wait", language, minutes=waited)
        return catalog.text("handover.requested", language)

    async def _send(self, card: ConversationCard, step: str, contents: list[Content]) -> None:
        """Queue what the contact is told, keyed by the handover and step so a retry sends once;
        a blocked contact is told nothing."""
        if await self._blocked(card.contact):
            return
        for number, content in enumerate(contents):
            key = f"handover:{card.handover_id}:{step}:{number}"
            await self._outbox.enqueue(
                OutboundMessage.addressed(content, card.contact, priority=Priority.REPLY, idempotency_key=key)
            )

    async def _blocked(self, contact: str) -> bool:
        return bool((await self._store.settings.contact(contact)).values.get("blocked"))

    async def _language(self, contact: str) -> str:
        return (await self._store.settings.contact(contact)).values.get("language") or DEFAULT_LANGUAGE

    def _bot(self) -> Bot:
        if self.bot is None:
            raise RuntimeError("the conversation engine is not built yet")
        return self.bot


def _preview_of(message: InboundMessage | Content) -> str:
    """What the inbox shows of a message: its text, else what kind it is."""
    if isinstance(message, InboundMessage):
        caption = message.media.caption if message.media else None
        text = message.text or message.reply_title or caption or f"[{message.kind.value}]"
    else:
        template = message.template or message.provider_template
        text = message.text or (f"[template {template.name}]" if template else "[media]")
    return text[:PREVIEW_CHARS]
