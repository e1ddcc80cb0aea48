"""Periods: parsing, shifting and time-zone-correct month bounds."""

from datetime import date, datetime, timezone

import pytest

from vendoraudit.errors import ConfigError
from vendoraudit.periods import Period, parse_periods


def test_parse_and_text():
    assert str(Period.parse("2026-10")) == "2026-10"
    with pytest.raises(ValueError):
        Period.parse("2026-13")
    with pytest.raises(ValueError):
        Period.parse("Oct 2026")


def test_previous_crosses_the_year():
    assert Period.parse("previous", today=date(2027, 1, 1)) == Period(2026, 12)
    assert Period.parse("previous", today=date(2026, 11, 23)) == Period(2026, 10)


def test_shift_and_days():
    p = Period(2026, 2)
    assert p.shift(-2) == Period(2025, 12)
    assert p.shift(11) == Period(2027, 1)
    assert p.last_day == date(2026, 2, 28)
    assert Period(2028, 2).last_day == date(2028, 2, 29)


def test_bounds_follow_the_site_time_zone():
    start, end = Period(2026, 10).bounds_utc("America/Chicago")
    assert start == datetime(2026, 10, 1, 5, tzinfo=timezone.utc)
    # November 1st 00:00 in Chicago is still daylight time (CDT, UTC-5): DST ends Nov 1 at 02:00.
    assert end == datetime(2026, 11, 1, 5, tzinfo=timezone.utc)
    start, _ = Period(2026, 10).bounds_utc("Asia/Manila")
    assert start == datetime(2026, 9, 30, 16, tzinfo=timezone.utc)


def test_unknown_zone_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        Period(2026, 10).bounds_utc("Mars/Olympus")


def test_ranges():
    assert parse_periods("2026-08..2026-10") == (Period(2026, 8), Period(2026, 9), Period(2026, 10))
    assert parse_periods("2026-10") == (Period(2026, 10),)
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_periods("2026-10..2026-08")


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-13", "no such month"), ("Oct 2026", "expected YYYY-MM"), ("2026-8", "expected YYYY-MM"),
    ("1899-12", "year out of range"), ("2026-10..2026-08", "ends before it starts"),
    ("2026-01..2036-12", "more than 120 months"), ("2026-08..nope", "'nope': expected YYYY-MM"),
])
def test_every_bad_period_names_the_accepted_forms(text: str, reason: str):
    from vendoraudit.periods import PERIOD_FORMS, PeriodError

    with pytest.raises(PeriodError) as caught:
        parse_periods(text)
    assert str(caught.value).startswith(f"{text!r} is not a period (")
    assert reason in str(caught.value)
    assert str(caught.value).endswith(f"use {PERIOD_FORMS}")
    assert "2026-10" in PERIOD_FORMS and "2026-08..2026-10" in PERIOD_FORMS and "previous" in PERIOD_FORMS


def test_one_month_refuses_a_range_in_the_same_words():
    from vendoraudit.periods import PERIOD_FORMS, PeriodError

    with pytest.raises(PeriodError, match="one month expected, not a range") as caught:
        Period.parse("2026-08..2026-10")
    assert PERIOD_FORMS in str(caught.value)
    assert parse_periods("previous", today=date(2026, 1, 5)) == (Period(2025, 12),)
