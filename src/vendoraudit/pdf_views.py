"""What the PDF templates show, as display strings: one view per scorecard part, built from results.

The templates only lay these out; every figure is formatted here, once, with the same functions
the verdicts use (`scoring.format_value`, `money.format_money`), so the PDF's text matches the
JSON's numbers. No DataFrames: everything comes from an `AuditResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from . import charts, scoring
from .audit_result import AuditResult, ChannelValue, DataQuality, MetricLine, VendorAudit
from .kpis.brand import ConsistencyResult, GapResult
from .kpis.labels import metric_label
from .kpis.registry import METRICS
from .money import LineKind, Settlement, format_money
from .periods import Period
from .results import Direction, MetricResult, Unit
from .scoring import KpiScore, Outcome, format_value

OUTCOME_LABELS = {
    Outcome.MET: "\u2713 Met",
    Outcome.MISSED: "\u2717 Missed",
    Outcome.INSUFFICIENT_DATA: "\u2013 Insufficient data",
    Outcome.EXCUSED: "\u25cb Excused",
}
LINE_LABELS = {
    LineKind.SERVICE_CREDIT: "Service credit",
    LineKind.CREDIT_CAP: "Credit cap",
    LineKind.BONUS: "Bonus",
    LineKind.BONUS_CAP: "Bonus cap",
    LineKind.WITHHOLD: "Withhold",
    LineKind.WITHHOLD_EARNED: "Withhold earned back",
    LineKind.EARN_BACK: "Earn-back",
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
DASH = "\u2014"


def period_label(period: Period) -> str:
    """`October 2026`."""
    return f"{_MONTHS[period.month - 1]} {period.year}"


def report_stamp(period: Period) -> datetime:
    """The fixed date of a period's reports: midnight UTC as the month after it begins (no wall clock)."""
    first = period.next_first_day
    return datetime(first.year, first.month, first.day, tzinfo=timezone.utc)


def display_decimals(value: float, *limits: float) -> int:
    """The fewest decimals (1..4) at which `value` never looks equal to a limit it differs from."""
    for decimals in range(1, 5):
        shown = f"{value:.{decimals}f}"
        if all(limit == value or f"{limit:.{decimals}f}" != shown for limit in limits):
            return decimals
    return 4


def format_gap(gap: float | None, unit: Unit | None, decimals: int = 1) -> str:
    """A signed difference in the metric's unit: `+1.2 pp`, `-3.0 points`, `+0.10`, `-1.5 s`."""
    if gap is None or unit is None:
        return DASH
    sign = "+" if gap > 0 else "-" if gap < 0 else "\u00b1"
    shown = format_value(abs(gap), unit, decimals)
    # A difference of two percentages is in percentage points, not percent.
    return f"{sign}{shown[:-1]} pp" if unit is Unit.PERCENT else f"{sign}{shown}"


def format_p(p: float | None) -> str:
    """`p = 0.044`, `p < 0.001`, or a dash when no test was possible."""
    if p is None:
        return DASH
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def bare_number(value: float, unit: Unit | None) -> str:
    """`format_value` without its unit (for intervals beside a value that shows it)."""
    text = format_value(value, unit)
    for suffix in ("%", " points", " h", " s"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def metric_text(result: MetricResult | None) -> str:
    """A metric's value as shown in the sections ("no data" when it has none)."""
    if result is None:
        return DASH
    return "no data" if result.value is None else format_value(result.value, result.unit)


# --- KPI table ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class KpiRow:
    """One row of the KPI table, every cell as text."""

    kpi_id: str
    title: str
    clause: str
    direction: str  # "higher" / "lower" is better
    target: str
    minimum: str
    actual: str
    interval: str
    n: str
    outcome: str  # enum value, for the CSS class
    outcome_label: str
    points: str
    weight: str
    money: str
    reason: str
    evidence: str = ""  # "evidence-2026-10-ACME.xlsx, sheet csat" for a missed or at-risk KPI


def kpi_evidence(vendor: VendorAudit, kpi_id: str) -> str:
    """Where the rows behind a KPI are, or '' when it has no evidence sheet."""
    ref = vendor.evidence.sheet_for(kpi_id) if vendor.evidence is not None else None
    if ref is None:
        return ""
    where = f"{vendor.evidence.workbook}, sheet {ref.sheet}"  # type: ignore[union-attr]
    return f"{where} (all {ref.rows:,} rows in {ref.csv})" if ref.csv else where


def kpi_figures(score: KpiScore) -> tuple[str, str, str]:
    """Target, minimum and actual of a KPI at the same decimals, enough that unequal never look equal."""
    unit = score.unit
    if score.value is None:
        decimals = 1
        actual = "no data"
    else:
        decimals = display_decimals(score.value, score.minimum, score.target)
        actual = format_value(score.value, unit, decimals)
    return (format_value(score.target, unit, decimals), format_value(score.minimum, unit, decimals), actual)


def kpi_money(score: KpiScore, settlement: Settlement | None) -> str:
    """The KPI's credit (after the cap) or bonus (before the bonus cap), or a dash."""
    if settlement is None:
        return DASH
    credit = settlement.kpi_credits.get(score.kpi_id)
    if credit:
        return format_money(-credit, settlement.currency)
    bonus = [line for line in settlement.lines if line.kind is LineKind.BONUS and line.kpi_id == score.kpi_id]
    if bonus:
        return format_money(sum((line.amount for line in bonus), Decimal(0)), settlement.currency)
    if score.beyond_target and any(line.kind is LineKind.BONUS and line.kpi_id is None
                                   and line.category == score.category for line in settlement.lines):
        return f"in {score.category} bonus"
    return DASH


def kpi_rows(vendor: VendorAudit) -> list[KpiRow]:
    """The KPI table of a vendor's scorecard, in contract order."""
    rows = []
    for s in vendor.scorecard.kpis:
        target, minimum, actual = kpi_figures(s)
        interval = s.result.interval if s.result else None
        rows.append(KpiRow(
            kpi_id=s.kpi_id, title=s.label, clause=s.clause, direction=str(s.direction),
            target=target, minimum=minimum, actual=actual,
            interval=(f"{bare_number(interval.low, s.unit)} \u2013 {bare_number(interval.high, s.unit)}"
                      if interval else DASH),
            n=f"{s.result.n:,}" if s.result else DASH,
            outcome=s.outcome.value, outcome_label=OUTCOME_LABELS[s.outcome],
            points=f"{s.points}/10" if s.points is not None else DASH,
            weight=f"{s.effective_weight:.1f}%" if s.points is not None else f"({s.weight.normalize():f}%)",
            money=kpi_money(s, vendor.settlement), reason=s.reason, evidence=kpi_evidence(vendor, s.kpi_id)))
    return rows


def attainment_chart(vendor: VendorAudit) -> charts.Chart:
    """Every KPI's actual against its minimum and target on one shared axis."""
    rows = []
    for s in vendor.scorecard.kpis:
        _, _, actual = kpi_figures(s)
        interval = s.result.interval if s.result else None
        scored = s.is_scored and s.value is not None
        rows.append(charts.BulletRow(
            label=s.label, value=s.value if scored else None, minimum=s.minimum, target=s.target,
            low=interval.low if interval and scored else None, high=interval.high if interval and scored else None,
            missed=s.outcome is Outcome.MISSED,
            caption=f"{actual} {OUTCOME_LABELS[s.outcome][2:].lower()}" if scored else OUTCOME_LABELS[s.outcome][2:],
            lower_is_better=s.direction is Direction.LOWER))
    return charts.attainment_chart(
        rows, f"{vendor.vendor_name}, {period_label(vendor.scorecard.period)}: each KPI's actual placed "
              "between its contract minimum and target")


# --- settlement -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MoneyRow:
    """A settlement line or total as text."""

    label: str
    detail: str
    amount: str
    clause: str = ""
    explanation: str = ""


def settlement_summary(vendor: VendorAudit) -> list[MoneyRow]:
    """Fees, at-risk amount and the totals by kind, ending in the net adjustment."""
    s = vendor.settlement
    if s is None:
        return []
    m = lambda amount: format_money(amount, s.currency)  # noqa: E731
    rows = [MoneyRow("Fees this period", vendor.fee_basis, m(s.fees)),
            MoneyRow("At risk", "the monthly cap on service credits", m(s.at_risk)),
            MoneyRow("Service credits", "after the credit cap" if s.credit_cap_applied else "", m(s.credits_total))]
    if any(line.kind in (LineKind.BONUS, LineKind.BONUS_CAP) for line in s.lines):
        rows.append(MoneyRow("Bonus", "after the bonus cap" if s.bonus_cap_applied else "", m(s.bonus_total)))
    if any(line.kind in (LineKind.WITHHOLD, LineKind.WITHHOLD_EARNED) for line in s.lines):
        factor = f"adjustment factor {s.withhold_factor.normalize():f}" if s.withhold_factor is not None else ""
        rows.append(MoneyRow("Withhold, net of what was earned back", factor, m(s.withhold_net)))
    if any(line.kind is LineKind.EARN_BACK for line in s.lines):
        rows.append(MoneyRow("Earn-back of earlier credits", "", m(s.earn_back_total)))
    return rows


def net_words(settlement: Settlement) -> str:
    """Which way the net adjustment goes, in words."""
    if settlement.net_adjustment < 0:
        return "credit to the client"
    if settlement.net_adjustment > 0:
        return "payable to the vendor"
    return "no change to the invoice"


def money_lines(settlement: Settlement | None) -> list[MoneyRow]:
    """Every settlement line with its clause and explanation (the methodology appendix)."""
    if settlement is None:
        return []
    rows = []
    for line in settlement.lines:
        label = LINE_LABELS[line.kind]
        if line.refers_to is not None:
            label = f"{label} ({line.refers_to})"
        rows.append(MoneyRow(label, line.kpi_id or line.category or "", format_money(line.amount, settlement.currency),
                             clause=line.clause, explanation=line.explanation))
    return rows


# --- sections ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SectionRow:
    """An informative metric of a section: vendor, in-house, the difference and its test if any."""

    title: str
    vendor: str
    baseline: str
    gap: str
    test: str
    emphasis: bool
    n: str


def section_rows(lines: Sequence[MetricLine], consistency: ConsistencyResult | None = None) -> list[SectionRow]:
    """The rows of one scorecard section; survey metrics carry the brand-consistency test of their gap."""
    tests = {g.metric_id: g for g in consistency.gaps if not g.criterion} if consistency else {}
    rows = []
    for line in lines:
        v, b = line.vendor, line.baseline
        gap = v.value - b.value if b is not None and v.value is not None and b.value is not None else None
        test = tests.get(line.metric_id)
        rows.append(SectionRow(
            line.title, metric_text(v), metric_text(b) if b is not None else DASH, format_gap(gap, v.unit),
            (format_p(test.p_value) + (" *" if test.significant else "")) if test and test.test else DASH,
            bool(test and test.significant and (test.gap or 0) < 0), f"{v.n:,}"))
    return rows


@dataclass(frozen=True)
class SectionView:
    """A scorecard section: the rows of metrics with data, and the titles of those without (one line)."""

    id: str
    title: str
    rows: tuple[SectionRow, ...]
    no_data: tuple[str, ...]


def section_views(vendor: VendorAudit) -> list[SectionView]:
    """Every section of a vendor's scorecard; a metric with no value this month is only named, in
    one line under its section, rather than given a row of dashes."""
    out = []
    for section in vendor.sections:
        with_data = [line for line in section.lines if line.vendor.value is not None]
        out.append(SectionView(section.id, section.title, tuple(section_rows(with_data, vendor.consistency)),
                               tuple(line.title for line in section.lines if line.vendor.value is None)))
    return out


@dataclass(frozen=True)
class GapRow:
    """Vendor against in-house on one brand-promise criterion or survey metric."""

    label: str
    vendor: str
    baseline: str
    gap: str
    p: str
    significant: str
    floor: str
    consistency: str
    emphasis: bool
    test: str = ""  # the test and its n: "Welch t, n = 226 / 242 evaluations"


TEST_NAMES = {"welch-t": "Welch t", "two-proportion-z": "two-proportion z", "nps-variance-z": "NPS variance z"}


def test_text(gap: GapResult) -> str:
    """The test a gap was judged by and its observations on each side, or '' when untested."""
    if not gap.test:
        return ""
    unit = f" {gap.unit}s" if gap.unit else ""
    return f"{TEST_NAMES.get(gap.test, gap.test)}, n = {gap.n_vendor:,} / {gap.n_baseline:,}{unit}"


def _gap_label(gap: GapResult, titles: dict[str, str]) -> str:
    if gap.criterion:
        return titles.get(gap.criterion, gap.criterion)
    definition = METRICS.get(gap.metric_id)
    return definition.title if definition else gap.metric_id


def gap_rows(consistency: ConsistencyResult | None, titles: dict[str, str], criteria: bool) -> list[GapRow]:
    """Brand-promise criteria (`criteria` True) or the survey metrics of the consistency comparison."""
    if consistency is None:
        return []
    rows = []
    for g in consistency.gaps:
        if bool(g.criterion) != criteria:
            continue
        rows.append(GapRow(
            label=_gap_label(g, titles), vendor=metric_text(g.vendor), baseline=metric_text(g.baseline),
            gap=format_gap(g.gap, g.vendor.unit), p=format_p(g.p_value),
            significant="yes" if g.significant else "no" if g.test else DASH,
            floor=format_value(g.floor, Unit.POINTS) if g.floor is not None else DASH,
            consistency=f"{g.consistency:.2f}" if g.consistency is not None else DASH,
            emphasis=g.significant and (g.gap or 0) < 0, test=test_text(g)))
    return rows


def brand_chart(vendor: VendorAudit, titles: dict[str, str]) -> charts.Chart | None:
    """Vendor against in-house per brand-promise criterion, with each criterion's floor."""
    c = vendor.consistency
    if c is None:
        return None
    rows = [charts.CompareRow(
        label=_gap_label(g, titles), vendor=g.vendor.value, baseline=g.baseline.value, floor=g.floor,
        caption=f"{metric_text(g.vendor)} vs {metric_text(g.baseline)}" + (" *" if g.significant else ""),
        emphasis=g.significant and (g.gap or 0) < 0) for g in c.gaps if g.criterion]
    if not rows:
        return None
    return charts.comparison_chart(rows, f"{vendor.vendor_name} against the in-house center on each "
                                         "brand-promise criterion (QA points 0 to 100)", bounds=(0, 100))


@dataclass(frozen=True)
class ParityChart:
    """One metric's values per channel, vendor against in-house."""

    title: str
    chart: charts.Chart


def parity_charts(vendor: VendorAudit) -> list[ParityChart]:
    """A dot plot per parity metric: each channel's vendor value beside the in-house one."""
    by_metric: dict[str, list[ChannelValue]] = {}
    for cv in vendor.channel_parity:
        by_metric.setdefault(cv.metric_id, []).append(cv)
    out = []
    for metric_id, values in by_metric.items():
        title = metric_label(values[0].vendor)  # the parameters it was computed with, in brackets
        rows = []
        for cv in values:
            base = cv.baseline
            caption = metric_text(cv.vendor)
            if base is not None:
                caption += f" vs {metric_text(base)}"
            rows.append(charts.CompareRow(
                label=f"{cv.channel} (n = {cv.vendor.n:,})", vendor=cv.vendor.value,
                baseline=base.value if base is not None else None, caption=caption))
        bounds = (0.0, 100.0) if values[0].vendor.unit in (Unit.PERCENT, Unit.POINTS) else None
        compared = not vendor.in_house and any(cv.baseline is not None for cv in values)
        out.append(ParityChart(title, charts.comparison_chart(
            rows, f"{title} by channel: {vendor.vendor_name}" + (" against the in-house center" if compared else ""),
            bounds=bounds, vendor_label="this vendor" if not vendor.in_house else "this center",
            baseline_label="in-house" if compared else "")))
    return out


# --- trend -------------------------------------------------------------------------------------

def axis_format(unit: Unit | None):
    """An axis value as text: round figures as `%g`, percentages with their sign (`80%`)."""
    suffix = "%" if unit is Unit.PERCENT else ""
    return lambda v: f"{v:g}{suffix}"


@dataclass(frozen=True)
class TrendPanel:
    """One KPI's small trend chart and its caption."""

    title: str
    caption: str
    chart: charts.Chart


def trend_panels(vendor: VendorAudit) -> list[TrendPanel]:
    """A small chart per KPI over the periods of the trend (history plus this period)."""
    periods = sorted({p.period for p in vendor.trend})
    recorded_periods = {p.period for p in vendor.trend if p.value is not None}
    # months before the history begins say nothing: start at the first month with any record
    periods = [p for p in periods if p >= min(recorded_periods)] if recorded_periods else []
    panels = []
    for s in vendor.scorecard.kpis:
        points = {p.period: p for p in vendor.trend if p.kpi_id == s.kpi_id}
        if not any(p.value is not None for p in points.values()):
            continue
        marks = [charts.TrendMark(_MONTHS[p.month - 1][:3], points[p].value if p in points else None,
                                  p in points and points[p].outcome == Outcome.MISSED.value) for p in periods]
        target, minimum, actual = kpi_figures(s)
        first = next(p for p in periods if p in points and points[p].value is not None)
        caption = (f"{actual} in {_MONTHS[periods[-1].month - 1][:3]}; target {target}, minimum {minimum}"
                   f"{' (lower is better)' if s.direction is Direction.LOWER else ''}; "
                   f"recorded since {_MONTHS[first.month - 1][:3]} {first.year}")
        panels.append(TrendPanel(s.label, caption, charts.trend_chart(
            marks, s.minimum, s.target, f"{s.label}: monthly values from {periods[0]} to {periods[-1]} "
                                        f"with the contract minimum ({minimum}) and target ({target})",
            value_text=actual, tick_format=axis_format(s.unit),
            limit_words=("target", "maximum" if s.direction is Direction.LOWER else "minimum"),
            bounds=(0.0, 100.0) if s.unit is Unit.PERCENT else None)))
    return panels


# --- appendices ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Definition:
    """A metric's title, id and definition for the methodology appendix."""

    metric_id: str
    title: str
    definition: str


def definitions(metric_ids: Sequence[str]) -> list[Definition]:
    """Definitions of the given metrics from the registry, each once, in the given order."""
    return [Definition(m, METRICS[m].title, METRICS[m].definition)
            for m in dict.fromkeys(metric_ids) if m in METRICS]


def vendor_metric_ids(vendor: VendorAudit) -> list[str]:
    """Every metric a scorecard shows: its KPIs', then its sections'."""
    return [k.metric_id for k in vendor.scorecard.kpis] + [line.metric_id for s in vendor.sections
                                                           for line in s.lines]


def count_text(dq: DataQuality) -> str:
    """`44,744 rows read, 44,744 used, 0 quarantined; 0 errors, 0 warnings`."""
    return (f"{dq.rows_read:,} rows read, {dq.rows_used:,} used, {dq.rows_quarantined:,} quarantined; "
            f"{dq.error_count:,} errors, {dq.warning_count:,} warnings")


def outcome_counts(vendor: VendorAudit) -> list[tuple[str, str, int]]:
    """(css class, label, count) for each outcome, in a fixed order."""
    return [(o.value, OUTCOME_LABELS[o], vendor.scorecard.counts.get(o, 0)) for o in Outcome]


def composite_text(vendor: VendorAudit) -> str:
    """The composite score as in the JSON (two decimals), or a dash when nothing could be scored."""
    c = vendor.scorecard.composite
    return DASH if c is None else str(c)


@dataclass(frozen=True)
class DomainRow:
    """One domain of a domain-scored contract, every cell as text."""

    title: str
    earned: str  # points earned of points possible, e.g. "52 of 70"
    score: str
    weight: str  # the contract weight and its share after re-weighting


def domain_rows(vendor: VendorAudit) -> list[DomainRow]:
    """The domain table of a scorecard (empty under the flat model)."""
    rows = []
    for d in vendor.scorecard.domains:
        consistency = (f" (incl. {d.consistency_points} of {scoring.CONSISTENCY_POSSIBLE} consistency)"
                       if d.consistency_points is not None else "")
        rows.append(DomainRow(
            title=d.title, earned=f"{d.points_earned} of {d.points_possible}{consistency}",
            score=DASH if d.score is None else str(d.score),
            weight=f"{d.weight.normalize():f} → {d.effective_weight:.2f}%" if d.score is not None
            else f"{d.weight.normalize():f} (not scored, re-weighted)"))
    return rows


def criterion_titles(vendor: VendorAudit) -> dict[str, str]:
    """Brand-promise criterion id -> its title on the QA form."""
    return {c.id: c.title or c.id for c in vendor.terms.qa_form.criteria}


# --- portfolio ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PortfolioRow:
    """One vendor's line in the portfolio summary."""

    vendor_id: str
    name: str
    in_house: bool
    composite: str
    met: int
    missed: int
    other: int
    consistency: str
    fees: str
    net: str
    net_words: str


def portfolio_rows(result: AuditResult) -> list[PortfolioRow]:
    """Every vendor (in-house first) with its headline figures."""
    rows = []
    for v in result.vendors:
        counts = v.scorecard.counts
        s = v.settlement
        rows.append(PortfolioRow(
            vendor_id=v.vendor_id, name=v.vendor_name, in_house=v.in_house, composite=composite_text(v),
            met=counts.get(Outcome.MET, 0), missed=counts.get(Outcome.MISSED, 0),
            other=counts.get(Outcome.INSUFFICIENT_DATA, 0) + counts.get(Outcome.EXCUSED, 0),
            consistency=f"{v.scorecard.consistency_points}/20" if v.scorecard.consistency_points is not None else DASH,
            fees=format_money(v.fees, v.currency) if v.fees is not None else DASH,
            net=format_money(s.net_adjustment, s.currency) if s else DASH,
            net_words=net_words(s) if s else ("in-house baseline" if v.in_house else "no money terms")))
    return rows


def net_totals(result: AuditResult) -> list[str]:
    """The net adjustment over all vendors, one total per currency."""
    totals: dict[str, Decimal] = {}
    for v in result.vendors:
        if v.settlement is not None:
            totals[v.currency] = totals.get(v.currency, Decimal(0)) + v.settlement.net_adjustment
    return [format_money(amount, currency) for currency, amount in sorted(totals.items())]


def composite_chart(result: AuditResult) -> charts.Chart:
    """Composite scores of every vendor, in-house drawn hollow."""
    rows = [charts.ScoreBar(v.vendor_name + (" (in-house)" if v.in_house else ""),
                            float(v.scorecard.composite) if v.scorecard.composite is not None else None,
                            composite_text(v), muted=v.in_house) for v in result.vendors]
    return charts.score_bars(rows, f"Composite score (0 to 100) of each vendor, {period_label(result.period)}")


@dataclass(frozen=True)
class MatrixCell:
    """A KPI's value and outcome for one vendor in the portfolio matrix."""

    actual: str
    outcome: str
    outcome_label: str


@dataclass(frozen=True)
class MatrixRow:
    """One KPI across vendors."""

    kpi_id: str
    title: str
    cells: tuple[MatrixCell | None, ...]


def kpi_matrix(result: AuditResult) -> list[MatrixRow]:
    """Every KPI id any vendor has (first-seen order) against every vendor."""
    # A KPI id computed with different definitions by different contracts is one row per definition.
    titles: dict[tuple[str, str], str] = {}
    for v in result.vendors:
        for s in v.scorecard.kpis:
            titles.setdefault((s.kpi_id, s.definition), s.label)
    rows = []
    for (kpi_id, definition), title in titles.items():
        cells = []
        for v in result.vendors:
            s = v.scorecard.get(kpi_id)
            cells.append(None if s is None or s.definition != definition else MatrixCell(
                kpi_figures(s)[2], s.outcome.value, OUTCOME_LABELS[s.outcome]))
        rows.append(MatrixRow(kpi_id, title, tuple(cells)))
    return rows


# --- portfolio trend ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendCell:
    """One vendor's month in the portfolio trend table."""

    composite: str
    net: str


@dataclass(frozen=True)
class TrendMonthRow:
    """One month of the portfolio trend table: a cell per vendor (None: not recorded)."""

    month: str
    cells: tuple[TrendCell | None, ...]


@dataclass(frozen=True)
class PortfolioTrend:
    """Composite and net adjustment per vendor over the history's last months (up to 12)."""

    first: str  # "November 2025"
    months: int  # how many months are shown
    recorded: int  # how many of them hold any record
    vendors: tuple[str, ...]
    composite: charts.Chart
    net: charts.Chart | None  # None when no vendor's contract moves money
    rows: tuple[TrendMonthRow, ...]


def _short_month(p: Period) -> str:
    return f"{_MONTHS[p.month - 1][:3]} {p.year % 100:02d}"


def portfolio_trend(result: AuditResult) -> PortfolioTrend:
    """The portfolio's trend page: each vendor's composite and net adjustment month by month, the
    in-house baseline's composite beside them; months before the first record are left out."""
    vendors = result.vendors
    periods = sorted({m.period for v in vendors for m in v.months} | {result.period})
    recorded = [p for p in periods if any(m.period == p and m.recorded for v in vendors for m in v.months)]
    if recorded:
        periods = [p for p in periods if p >= recorded[0]]
    by_vendor = [{m.period: m for m in v.months if m.recorded} for v in vendors]

    def composite_of(v_months, p):
        m = v_months.get(p)
        return float(m.composite) if m is not None and m.composite is not None else None

    def net_of(v_months, p):
        m = v_months.get(p)
        return float(m.net_adjustment) if m is not None and m.net_adjustment is not None else None

    names = tuple(v.vendor_name + (" (in-house)" if v.in_house else "") for v in vendors)
    labels = [_short_month(p) for p in periods]
    composite = charts.series_chart(labels, [
        charts.Series(name, tuple(composite_of(vm, p) for p in periods),
                      composite_text(v), muted=v.in_house)
        for name, v, vm in zip(names, vendors, by_vendor)],
        f"Composite score (0 to 100) of each vendor by month, {periods[0]} to {periods[-1]}",
        bounds=(0.0, 100.0))
    money = [(name, v, vm) for name, v, vm in zip(names, vendors, by_vendor) if not v.in_house
             and any(m.net_adjustment is not None for m in vm.values())]
    currencies = {v.currency for _, v, _ in money}
    net = None
    if money:
        symbol = next(iter(currencies)) if len(currencies) == 1 else ""
        net = charts.series_chart(labels, [
            charts.Series(name, tuple(net_of(vm, p) for p in periods),
                          format_money(v.settlement.net_adjustment, v.currency) if v.settlement else DASH)
            for name, v, vm in money],
            f"Net adjustment of each vendor by month{' in ' + symbol if symbol else ''}, "
            f"{periods[0]} to {periods[-1]}; below zero is credited to the client",
            tick_format=lambda t: f"{t:,.0f}", zero_line=True)
    rows = []
    for p in reversed(periods):
        cells = []
        for v, vm in zip(vendors, by_vendor):
            m = vm.get(p)
            cells.append(None if m is None else TrendCell(
                DASH if m.composite is None else str(m.composite),
                DASH if m.net_adjustment is None else format_money(m.net_adjustment, m.currency or v.currency)))
        rows.append(TrendMonthRow(_short_month(p), tuple(cells)))
    return PortfolioTrend(period_label(periods[0]), len(periods), len(recorded), names, composite, net, tuple(rows))
