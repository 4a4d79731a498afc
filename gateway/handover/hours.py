"""When the support team is in (GATEWAY_SUPPORT_HOURS in GATEWAY_SUPPORT_TIME_ZONE): a contact
who asks for a person outside these hours is told when someone will be back, and their wait is
counted from then."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone_name

from gateway.conversation.locality import LANGUAGE_LOCALES

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "always"
_SPAN = re.compile(r"^(?P<days>[a-z,\-]+)\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$")


@dataclass(frozen=True)
class SupportHours:
    """Opening times by weekday (0 = Monday) in one time zone; no times at all means always open."""

    zone: ZoneInfo
    spans: tuple[tuple[int, time, time], ...] = ()

    @classmethod
    def parse(cls, text: str, zone: str) -> "SupportHours":
        """Read e.g. `mon-fri 09:00-18:00; sat 10:00-14:00`, or `always`; ValueError names the part at fault."""
        spans: list[tuple[int, time, time]] = []
        if text.strip().lower() != ALWAYS:
            for part in (part.strip().lower() for part in text.split(";") if part.strip()):
                spans += _spans(part)
            if not spans:
                raise ValueError(f"give days and hours, as in 'mon-sat 09:00-18:00', or '{ALWAYS}'")
        return cls(ZoneInfo(zone), tuple(spans))

    def is_open(self, moment: datetime) -> bool:
        if not self.spans:
            return True
        local = moment.astimezone(self.zone)
        return any(day == local.weekday() and start <= local.time() < end for day, start, end in self.spans)

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself while the team is in, else when it is next in."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        for ahead in range(8):
            date = (local + timedelta(days=ahead)).date()
            starts = sorted(start for day, start, _ in self.spans if day == date.weekday())
            for start in starts:
                opening = datetime.combine(date, start, self.zone)
                if opening > local:
                    return opening
        raise AssertionError("a week holds every weekday")  # spans is not empty when closed

    def describe(self, moment: datetime, language: str) -> str:
        """A moment as the contact reads it: weekday, time and the zone's name, e.g. `Monday 09:00 IST`,
        `الاثنين 09:00 توقيت الهند`."""
        locale = LANGUAGE_LOCALES.get(language, "en_IN")
        abbreviation = moment.astimezone(self.zone).tzname() or ""
        name = get_timezone_name(self.zone, locale=locale)
        # an abbreviation such as IST names the zone for readers of Latin letters, not in Arabic or
        # Hindi, whose own name for it Babel has; an offset such as -03 names it for nobody
        zone = abbreviation if abbreviation.isalpha() and _latin(name) else name
        return f"{format_datetime(moment, 'EEEE HH:mm', tzinfo=self.zone, locale=locale)} {zone}"


def _latin(text: str) -> bool:
    return all(unicodedata.name(character, "").startswith("LATIN") for character in text if character.isalpha())


def _spans(part: str) -> list[tuple[int, time, time]]:
    matched = _SPAN.match(part)
    if matched is None:
        raise ValueError(f"{part!r} is not days and hours, as in 'mon-sat 09:00-18:00'")
    try:
        start, end = time.fromisoformat(matched["start"]), time.fromisoformat(matched["end"])
    except ValueError:
        raise ValueError(f"{part!r} has a time that is not HH:MM") from None
    if end <= start:
        raise ValueError(f"{part!r} closes before it opens")
    return [(day, start, end) for day in _days(matched["days"], part)]


def _days(text: str, part: str) -> list[int]:
    days: list[int] = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{part!r} names a day that is not one of {', '.join(DAYS)}")
        start, stop = DAYS.index(first), DAYS.index(last or first)
        days += [day % 7 for day in range(start, stop + 1 if stop >= start else stop + 8)]
    return days
