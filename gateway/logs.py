"""Logging: one JSON object (or text line) per event, carrying the id of the request a
message arrived with, so it can be followed from webhook to send; phone numbers are masked
and control characters escaped in every line, whatever the code logged, so no value a
provider or user sent can forge a line."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The request a message arrived with; asyncio tasks inherit it, queued jobs carry it."""

_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s-]{6,}(\d{4})\b")
_LINE_BREAKING = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
_ESCAPES = {code: repr(chr(code))[1:-1] for code in _LINE_BREAKING}
# json.dumps escapes C0 itself; these it leaves raw, and line-splitting readers break on them.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _LINE_BREAKING if code >= 0x7F}


def masked(text: str) -> str:
    """Every run of 8 or more digits that looks like a phone number, masked but for its last 4."""
    return _PHONE.sub(lambda match: "****" + match.group(1), text)


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
