"""Field types for plugins' event data models: what a business system must send, checked at
the door, described exactly in the OpenAPI document, and named in the 422 when it is not."""

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue, WithJsonSchema
from pydantic_core import core_schema

from gateway import rfc3339

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")]


def _amount(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise ValueError("must be a number of 0 or more, such as 1860 or 499.5")
    return value


Amount = Annotated[
    int | float,
    BeforeValidator(_amount),
    WithJsonSchema({"type": "number", "minimum": 0, "description": "a number of 0 or more, such as 1860 or 499.5"}),
]
Day = Annotated[rfc3339.Date, Field(description="a date, such as 2026-01-10")]
Moment = Annotated[rfc3339.Time, Field(description="an RFC 3339 time with its offset, such as 2026-01-06T06:00:00+05:30")]
Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="a month, such as 2026-01")]


class one_of:
    """A word from `values`, in any case, kept as written (templates show it as sent); the
    document lists the words as a pattern that matches them in any case."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        words = "|".join("".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in v) for v in self.values)
        return handler(schema) | {
            "pattern": rf"^\s*({words})\s*$",
            "description": f"one of {', '.join(self.values)}, in any case",
        }

    def _check(self, value: str) -> str:
        if value.strip().lower() not in self.values:
            raise ValueError(f"must be one of {', '.join(self.values)}")
        return value
