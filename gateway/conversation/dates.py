"""Days as people write them in their language ("15 Dec", "24/12", "tomorrow", "mañana",
"demain", "amanhã", "غدا", "بكرة", "कल", "2026-12-24"), read with dateparser. Its import and
each language's first parse take a second or more (BENCHMARKS.md, issue 14), so it is loaded
only when a contact first answers a question asking for a date, in a worker thread (`read_day`)
so that other conversations do not wait for it."""

import asyncio
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from babel import Locale

if TYPE_CHECKING:
    from gateway.conversation.context import Conversation

_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_ORDER_LETTERS = {"d": "D", "M": "M", "y": "Y"}
_LONGEST = 100
"""Characters of the longest answer read as a day ("el 24 de diciembre de 2026, por favor")."""
_DAYS_AHEAD = {
    **dict.fromkeys(["بكرة", "بكره", "بكرا"], 1),
    **dict.fromkeys(["بعد بكرة", "بعد بكره", "بعد بكرا", "بعد غد", "بعد الغد", "بعد غدا"], 2),
    "परसों": 2,  # the day before yesterday or after tomorrow: a day asked for is ahead
    "pasado mañana": 2,
    **dict.fromkeys(["après-demain", "après demain", "apres-demain", "apres demain"], 2),
    **dict.fromkeys(["depois de amanhã", "depois de amanha"], 2),
    **dict.fromkeys(["day after tomorrow", "the day after tomorrow"], 2),
}
"""Days from today people name with words dateparser does not read (colloquial Arabic بكرة)."""


def parse_day(text: str, conversation: "Conversation", today: date) -> date | None:
    """The day `text` names, read in the conversation's language (and English), with day and
    month in the order of the contact's locale; a date without a year, a weekday or "tomorrow"
    is the next one from `today`. None when the text names no day."""
    if iso := _ISO.match(text):
        try:
            return date(*(int(part) for part in iso.groups()))
        except ValueError:
            return None
    if (days := _days_ahead(text)) is not None:
        return today + timedelta(days=days)
    if len(text) > _LONGEST:
        return None
    import dateparser  # a second to import: only once someone answers a date question

    found = dateparser.parse(
        text,
        languages=list(dict.fromkeys([conversation.language, "en"])),
        settings=_settings(conversation.locale, today),
    )
    return found.date() if found is not None else None


async def read_day(text: str, conversation: "Conversation", today: date) -> date | None:
    """`parse_day` for a turn on the event loop: ISO dates and day words at once, anything
    else in a worker thread, since dateparser's first use takes a second or more."""
    if _ISO.match(text) or _days_ahead(text) is not None or len(text) > _LONGEST:
        return parse_day(text, conversation, today)
    return await asyncio.to_thread(parse_day, text, conversation, today)


def _days_ahead(text: str) -> int | None:
    return _DAYS_AHEAD.get(" ".join(text.casefold().strip(" .!?¡¿؟।").split()))


def _settings(locale: str, today: date) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
        "PREFER_DATES_FROM": "future",  # Hindi कल is both yesterday and tomorrow: a date asked for is ahead
        "DATE_ORDER": day_month_order(locale),
        "PREFER_DAY_OF_MONTH": "first",
    }


@lru_cache(maxsize=256)
def day_month_order(locale: str) -> str:
    """`DMY`, `MDY` or `YMD`, as the locale writes a short date (en_IN 24/12/26, en_US 12/24/26)."""
    pattern = Locale.parse(locale).date_formats["short"].pattern
    letters = [_ORDER_LETTERS[letter] for letter in pattern if letter in _ORDER_LETTERS]
    return "".join(dict.fromkeys(letters))
