"""Brand-promise consistency: does a vendor's site sound like the in-house baseline?

For each brand-promise criterion (qa.criterion_score) and each survey metric (CSAT top-2-box, NPS,
CES mean) of the same period: vendor value, baseline value, gap = vendor - baseline in points, and a
two-sided 95% test of equality:
- criterion scores: Welch's t test over evaluations, each evaluation's own score on the criterion
  one observation (spec/metrics.md: the unit of analysis is the evaluation, never the point, so
  the test does not change when every item's points are scaled);
- CSAT top-2-box: two-proportion z test over answers;
- NPS: z = (NPS_v - NPS_b) / sqrt(Var_v + Var_b) with the NPS variance formula (n >= 2 a side);
- CES mean: Welch's t test (n >= 2 a side).
Consistency points (0..20) follow spec/metrics.md: s_k = clamp((P_k - floor_k) / (AT_k - floor_k), 0, 1)
with AT_k the baseline value; LDS = min s_k; points = 20 if LDS >= 1 else
clamp(round_half_up(20 * LDS - 0.5), 0, 20). When the baseline is not above the floor the scale is
degenerate: s_k is 1 if the vendor reaches the floor, else 0. Criteria without a value on either side
are left out of LDS. Channel parity repeats every gap per channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from ..results import INTERNAL_ONLY, MetricResult
from . import survey
from .exact import Moments, moments
from .period import PeriodData
from .quality import CriterionTotal
from .registry import criterion_totals_of
from .scope import compute_metric, restrict
from .stats import (Significance, nps_difference_test, nps_variance, round_half_up, two_proportion_test,
                    welch_test)


@dataclass(frozen=True)
class GapResult:
    """Vendor vs baseline on one metric (one criterion, one channel or all channels)."""

    metric_id: str
    criterion: str | None
    channel: str | None  # None: all channels
    vendor: MetricResult
    baseline: MetricResult
    gap: float | None  # vendor - baseline, in the metric's points
    p_value: float | None
    significant: bool
    test: str  # "two-proportion-z", "nps-variance-z", "welch-t", or "" when untestable
    floor: float | None = None  # criteria only
    consistency: float | None = None  # s_k, criteria of the all-channel comparison only
    n_vendor: int = 0  # the test's observations on each side, counted in `unit`
    n_baseline: int = 0
    unit: str = ""  # what one observation is: "evaluation" (criteria) or "answer" (surveys)

    @property
    def label(self) -> str:
        return self.criterion if self.criterion else self.metric_id


@dataclass(frozen=True)
class ConsistencyResult:
    """Brand-promise consistency of a vendor's sites against the in-house baseline for one period."""

    vendor_sites: tuple[str, ...]
    baseline_sites: tuple[str, ...] = field(metadata=INTERNAL_ONLY)  # not in a vendor's scorecard JSON
    gaps: tuple[GapResult, ...]  # criteria (in the given order), then CSAT, NPS, CES
    lds: float | None  # lowest s_k; None when no criterion could be compared
    points: int | None  # 0..20
    parity: tuple[GapResult, ...]  # the same gaps per channel, sorted by channel

    @property
    def significant_gaps(self) -> tuple[GapResult, ...]:
        return tuple(g for g in self.gaps if g.significant)


def consistency_score(vendor: float, baseline: float, floor: float) -> float:
    """s_k = clamp((P - floor) / (AT - floor), 0, 1); degenerate scale (AT <= floor): 1 if P >= floor else 0."""
    if baseline <= floor:
        return 1.0 if vendor >= floor else 0.0
    return min(1.0, max(0.0, (vendor - floor) / (baseline - floor)))


def consistency_points(lds: float) -> int:
    """20 if LDS >= 1, else clamp(round_half_up(20 * LDS - 0.5), 0, 20)."""
    if lds >= 1:
        return 20
    return min(20, max(0, round_half_up(20 * lds - 0.5)))


def _gap(metric_id: str, criterion: str | None, channel: str | None, v: MetricResult, b: MetricResult,
         test: Significance | None, floor: float | None = None, unit: str = "answer") -> GapResult:
    gap = v.value - b.value if v.value is not None and b.value is not None else None
    return GapResult(metric_id=metric_id, criterion=criterion, channel=channel, vendor=v, baseline=b,
                     gap=gap, p_value=test.p_value if test and gap is not None else None,
                     significant=bool(test and gap is not None and test.significant),
                     test=test.method if test and gap is not None else "", floor=floor,
                     n_vendor=v.n, n_baseline=b.n, unit=unit)


def _score_moments(data: PeriodData, sites: Sequence[str], criterion: str, channel: str | None) -> Moments:
    """The moments of each evaluation's own score on `criterion` over the scope (cached per scope)."""
    scoped = restrict(data, sites, channels=None if channel is None else [channel])
    return criterion_totals_of(scoped).get(criterion, CriterionTotal()).scores


def _criterion_gap(data: PeriodData, vendor_sites: Sequence[str], baseline_sites: Sequence[str], criterion: str,
                   channel: str | None, floor: float | None) -> GapResult:
    # Through the metric cache: the baseline's scores are the same beside every vendor.
    rv, rb = (compute_metric("qa.criterion_score", data, sites, {"criterion": criterion},
                             channels=None if channel is None else [channel])
              for sites in (vendor_sites, baseline_sites))
    test = None
    if rv.has_data and rb.has_data:
        test = _welch(*(_score_moments(data, sites, criterion, channel) for sites in (vendor_sites, baseline_sites)))
    return _gap("qa.criterion_score", criterion, channel, rv, rb, test, floor, unit="evaluation")


def _welch(v: Moments, b: Moments) -> Significance | None:
    """Welch's t test of two samples given by their exact moments (None below two a side)."""
    if v.n < 2 or b.n < 2:
        return None
    return welch_test(v.mean, v.sd, v.n, b.mean, b.sd, b.n)  # type: ignore[arg-type]


def _ces_stats(frame: pl.DataFrame) -> tuple[float, float, int]:
    m = moments(survey.answers(frame, "ces"))
    return m.mean or 0.0, m.sd or 0.0, m.n


def _survey_gaps(v: PeriodData, b: PeriodData, channel: str | None) -> list[GapResult]:
    out = []
    cv, cb = survey.csat(v.surveys), survey.csat(b.surveys)
    test = two_proportion_test(cv.numerator, cv.denominator, cb.numerator, cb.denominator) \
        if cv.has_data and cb.has_data else None  # type: ignore[arg-type]
    out.append(_gap("survey.csat", None, channel, cv, cb, test))

    nv, nb = survey.nps(v.surveys), survey.nps(b.surveys)
    test = None
    if nv.n >= 2 and nb.n >= 2:  # one answer per side has no variance to test with
        var_v = nps_variance(*survey.nps_counts(v.surveys))
        var_b = nps_variance(*survey.nps_counts(b.surveys))
        test = nps_difference_test(nv.value, var_v, nb.value, var_b)  # type: ignore[arg-type]
    out.append(_gap("survey.nps", None, channel, nv, nb, test))

    ev, eb = survey.ces(v.surveys), survey.ces(b.surveys)
    test = welch_test(*_ces_stats(v.surveys), *_ces_stats(b.surveys)) if ev.has_data and eb.has_data else None
    out.append(_gap("survey.ces", None, channel, ev, eb, test))
    return out


def _channels(*sides: PeriodData) -> tuple[str, ...]:
    seen: set[str] = set()
    for side in sides:
        for frame in (side.surveys, side.evaluations):
            seen.update(c for c in frame.get_column("channel").unique().to_list() if c is not None)
    return tuple(sorted(seen))


def brand_consistency(data: PeriodData, vendor_sites: Sequence[str], baseline_sites: Sequence[str],
                      criteria: Sequence[str], floors: Mapping[str, float] | None = None) -> ConsistencyResult:
    """Gaps, significance, consistency points and channel parity of vendor vs in-house baseline.

    `criteria` are the brand-promise criterion ids of the QA form; `floors` the contract's floor per
    criterion in points (0 when not given).
    """
    floors = dict(floors or {})
    v = restrict(data, vendor_sites)
    b = restrict(data, baseline_sites)
    gaps: list[GapResult] = []
    scores: list[float] = []
    for criterion in criteria:
        floor = float(floors.get(criterion, 0.0))
        g = _criterion_gap(data, vendor_sites, baseline_sites, criterion, None, floor)
        if g.vendor.value is not None and g.baseline.value is not None:
            s_k = consistency_score(g.vendor.value, g.baseline.value, floor)
            scores.append(s_k)
            g = replace(g, consistency=s_k)
        gaps.append(g)
    gaps.extend(_survey_gaps(v, b, None))
    lds = min(scores) if scores else None
    parity: list[GapResult] = []
    for channel in _channels(v, b):
        cv = restrict(data, vendor_sites, channels=[channel])
        cb = restrict(data, baseline_sites, channels=[channel])
        parity.extend(_criterion_gap(data, vendor_sites, baseline_sites, c, channel, float(floors.get(c, 0.0)))
                      for c in criteria)
        parity.extend(_survey_gaps(cv, cb, channel))
    return ConsistencyResult(
        vendor_sites=tuple(vendor_sites), baseline_sites=tuple(baseline_sites), gaps=tuple(gaps),
        lds=lds, points=consistency_points(lds) if lds is not None else None, parity=tuple(parity))
