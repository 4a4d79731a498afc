"""Numbers, money and dates as each language writes them (Babel's locale data)."""

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_currency

LOCALES = {"en": "en_IN", "es": "es_ES", "fr": "fr_FR", "pt": "pt_BR", "ar": "ar_EG", "hi": "hi_IN"}
DEFAULT_CURRENCY = "INR"


def money(amount: float | Decimal, language: str, currency: str | None = None) -> str:
    """An amount with its currency as the language writes it: `₹1,240.00`, `1.240,00 INR`."""
    return format_currency(amount, currency or DEFAULT_CURRENCY, locale=LOCALES.get(language, "en_IN"))


def day(value: date, language: str) -> str:
    """A date in the language's medium form: `5 Jan 2026`, `5 ene 2026`."""
    return format_date(value, format="medium", locale=LOCALES.get(language, "en_IN"))


def moment(value: datetime, language: str, timezone: str = "Asia/Kolkata") -> str:
    """A date and time in the language's short form, in the plant's time zone."""
    return format_datetime(value, format="short", tzinfo=timezone, locale=LOCALES.get(language, "en_IN"))


def month(value: date, language: str) -> str:
    """A month and year: `November 2026`, `noviembre de 2026`."""
    return format_skeleton("yMMMM", value, locale=LOCALES.get(language, "en_IN"))
