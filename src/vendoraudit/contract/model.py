"""The contract model: what a vendor promised and what a miss costs (declarations only).

Percentages are written as percents (10 means 10%). Money and percentages are Decimal.
KPI targets and minimums are in the unit of the KPI's metric (percent metrics 0..100).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..results import Direction

PeriodText = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="a month, YYYY-MM")]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
                                  description="letters, digits, '_', '.', '-'; no path separators")]
Percent = Annotated[Decimal, Field(ge=0, le=1000, description="a percentage: 10 means 10%")]
ParamValue = str | int | float | bool


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class VendorKind(StrEnum):
    IN_HOUSE = "in_house"
    OUTSOURCED = "outsourced"


class FeeModel(StrEnum):
    FIXED_MONTHLY = "fixed_monthly"  # amount is the monthly fee
    PER_CONTACT = "per_contact"  # amount x handled (answered) contacts of the month
    PER_FTE = "per_fte"  # amount x FTE of active agents in the month


class ScoringMethod(StrEnum):
    PASS_FAIL = "pass_fail"  # met = 10 points, missed = 0
    POINTS = "points"  # achievement/improvement points of spec/metrics.md
    BANDS = "bands"  # points from the band the value falls in


class RoundingLevel(StrEnum):
    KPI = "kpi"  # each KPI's credit or bonus line is rounded; totals are sums of rounded lines
    CATEGORY = "category"  # lines are summed per category, then each category line is rounded


class Vendor(_Model):
    id: Identifier
    name: str = Field(min_length=1, max_length=200)
    kind: VendorKind


class SiteTerms(_Model):
    id: Identifier
    name: str = ""
    timezone: str = Field(description="IANA time zone, e.g. Asia/Manila")


class Fees(_Model):
    model: FeeModel
    amount: Decimal = Field(ge=0, description="monthly fee, or rate per contact / per FTE")


class Criterion(_Model):
    id: Identifier
    title: str = ""
    points: Decimal = Field(gt=0)
    brand_promise: bool = False
    critical: bool = False
    floor: float | None = Field(default=None, description="consistency floor (points 0..100) for brand items")


class QaForm(_Model):
    pass_mark: float = Field(ge=0, le=100)
    min_evaluations_per_agent: int = Field(default=4, ge=1, description="k of QA coverage")
    criteria: list[Criterion] = Field(min_length=1)


class Filters(_Model):
    channels: list[str] | None = None
    queues: list[str] | None = None


class Band(_Model):
    at_least: float = Field(description="lower edge (higher-is-better) or upper edge (lower-is-better)")
    points: int = Field(ge=0, le=10)


class Scoring(_Model):
    method: ScoringMethod = ScoringMethod.PASS_FAIL
    threshold: float | None = Field(default=None, description="achievement threshold AT (points method)")
    benchmark: float | None = Field(default=None, description="benchmark BM (points method)")
    baseline: Literal["previous"] | PeriodText = Field(
        default="previous", description="the vendor's own baseline period for improvement points")
    bands: list[Band] = Field(default_factory=list)


class Kpi(_Model):
    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    metric: str = Field(description="a metric id of the KPI registry, e.g. ops.service_level")
    params: dict[str, ParamValue] = Field(default_factory=dict)
    filters: Filters = Filters()
    category: Identifier
    direction: Direction | None = Field(default=None, description="defaults to the metric's direction")
    target: float = Field(description="the goal; results at or beyond it can earn a bonus")
    minimum: float = Field(description="the service level; results worse than it are missed")
    weight: Decimal = Field(default=Decimal(0), ge=0, description="weight in the composite score")
    min_sample: int = Field(default=0, ge=0)
    scoring: Scoring = Scoring()
    credit_allocation: Percent = Field(default=Decimal(0), description="% of its category pool")
    bonus_allocation: Percent = Field(default=Decimal(0), description="% of the bonus pool")
    statistical_allowance: bool = Field(default=False, description="missed only if the interval is wholly worse")
    clause: str = Field(default="", description="the contract clause behind this KPI, e.g. 'Schedule B 2.1'")


class Category(_Model):
    id: Identifier
    title: str = ""
    pool_allocation: Percent = Field(description="% of the at-risk amount this category's misses draw on")


class Bonus(_Model):
    pool_percent: Percent = Field(description="bonus pool as % of monthly fees")
    cap_percent: Percent = Field(description="the month's bonus is capped at this % of monthly fees")
    clause: str = ""


class Withhold(_Model):
    percent: Percent = Field(description="w: % of fees withheld")
    slope: Decimal = Field(gt=0, description="exchange slope")
    clause: str = ""


class Rounding(_Model):
    level: RoundingLevel = RoundingLevel.KPI
    minor_unit: int = Field(default=2, ge=0, le=4, description="decimal places of the currency")


class Money(_Model):
    at_risk_percent: Percent
    pool_allocation_cap: Percent = Field(description="sum of category pool allocations may not exceed it")
    categories: list[Category] = Field(default_factory=list)
    bonus: Bonus | None = None
    withhold: Withhold | None = None
    earn_back_months: int | None = Field(default=None, ge=1, description="months met in a row to return a credit")
    rounding: Rounding = Rounding()
    clause: str = ""


class ExcusedDates(_Model):
    start: date
    end: date
    reason: str = Field(min_length=1)


class Excused(_Model):
    dates: list[ExcusedDates] = Field(default_factory=list)
    queues: list[str] = Field(default_factory=list)


class Amendment(_Model):
    """Terms that take effect from a period. Sections given replace the base ones;
    `kpis` are merged by id (a listed KPI replaces the one with its id or is added),
    `remove_kpis` drops KPIs by id."""

    id: Identifier
    effective_from: PeriodText
    reason: str = ""
    fees: Fees | None = None
    qa_form: QaForm | None = None
    kpis: list[Kpi] = Field(default_factory=list)
    remove_kpis: list[str] = Field(default_factory=list)
    money: Money | None = None
    excused: Excused | None = None


class Contract(_Model):
    """One vendor's contract as written, amendments included (see `terms_for`)."""

    schema_version: Literal[1] = 1
    contract_id: Identifier
    version: str = Field(default="1", description="the document's own version label")
    vendor: Vendor
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    effective_from: PeriodText
    effective_to: PeriodText | None = None
    sites: list[SiteTerms] = Field(min_length=1)
    fees: Fees | None = None
    qa_form: QaForm
    kpis: list[Kpi] = Field(default_factory=list)
    money: Money | None = None
    excused: Excused = Excused()
    amendments: list[Amendment] = Field(default_factory=list)
