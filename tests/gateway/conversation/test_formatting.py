"""Dates, times, numbers and money as each reader writes them: their locale, their time zone
(named when it is not the deployment's), dates never all digits, one currency presentation."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from gateway.conversation.formatting import Recipient, day, duration, moment, money, month, number, percent, time_of_day
from gateway.conversation.locality import LANGUAGE_LOCALES

INDIA = "Asia/Kolkata"
SIX = list(LANGUAGE_LOCALES.values())


def reader(locale: str, zone: str = INDIA) -> Recipient:
    return Recipient(locale, zone, INDIA)


@pytest.mark.parametrize("locale", SIX)
def test_a_date_always_writes_its_month_in_words(locale):
    shown = day(date(2026, 12, 1), reader(locale))
    assert "2026" in shown and not re.fullmatch(r"[\d/.\-\s\u200f]+", shown), shown


def test_dates_in_each_language():
    shown = {locale: day(date(2026, 12, 1), reader(locale)) for locale in [*SIX, "en_US"]}
    assert shown == {
        "en_IN": "1 Dec 2026",
        "es_ES": "1 dic 2026",
        "fr_FR": "1 déc. 2026",
        "pt_BR": "1 de dez. de 2026",
        "ar_EG": "1 ديسمبر 2026",
        "hi_IN": "1 दिस॰ 2026",
        "en_US": "Dec 1, 2026",
    }


def test_a_time_is_converted_into_the_readers_zone_and_names_it_when_not_the_deployments():
    deadline = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 15:30 in India
    assert moment(deadline, reader("en_IN")) == "1 Dec 2026, 3:30\u202fPM"
    assert moment(deadline, reader("en_US", "America/New_York")) == "Dec 1, 2026, 5:00\u202fAM EST"
    assert moment(deadline, reader("es_US", "America/Chicago")) == "1 dic 2026, 4:00\u202fa.m. CST"
    assert moment(deadline, reader("es_ES", "Europe/Madrid")) == "1 dic 2026, 11:00 CET"
    assert moment(deadline, reader("fr_FR", "America/New_York")) == "1 déc. 2026, 05:00 (New York)"
    in_cairo = moment(deadline, reader("ar_EG", "Africa/Cairo"))
    assert in_cairo.startswith("1 ديسمبر 2026") and "(القاهرة)" in in_cairo


def test_a_naive_time_is_the_deployments():
    assert moment(datetime(2026, 12, 1, 10, 0), reader("en_US", "America/New_York")) == "Nov 30, 2026, 11:30\u202fPM EST"


def test_a_daily_time_reads_on_the_readers_clock():
    assert time_of_day(time(7, 0), date(2026, 12, 1), reader("en_IN")) == "7:00\u202fAM"
    assert time_of_day(time(7, 0), date(2026, 12, 1), reader("fr_FR")) == "07:00"
    assert time_of_day(time(7, 0), date(2026, 12, 1), reader("en_US", "America/New_York")) == "8:30\u202fPM EST"


@pytest.mark.parametrize("locale", SIX)
def test_rupees_show_their_symbol_in_every_language(locale):
    shown = money(1860, "INR", reader(locale))
    assert "₹" in shown and "INR" not in shown and "860" in shown


def test_money_percentages_and_numbers_in_each_language():
    assert [money(1860, "INR", reader(locale)) for locale in ("en_IN", "es_ES", "fr_FR", "pt_BR")] == [
        "₹1,860.00",
        "1.860,00\xa0₹",
        "1\u202f860,00\xa0₹",
        "₹\xa01.860,00",
    ]
    assert money(12.5, "USD", reader("en_US")) == "$12.50"
    assert [percent(98.5, reader(locale)) for locale in ("en_IN", "es_ES", "fr_FR", "pt_BR")] == [
        "98.5%",
        "98,5\xa0%",
        "98,5\xa0%",
        "98,5%",
    ]
    assert number(18600.5, reader("es_ES")) == "18.600,5" and number(18600.5, reader("en_IN")) == "18,600.5"


def test_months_stand_alone_with_their_grammar():
    november = date(2026, 11, 1)
    assert month(november, reader("es_ES")) == "noviembre de 2026"
    assert month(november, reader("pt_BR")) == "novembro de 2026"
    assert month(november, reader("fr_FR")) == "novembre 2026"
    assert month(november, reader("en_IN")) == "November 2026"


def test_durations_in_words():
    assert duration(timedelta(hours=5), reader("es_ES")) == "5 horas"
    assert duration(timedelta(hours=5), reader("ar_EG")) == "5 ساعات"
