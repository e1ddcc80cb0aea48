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
    """Base of every contract section: frozen, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class VendorKind(StrEnum):
    """Whether the client runs the site itself (the baseline) or buys the service."""

    IN_HOUSE = "in_house"
    OUTSOURCED = "outsourced"


class FeeModel(StrEnum):
    """How the monthly fee is computed."""

    FIXED_MONTHLY = "fixed_monthly"  # amount is the monthly fee
    PER_CONTACT = "per_contact"  # amount x handled (answered) contacts of the month
    PER_FTE = "per_fte"  # amount x FTE of active agents in the month


class ScoringMethod(StrEnum):
    """How a KPI result becomes 0..10 points."""

    PASS_FAIL = "pass_fail"  # met = 10 points, missed = 0
    POINTS = "points"  # achievement/improvement points of spec/metrics.md
    BANDS = "bands"  # points from the band the value falls in


class RoundingLevel(StrEnum):
    """Where money is rounded to the currency's minor unit."""

    KPI = "kpi"  # each KPI's credit or bonus line is rounded; totals are sums of rounded lines
    CATEGORY = "category"  # lines are summed per category, then each category line is rounded


class Vendor(_Model):
    """Who runs the sites of this contract."""

    id: Identifier = Field(description="the vendor id used in reports, e.g. ACME")
    name: str = Field(min_length=1, max_length=200, description="the vendor's name as printed on scorecards")
    kind: VendorKind = Field(description="in_house (the baseline) or outsourced")


class SiteTerms(_Model):
    """A site of the vendor: its site_id in the exports and its local time zone."""

    id: Identifier = Field(description="the site_id the exports carry, e.g. ACME-MNL")
    name: str = Field(default="", description="a readable site name")
    timezone: str = Field(description="IANA time zone, e.g. Asia/Manila")


class Fees(_Model):
    """The monthly fees, the base of at-risk amounts, bonuses and withholds."""

    model: FeeModel = Field(description="fixed_monthly, per_contact or per_fte")
    amount: Decimal = Field(ge=0, description="monthly fee, or rate per contact / per FTE")


class Criterion(_Model):
    """One item of the QA form."""

    id: Identifier = Field(description="the criterion_id of qa_items, e.g. empathy")
    title: str = Field(default="", description="a readable title")
    points: Decimal = Field(gt=0, description="points the item is worth")
    brand_promise: bool = Field(default=False, description="a brand-promise item, compared with the in-house baseline")
    critical: bool = Field(default=False, description="an auto-fail item: failing it scores the evaluation 0")
    floor: float | None = Field(default=None, description="consistency floor (points 0..100) for brand items")


class QaForm(_Model):
    """The QA (call review) form: its criteria and pass mark."""

    pass_mark: float = Field(ge=0, le=100, description="evaluations scoring at least this pass")
    min_evaluations_per_agent: int = Field(default=4, ge=1, description="k of QA coverage")
    criteria: list[Criterion] = Field(min_length=1, description="the items of the form")


class Filters(_Model):
    """Restricts a KPI to some channels and/or queues (absent: all)."""

    channels: list[str] | None = Field(default=None, description="phone, chat, email, whatsapp, sms, portal")
    queues: list[str] | None = Field(default=None, description="queue names as in the exports, e.g. claims")


class Band(_Model):
    """One band of the bands scoring method."""

    at_least: float = Field(description="lower edge (higher-is-better) or upper edge (lower-is-better)")
    points: int = Field(ge=0, le=10, description="points for a value in this band")


class Scoring(_Model):
    """How the KPI earns 0..10 points for the composite score."""

    method: ScoringMethod = Field(default=ScoringMethod.PASS_FAIL, description="pass_fail, points or bands")
    threshold: float | None = Field(default=None, description="achievement threshold AT (points method)")
    benchmark: float | None = Field(default=None, description="benchmark BM (points method)")
    baseline: Literal["previous"] | PeriodText = Field(
        default="previous", description="the vendor's own baseline period for improvement points")
    bands: list[Band] = Field(default_factory=list, description="bands method: listed from best to worst")


class Domain(_Model):
    """A domain of the composite score (the hospital program's model): its KPIs' points earned over
    points possible, scaled to 100, weighted; a domain with nothing scored is left out and the
    others re-weighted."""

    id: Identifier = Field(description="referred to by kpis[].domain, e.g. experience")
    title: str = Field(default="", description="a readable title, as printed on the scorecard")
    weight: Decimal = Field(ge=0, description="its weight in the composite (re-weighted over the domains scored)")
    consistency: bool = Field(default=False, description="brand-promise consistency points (0..20) count in this "
                              "domain, as HCAHPS consistency counts in its domain")


class Kpi(_Model):
    """One promised level: a metric, its target and minimum, and what it weighs in score and money."""

    id: Identifier = Field(description="unique within the contract, e.g. callback_10min")
    title: str = Field(min_length=1, max_length=200, description="as printed on the scorecard")
    metric: str = Field(description="a metric id of the KPI registry, e.g. ops.service_level")
    params: dict[str, ParamValue] = Field(default_factory=dict, description="the metric's parameters, e.g. minutes: 10")
    filters: Filters = Field(default=Filters(), description="channels and queues the KPI counts")
    category: Identifier = Field(description="a category id of money.categories, e.g. responsiveness")
    direction: Direction | None = Field(default=None, description="defaults to the metric's direction")
    target: float = Field(description="the goal; results at or beyond it can earn a bonus")
    minimum: float = Field(description="the service level; results worse than it are missed")
    weight: Decimal = Field(default=Decimal(0), ge=0, description="weight in the composite score (flat model; "
                            "with domains, the domain's weight counts instead)")
    min_sample: int = Field(default=0, ge=0, description="fewer observations: insufficient data, no credit, no bonus")
    scoring: Scoring = Field(default=Scoring(), description="how the KPI earns points")
    credit_allocation: Percent = Field(default=Decimal(0), description="% of its category pool")
    bonus_allocation: Percent = Field(default=Decimal(0), description="% of the bonus pool")
    statistical_allowance: bool = Field(default=False, description="missed only if the interval is wholly worse")
    clause: str = Field(default="", description="the contract clause behind this KPI, e.g. 'Schedule B 2.1'")
    domain: Identifier | None = Field(default=None, description="the domain of domains[] its points count in "
                                      "(required when the contract has domains)")


class Category(_Model):
    """A group of KPIs sharing a share of the at-risk amount."""

    id: Identifier = Field(description="referred to by kpis[].category")
    title: str = Field(default="", description="a readable title")
    pool_allocation: Percent = Field(description="% of the at-risk amount this category's misses draw on")


class Bonus(_Model):
    """Gain-share: paid for KPIs at or beyond target."""

    pool_percent: Percent = Field(description="bonus pool as % of monthly fees")
    cap_percent: Percent = Field(description="the month's bonus is capped at this % of monthly fees")
    clause: str = Field(default="", description="the contract clause")


class Withhold(_Model):
    """Withhold-and-exchange, an alternative to a bonus: w% is withheld and earned back by the composite score."""

    percent: Percent = Field(description="w: % of fees withheld")
    slope: Decimal = Field(gt=0, description="exchange slope")
    clause: str = Field(default="", description="the contract clause")


class Rounding(_Model):
    """How money lines are rounded (half-up)."""

    level: RoundingLevel = Field(default=RoundingLevel.KPI, description="kpi: each line; category: per-category sums")
    minor_unit: int = Field(default=2, ge=0, le=4, description="decimal places of the currency")


class Money(_Model):
    """Service credits, bonus or withhold, earn-back and rounding."""

    at_risk_percent: Percent = Field(description="% of monthly fees at risk; the month's credits are capped at it")
    pool_allocation_cap: Percent = Field(description="sum of category pool allocations may not exceed it")
    categories: list[Category] = Field(default_factory=list, description="KPI categories and their pool allocations")
    bonus: Bonus | None = Field(default=None, description="gain-share terms")
    withhold: Withhold | None = Field(default=None, description="withhold-and-exchange terms")
    earn_back_months: int | None = Field(default=None, ge=1, description="months met in a row to return a credit")
    rounding: Rounding = Field(default=Rounding(), description="rounding of money lines")
    clause: str = Field(default="", description="the contract clause")


class ExcusedDates(_Model):
    """Site-local calendar days left out of every KPI (outage, force majeure)."""

    start: date = Field(description="first excused day, YYYY-MM-DD")
    end: date = Field(description="last excused day (inclusive)")
    reason: str = Field(min_length=1, description="why, with the clause")


class Excused(_Model):
    """What the audit leaves out under the contract."""

    dates: list[ExcusedDates] = Field(default_factory=list, description="excused date ranges")
    queues: list[str] = Field(default_factory=list, description="queues outside the contract's scope")


class Amendment(_Model):
    """Terms that take effect from a period. Sections given replace the base ones;
    `kpis` are merged by id (a listed KPI replaces the one with its id or is added),
    `remove_kpis` drops KPIs by id."""

    id: Identifier = Field(description="unique within the contract, e.g. A1")
    effective_from: PeriodText = Field(description="first month the amendment applies, YYYY-MM")
    reason: str = Field(default="", description="why, with the clause")
    fees: Fees | None = Field(default=None, description="replaces the fees")
    qa_form: QaForm | None = Field(default=None, description="replaces the QA form")
    kpis: list[Kpi] = Field(default_factory=list, description="replace the KPIs with the same id, or are added")
    remove_kpis: list[str] = Field(default_factory=list, description="ids of KPIs that no longer apply")
    domains: list[Domain] | None = Field(default=None, description="replaces the domains")
    money: Money | None = Field(default=None, description="replaces the money terms")
    excused: Excused | None = Field(default=None, description="replaces the excused dates and queues")


class Contract(_Model):
    """One vendor's contract as written, amendments included (see `terms_for`)."""

    schema_version: Literal[1] = Field(default=1, description="the version of this file format")
    contract_id: Identifier = Field(description="unique across contracts, e.g. ACME-MSA-2026")
    version: str = Field(default="1", description="the document's own version label")
    vendor: Vendor = Field(description="who runs the sites")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code of fees and money, e.g. USD")
    effective_from: PeriodText = Field(description="first month in force, YYYY-MM")
    effective_to: PeriodText | None = Field(default=None, description="last month in force (absent: open-ended)")
    sites: list[SiteTerms] = Field(min_length=1, description="the sites this contract covers")
    fees: Fees | None = Field(default=None, description="required for outsourced vendors")
    qa_form: QaForm = Field(description="the QA form evaluations are scored with")
    kpis: list[Kpi] = Field(default_factory=list, description="the promised levels")
    domains: list[Domain] = Field(default_factory=list, description="domains of the composite score; absent: "
                                  "the flat model (weighted KPI points)")
    money: Money | None = Field(default=None, description="required for outsourced vendors")
    excused: Excused = Field(default=Excused(), description="excused dates and queues")
    amendments: list[Amendment] = Field(default_factory=list, description="later terms, in date order")
