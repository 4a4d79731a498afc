"""Every hook a plugin can implement, grouped by when the gateway calls it.

Families: `register_*` returns a list (or mapping) the gateway collects from every plugin,
`on_*` is a notification, `handle_*` is first-result: the first implementation to return
something other than None wins. A hook may return an awaitable; a first-result
implementation that passes must return None before awaiting anything.
"""

from collections.abc import Awaitable
from typing import Any

import pluggy

from gateway.conversation.catalog import Text
from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.flows import Flow, MenuEntry
from gateway.conversation.translations import TranslationDomain
from gateway.models import Content, InboundMessage
from gateway.notifications.events import EventType
from gateway.notifications.scheduler import PeriodicJob

hookspec = pluggy.HookspecMarker("wa_gateway")
hookimpl = pluggy.HookimplMarker("wa_gateway")


# ------------------------------------------------------------------ lifecycle


@hookspec
def on_startup(context: PluginContext) -> Awaitable[None] | None:
    """Called once when the gateway starts, after the store is open: seed data, open clients."""


@hookspec
def on_shutdown(context: PluginContext) -> Awaitable[None] | None:
    """Called once when the gateway stops: close what on_startup opened."""


# ------------------------------------------------------------------ what a plugin offers


@hookspec
def register_menu_entries() -> list[MenuEntry]:
    """Called when the main menu is built; returns this plugin's entries, grouped for the menu."""


@hookspec
def register_flows() -> list[Flow]:
    """Called at start-up; returns this plugin's conversation flows (declarative forms)."""


@hookspec
def register_translations() -> list[TranslationDomain] | dict[str, dict[str, Text]]:
    """Called at start-up; returns this plugin's gettext domains (its locale folder), or, from
    plugins written before them, bot strings by language code, then key ("es" -> {key: text})."""


@hookspec
def register_templates() -> list[dict[str, Any]]:
    """Called at start-up; returns default notification templates (name, language, body, category)."""


@hookspec
def register_event_types() -> list[EventType]:
    """Called at start-up; returns the business events this plugin turns into notifications."""


@hookspec
def register_jobs() -> list[PeriodicJob]:
    """Called at start-up; returns periodic jobs for the scheduler of `serve`."""


# ------------------------------------------------------------------ conversation and events


@hookspec(firstresult=True)
def handle_message(
    message: InboundMessage, conversation: Conversation
) -> list[Content] | Awaitable[list[Content]] | None:
    """Called for a message no menu, form or command took; the first plugin to return replies wins."""


@hookspec
def enrich_event(event: dict[str, Any], context: PluginContext) -> Awaitable[dict[str, Any] | None] | dict[str, Any] | None:
    """Called for a business event that passed its checks, before its notifications are
    queued; returns data to add to what its templates render with (a customer's name looked
    up by id, say), or None. Every plugin is asked; later answers win on the same key."""


@hookspec
def on_event(event: dict[str, Any], context: PluginContext) -> Awaitable[None] | None:
    """Called at most once per business event id (never for replays, even racing ones), after
    its notifications are queued; for plugins that also keep their own data in step."""
