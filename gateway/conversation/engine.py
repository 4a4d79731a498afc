"""The conversation engine: for each message, the contact's session and language, global
commands, the main menu, forms, then free-form plugins; replies come back as Content."""

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from gateway.clock import Clock
from gateway.conversation.access import STAFF_ROLES, roles_of
from gateway.conversation.catalog import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    Catalog,
)
from gateway.conversation import opt_out
from gateway.conversation.commands import (
    COMMAND_BUTTON,
    Command,
    command_in,
    greeting_language,
    options_named,
    skips,
    small_talk,
    start_language,
    switches_language,
    words_in,
)
from gateway.conversation import files
from gateway.conversation.context import Conversation
from gateway.conversation.flows import Flow, InvalidAnswer, MenuEntry, Step
from gateway.conversation import languages
from gateway.conversation.locality import Locality
from gateway.conversation.plugin_limits import problems
from gateway.conversation.translations import TranslationDomain, plugin_strings, read_domain
from gateway.handover.card import ConversationCard, HandoverReason
from gateway.handover.service import HandoverConflict, Handovers
from gateway.inbound.text_menus import chosen
from gateway.metrics import GatewayMetrics
from gateway.models import (
    MAX_BUTTON_TITLE_CHARS,
    MAX_CAPTION_CHARS,
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

CORE_DOMAINS = (
    TranslationDomain("core", Path(__file__).parent / "locale"),
    TranslationDomain("handover", Path(__file__).parents[1] / "handover" / "locale"),
)
"""The core's own strings: the conversation's, and what it says for the handover."""
SESSION_RETENTION = timedelta(days=7)
"""How long the store keeps an idle session; the engine's idle timeout is much shorter."""
MAX_INVALID_ANSWERS = 3
MAX_TURN_ATTEMPTS = 3
GROUP, ENTRY, LANGUAGE = "menu.group:", "menu.entry:", "language:"
CONTINUE, RESTART, LEAVE = "form.continue", "form.restart", "form.leave"
SKIP = "form.skip"
"""The Skip button of an optional step; a step skipped stores ""."""
MENU_BUTTON = COMMAND_BUTTON + Command.MENU
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
    pressed: str | None = None
    """The button or row the previous message pressed, so a second tap on it is ignored."""
    paused: dict[str, Any] | None = None
    """A form left half-filled by a greeting, a language switch or the idle timeout: its flow,
    step and answers, kept for the session's life until continued or another form starts."""
    tallies: list[tuple[str, str, int]] = field(default_factory=list)
    """Counters the turn adds to, written after its session save so a retried turn counts
    once; not part of the session."""

    def saved(self) -> dict[str, Any]:
        """What the session keeps."""
        return {name: value for name, value in vars(self).items() if name != "tallies"}

    def leave_flow(self) -> None:
        self.flow, self.step, self.answers, self.invalid = None, 0, {}, 0

    def pause_flow(self) -> None:
        """Keep the form under way aside, to be continued later."""
        if self.flow is not None:
            self.paused = {"flow": self.flow, "step": self.step, "answers": self.answers}
        self.leave_flow()

    def on_screen(self, option: str) -> bool:
        return any(shown["id"] == option for shown in self.options)


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
        for domain in CORE_DOMAINS:
            catalog.add(read_domain(domain))
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
        for plugin in {plugin for plugin, _ in [*entries, *flows.values()]}:
            own_entries = [entry for owner, entry in entries if owner == plugin]
            own_flows = [flow for owner, flow in flows.values() if owner == plugin]
            if refused := problems(own_entries, own_flows, catalog):
                host.refuse(plugin, refused)
        flows = {key: (plugin, flow) for key, (plugin, flow) in flows.items() if plugin not in host.refused}
        entries = [(plugin, entry) for plugin, entry in entries if plugin not in host.refused]
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
        conversation = await self._conversation(message, contact, first=session is None)
        expired = session is not None and self._clock.now() - session.updated_at > self._idle_timeout
        state = State(**session.data) if session is not None and not expired else State()
        state.started_at = state.started_at or self._clock.now().isoformat()
        if expired:
            replies = await self._expired(message, session, state, conversation)
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

    async def _expired(
        self, message: InboundMessage, session: Session, state: State, conversation: Conversation
    ) -> list[Content]:
        """The first message after the idle timeout, on a fresh state: handled as usual when it
        says what it wants (a command, an opt-out, a reference or keyword); a file the form left
        half-filled was asking for answers it, and the form goes on; else, with a form left
        half-filled, an offer to continue it, and a tap on a menu gone stale, the menu."""
        self._session_ended(session, state)
        left = session.data.get("flow")
        if left in self.flows:
            self._count(state, left, "timed_out")
            state.paused = {key: session.data[key] for key in ("flow", "step", "answers")}
        if self._says_what_it_wants(message, conversation):
            return await self._respond(message, state, conversation)
        if state.paused is not None and (stored := self._answers_paused(message, state)) is not None:
            self._resume(CONTINUE, state, conversation)
            return await self._advance(stored, state, conversation)
        if state.paused is not None:
            return [self._offer_paused(state, conversation, "core.paused.timeout")]
        if message.kind is not InboundKind.TEXT:
            return [Content(text=conversation.t("core.session_expired")), self._main_menu(state, conversation)]
        return await self._respond(message, state, conversation)

    def _answers_paused(self, message: InboundMessage, state: State) -> str | None:
        """The stored id of a file that answers the step the paused form was left at."""
        if state.paused["flow"] not in self.flows:
            return None
        return files.answer(message, self.flows[state.paused["flow"]][1].steps[state.paused["step"]])

    def _says_what_it_wants(self, message: InboundMessage, conversation: Conversation) -> bool:
        """Whether a message means the same with nothing on screen: a command typed or pressed,
        an opt-out pressed, a reference or a menu entry's keyword in free text."""
        if message.kind in (InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY):
            return (message.reply_id or "").startswith((COMMAND_BUTTON, opt_out.OPT_OUT))
        if message.kind is not InboundKind.TEXT or not message.text:
            return False
        text = message.text
        return (
            command_in(text) is not None
            or bool(self._intents(text, conversation))
            or any(self._named(entry, text) for entry in self._visible(conversation))
        )

    async def _tally(self, message: InboundMessage, state: State) -> None:
        """Write the turn's counters. The session is saved by now, so a failure here is logged
        and the counts lost: raising would run the turn again on a session already moved on."""
        try:
            for namespace, name, amount in state.tallies:
                await self._store.records.add(namespace, name, amount)
        except Exception as error:
            log.warning("counters of message %s were not written (%s)", message.id, type(error).__name__)

    async def warm(self) -> None:
        """Load the language model off the event loop (seconds), so a new contact's first turn,
        and everyone else's meanwhile, does not wait for it."""
        await asyncio.to_thread(languages.warm)

    @staticmethod
    async def _identify(text: str) -> str | None:
        """`languages.identify`, in a thread while the model is not loaded yet (a first message
        before `warm` ends): loading it blocks for seconds."""
        if languages.loaded():
            return languages.identify(text)
        return await asyncio.to_thread(languages.identify, text)

    async def _conversation(self, message: InboundMessage, contact: Mapping[str, Any], first: bool) -> Conversation:
        """The contact's language (as chosen before, else told by a greeting or by the `first`
        message of a new contact that is not a command, else English), the roles they hold, and
        their time zone and locale (their settings, else their number's country). Later messages
        are not identified: a word typed into a form ("sair") would switch a conversation under way."""
        language = contact.get("language")
        if language is None and message.kind is InboundKind.TEXT:
            language = greeting_language(message.text) or start_language(message.text)
            if language is None and first and command_in(message.text) is None:
                language = await self._identify(message.text)
            if language is not None:
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
        pressed = message.reply_id if message.kind in (InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY) else None
        if pressed is not None and pressed == state.pressed and not state.on_screen(pressed):
            log.info("message %s taps again what the previous one tapped; ignored", message.id)
            return []
        state.pressed = pressed
        if pressed is not None and pressed.startswith(opt_out.OPT_OUT):
            # honoured whenever pressed: the button carries all it stops, and a request to stop is never stale
            replies = await self._opt_out(pressed, state, conversation)
            return [*replies, self._ask(self._step(state), state, conversation)] if state.flow else replies
        text = message.text if message.kind is InboundKind.TEXT else None
        option = self._option(message, state)
        # an answer naming one of the options on screen, or a word of one, wins over a command
        # spelled the same ("alta" is Spanish "high"; "रोकें" is a word of "डिलीवरी रोकें")
        if text is not None and option is None and len(options_named(text, state.options)) > 1:
            return self._current_question(state, conversation, "core.choose_option")
        if text is not None and option is None and (command := command_in(text)) is not None:
            return await self._command(command, text, state, conversation)
        if option is not None and option.startswith(COMMAND_BUTTON):
            return await self._command(Command(option.removeprefix(COMMAND_BUTTON)), None, state, conversation)
        if option is not None and state.on_screen(option):
            if option in (CONTINUE, RESTART, LEAVE):
                return self._resume(option, state, conversation)
            if option.startswith(opt_out.OPT_OUT):  # the confirmation's button typed as its number or title
                return await self._opt_out(option, state, conversation)
        if state.flow is not None:
            if pressed is not None and not state.on_screen(pressed):
                return [self._ask(self._step(state), state, conversation)]  # a stale menu: not an answer
            return await self._answer(message, state, conversation)
        if option is not None and option.startswith((GROUP, ENTRY, LANGUAGE)):
            return await self._choose(option, state, conversation)
        if text is not None and (understood := await self._understood(text, state, conversation)) is not None:
            return understood
        try:
            answered = await self._host.first("handle_message", message=message, conversation=conversation)
        except PluginFailed:
            return [Content(text=conversation.t("core.error"))]
        if answered:
            return answered[1]
        if files.sent(message) is not None:  # a file no plugin takes: say so, and what the bot can do
            return [Content(text=files.cannot(message, conversation)), self._main_menu(state, conversation)]
        return []

    @staticmethod
    def _option(message: InboundMessage, state: State) -> str | None:
        """The option a message picks: a press, or a typed number, title or word of one title
        among what is on screen."""
        if message.kind in (InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY):
            return message.reply_id
        if message.kind is InboundKind.TEXT and state.options:
            option = chosen(message.text, state.options)
            if option is None and len(named := options_named(message.text, state.options)) == 1:
                option = named[0]
            return option["id"] if option else None
        return None

    def _current_question(self, state: State, conversation: Conversation, reason: str) -> list[Content]:
        """The question on screen again, after `reason`: the form's step, else the main menu."""
        if state.flow is not None:
            return [Content(text=conversation.t(reason)), self._ask(self._step(state), state, conversation)]
        return [Content(text=conversation.t(reason)), self._main_menu(state, conversation)]

    async def _understood(self, text: str, state: State, conversation: Conversation) -> list[Content] | None:
        """Free text outside a form the engine answers itself: small talk, a reference to what
        a form asks for first (an intent), or a menu entry's keyword."""
        if (talk := small_talk(text)) is not None:
            return [Content(text=conversation.t(f"core.small_talk.{talk}"))]
        mentioned = self._intents(text, conversation)
        # several forms ask for the reference (staff's "where is my order 4411?" could also start a
        # defect report): the one whose keywords the text has ("order") is meant
        intents = [(entry, value) for entry, value in mentioned if self._named(entry, text)]
        if len(mentioned) == 1:
            intents = mentioned
        if len(intents) == 1:
            [(entry, reference)] = intents
            return await self._start(entry, state, conversation, reference)
        named = [entry for entry in self._visible(conversation) if self._named(entry, text)]
        if len(named) == 1:
            return await self._start(named[0], state, conversation)
        offered = named or [entry for entry, _ in mentioned]  # never a dead end: let the contact pick
        if offered:
            options = [(ENTRY + entry.id, entry.title) for entry in offered]
            return [self._list(state, conversation, "core.menu.body", "core.group.button", options)]
        return None

    @staticmethod
    def _named(entry: MenuEntry, text: str) -> bool:
        return bool(entry.keywords) and words_in(text, entry.keywords)

    def _intents(self, text: str, conversation: Conversation) -> list[tuple[MenuEntry, str]]:
        """The menu entries whose form starts by asking for a reference `text` mentions, each
        with the reference."""
        found: dict[str, tuple[MenuEntry, str]] = {}
        for entry in self._visible(conversation):
            if entry.flow not in self.flows or entry.flow in found:
                continue
            reference = self.flows[entry.flow][1].steps[0].reference
            if reference is not None and (value := reference.find(text)) is not None:
                found[entry.flow] = (entry, value)
        return list(found.values())

    # ------------------------------------------------------------------ commands

    async def _command(
        self, command: Command, text: str | None, state: State, conversation: Conversation
    ) -> list[Content]:
        """A global command, typed as `text` or pressed on a button (`text` None)."""
        if command is Command.MENU:
            return await self._menu_command(text, state, conversation)
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
            state.pause_flow()
            return [self._language_menu(state, conversation)]
        if command in (Command.STOP, Command.START) and state.flow is not None:
            return [self._ask_to_leave(state, conversation)]
        if command is Command.STOP:
            category = await opt_out.latest_category(self._store, conversation.contact, conversation.language)
            confirmation = opt_out.confirmation(category, conversation)
            state.options = [{"id": button.id, "title": button.title} for button in confirmation.buttons]
            return [confirmation]
        if command is Command.START:
            return await self._start_command(state, conversation)
        return [self._main_menu(state, conversation)]

    async def _start_command(self, state: State, conversation: Conversation) -> list[Content]:
        """Opted out: notifications again, said so, and the menu; else START is a first "hi" (a
        new contact's language was set from the word, as a greeting's is)."""
        settings = (await self._store.settings.contact(conversation.contact)).values
        if not settings.get("opted_out") and not settings.get("opted_out_categories"):
            return [self._greeting(conversation), self._main_menu(state, conversation)]
        await self._store.settings.update_contact(
            conversation.contact, {"opted_out": None, "opted_out_categories": None}
        )
        return [Content(text=conversation.t("core.started")), self._main_menu(state, conversation)]

    @staticmethod
    def _greeting(conversation: Conversation) -> Content:
        name = conversation.profile_name
        return Content(
            text=conversation.t("core.greeting.named", name=name) if name else conversation.t("core.greeting")
        )

    async def _menu_command(self, text: str | None, state: State, conversation: Conversation) -> list[Content]:
        """The main menu; a greeting also greets, in the language it clearly is in (switching
        to it, and saying how to switch back), and offers to continue a form it interrupts."""
        greeted = text is not None and greeting_language(text) is not None
        switched = []
        if text is not None and (language := switches_language(text)) not in (None, conversation.language):
            previous = LANGUAGE_NAMES[conversation.language]
            conversation = await self._switch_language(conversation, language)
            switched = [Content(text=conversation.t("core.language.switched", previous=previous))]
        greeting = [self._greeting(conversation)]
        if greeted and state.flow is not None:
            state.pause_flow()
            return [*greeting, *switched, self._offer_paused(state, conversation, "core.paused")]
        return [*(greeting if greeted else []), *switched, self._main_menu(state, conversation)]

    def _ask_to_leave(self, state: State, conversation: Conversation) -> Content:
        """STOP or START typed inside a form: not an answer, and not an opt-out either; ask
        whether to leave the form (the step's own choices still answer it)."""
        buttons = [
            Button(id=LEAVE, title=conversation.t("core.form.leave")),
            Button(id=CONTINUE, title=conversation.t("core.form.continue")),
        ]
        self._ask(self._step(state), state, conversation)  # the step's choices stay on screen
        state.options += [{"id": button.id, "title": button.title} for button in buttons]
        return Content(text=conversation.t("core.form.stop_asked"), buttons=buttons)

    def _offer_paused(self, state: State, conversation: Conversation, body: str) -> Content:
        """Offer to continue the paused form where it was left, to start it over, or the menu."""
        form = self._entry_of(state.paused["flow"])
        title = conversation.t(form.title) if form else state.paused["flow"]
        buttons = [
            Button(id=CONTINUE, title=conversation.t("core.form.continue")),
            Button(id=RESTART, title=conversation.t("core.form.restart")),
            Button(id=MENU_BUTTON, title=conversation.t("core.menu.button")),
        ]
        state.options = [{"id": button.id, "title": button.title} for button in buttons]
        return Content(text=conversation.t(body, form=title), buttons=buttons)

    def _resume(self, option: str, state: State, conversation: Conversation) -> list[Content]:
        """Continue (or start over) the paused form, or the form whose STOP asked to leave it."""
        if option == LEAVE:
            self._count(state, state.flow, "cancelled")
            return [Content(text=conversation.t("core.form.left")), self._main_menu(state, conversation)]
        if state.flow is None:
            if state.paused is None or state.paused["flow"] not in self.flows:
                return [self._main_menu(state, conversation)]
            state.flow, state.step, state.answers = state.paused["flow"], state.paused["step"], state.paused["answers"]
            state.paused = None
        if option == RESTART:
            state.step, state.answers, state.invalid = 0, {}, 0
        return [self._ask(self._step(state), state, conversation)]

    async def _opt_out(self, option: str, state: State, conversation: Conversation) -> list[Content]:
        """The contact's answer to the confirmation STOP asked for."""
        state.options = []
        contact = conversation.contact
        if option == opt_out.ALL:
            await self._store.settings.update_contact(contact, {"opted_out": True})
            return [Content(text=conversation.t("core.stopped"))]
        if option.startswith(opt_out.CATEGORY):
            category = option.removeprefix(opt_out.CATEGORY)
            stopped = (await self._store.settings.contact(contact)).values.get("opted_out_categories") or []
            await self._store.settings.update_contact(
                contact, {"opted_out_categories": sorted({*stopped, category})}
            )
            name = opt_out.category_name(category, conversation)
            return [Content(text=conversation.t("core.stopped.category", category=name))]
        return [Content(text=conversation.t("core.stop.kept"))]

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

    async def _switch_language(self, conversation: Conversation, language: str) -> Conversation:
        """Saves the contact's new language and gives the conversation in it, written as in their
        territory too (Spanish for a +52 number is es_MX, whatever the language before)."""
        settings = (await self._store.settings.update_contact(conversation.contact, {"language": language})).values
        self._metrics.languages.labels(language).inc()
        locale = self._locality.locale_of(conversation.contact, settings, language)
        return replace(conversation, language=language, locale=locale)

    async def _choose(self, option: str, state: State, conversation: Conversation) -> list[Content]:
        if option.startswith(LANGUAGE) and option.removeprefix(LANGUAGE) in LANGUAGES:
            switched = await self._switch_language(conversation, option.removeprefix(LANGUAGE))
            following = (
                self._offer_paused(state, switched, "core.paused")
                if state.paused is not None
                else self._main_menu(state, switched)
            )
            return [Content(text=switched.t("core.language.set")), following]
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

    async def _start(
        self, entry: MenuEntry, state: State, conversation: Conversation, reference: str | None = None
    ) -> list[Content]:
        """Start an entry's form (with its first answer when a message named the `reference`
        it asks for), or run its action and offer what to do next."""
        if not self._allowed(entry, conversation):
            return self._not_allowed(state, conversation)
        state.tallies.append((MENU_NAMESPACE, entry.id, 1))
        state.leave_flow()
        state.options = []
        plugin = next(plugin for plugin, candidate in self.entries if candidate is entry)
        if entry.flow is not None and entry.flow in self.flows:
            flow = self.flows[entry.flow][1]
            if flow.precondition is not None:
                instead = await self._guarded(plugin, f"flow:{flow.id}", partial(flow.precondition, conversation), conversation)
                if instead:  # the form does not start, so one kept aside stays kept
                    return self._with_next_step(instead, entry, state, conversation)
            state.flow, state.paused = entry.flow, None
            self._count(state, entry.flow, "started")
            if reference is not None:
                return await self._accept(reference, state, conversation)
            return [self._ask(self._step(state), state, conversation)]
        state.paused = None
        if entry.action is not None:
            replies = await self._guarded(plugin, f"menu:{entry.id}", partial(entry.action, conversation), conversation)
            if (await self.handovers.card(conversation.contact)).held:
                return replies  # the action handed the contact to people: the bot says no more
            return self._with_next_step(replies, entry, state, conversation)
        return [self._main_menu(state, conversation)]

    def _entry_of(self, flow: str) -> MenuEntry | None:
        """The menu entry that starts `flow`."""
        return next((entry for entry in self._working() if entry.flow == flow), None)

    def _with_next_step(
        self, replies: list[Content], entry: MenuEntry | None, state: State, conversation: Conversation
    ) -> list[Content]:
        """A result, never a dead end: buttons for the same entry again and the menu, on the
        result itself when WhatsApp allows it there, else in one message after it; the entry's
        submenu stays on screen, so a number or title typed from it still picks."""
        buttons = [Button(id=MENU_BUTTON, title=conversation.t("core.menu.button"))]
        shown: list[dict[str, str]] = []
        if entry is not None:
            title = conversation.t(entry.title)
            if len(title) <= MAX_BUTTON_TITLE_CHARS:
                buttons.insert(0, Button(id=ENTRY + entry.id, title=title))
            group = [e for e in self._visible(conversation) if e.group == entry.group]
            shown = [{"id": ENTRY + e.id, "title": conversation.t(e.title)} for e in group]
        listed = {option["id"] for option in shown}
        state.options = shown + [{"id": b.id, "title": b.title} for b in buttons if b.id not in listed]
        last = replies[-1] if replies else None
        if last is not None and last.buttons is None and last.list is None:
            if last.text is not None and last.media is None and len(last.text) <= MAX_CAPTION_CHARS:
                return [*replies[:-1], last.model_copy(update={"buttons": buttons})]
        if last is not None and (last.buttons or last.list):
            return replies
        return [*replies, Content(text=conversation.t("core.next_step"), buttons=buttons)]

    # ------------------------------------------------------------------ forms

    def _step(self, state: State) -> Step:
        return self.flows[state.flow][1].steps[state.step]

    def _ask(self, step: Step, state: State, conversation: Conversation) -> Content:
        """A step's question, with its choices and an optional step's Skip as buttons (3 or
        fewer) or a list."""
        prompt = conversation.t(step.prompt)
        state.options = [{"id": choice.id, "title": conversation.t(choice.title)} for choice in step.choices]
        if step.optional:
            state.options.append({"id": SKIP, "title": conversation.t("core.form.skip")})
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
        if step.optional and self._skipped(message, state):
            return await self._advance("", state, conversation)
        if step.media or files.sent(message) is not None:
            if (stored := files.answer(message, step)) is not None:
                return await self._advance(stored, state, conversation)
            # not a wrong answer but the wrong kind of message: explained, and never a strike
            return [Content(text=files.aside(message, step, conversation)), self._ask(step, state, conversation)]
        try:
            value = await self._validated(step, message, state, conversation)
        except InvalidAnswer as refusal:
            return await self._refused(refusal, step, state, conversation)
        except Exception as error:
            self._host.failed(plugin, f"flow:{flow.id}", error)
            return [Content(text=conversation.t("core.error")), self._main_menu(state, conversation)]
        return await self._advance(value, state, conversation)

    def _skipped(self, message: InboundMessage, state: State) -> bool:
        """Whether a message skips the optional step on screen: its Skip pressed, or typed as its
        number, its title or a word for skipping in any language."""
        if self._option(message, state) == SKIP:
            return True
        return message.kind is InboundKind.TEXT and skips(message.text)

    async def _accept(self, reference: str, state: State, conversation: Conversation) -> list[Content]:
        """The first step's answer taken from a reference found in free text, checked by the
        step's lookup as a typed one is."""
        plugin, flow = self.flows[state.flow]
        step = flow.steps[state.step]
        try:
            value = await _settled(step.lookup(reference, conversation)) if step.lookup else reference
        except InvalidAnswer as refusal:
            return await self._refused(refusal, step, state, conversation)
        except Exception as error:
            self._host.failed(plugin, f"flow:{flow.id}", error)
            return [Content(text=conversation.t("core.error")), self._main_menu(state, conversation)]
        return await self._advance(value, state, conversation)

    async def _advance(self, value: str, state: State, conversation: Conversation) -> list[Content]:
        """Store a step's answer, then ask the next step, or complete the form."""
        plugin, flow = self.flows[state.flow]
        state.answers[self._step(state).name] = value
        state.step, state.invalid = state.step + 1, 0
        if state.step < len(flow.steps):
            return [self._ask(self._step(state), state, conversation)]
        answers = dict(state.answers)
        state.leave_flow()
        state.options = []
        self._count(state, flow.id, "completed")
        replies = await self._guarded(plugin, f"flow:{flow.id}", partial(flow.complete, answers, conversation), conversation)
        return self._with_next_step(replies, self._entry_of(flow.id), state, conversation)

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
        return await _settled(step.lookup(answer, conversation)) if step.lookup else answer

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
        self, plugin: str, what: str, call: Callable[[], Any], conversation: Conversation
    ) -> list[Content]:
        """A plugin's replies from `call` (a `def` or an `async def`), or a polite error in the
        contact's language if it raises, either way."""
        started = time.perf_counter()
        try:
            return list(await _settled(call()))
        except Exception as error:
            self._host.failed(plugin, what, error)
            return [Content(text=conversation.t("core.error"))]
        finally:
            self._host.record_call(plugin, what, time.perf_counter() - started)


async def _settled(result: Any) -> Any:
    """A plugin's answer, awaited when its function was an `async def`."""
    return await result if inspect.isawaitable(result) else result
