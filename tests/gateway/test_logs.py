"""Logs: one JSON object a line, a request id that follows a message from webhook to send,
phone numbers masked, and no secrets or message bodies."""

import io
import json
import logging
import sys

import pytest

from gateway.logs import JsonFormatter, TextFormatter, masked, request_id
from gateway.phone import InvalidPhoneNumber, to_e164
from gateway.testing import meta_headers
from tests.gateway_fixtures import META_SECRET, eventually, meta_text


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_phone_numbers_are_masked_but_for_the_last_four_digits():
    assert masked("from +919812345678 and 14155550100, order 4411") == "from ****5678 and ****0100, order 4411"


def test_ids_are_never_masked_even_where_they_hold_a_long_run_of_digits():
    line = "message 18ed04048b48cf612c24b25995644109 from +919812345678, job 7f3a0000123456789012"
    assert masked(line) == "message 18ed04048b48cf612c24b25995644109 from ****5678, job 7f3a0000123456789012"


def test_digit_only_ids_and_dates_are_never_masked():
    line = "media 1037543291543636 for phone-number id 106540352242922 at 2026-12-01 10:00:00"
    assert masked(line) == line


def test_a_phone_number_written_any_way_is_masked():
    line = "to whatsapp:+14155550100, +91 98123 45678 and wa_id 919812345678"
    assert masked(line) == "to whatsapp:****0100, ****5678 and wa_id ****5678"


def test_a_bad_phone_number_is_shown_back_to_whoever_sent_it():
    with pytest.raises(InvalidPhoneNumber, match="^'bogus' is not an international phone number"):
        to_e164("bogus")


def test_a_json_line_has_time_level_logger_message_and_request_id():
    token = request_id.set("abc123")
    try:
        record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, "sent to %s", ("+919812345678",), None)
        entry = json.loads(JsonFormatter().format(record))
        assert entry | {"time": "t"} == {
            "time": "t",
            "level": "INFO",
            "logger": "gateway.test",
            "message": "sent to ****5678",
            "request_id": "abc123",
        }
        assert TextFormatter().format(record).endswith("sent to ****5678 [request abc123]")
    finally:
        request_id.reset(token)


async def test_one_request_id_follows_a_message_from_webhook_to_send(gateway, stand_ins, json_lines):
    body = json.dumps(meta_text("wamid.LOG", "my order number is 4411")).encode()
    await gateway.post("/webhooks/meta", data=body, headers=meta_headers(body, META_SECRET))
    await stand_ins.meta.wait_for(1)

    async def logged_sent() -> list[dict]:
        lines = [line for line in json_lines() if line["logger"].startswith("gateway")]
        return lines if any(line["message"].startswith("sent job") for line in lines) else []

    lines = await eventually(logged_sent)
    stored = next(line for line in lines if line["message"].startswith("stored meta message"))
    trail = [line["message"].split(" ")[0] for line in lines if line["request_id"] == stored["request_id"]]
    assert trail[:2] == ["stored", "processing"] and "sent" in trail
    text = json.dumps(lines)
    assert "919812345678" not in text and "my order number" not in text
    assert META_SECRET not in text and "EAAG-token" not in text


FORGED = "call.ended\r\n2026-11-30 23:59:59,000 INFO gateway.admin: operator root signed in\u2028\x85\x1b[2J"


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_a_value_with_line_breaks_cannot_forge_a_log_line(formatter):
    record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, "ignoring event %s", (FORGED,), None)
    line = formatter.format(record)
    assert len(line.splitlines()) == 1 and "\x1b" not in line
    assert "\\r\\n2026-11-30" in line


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_an_exception_is_logged_on_one_line_too(formatter):
    try:
        raise ValueError(FORGED)
    except ValueError:
        record = logging.LogRecord("gateway.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(record)
    assert len(line.splitlines()) == 1 and "ValueError: call.ended" in line


def test_json_lines_still_read_back_as_what_was_logged():
    record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, "%s", (FORGED,), None)
    assert json.loads(JsonFormatter().format(record))["message"] == FORGED
