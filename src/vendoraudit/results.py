"""Frozen result types shared across stages (no I/O, no polars frames).

Stage-specific results live with their stage (scoring, money, audit) but build on these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

# Field metadata of a value that names another party (the in-house center's sites, another vendor's
# files): the internal documents carry it, a vendor's scorecard JSON leaves it out (report_json).
INTERNAL_ONLY = MappingProxyType({"internal_only": True})


class Direction(StrEnum):
    """Which way is better for a metric or KPI."""

    HIGHER = "higher"
    LOWER = "lower"


class Unit(StrEnum):
    """The unit a metric value is expressed in. Proportions are percentages (0..100)."""

    PERCENT = "percent"  # 0..100
    POINTS = "points"  # a 0..100 score (QA) or -100..100 (NPS, CES index)
    MEAN = "mean"  # mean of a rating scale (CSAT mean 1..5, CES mean 1..7)
    SECONDS = "seconds"
    HOURS = "hours"
    COUNT = "count"


class Severity(StrEnum):
    """Severity of a data issue: errors quarantine the row, warnings only inform."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Interval:
    """A 95% confidence interval in the unit of its metric's value."""

    low: float
    high: float
    method: str  # "wilson", "nps-variance", "mean-normal"


@dataclass(frozen=True)
class MetricResult:
    """One metric over one population: value with its arithmetic, sample and interval.

    `value` is None when there is no data (n == 0 or denominator 0): never NaN.
    `params` are the variant parameters actually used, as sorted (name, value) pairs.
    """

    metric_id: str
    value: float | None
    unit: Unit
    n: int
    numerator: float | None = None
    denominator: float | None = None
    interval: Interval | None = None
    variant: str = "default"
    params: tuple[tuple[str, str], ...] = ()
    min_sample: int = 0
    note: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def is_insufficient(self) -> bool:
        """True when there is no value or fewer observations than the minimum sample."""
        return self.value is None or self.n < self.min_sample


@dataclass(frozen=True)
class Site:
    """A site and what the contracts say about it for one period."""

    site_id: str
    vendor_id: str
    timezone: str
    in_house: bool
    name: str = ""


@dataclass(frozen=True)
class SiteDirectory:
    """Every known site of a period: which vendor runs it, its time zone, whether in-house."""

    sites: tuple[Site, ...] = field(default_factory=tuple)

    def get(self, site_id: str) -> Site | None:
        return next((s for s in self.sites if s.site_id == site_id), None)

    def timezone_of(self, site_id: str, default: str = "UTC") -> str:
        site = self.get(site_id)
        return site.timezone if site else default

    def sites_of(self, vendor_id: str) -> tuple[str, ...]:
        return tuple(s.site_id for s in self.sites if s.vendor_id == vendor_id)

    @property
    def in_house_sites(self) -> tuple[str, ...]:
        return tuple(s.site_id for s in self.sites if s.in_house)
