"""Contacts read to outside a conversation (the bill sent with a payment reminder): in their
language, locale and time zone as the delivery rules read them, with the billing strings."""

from pathlib import Path

from gateway.conversation.catalog import DEFAULT_LANGUAGE, LANGUAGES, Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.locality import Locality
from gateway.conversation.translations import TranslationDomain, read_domain
from gateway.notifications.delivery import CURRENCY_SETTING
from gateway.ports.store import Store

DOMAIN = TranslationDomain("billing", Path(__file__).parent / "locale")


class Readers:
    def __init__(self, store: Store, locality: Locality) -> None:
        self._store = store
        self._locality = locality
        self._catalog = Catalog()
        self._catalog.add(read_domain(DOMAIN))

    async def reader(self, contact: str) -> Conversation:
        """The contact as a reader; no turn is answered, so there is no idempotency key."""
        settings = (await self._store.settings.contact(contact)).values
        language = settings.get("language") if settings.get("language") in LANGUAGES else DEFAULT_LANGUAGE
        return Conversation(
            contact,
            language,
            self._catalog,
            idempotency_key="",
            time_zone=self._locality.time_zone_of(contact, settings),
            locale=self._locality.locale_of(contact, settings, language),
            home_time_zone=self._locality.time_zone,
        )

    async def currency(self) -> str:
        """The deployment's currency, as notification templates read it."""
        return await self._store.settings.get(CURRENCY_SETTING) or self._locality.currency
