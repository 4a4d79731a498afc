"""Times and dates at the API's door as RFC 3339 (`2026-01-06T06:00:00+05:30`, `2026-01-10`), the
formats the OpenAPI document names: a number or a space-separated time is refused, not guessed at."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator

_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _time(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _TIME.fullmatch(value):
        try:
            return datetime.fromisoformat(value.upper())
        except ValueError:
            pass
    raise ValueError("must be an RFC 3339 time with its offset, such as 2026-01-06T06:00:00+05:30")


def _date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be a date written YYYY-MM-DD, such as 2026-01-10")


Time = Annotated[AwareDatetime, BeforeValidator(_time)]
"""A moment with its offset, written as RFC 3339 (a datetime from Python code passes as it is)."""
Date = Annotated[date, BeforeValidator(_date)]
"""A calendar day, written YYYY-MM-DD."""
