"""The evidence behind a vendor's missed and at-risk KPIs, as frames: results -> frames, no files.

For each KPI `selection.evidence_reason` picks, the rows its value was computed from are read
again through the KPI's own query (`VendorAudit.kpi_queries`: same sites, filters and excused
days), and the sheet keeps:
- `rows`: the rows that count against the value (contacts answered after T, detractors,
  evaluations that lost points on the criterion...), with ids, site, queue, channel, agent and
  site-local times, never member references or comments; for a mean (ASA, AHT, QA score, CES)
  the rows worse than the KPI's limit; for a count (headcount, evaluations done) every row;
- `by_agent` and `by_day`: per agent and per site-local day, the rows, those listed, and the
  numerator and denominator they add: their sums are the KPI's numerator and denominator, so
  they show whether a miss is a few agents or a few bad days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from ..audit_result import AuditResult, EvidenceIndex, EvidenceSheetRef, VendorAudit
from ..kpis.period import PeriodData
from ..kpis.rows import AGAINST, AGENT, DAY, DEN, NUM, VALUE, MetricRows, RowKind
from ..periods import Period
from ..results import Direction, Unit
from ..scoring import KpiScore
from .selection import DEFAULT_ROWS_PER_SHEET, EvidenceReason, csv_name, evidence_reason, sheet_names, workbook_name

LISTED = "_listed"


@dataclass(frozen=True, eq=False)
class EvidenceSheet:
    """One KPI's evidence (see the module docstring). `rows_shown` rows fit the sheet; `csv` names
    the file that holds all of `rows` when they do not."""

    kpi_id: str
    title: str
    sheet: str
    reason: EvidenceReason
    verdict: str
    metric_id: str
    unit: Unit | None
    value: float | None
    minimum: float
    target: float
    direction: Direction
    numerator: float | None
    denominator: float | None
    n: int
    subject: str
    listed: str  # which rows are listed, in words
    timezones: str  # "ACME-MNL Asia/Manila": the zone of each site's local times
    note: str
    rows: pl.DataFrame
    by_agent: pl.DataFrame
    by_day: pl.DataFrame | None  # None when rows have no day (agents, for coverage or training)
    rows_shown: int
    csv: str | None
    reproduced: bool  # the rows' numerator and denominator are the KPI's

    @property
    def shown(self) -> pl.DataFrame:
        return self.rows.head(self.rows_shown)


@dataclass(frozen=True, eq=False)
class EvidenceBook:
    """A vendor's evidence workbook for one period: one sheet per missed or at-risk KPI."""

    vendor_id: str
    vendor_name: str
    period: Period
    workbook: str
    sheets: tuple[EvidenceSheet, ...]

    def index(self) -> EvidenceIndex:
        """What the scorecard and the JSON say about this workbook."""
        return EvidenceIndex(self.workbook, tuple(
            EvidenceSheetRef(s.kpi_id, s.sheet, s.reason.value, s.rows.height, s.rows_shown, s.csv)
            for s in self.sheets))


def _listed(rows: MetricRows, score: KpiScore) -> pl.Expr:
    """Which rows the sheet lists: those counting against the value (see the module docstring)."""
    if rows.kind in (RowKind.COUNT, RowKind.NEEDED):
        return pl.lit(True)
    if rows.frame.get_column(AGAINST).null_count() < rows.frame.height:
        return pl.col(AGAINST).fill_null(False)
    # A mean (or hours per agent): the observations worse than the KPI's limit.
    worse = pl.col(VALUE) < score.minimum if score.direction is Direction.HIGHER else pl.col(VALUE) > score.minimum
    return worse.fill_null(False)


def _sums(rows: MetricRows) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(numerator, denominator, value) of a group, as the metric makes them."""
    if rows.kind is RowKind.MEAN:
        num, den = pl.col(VALUE).sum(), pl.col(VALUE).count().cast(pl.Float64)
        return num, den, num / den
    if rows.kind in (RowKind.COUNT, RowKind.NEEDED):
        n = pl.len().cast(pl.Float64)
        return n, (n if rows.kind is RowKind.COUNT else pl.lit(None, pl.Float64)), \
            (n if rows.kind is RowKind.COUNT else pl.lit(None, pl.Float64))
    num, den = pl.col(NUM).sum(), pl.col(DEN).sum()
    scale = rows.scale if rows.kind is RowKind.RATIO else 100.0
    return num, den, pl.when(den > 0).then(scale * num / den)


def _summary(frame: pl.DataFrame, rows: MetricRows, key: str, name: str) -> pl.DataFrame:
    num, den, value = _sums(rows)
    return (frame.group_by("site_id", key).agg(
        pl.len().alias("rows"), pl.col(LISTED).sum().alias("listed"),
        num.alias("numerator"), den.alias("denominator"), value.alias("value"))
        .rename({key: name}).sort("site_id", name, nulls_last=True))


def _sheet(vendor: VendorAudit, score: KpiScore, reason: EvidenceReason, sheet: str, data: PeriodData, version: int,
           rows_per_sheet: int) -> EvidenceSheet | None:
    query = dict(vendor.kpi_queries).get(score.kpi_id)
    if query is None or score.result is None:
        return None
    rows = query.rows(data)
    frame = rows.frame.with_columns(_listed(rows, score).alias(LISTED))
    listed = frame.filter(pl.col(LISTED)).select(rows.display_columns)
    by_agent = _summary(frame, rows, AGENT, "agent_id").sort(["listed", "site_id", "agent_id"],
                                                             descending=[True, False, False])
    by_day = _summary(frame, rows, DAY, "day") if frame.get_column(DAY).null_count() < frame.height else None
    result = score.result
    num, den = _totals(rows, frame)
    reproduced = _close(num, result.numerator) and (
        rows.kind is RowKind.NEEDED or result.denominator is None or _close(den, result.denominator))
    zones = "; ".join(f"{s} {data.sites.timezone_of(s)}" for s in query.site_ids)
    note = ""
    if rows.kind is RowKind.NEEDED:
        note = (f"The denominator, {result.denominator:,.0f} evaluations, is the number needed for the "
                "margin the KPI names over the month's handled contacts; it is computed, not counted.")
    return EvidenceSheet(
        kpi_id=score.kpi_id, title=score.title, sheet=sheet, reason=reason, verdict=score.verdict,
        metric_id=score.metric_id, unit=score.unit, value=score.value, minimum=score.minimum, target=score.target,
        direction=score.direction, numerator=result.numerator, denominator=result.denominator, n=result.n,
        subject=rows.subject, listed=rows.against, timezones=zones, note=note, rows=listed, by_agent=by_agent,
        by_day=by_day, rows_shown=min(listed.height, rows_per_sheet),
        csv=csv_name(vendor.scorecard.period, vendor.vendor_id, score.kpi_id, version) if listed.height > rows_per_sheet
        else None, reproduced=reproduced)


def _totals(rows: MetricRows, frame: pl.DataFrame) -> tuple[float, float]:
    if rows.kind is RowKind.MEAN:
        return float(frame.get_column(VALUE).sum() or 0), float(frame.get_column(VALUE).count())
    if rows.kind is RowKind.COUNT:
        return float(frame.height), float(frame.height)
    return rows.numerator, rows.denominator


def _close(a: float, b: float | None) -> bool:
    return b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def vendor_evidence(vendor: VendorAudit, data: PeriodData,
                    rows_per_sheet: int = DEFAULT_ROWS_PER_SHEET, version: int = 1) -> EvidenceBook | None:
    """The vendor's evidence book for the period's issue `version`, or None when no KPI was missed or
    is at risk."""
    picked = [(s, r) for s in vendor.scorecard.kpis if (r := evidence_reason(s)) is not None]
    if not picked:
        return None
    names = sheet_names(s.kpi_id for s, _ in picked)
    sheets = [_sheet(vendor, s, r, names[s.kpi_id], data, version, rows_per_sheet) for s, r in picked]
    # An at-risk KPI with no row against it (100% of four new hires onboarded) has nothing to show.
    kept = tuple(s for s in sheets if s is not None and (s.reason is EvidenceReason.MISSED or s.rows.height))
    if not kept:
        return None
    period = vendor.scorecard.period
    return EvidenceBook(vendor.vendor_id, vendor.vendor_name, period, workbook_name(period, vendor.vendor_id, version), kept)


def build_evidence(result: AuditResult, data: PeriodData,
                   rows_per_sheet: int = DEFAULT_ROWS_PER_SHEET) -> tuple[EvidenceBook, ...]:
    """Every vendor's evidence book (vendors with nothing missed or at risk have none).

    `data` is the period's rows the audit computed `result` from (`audit.audit_period`); each
    book holds that vendor's rows only (its KPI queries name its sites). ValueError for a cap below 1.
    """
    if rows_per_sheet < 1:
        raise ValueError(f"rows per evidence sheet must be at least 1, got {rows_per_sheet}")
    books = (vendor_evidence(v, data, rows_per_sheet, result.issue.version) for v in result.vendors)
    return tuple(b for b in books if b is not None)


def attach_evidence(result: AuditResult, books: Sequence[EvidenceBook]) -> AuditResult:
    """`result` with each vendor's evidence index set from `books` (cleared for vendors without
    one), so the scorecard and JSON name exactly the files written."""
    by_vendor = {b.vendor_id: b.index() for b in books}
    vendors = tuple(replace(v, evidence=by_vendor.get(v.vendor_id)) for v in result.vendors)
    return replace(result, vendors=vendors)

