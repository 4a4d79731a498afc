"""What plugins are handed: the conversation they are answering, and the gateway's services."""

from dataclasses import dataclass
from typing import Any

import aiohttp

from gateway.clock import Clock
from gateway.conversation.catalog import Catalog
from gateway.notifications.notifier import Notifier
from gateway.ports.store import Store
from gateway.settings import Settings


@dataclass(frozen=True)
class Conversation:
    """The contact a plugin is talking to, in their language."""

    contact: str
    language: str
    catalog: Catalog
    profile_name: str | None = None

    def t(self, key: str, **params: Any) -> str:
        """The string `key` in the contact's language (English when it lacks one)."""
        return self.catalog.text(key, self.language, **params)


@dataclass(frozen=True)
class PluginContext:
    """The gateway's services, for plugins' start-up, jobs and backends; `notifier` queues notifications."""

    store: Store
    settings: Settings
    clock: Clock
    http: aiohttp.ClientSession
    notifier: Notifier
