"""What a queued message becomes just before it is sent: suppressed when the contact opted
out, its template rendered in the contact's language, outside WhatsApp's 24-hour window
replaced by the provider's approved template, or refused; and its text laid out right to left
for a contact who reads a right-to-left language."""

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from gateway.clock import Clock
from gateway.conversation.bidi import holds_right_to_left, right_to_left, written_right_to_left
from gateway.conversation.formatting import Recipient, parameter
from gateway.conversation.locality import Locality
from gateway.models import MAX_BODY_CHARS, OutboundMessage, Priority, Provider, ProviderTemplate
from gateway.notifications.template_service import TemplateService, UnknownTemplate
from gateway.ports.records import JobState, TemplateVersion
from gateway.ports.store import Store
from gateway.templates import TemplateError, render
from gateway.validation import first_problem

WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = "outside the 24-hour window and no approved template"
FILE_OUTSIDE_WINDOW = "a file goes only inside the 24-hour window; its notification went as the approved template alone"
NOT_AFTER_SENT = "a notification's file goes only after the message before it was sent"
CURRENCY_SETTING = "currency"
BLOCKED = "the contact is blocked"


class Undeliverable(Exception):
    """The message must not be sent: `suppressed` when the contact opted out, else dead."""

    def __init__(self, reason: str, *, suppressed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.suppressed = suppressed


class DeliveryRules:
    def __init__(self, store: Store, templates: TemplateService, clock: Clock, locality: Locality = Locality()) -> None:
        self._store = store
        self._locality = locality
        self._templates = templates
        self._clock = clock

    async def prepare(self, message: OutboundMessage, *, follows: str | None = None) -> OutboundMessage:
        """The message as the channel should send it; raises Undeliverable. `follows` is the job a
        notification's file is sent after (its template, or the file before it)."""
        if follows is not None:
            await self._check_followed(follows)
        if message.priority is Priority.REPLY and message.template is None:
            return message  # it answers a message just received: no opt-out or window applies
        contact = (await self._store.settings.contact(message.recipient)).values
        template = await self._template(message, contact) if message.template else None
        if message.priority is not Priority.REPLY:
            self._check_opt_out(contact, template)
        in_window = (
            message.priority is Priority.REPLY or message.provider is Provider.SIMULATOR or self._in_window(contact)
        )
        if template is not None:
            context = {CURRENCY_SETTING: await self._currency()} | message.template.parameters
            if in_window:
                return await self._rendered(message, template, context, self._recipient(message, contact, template))
            return self._approved(message, template, context, self._recipient(message, contact, template))
        if not in_window and message.provider_template is None:
            if follows is not None:
                # its template went as the approved one; nothing an operator can retry would
                # deliver the file, so it is not dead
                raise Undeliverable(FILE_OUTSIDE_WINDOW, suppressed=True)
            raise Undeliverable(OUTSIDE_WINDOW)
        return message

    async def laid_out(self, message: OutboundMessage) -> OutboundMessage:
        """The message as its final text reads in the contact's language: for Arabic, every line
        that would start left to right gets a right-to-left mark (bidi.right_to_left). This is the
        one place every reply, notification and operator message passes after its text is final
        (templates rendered, text menus numbered); the contact's language is read only for text
        that holds right-to-left letters. Button and list titles are left alone: each is shown on
        its own, and the catalog test keeps every Arabic title starting with an Arabic letter."""
        if message.text is None or not holds_right_to_left(message.text):
            return message
        contact = (await self._store.settings.contact(message.recipient)).values
        text = right_to_left(message.text)
        if not written_right_to_left(contact.get("language")) or len(text) > MAX_BODY_CHARS:
            return message
        return message.model_copy(update={"text": text})

    async def _check_followed(self, job_id: str) -> None:
        """Suppress a notification's file whose template died or was suppressed: alone, it would
        be a bill nobody announced."""
        followed = await self._store.queue.get(job_id)
        if followed is None:
            raise Undeliverable(f"{NOT_AFTER_SENT}; job {job_id} is gone from the queue", suppressed=True)
        if followed.state is not JobState.SENT:
            why = f": {followed.last_error}" if followed.last_error else ""
            raise Undeliverable(f"{NOT_AFTER_SENT}; job {job_id} is {followed.state.value}{why}", suppressed=True)

    async def _template(self, message: OutboundMessage, contact: dict[str, Any]) -> TemplateVersion:
        try:
            return await self._templates.resolve(
                message.template.name, (message.template.language, contact.get("language"))
            )
        except UnknownTemplate as error:
            raise Undeliverable(str(error)) from None

    @staticmethod
    def _check_opt_out(contact: dict[str, Any], template: TemplateVersion | None) -> None:
        if contact.get("blocked"):
            raise Undeliverable(BLOCKED, suppressed=True)
        if contact.get("opted_out"):
            raise Undeliverable("the contact opted out of notifications", suppressed=True)
        category = template.category if template else None
        if category and category in contact.get("opted_out_categories", ()):
            raise Undeliverable(f"the contact opted out of {category} notifications", suppressed=True)

    def _in_window(self, contact: dict[str, Any]) -> bool:
        last = contact.get("last_inbound_at")
        return last is not None and self._clock.now() - datetime.fromisoformat(last) < WINDOW

    async def _currency(self) -> str:
        return await self._store.settings.get(CURRENCY_SETTING) or self._locality.currency

    def _recipient(self, message: OutboundMessage, contact: dict[str, Any], template: TemplateVersion) -> Recipient:
        """Where the contact reads the notification: the template's language in their territory,
        in their time zone."""
        return Recipient(
            self._locality.locale_of(message.recipient, contact, template.language),
            self._locality.time_zone_of(message.recipient, contact),
            self._locality.time_zone,
        )

    @staticmethod
    async def _rendered(
        message: OutboundMessage, template: TemplateVersion, context: dict[str, Any], recipient: Recipient
    ) -> OutboundMessage:
        try:
            text = await render(template.body, context, template.language, recipient)
            return OutboundMessage.model_validate(message.model_dump(exclude={"template"}) | {"text": text})
        except TemplateError as error:
            raise Undeliverable(
                f"template {template.name} ({template.language}) v{template.version}: {error}"
            ) from None
        except ValidationError as error:
            raise Undeliverable(
                f"template {template.name} rendered an invalid message: {first_problem(error)}"
            ) from None

    @staticmethod
    def _approved(
        message: OutboundMessage, template: TemplateVersion, context: dict[str, Any], recipient: Recipient
    ) -> OutboundMessage:
        """The provider's approved template, its parameters plain text for the recipient (dates
        written as they read them, never ISO)."""
        mapping = (template.provider_template or {}).get(message.provider.value if message.provider else "")
        if not mapping:
            raise Undeliverable(OUTSIDE_WINDOW)
        missing = [key for key in mapping.get("parameters", []) if key not in context]
        if missing:
            raise Undeliverable(f"approved template {mapping['name']} needs {', '.join(missing)}, not in the message")
        approved = ProviderTemplate(
            name=mapping["name"],
            language=mapping.get("language", template.language),
            parameters=[parameter(context[key], recipient) for key in mapping.get("parameters", [])],
        )
        return OutboundMessage.model_validate(
            message.model_dump(exclude={"template"}) | {"provider_template": approved.model_dump()}
        )
