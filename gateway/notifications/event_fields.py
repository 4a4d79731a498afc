"""Field types for plugins' event data models: what a business system must send, checked at
the door and named in the 422 when it is not."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _amount(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError("must be a number of 0 or more, such as 1860 or 499.5")
    return value


Amount = Annotated[int | float, BeforeValidator(_amount), Field(description="a number, such as 1860 or 499.5")]
Day = Annotated[date, Field(description="an ISO date, such as 2026-01-10")]
Moment = Annotated[AwareDatetime, Field(description="an ISO 8601 time with its offset, such as 2026-01-06T06:00:00+05:30")]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="a month, such as 2026-01")]


def one_of(*values: str) -> AfterValidator:
    """A word from `values`, in any case, kept as written (templates show it as sent)."""

    def check(value: str) -> str:
        if value.strip().lower() not in values:
            raise ValueError(f"must be one of {', '.join(values)}")
        return value

    return AfterValidator(check)
