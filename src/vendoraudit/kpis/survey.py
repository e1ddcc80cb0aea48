"""Survey metrics: CSAT (top-2-box or mean), NPS, CES (mean, top-3-box or index).

Each counts only the responses that answered its question (a null score is not an answer).
"""

from __future__ import annotations

import polars as pl

from ..results import Interval, MetricResult, Unit
from .shapes import mean_of, no_data, proportion
from .stats import nps_interval


def answers(surveys: pl.DataFrame, column: str) -> pl.Series:
    """The non-null answers of one survey question."""
    return surveys.get_column(column).drop_nulls()


def csat(surveys: pl.DataFrame, variant: str = "top2") -> MetricResult:
    """top2: 100 * (#4 + #5) / #answered on 1..5 (Wilson); mean: mean score (mean-normal interval)."""
    metric_id = "survey.csat"
    scores = answers(surveys, "csat")
    if variant == "mean":
        return mean_of(metric_id, scores.cast(pl.Float64), unit=Unit.MEAN, variant=variant)
    return proportion(metric_id, int((scores >= 4).sum()), scores.len(), variant=variant)


def nps_counts(surveys: pl.DataFrame) -> tuple[int, int, int]:
    """(promoters 9..10, detractors 0..6, answered) of the NPS question."""
    scores = answers(surveys, "nps")
    return int((scores >= 9).sum()), int((scores <= 6).sum()), scores.len()


def nps(surveys: pl.DataFrame) -> MetricResult:
    """100 * (#9..10 - #0..6) / n, with NPS +- 1.96 sqrt(100^2 (p + d - (p - d)^2) / n)."""
    metric_id = "survey.nps"
    promoters, detractors, n = nps_counts(surveys)
    return _net_score(metric_id, promoters, detractors, n, "default")


def _net_score(metric_id: str, plus: int, minus: int, n: int, variant: str) -> MetricResult:
    if n == 0:
        return no_data(metric_id, Unit.POINTS, variant)
    low, high = nps_interval(plus, minus, n)  # type: ignore[misc]
    return MetricResult(metric_id=metric_id, value=100.0 * (plus - minus) / n, unit=Unit.POINTS, n=n,
                        numerator=float(plus - minus), denominator=float(n),
                        interval=Interval(low, high, "nps-variance"), variant=variant)


def ces(surveys: pl.DataFrame, variant: str = "mean") -> MetricResult:
    """CES on 1..7: mean (default); top3 = % scoring 5..7 (Wilson); index = %6..7 - %1..3 in points.

    The index interval uses the NPS variance formula with 6..7 as the plus and 1..3 as the minus side.
    """
    metric_id = "survey.ces"
    scores = answers(surveys, "ces")
    if variant == "top3":
        return proportion(metric_id, int((scores >= 5).sum()), scores.len(), variant=variant)
    if variant == "index":
        return _net_score(metric_id, int((scores >= 6).sum()), int((scores <= 3).sum()), scores.len(), variant)
    return mean_of(metric_id, scores.cast(pl.Float64), unit=Unit.MEAN, variant=variant)
