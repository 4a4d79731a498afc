"""Days as people write them, in their language, with day and month in their locale's order."""

import threading
from datetime import date

import pytest

from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.dates import parse_day, read_day

TODAY = date(2026, 12, 1)


def conversation(language: str, locale: str = "") -> Conversation:
    return Conversation("+919812345678", language, Catalog(), idempotency_key="m1", locale=locale)


@pytest.mark.parametrize(
    ("language", "text", "meant"),
    [
        ("en", "15 Dec", date(2026, 12, 15)),
        ("en", "24/12", date(2026, 12, 24)),
        ("en", "tomorrow", date(2026, 12, 2)),
        ("en", "2026-12-24", date(2026, 12, 24)),
        ("en", "24 December 2026", date(2026, 12, 24)),
        ("es", "mañana", date(2026, 12, 2)),
        ("es", "24 dic", date(2026, 12, 24)),
        ("es", "24 de diciembre de 2026", date(2026, 12, 24)),
        ("fr", "demain", date(2026, 12, 2)),
        ("fr", "24 déc.", date(2026, 12, 24)),
        ("pt", "amanhã", date(2026, 12, 2)),
        ("pt", "24 dez", date(2026, 12, 24)),
        ("ar", "غدا", date(2026, 12, 2)),
        ("ar", "غدًا", date(2026, 12, 2)),
        ("ar", "٢٤ ديسمبر", date(2026, 12, 24)),
        ("hi", "कल", date(2026, 12, 2)),  # yesterday or tomorrow: a day asked for is ahead
        ("hi", "24 दिसंबर", date(2026, 12, 24)),
        ("hi", "tomorrow", date(2026, 12, 2)),  # English is understood in every language
    ],
)
def test_a_day_as_people_write_it(language, text, meant):
    assert parse_day(text, conversation(language), TODAY) == meant


def test_day_and_month_follow_the_contacts_locale():
    assert parse_day("05/01", conversation("en", "en_IN"), TODAY) == date(2027, 1, 5)
    assert parse_day("05/01", conversation("en", "en_US"), TODAY) == date(2027, 5, 1)


@pytest.mark.parametrize("text", ["whenever", "soon please", "2026-02-30", ""])
def test_text_naming_no_day_is_none(text):
    assert parse_day(text, conversation("en"), TODAY) is None


@pytest.mark.parametrize(
    ("language", "text", "meant"),
    [
        ("ar", "بكرة", date(2026, 12, 2)),  # colloquial tomorrow
        ("ar", "بكره", date(2026, 12, 2)),
        ("ar", "بعد بكرة", date(2026, 12, 3)),
        ("hi", "परसों", date(2026, 12, 3)),  # before yesterday or after tomorrow: ahead
        ("es", "pasado mañana", date(2026, 12, 3)),
        ("es", "Pasado mañana.", date(2026, 12, 3)),
        ("fr", "après-demain", date(2026, 12, 3)),
        ("pt", "depois de amanhã", date(2026, 12, 3)),
        ("en", "the day after tomorrow", date(2026, 12, 3)),
    ],
)
def test_tomorrow_and_the_day_after_as_people_say_them(language, text, meant):
    assert parse_day(text, conversation(language), TODAY) == meant


def test_a_long_message_is_no_day():
    assert parse_day("tomorrow " + "please " * 100, conversation("en"), TODAY) is None


async def test_dateparser_runs_off_the_event_loop_thread_and_iso_dates_on_it(monkeypatch):
    import dateparser

    threads = []
    parse = dateparser.parse

    def recording(*args, **kwargs):
        threads.append(threading.get_ident())
        return parse(*args, **kwargs)

    monkeypatch.setattr(dateparser, "parse", recording)
    assert await read_day("24 dic", conversation("es"), TODAY) == date(2026, 12, 24)
    assert threads and threading.get_ident() not in threads, "the parse blocked every other conversation"
    assert await read_day("2026-12-24", conversation("es"), TODAY) == date(2026, 12, 24)
    assert await read_day("بكرة", conversation("ar"), TODAY) == date(2026, 12, 2)
    assert len(threads) == 1, "ISO dates and day words need no dateparser"
