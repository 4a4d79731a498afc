"""Where a contact reads the bot: their time zone and locale, from their own settings, else
their phone number's country, else the deployment's defaults (GATEWAY_TIME_ZONE, GATEWAY_LOCALE)."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale
from babel.localedata import locale_identifiers
from phonenumbers import timezone as phone_time_zones

from gateway.phone import SIMULATED_PREFIX

LANGUAGE_LOCALES = {"en": "en_IN", "es": "es_ES", "fr": "fr_FR", "pt": "pt_BR", "ar": "ar_EG", "hi": "hi_IN"}
"""Each language's locale where the contact's territory has none of its own (Spanish in India)."""
DEFAULT_TIME_ZONE = "Asia/Kolkata"
DEFAULT_LOCALE = "en_IN"
DEFAULT_CURRENCY = "INR"
TIME_ZONE_SETTING, LOCALE_SETTING = "time_zone", "locale"
MAIN_TIME_ZONES = {
    "US": "America/New_York", "CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago", "EC": "America/Guayaquil",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "FR": "Europe/Paris", "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv", "KZ": "Asia/Almaty", "MN": "Asia/Ulaanbaatar", "ID": "Asia/Jakarta",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "CD": "Africa/Kinshasa",
}
"""Where most people of a country with several zones live: its mobiles have no area to place them."""


def known_time_zone(name: str) -> str:
    """`name` if it is an IANA time zone, else ValueError saying what is expected."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone, such as Asia/Kolkata or America/New_York") from None
    return name


def current_time_zone(name: str) -> str:
    """The zone's current IANA name for an old one ("Asia/Calcutta" is "Asia/Kolkata", as
    phonenumbers still answers), so zones compare by name and operators recognise them."""
    current = _ZONE_ALIASES.get(name, name)
    return current if current in _KNOWN_TIME_ZONES else name


def known_locale(name: str) -> str:
    """`name` if Babel knows it as a locale (`es_MX`, `en_US`, `hi`), else ValueError."""
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError("must be a locale such as en_IN, es_MX or fr_CA") from None
    return name


@dataclass(frozen=True)
class Locality:
    """The deployment's defaults, and from them where each contact reads the bot."""

    time_zone: str = DEFAULT_TIME_ZONE
    locale: str = DEFAULT_LOCALE
    currency: str = DEFAULT_CURRENCY

    def time_zone_of(self, contact: str, settings: Mapping[str, Any]) -> str:
        """The contact's own zone, else their number's when its country has one, else ours."""
        return current_time_zone(settings.get(TIME_ZONE_SETTING) or _number_time_zone(contact) or self.time_zone)

    def locale_of(self, contact: str, settings: Mapping[str, Any], language: str) -> str:
        """The conversation's language as written in the contact's territory (their locale
        setting's, else their number's country, else GATEWAY_LOCALE's): `es` for a +52 number
        is `es_MX`. A language the territory has no locale for is GATEWAY_LOCALE when that is
        in the same language (`es` in India for GATEWAY_LOCALE=es_MX), else its own (`fr_FR`)."""
        territory = (
            _territory(settings.get(LOCALE_SETTING)) or _number_territory(contact) or _territory(self.locale)
        )
        return _locale(language, territory, self.locale)


def _territory(locale: str | None) -> str | None:
    try:
        return parse_locale(locale)[1] if locale else None
    except ValueError:
        return None


@lru_cache(maxsize=4_096)
def _locale(language: str, territory: str | None, deployment: str) -> str:
    candidate = f"{language}_{territory}"
    if territory and candidate in _KNOWN_LOCALES:
        return candidate
    if _language(deployment) == language:
        return deployment
    return LANGUAGE_LOCALES.get(language, DEFAULT_LOCALE)


def _language(locale: str) -> str | None:
    try:
        return parse_locale(locale)[0]
    except ValueError:
        return None


def _number(contact: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(contact.removeprefix(SIMULATED_PREFIX), None)
    except phonenumbers.NumberParseException:
        return None  # a Meta business-scoped id, which has no number


@lru_cache(maxsize=65_536)
def _number_time_zone(contact: str) -> str | None:
    """The zone of the number's area when it has exactly one, else its country's main zone
    (a Spanish mobile is Madrid's, not the Canaries'), else its country's only one; a number
    of no country (+1 555…, a business-scoped id) leaves the choice to the deployment."""
    number = _number(contact)
    if number is None:
        return None
    zones = phone_time_zones.time_zones_for_number(number)
    if len(zones) == 1 and zones[0] != phone_time_zones.UNKNOWN_TIMEZONE:
        return zones[0]
    country = phonenumbers.region_code_for_number(number)
    country_zones = _TERRITORY_ZONES.get(country, ())
    return MAIN_TIME_ZONES.get(country) or (country_zones[0] if len(country_zones) == 1 else None)


@lru_cache(maxsize=65_536)
def _number_territory(contact: str) -> str | None:
    number = _number(contact)
    return phonenumbers.region_code_for_number(number) if number else None


_KNOWN_LOCALES = frozenset(locale_identifiers())
_KNOWN_TIME_ZONES = frozenset(available_timezones())
_ZONE_ALIASES: Mapping[str, str] = get_global("zone_aliases")
_TERRITORY_ZONES: Mapping[str, list[str]] = get_global("territory_zones")
