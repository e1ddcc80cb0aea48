"""Audit periods (calendar months) and their time-zone-correct bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")
_MAX_RANGE = 120  # months in one range: ten years is a typo, not an audit plan

#: The accepted forms of a period, as every message and help text names them.
PERIOD_FORMS = "2026-10 (a month), 2026-08..2026-10 (a range) or previous (last month)"


class PeriodError(ValueError):
    """A text that is not a period; the message names the accepted forms (one wording everywhere)."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not a period ({reason}); use {PERIOD_FORMS}")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, the unit of every audit."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            text = f"{self.year}-{self.month:02d}"
            reason = "no such month" if not 1 <= self.month <= 12 else "year out of range 1900-9999"
            raise PeriodError(text, reason)

    @classmethod
    def parse(cls, text: str, today: date | None = None) -> Period:
        """Parse `YYYY-MM`, or `previous` (the month before `today`, default: today in UTC)."""
        given = text
        text = text.strip()
        if text == "previous":
            today = today or datetime.now(timezone.utc).date()
            return cls(today.year, today.month).shift(-1)
        if ".." in text:
            raise PeriodError(given, "one month expected, not a range")
        m = _PERIOD_RE.match(text)
        if not m:
            raise PeriodError(given, "expected YYYY-MM")
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(given, "no such month")
        if not 1900 <= year <= 9999:
            raise PeriodError(given, "year out of range 1900-9999")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Period:
        """The period `months` later (negative: earlier)."""
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return self.shift(1).first_day

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next_first_day.toordinal() - 1)

    def bounds_utc(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) of this month in the site's local time zone, as UTC datetimes."""
        zone = zone_info(tz)
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        nxt = self.next_first_day
        end = datetime(nxt.year, nxt.month, 1, tzinfo=zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def zone_info(tz: str) -> ZoneInfo:
    """The IANA zone `tz`, or a ConfigError naming it."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {tz!r}") from exc


def parse_periods(text: str, today: date | None = None) -> tuple[Period, ...]:
    """Parse one period or an inclusive range `YYYY-MM..YYYY-MM`, in order.

    Every failure is a `PeriodError` whose message names the accepted forms, so each command
    and the settings file report a bad period in the same words.
    """
    if ".." not in text:
        return (Period.parse(text, today),)
    first_text, last_text = text.split("..", 1)
    try:
        first, last = Period.parse(first_text, today), Period.parse(last_text, today)
    except PeriodError as exc:
        raise PeriodError(text, f"{exc.text.strip() or 'empty'!r}: {exc.reason}") from None
    if last < first:
        raise PeriodError(text, "the range ends before it starts")
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > _MAX_RANGE:
        raise PeriodError(text, f"the range spans more than {_MAX_RANGE} months")
    return tuple(first.shift(i) for i in range(count))
