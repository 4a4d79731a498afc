"""Data a business system keeps in several languages (an SOP's title and steps, a product's
name): shown in the contact's language when the system has it, else as written with its
language named, so a contact reads "(in English)" instead of guessing why it is not theirs."""

from typing import Any

from babel import Locale
from pydantic import BaseModel, Field, field_validator, model_validator

from gateway.conversation.context import Conversation


class Translated(BaseModel):
    """A text as the business wrote it, in `language`, and the same text in other languages
    (`{"es": "...", "ar": "..."}`). A plain JSON string is read as a text in English, so a
    backend that has one language only sends what it always sent."""

    text: str
    language: str = "en"
    translations: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @field_validator("language")
    @classmethod
    def _language_only(cls, tag: str) -> str:
        """"en-US", "EN" and "pt_BR" as the bare language, as contacts' languages are kept."""
        return _language_of(tag)

    @field_validator("translations")
    @classmethod
    def _languages_only(cls, texts: dict[str, str]) -> dict[str, str]:
        return {_language_of(tag): text for tag, text in texts.items()}

    def written_in(self, language: str) -> str | None:
        """The text in `language`, or None when the business has not written it in that one."""
        return self.text if language == self.language else self.translations.get(language)


def _language_of(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].strip().casefold()


def localized(value: Translated, conversation: Conversation) -> str:
    """The text in the contact's language, else as written followed by its language's name in
    theirs: `Deburring gear housings (in English)`, `... (باللغة الإنجليزية)`."""
    own = value.written_in(conversation.language)
    if own is not None:
        return own
    name = Locale.parse(conversation.language).languages.get(value.language, value.language)
    return conversation.t("core.source_language", text=value.text, source_language=name)
