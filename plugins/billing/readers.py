"""Contacts read to outside a conversation (the bill sent with a payment reminder): in their
language, locale and time zone as the delivery rules read them, with the billing strings."""

from pathlib import Path

from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.translations import TranslationDomain, read_domain
from gateway.notifications.delivery import CURRENCY_SETTING

DOMAIN = TranslationDomain("billing", Path(__file__).parent / "locale")


class Readers:
    def __init__(self, context: PluginContext) -> None:
        self._context = context
        self._catalog = Catalog()
        self._catalog.add(read_domain(DOMAIN))

    async def reader(self, contact: str) -> Conversation:
        """The contact as a reader of the billing strings."""
        return await self._context.reader(contact, self._catalog)

    async def currency(self) -> str:
        """The deployment's currency, as notification templates read it."""
        return await self._context.store.settings.get(CURRENCY_SETTING) or self._context.settings.locality.currency
