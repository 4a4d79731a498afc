"""The conversation engine: for each message, the contact's session and language, global
commands, the main menu, forms, then free-form plugins; replies come back as Content."""

import logging
import time
from dataclasses import replace
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gateway.clock import Clock
from gateway.conversation.access import ACCESS_STRINGS, STAFF_ROLES, roles_of
from gateway.conversation.catalog import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    Catalog,
)
from gateway.conversation.commands import Command, command_in, greeting_language
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Flow, InvalidAnswer, MenuEntry, Step
from gateway.conversation.locality import Locality
from gateway.conversation.strings import CORE_STRINGS
from gateway.conversation.translations import plugin_strings
from gateway.handover.card import ConversationCard, HandoverReason
from gateway.handover.service import HandoverConflict, Handovers
from gateway.handover.strings import HANDOVER_STRINGS
from gateway.inbound.text_menus import chosen
from gateway.metrics import GatewayMetrics
from gateway.models import (
    Button,
    Content,
    InboundKind,
    InboundMessage,
    ListMenu,
    ListRow,
    ListSection,
)
from gateway.phone import mask
from gateway.plugins import PluginFailed, PluginHost
from gateway.ports.records import Fence, Session
from gateway.ports.store import StaleSession, Store

log = logging.getLogger(__name__)

SESSION_RETENTION = timedelta(days=7)
"""How long the store keeps an idle session; the engine's idle timeout is much shorter."""
MAX_INVALID_ANSWERS = 3
MAX_TURN_ATTEMPTS = 3
GROUP, ENTRY, LANGUAGE = "menu.group:", "menu.entry:", "language:"
FLOWS_NAMESPACE = "gateway.flows"
"""Counters of flows started, completed and cancelled, read by /api/v1/stats."""
MENU_NAMESPACE = "gateway.menu"
"""Counters of menu entries chosen, read by /api/v1/stats."""
SESSIONS_NAMESPACE = "gateway.sessions"
"""Conversations that went idle and their total seconds, read by /api/v1/stats."""


@dataclass
class State:
    """A contact's place in the conversation, as kept in their session."""

    started_at: str | None = None
    flow: str | None = None
    step: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    invalid: int = 0
    options: list[dict[str, str]] = field(default_factory=list)
    answered: dict[str, Any] | None = None
    """The last message this session answered and its replies, so a turn run again after a
    crash between the save and the message's mark as processed queues the same replies."""
    tallies: list[tuple[str, str, int]] = field(default_factory=list)
    """Counters the turn adds to, written after its session save so a retried turn counts
    once; not part of the session."""

    def saved(self) -> dict[str, Any]:
        """What the session keeps."""
        return {name: value for name, value in vars(self).items() if name != "tallies"}

    def leave_flow(self) -> None:
        self.flow, self.step, self.answers, self.invalid = None, 0, {}, 0


class Engine:
    def __init__(
        self,
        store: Store,
        host: PluginHost,
        catalog: Catalog,
        flows: dict[str, tuple[str, Flow]],
        entries: list[tuple[str, MenuEntry]],
        clock: Clock,
        idle_timeout: timedelta,
        metrics: GatewayMetrics,
        handovers: Handovers,
        locality: Locality = Locality(),
    ) -> None:
        self.catalog = catalog
        self._locality = locality
        self.handovers = handovers
        self._metrics = metrics
        self._store = store
        self._host = host
        self.flows = flows
        self.entries = sorted(entries, key=lambda pair: pair[1].order)
        # each message reads only the roles plugins check (STAFF_ROLES) and menu entries declare
        self._roles = tuple(dict.fromkeys([*STAFF_ROLES, *(role for _, entry in entries for role in entry.roles)]))
        self._clock = clock
        self._idle_timeout = idle_timeout

    @classmethod
    async def build(
        cls,
        store: Store,
        host: PluginHost,
        clock: Clock,
        idle_timeout: timedelta,
        metrics: GatewayMetrics,
        handovers: Handovers,
        locality: Locality = Locality(),
    ) -> "Engine":
        """Gather every plugin's strings, flows and menu entries; the engine then speaks for
        `handovers` too (announcements, and the greeting when the bot gets a contact back);
        `locality` places each contact in a time zone and locale."""
        catalog = Catalog()
        catalog.add(CORE_STRINGS)
        catalog.add(HANDOVER_STRINGS)
        catalog.add(ACCESS_STRINGS)
        for plugin, translations in await host.collect("register_translations"):
            try:
                for strings in plugin_strings(translations):
                    catalog.add(strings)
            except (ValueError, OSError) as error:
                host.failed(plugin, "register_translations", error)
        flows = {flow.id: (plugin, flow) for plugin, listed in await host.collect("register_flows") for flow in listed}
        entries = [
            (plugin, entry) for plugin, listed in await host.collect("register_menu_entries") for entry in listed
        ]
        engine = cls(store, host, catalog, flows, entries, clock, idle_timeout, metrics, handovers, locality)
        handovers.bot = engine
        return engine

    async def handle(
        self,
        message: InboundMessage,
        contact: Mapping[str, Any],
        fence: Fence | None = None,
        card: ConversationCard | None = None,
    ) -> list[Content]:
        """The replies to one message from a contact with these settings and conversation card
        (read when not given); the session is saved only if nobody changed it meanwhile and,
        with a `fence`, only while its inbox lease is still held (else LeaseLost). A message the
        session already answered gets the same replies. While people answer the contact the
        bot says nothing, unless the message is the menu command, which hands the contact back."""
        card = card or await self.handovers.card(message.sender)
        if card.held and card.handover_id != message.id:  # this message's own turn, run again, still answers
            if not (message.kind is InboundKind.TEXT and command_in(message.text) is Command.MENU):
                return []
            try:
                await self.handovers.end_by_contact(message.sender)
            except HandoverConflict:
                pass  # an operator ended it meanwhile: the menu answers all the same
        for _ in range(MAX_TURN_ATTEMPTS):
            try:
                return await self._turn(message, contact, fence)
            except StaleSession:
                log.info("session of message %s changed under us; handling it again", message.id)
        return [Content(text=self.catalog.text("core.error", DEFAULT_LANGUAGE))]

    async def _turn(self, message: InboundMessage, contact: Mapping[str, Any], fence: Fence | None) -> list[Content]:
        session = await self._store.sessions.load(message.sender)
        if session is not None and (session.data.get("answered") or {}).get("message") == message.id:
            log.info("message %s was answered before; its replies are queued again, once", message.id)
            return [Content.model_validate(reply) for reply in session.data["answered"]["replies"]]
        conversation = await self._conversation(message, contact)
        expired = session is not None and self._clock.now() - session.updated_at > self._idle_timeout
        state = State(**session.data) if session is not None and not expired else State()
        state.started_at = state.started_at or self._clock.now().isoformat()
        if expired:
            self._session_ended(session, state)
            if session.data.get("flow") in self.flows:
                self._count(state, session.data["flow"], "timed_out")
            replies = [Content(text=conversation.t("core.session_expired")), self._main_menu(state, conversation)]
        else:
            replies = await self._respond(message, state, conversation)
        state.answered = {"message": message.id, "replies": [reply.model_dump(mode="json") for reply in replies]}
        await self._store.sessions.save(
            message.sender,
            state.saved(),
            expected_version=session.version if session else 0,
            ttl=SESSION_RETENTION,
            fence=fence,
        )
        await self._tally(message, state)
        return replies

    async def _tally(self, message: InboundMessage, state: State) -> None:
        """Write the turn's counters. The session is saved by now, so a failure here is logged
        and the counts lost: raising would run the turn again on a session already moved on."""
        try:
            for namespace, name, amount in state.tallies:
                await self._store.records.add(namespace, name, amount)
        except Exception as error:
            log.warning("counters of message %s were not written (%s)", message.id, type(error).__name__)

    async def _conversation(self, message: InboundMessage, contact: Mapping[str, Any]) -> Conversation:
        """The contact's language (as chosen before, else told by a first greeting, else
        English), the roles they hold, and their time zone and locale (their settings, else
        their number's country)."""
        language = contact.get("language")
        if language is None and message.kind is InboundKind.TEXT and (greeted := greeting_language(message.text)):
            language = greeted
            await self._store.settings.update_contact(message.sender, {"language": language})
            self._metrics.languages.labels(language).inc()
        return Conversation(
            message.sender,
            language or DEFAULT_LANGUAGE,
            self.catalog,
            message.profile_name,
            await roles_of(self._store, message.sender, self._roles),
            idempotency_key=message.id,
            time_zone=self._locality.time_zone_of(message.sender, contact),
            locale=self._locality.locale_of(message.sender, contact, language or DEFAULT_LANGUAGE),
            home_time_zone=self._locality.time_zone,
        )

    async def _respond(self, message: InboundMessage, state: State, conversation: Conversation) -> list[Content]:
        option = self._option(message, state)
        # an answer naming one of the options just shown wins over a command spelled the same
        # ("alta" is both Spanish "high" and the command to opt back in)
        if option is None and message.kind is InboundKind.TEXT and (command := command_in(message.text)) is not None:
            return await self._command(command, message, state, conversation)
        if state.flow is not None:
            return await self._answer(message, state, conversation)
        if option is not None and option.startswith((GROUP, ENTRY, LANGUAGE)):
            return await self._choose(option, state, conversation)
        try:
            answered = await self._host.first("handle_message", message=message, conversation=conversation)
        except PluginFailed:
            return [Content(text=conversation.t("core.error"))]
        return answered[1] if answered else []

    @staticmethod
    def _option(message: InboundMessage, state: State) -> str | None:
        """The option a message picks: a press, or a typed number or title of what was shown."""
        if message.kind in (InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY):
            return message.reply_id
        if message.kind is InboundKind.TEXT and state.options:
            option = chosen(message.text, state.options)
            return option["id"] if option else None
        return None

    # ------------------------------------------------------------------ commands

    async def _command(
        self, command: Command, message: InboundMessage, state: State, conversation: Conversation
    ) -> list[Content]:
        contact = conversation.contact
        if command is Command.MENU:
            name = conversation.profile_name
            greeting = [
                Content(
                    text=conversation.t("core.greeting.named", name=name) if name else conversation.t("core.greeting")
                )
            ]
            return [*(greeting if greeting_language(message.text) else []), self._main_menu(state, conversation)]
        if command is Command.PERSON:
            return await self._hand_over(state, conversation, HandoverReason.ASKED)
        if command is Command.BACK and state.flow is not None:
            return self._back(state, conversation)
        if command is Command.CANCEL and state.flow is not None:
            self._count(state, state.flow, "cancelled")
            return [Content(text=conversation.t("core.cancelled")), self._main_menu(state, conversation)]
        if command is Command.HELP:
            again = [self._ask(self._step(state), state, conversation)] if state.flow else []
            return [Content(text=conversation.t("core.help")), *again]
        if command is Command.LANGUAGE:
            return [self._language_menu(state, conversation)]
        if command is Command.STOP:
            await self._store.settings.update_contact(contact, {"opted_out": True})
            return [Content(text=conversation.t("core.stopped"))]
        if command is Command.START:
            await self._store.settings.update_contact(contact, {"opted_out": None})
            return [Content(text=conversation.t("core.started"))]
        return [self._main_menu(state, conversation)]

    async def _hand_over(
        self, state: State, conversation: Conversation, reason: HandoverReason, detail: str | None = None
    ) -> list[Content]:
        """People take over; a form under way is dropped (the bot is greeting with the menu when
        it gets the contact back), and the contact is told so."""
        dropped = []
        if state.flow is not None:
            self._count(state, state.flow, "cancelled")
            dropped = [Content(text=conversation.t("handover.form_dropped"))]
        state.leave_flow()
        state.options = []
        return [*dropped, *await self.handovers.hand_over(conversation, reason, detail)]

    async def greet(self, contact: str, first: str) -> list[Content]:
        """The text `first`, then the main menu, in the contact's language, outside any turn (a
        handover ended); the menu is saved in their session so a typed number picks from it."""
        settings = (await self._store.settings.contact(contact)).values
        language = settings.get("language") or DEFAULT_LANGUAGE
        conversation = Conversation(
            contact,
            language,
            self.catalog,
            roles=await roles_of(self._store, contact, self._roles),
            idempotency_key=first,
            time_zone=self._locality.time_zone_of(contact, settings),
            locale=self._locality.locale_of(contact, settings, language),
            home_time_zone=self._locality.time_zone,
        )
        for _ in range(MAX_TURN_ATTEMPTS):
            session = await self._store.sessions.load(contact)
            state = State(**session.data) if session is not None else State()
            state.started_at = state.started_at or self._clock.now().isoformat()
            replies = [Content(text=conversation.t(first)), self._main_menu(state, conversation)]
            try:
                await self._store.sessions.save(
                    contact, state.saved(), expected_version=session.version if session else 0, ttl=SESSION_RETENTION
                )
            except StaleSession:
                log.info("the session of %s changed while greeting; greeting again", mask(contact))
                continue
            return replies
        raise StaleSession(f"the session of {mask(contact)} kept changing while greeting")

    def _back(self, state: State, conversation: Conversation) -> list[Content]:
        if state.step == 0:
            return [Content(text=conversation.t("core.first_step")), self._ask(self._step(state), state, conversation)]
        state.step -= 1
        state.answers.pop(self._step(state).name, None)
        state.invalid = 0
        return [self._ask(self._step(state), state, conversation)]

    # ------------------------------------------------------------------ menus

    def _visible(self, conversation: Conversation) -> list[MenuEntry]:
        """Menu entries of working plugins that the contact may use; a plugin that raised is
        hidden, and so is an entry whose roles the contact holds none of."""
        return [entry for entry in self._working() if self._allowed(entry, conversation)]

    def _working(self) -> list[MenuEntry]:
        return [entry for plugin, entry in self.entries if plugin not in self._host.broken]

    @staticmethod
    def _allowed(entry: MenuEntry, conversation: Conversation) -> bool:
        return not entry.roles or conversation.holds(*entry.roles)

    def _not_allowed(self, state: State, conversation: Conversation) -> list[Content]:
        """An entry the contact may not use, reached anyway (a stale menu, a typed intent)."""
        return [Content(text=conversation.t("core.not_allowed")), self._main_menu(state, conversation)]

    def _main_menu(self, state: State, conversation: Conversation) -> Content:
        state.leave_flow()
        groups = list(dict.fromkeys(entry.group for entry in self._visible(conversation)))
        return self._list(state, conversation, "core.menu.body", "core.menu.button", [(GROUP + g, g) for g in groups])

    def _language_menu(self, state: State, conversation: Conversation) -> Content:
        state.leave_flow()
        options = [(LANGUAGE + code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
        return self._list(state, conversation, "core.language.body", "core.language.button", options, translate=False)

    def _list(
        self,
        state: State,
        conversation: Conversation,
        body: str,
        button: str,
        options: list[tuple[str, str]],
        translate: bool = True,
    ) -> Content:
        state.options = [
            {"id": option, "title": conversation.t(title) if translate else title} for option, title in options
        ]
        rows = [ListRow(id=option["id"], title=option["title"]) for option in state.options]
        menu = ListMenu(button=conversation.t(button), sections=[ListSection(rows=rows)])
        return Content(text=conversation.t(body), list=menu)

    async def _choose(self, option: str, state: State, conversation: Conversation) -> list[Content]:
        if option.startswith(LANGUAGE) and option.removeprefix(LANGUAGE) in LANGUAGES:
            language = option.removeprefix(LANGUAGE)
            await self._store.settings.update_contact(conversation.contact, {"language": language})
            self._metrics.languages.labels(language).inc()
            switched = replace(conversation, language=language)
            return [Content(text=switched.t("core.language.set")), self._main_menu(state, switched)]
        if option.startswith(GROUP):
            group = [entry for entry in self._working() if entry.group == option.removeprefix(GROUP)]
            entries = [entry for entry in group if self._allowed(entry, conversation)]
            if group and not entries:
                return self._not_allowed(state, conversation)
            if len(entries) == 1:
                return await self._start(entries[0], state, conversation)
            options = [(ENTRY + entry.id, entry.title) for entry in entries]
            return [self._list(state, conversation, option.removeprefix(GROUP), "core.group.button", options)]
        entry = next((e for e in self._working() if ENTRY + e.id == option), None)
        if entry is None:
            return [self._main_menu(state, conversation)]
        return await self._start(entry, state, conversation)

    async def _start(self, entry: MenuEntry, state: State, conversation: Conversation) -> list[Content]:
        if not self._allowed(entry, conversation):
            return self._not_allowed(state, conversation)
        state.tallies.append((MENU_NAMESPACE, entry.id, 1))
        state.leave_flow()
        state.options = []
        plugin = next(plugin for plugin, candidate in self.entries if candidate is entry)
        if entry.flow is not None and entry.flow in self.flows:
            state.flow = entry.flow
            self._count(state, entry.flow, "started")
            return [self._ask(self._step(state), state, conversation)]
        if entry.action is not None:
            return await self._guarded(plugin, f"menu:{entry.id}", entry.action(conversation), conversation)
        return [self._main_menu(state, conversation)]

    # ------------------------------------------------------------------ forms

    def _step(self, state: State) -> Step:
        return self.flows[state.flow][1].steps[state.step]

    def _ask(self, step: Step, state: State, conversation: Conversation) -> Content:
        """A step's question, with its choices as buttons (3 or fewer) or a list."""
        prompt = conversation.t(step.prompt)
        state.options = [{"id": choice.id, "title": conversation.t(choice.title)} for choice in step.choices]
        if not state.options:
            return Content(text=prompt)
        if len(state.options) <= 3:
            return Content(text=prompt, buttons=[Button(id=o["id"], title=o["title"]) for o in state.options])
        rows = [ListRow(id=option["id"], title=option["title"]) for option in state.options]
        return Content(
            text=prompt, list=ListMenu(button=conversation.t("core.group.button"), sections=[ListSection(rows=rows)])
        )

    async def _answer(self, message: InboundMessage, state: State, conversation: Conversation) -> list[Content]:
        plugin, flow = self.flows[state.flow]
        step = flow.steps[state.step]
        try:
            value = await self._validated(step, message, state, conversation)
        except InvalidAnswer as refusal:
            return await self._refused(refusal, step, state, conversation)
        except Exception as error:
            self._host.failed(plugin, f"flow:{flow.id}", error)
            return [Content(text=conversation.t("core.error")), self._main_menu(state, conversation)]
        state.answers[step.name] = value
        state.step, state.invalid = state.step + 1, 0
        if state.step < len(flow.steps):
            return [self._ask(self._step(state), state, conversation)]
        answers = dict(state.answers)
        state.leave_flow()
        state.options = []
        self._count(state, flow.id, "completed")
        return await self._guarded(plugin, f"flow:{flow.id}", flow.complete(answers, conversation), conversation)

    async def _validated(self, step: Step, message: InboundMessage, state: State, conversation: Conversation) -> str:
        """The value to store for an answer, or InvalidAnswer with the reason."""
        if step.choices:
            option = self._option(message, state)
            if option not in {choice.id for choice in step.choices}:
                raise InvalidAnswer("core.choose_option")
            return option
        answer = (message.text or message.reply_title or "").strip()
        if not answer or not step.matches(answer):
            raise InvalidAnswer(step.invalid)
        if step.reference is not None and (answer := step.reference.parse(answer)) is None:
            raise InvalidAnswer(step.invalid)
        return await step.lookup(answer, conversation) if step.lookup else answer

    async def _refused(
        self, refusal: InvalidAnswer, step: Step, state: State, conversation: Conversation
    ) -> list[Content]:
        state.invalid += 1
        self._metrics.invalid_answers.labels(self.flows[state.flow][0], state.flow).inc()
        if state.invalid >= MAX_INVALID_ANSWERS:
            flow = self.flows[state.flow][1]
            if flow.hand_over_on_failures:
                detail = f"{MAX_INVALID_ANSWERS} answers refused in form {flow.id}"
                return await self._hand_over(state, conversation, HandoverReason.PLUGIN, detail)
            self._count(state, state.flow, "cancelled")
            return [Content(text=conversation.t("core.too_many_invalid")), self._main_menu(state, conversation)]
        return [Content(text=conversation.t(refusal.key, **refusal.params)), self._ask(step, state, conversation)]

    def _session_ended(self, session: Session, state: State) -> None:
        """Count a conversation that went idle, and how long it lasted, for /api/v1/stats."""
        started = session.data.get("started_at")
        if started:
            seconds = int((session.updated_at - datetime.fromisoformat(started)).total_seconds())
            state.tallies += [(SESSIONS_NAMESPACE, "ended", 1), (SESSIONS_NAMESPACE, "seconds", seconds)]

    def _count(self, state: State, flow: str, outcome: str) -> None:
        """Count a flow's start or end, in metrics and, once the turn is saved, in the store (for
        /api/v1/stats)."""
        self._metrics.flows.labels(self.flows[flow][0], flow, outcome).inc()
        state.tallies.append((FLOWS_NAMESPACE, f"{flow}:{outcome}", 1))

    async def _guarded(
        self, plugin: str, what: str, replies: Awaitable[list[Content]], conversation: Conversation
    ) -> list[Content]:
        """A plugin's replies, or a polite error in the contact's language if it raises."""
        started = time.perf_counter()
        try:
            return list(await replies)
        except Exception as error:
            self._host.failed(plugin, what, error)
            return [Content(text=conversation.t("core.error"))]
        finally:
            self._host.record_call(plugin, what, time.perf_counter() - started)
