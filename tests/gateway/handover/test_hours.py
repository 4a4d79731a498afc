"""Support hours from settings: when the team is in, when it is next in, and how that reads."""

from datetime import UTC, datetime

import pytest

from gateway.handover.hours import SupportHours
from gateway.settings import Settings

INDIA = "Asia/Kolkata"


def test_the_team_is_in_during_its_hours_in_its_own_time_zone():
    hours = SupportHours.parse("mon-sat 09:00-18:00", INDIA)
    assert hours.is_open(datetime(2026, 1, 5, 3, 30, tzinfo=UTC)), "Monday 09:00 in India"
    assert not hours.is_open(datetime(2026, 1, 5, 3, 29, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 1, 5, 12, 30, tzinfo=UTC)), "18:00 closes"
    assert not hours.is_open(datetime(2026, 1, 4, 6, 0, tzinfo=UTC)), "Sunday"


def test_the_next_opening_is_now_while_open_else_the_next_start_even_next_week():
    hours = SupportHours.parse("mon-fri 09:00-13:00; mon-fri 14:00-18:00", INDIA)
    lunch = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # Monday 13:30 in India
    assert hours.next_opening(lunch) == datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
    friday_night = datetime(2026, 1, 9, 15, 0, tzinfo=UTC)
    assert hours.next_opening(friday_night) == datetime(2026, 1, 12, 3, 30, tzinfo=UTC)
    assert hours.next_opening(lunch.replace(hour=5)) == lunch.replace(hour=5)


def test_days_wrap_round_the_week_and_always_means_always():
    assert SupportHours.parse("fri-mon 10:00-12:00", "UTC").is_open(datetime(2026, 1, 4, 11, tzinfo=UTC))
    always = SupportHours.parse("always", INDIA)
    assert always.is_open(datetime(2026, 1, 4, 23, tzinfo=UTC))


def test_the_opening_reads_in_the_contacts_language_with_the_zone_named():
    hours = SupportHours.parse("mon-sat 09:00-18:00", INDIA)
    monday = datetime(2026, 1, 5, 3, 30, tzinfo=UTC)
    assert hours.describe(monday, "en") == "Monday 09:00 IST"
    assert hours.describe(monday, "es") == "lunes 09:00 IST"
    assert hours.describe(monday, "fr") == "lundi 09:00 IST"


def test_arabic_and_hindi_name_the_zone_in_their_own_words_not_in_latin_letters():
    hours = SupportHours.parse("mon-sat 09:00-18:00", INDIA)
    monday = datetime(2026, 1, 5, 3, 30, tzinfo=UTC)
    assert hours.describe(monday, "ar") == "الاثنين 09:00 توقيت الهند"
    assert hours.describe(monday, "hi") == "सोमवार 09:00 भारत समय"


@pytest.mark.parametrize(
    ("hours", "fault"),
    [
        ("mon-sat", "is not days and hours"),
        ("mon-funday 09:00-18:00", "names a day"),
        ("mon 18:00-09:00", "closes before it opens"),
        ("mon 25:00-26:00", "not HH:MM"),
        ("", "give days and hours"),
    ],
)
def test_unreadable_hours_are_refused_at_start_naming_the_variable(hours, fault):
    with pytest.raises(ValueError, match=f"GATEWAY_SUPPORT_HOURS: .*{fault}"):
        Settings(_env_file=None, support_hours=hours)


def test_an_unknown_time_zone_is_refused_at_start():
    with pytest.raises(ValueError, match="IANA time zone"):
        Settings(_env_file=None, support_time_zone="Mars/Olympus")
