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
