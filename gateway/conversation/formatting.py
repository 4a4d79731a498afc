"""Dates, times, numbers, percentages and money as the reader writes them (Babel's locale data):
in their locale, times converted into their time zone and naming it when it is not the
deployment's, dates never all digits, one presentation of each currency in every language."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, format_timedelta, get_timezone_location
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol

from gateway.conversation.locality import DEFAULT_CURRENCY, DEFAULT_TIME_ZONE, LANGUAGE_LOCALES


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class Reader(Protocol):
    """Whoever a text is for: a plugin's Conversation, or a notification's Recipient."""

    @property
    def locale(self) -> str: ...

    @property
    def time_zone(self) -> str: ...

    @property
    def home_time_zone(self) -> str: ...


@dataclass(frozen=True)
class Recipient:
    """A reader outside a conversation: the contact a notification is rendered for."""

    locale: str = LANGUAGE_LOCALES["en"]
    time_zone: str = DEFAULT_TIME_ZONE
    home_time_zone: str = DEFAULT_TIME_ZONE


def day(value: date, reader: Reader) -> str:
    """A date with its month in words: `1 Dec 2026`, `Dec 1, 2026`, `1 dic 2026`, never
    `01/12/26`; a datetime gives the day it is on the reader's clock."""
    if isinstance(value, datetime):
        value = in_reader_zone(value, reader).date()
    return format_skeleton("yMMMd", value, locale=reader.locale)


def moment(value: datetime, reader: Reader) -> str:
    """A date and time in the reader's zone: `1 Dec 2026, 10:00 AM`, and `… 11:30 PM EST` for a
    reader outside the deployment's zone. A naive value is taken as the deployment's time."""
    local = in_reader_zone(value, reader)
    pattern = Locale.parse(reader.locale).datetime_formats["medium"]
    return pattern.replace("{1}", day(local.date(), reader)).replace("{0}", _time(local, reader))


def time_of_day(value: time, on: date, reader: Reader) -> str:
    """A wall-clock time at the deployment on day `on` (a delivery slot), as the reader's
    clock shows it: `7:00 AM`, `21:30 (hora de Nueva York)` abroad."""
    return _time(in_reader_zone(datetime.combine(on, value), reader), reader)


def month(value: date, reader: Reader) -> str:
    """A month and year as a phrase stands alone: `November 2026`, `noviembre de 2026`."""
    return format_skeleton("yMMMM", value, locale=reader.locale)


def money(amount: float | Decimal | str, currency: str | None, reader: Reader) -> str:
    """An amount with its currency's symbol in every language: `₹1,860.00`, `1.860,00 ₹`."""
    code = currency or DEFAULT_CURRENCY
    return format_currency(Decimal(str(amount)), code, locale=reader.locale).replace(code, _symbol(code, reader.locale))


def percent(value: float | Decimal, reader: Reader) -> str:
    """A percentage given in percent (98.5) with its decimals: `98.5%`, `98,5 %`."""
    return format_percent(Decimal(str(value)) / 100, locale=reader.locale, decimal_quantization=False)


def number(value: float | Decimal | int, reader: Reader) -> str:
    """A number with the locale's separators: `1,860.5`, `1.860,5`."""
    return format_decimal(value, locale=reader.locale, decimal_quantization=False)


def parameter(value: object, reader: Reader) -> str:
    """A value as plain text for a provider's approved template: an ISO date, or date and time,
    written as `day` or `moment` write it; anything else as it is."""
    text = str(value).strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return day(date.fromisoformat(text), reader)
        if _ISO_MOMENT.match(text):
            return moment(datetime.fromisoformat(text), reader)
    except ValueError:
        pass  # shaped like a date but none (2026-02-30): shown as sent
    return str(value)


def duration(span: timedelta, reader: Reader) -> str:
    """A span of time in words: `5 hours`, `2 días`."""
    return format_timedelta(span, threshold=2, locale=reader.locale)


def in_reader_zone(value: datetime, reader: Reader) -> datetime:
    """The moment on the reader's clock; a naive value is the deployment's time."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(reader.home_time_zone))
    return aware.astimezone(ZoneInfo(reader.time_zone))


def _time(local: datetime, reader: Reader) -> str:
    """The time in the locale's short form, with the reader's zone named when its offset at
    that moment is not the deployment's."""
    shown = format_time(local, "short", locale=reader.locale)
    if local.utcoffset() == local.astimezone(ZoneInfo(reader.home_time_zone)).utcoffset():
        return shown
    return f"{shown} {_zone_name(local, reader.locale)}"


def _zone_name(local: datetime, locale: str) -> str:
    """`EST`, `IST` where the language has an abbreviation, else the zone's city in the
    language: `(Nueva York)`, `(القاهرة)`."""
    abbreviation = format_time(local, "z", locale=locale)
    if abbreviation.isalpha():
        return abbreviation
    return f"({get_timezone_location(local.tzinfo, locale=locale, return_city=True)})"


@lru_cache(maxsize=256)
def _symbol(currency: str, locale: str) -> str:
    """The locale's symbol for the currency, else English's (`₹` where Spanish has only `INR`)."""
    own = get_currency_symbol(currency, locale)
    return own if own != currency else get_currency_symbol(currency, "en")
