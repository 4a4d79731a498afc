"""What plugins are handed: the conversation they are answering, and the gateway's services."""

from dataclasses import dataclass, field
from typing import Any

import aiohttp

from gateway.clock import Clock
from gateway.conversation.catalog import DEFAULT_LANGUAGE, LANGUAGES, Catalog
from gateway.conversation.locality import DEFAULT_LOCALE, DEFAULT_TIME_ZONE, LANGUAGE_LOCALES
from gateway.handover.service import Handovers
from gateway.media.service import PluginMedia
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
    roles: frozenset[str] = frozenset()
    """The roles the contact holds of those the gateway asks about (STAFF_ROLES and any a menu
    entry declares), read for each message."""
    idempotency_key: str = field(kw_only=True)
    """The inbound message's gateway id: the same on every retry of its turn, so a plugin's
    writes (an `Idempotency-Key` header, one record per key) happen once."""
    time_zone: str = field(default=DEFAULT_TIME_ZONE, kw_only=True)
    """The contact's IANA time zone: times are shown in it (gateway.conversation.formatting)."""
    locale: str = field(default="", kw_only=True)
    """The Babel locale dates, numbers and money are written in (`es_MX`); by default the
    language's own (LANGUAGE_LOCALES)."""
    home_time_zone: str = field(default=DEFAULT_TIME_ZONE, kw_only=True)
    """The deployment's zone (GATEWAY_TIME_ZONE): a time shown to a contact elsewhere names its zone."""

    def __post_init__(self) -> None:
        if not self.locale:
            object.__setattr__(self, "locale", LANGUAGE_LOCALES.get(self.language, DEFAULT_LOCALE))

    def t(self, key: str, **params: Any) -> str:
        """The string `key` in the contact's language (English when it lacks one)."""
        return self.catalog.text(key, self.language, **params)

    def tn(self, key: str, count: int, /, **params: Any) -> str:
        """The plural string `key` in the contact's language, in the form `count` takes there
        ("1 hour", "8 ساعات", "11 ساعة"); `count` fills {count} unless `params` give it formatted."""
        return self.catalog.plural(key, self.language, count, **params)

    def holds(self, *roles: str) -> bool:
        """Whether the contact holds any of `roles`."""
        return not self.roles.isdisjoint(roles)


@dataclass(frozen=True)
class PluginContext:
    """The gateway's services, for plugins' start-up, jobs and backends; `notifier` queues
    notifications; `handovers` hands a conversation to people (`hand_over` inside a turn,
    `request` outside one); `media` stores and renders files to send (charts, PDFs)."""

    store: Store
    settings: Settings
    clock: Clock
    http: aiohttp.ClientSession
    notifier: Notifier
    handovers: Handovers
    media: PluginMedia

    async def reader(self, contact: str, catalog: Catalog, *, idempotency_key: str = "") -> Conversation:
        """`contact` as a reader outside a turn (a file attached to a notification or an alert):
        in their language, locale and time zone as the delivery rules read them, with `catalog`'s
        strings; no turn is answered, so the idempotency key is the caller's, if any."""
        settings = (await self.store.settings.contact(contact)).values
        language = settings.get("language") if settings.get("language") in LANGUAGES else DEFAULT_LANGUAGE
        locality = self.settings.locality
        return Conversation(
            contact,
            language,
            catalog,
            idempotency_key=idempotency_key,
            time_zone=locality.time_zone_of(contact, settings),
            locale=locality.locale_of(contact, settings, language),
            home_time_zone=locality.time_zone,
        )
