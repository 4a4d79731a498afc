"""Logging: one JSON object (or text line) per event, carrying the id of the request a
message arrived with, so it can be followed from webhook to send; phone numbers are masked
and control characters escaped in every line, whatever the code logged, so no value a
provider or user sent can forge a line."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache

import phonenumbers

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The request a message arrived with; asyncio tasks inherit it, queued jobs carry it."""

_PHONE = re.compile(r"(?<!\w)(\+?)(\d[\d\s-]{6,}\d{4})\b")
_MOST_DIGITS = 15
"""E.164's longest number: a longer run of digits is an id, never a phone number."""
_LINE_BREAKING = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
_ESCAPES = {code: repr(chr(code))[1:-1] for code in _LINE_BREAKING}
# json.dumps escapes C0 itself; these it leaves raw, and line-splitting readers break on them.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _LINE_BREAKING if code >= 0x7F}


def masked(text: str) -> str:
    """Every phone number in the text masked but for its last 4 digits: a run of 8 to 15 digits
    written with a `+`, or without one where it would be a possible number. Longer runs (Meta's
    media and message ids) and numbers that no country has (phone-number ids) stay as they are."""
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(2))
    if len(digits) > _MOST_DIGITS or not (match.group(1) or _possible_number(digits)):
        return match.group(0)
    return "****" + digits[-4:]


@lru_cache(maxsize=4096)
def _possible_number(digits: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse("+" + digits, None))
    except phonenumbers.NumberParseException:
        return False


def escaped(text: str) -> str:
    """The text on one line: every control and line-separator character written as its escape."""
    return text.translate(_ESCAPES)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": masked(record.getMessage()),
            "request_id": request_id.get(),
        }
        if record.exc_info:
            entry["exception"] = masked(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False).translate(_JSON_ESCAPES)


class TextFormatter(logging.Formatter):
    """One line per event, a traceback included (its line breaks are escaped like any other)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        trace = request_id.get()
        return escaped(masked(super().format(record))) + (f" [request {trace}]" if trace else "")


def configure(level: str, form: str) -> None:
    """Send the gateway's logs to standard error as `json` or `text`, from `level` up."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if form == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
