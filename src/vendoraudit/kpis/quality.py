"""Quality (call review) metrics: evaluation scores, QA score, pass and critical-error rates,
criterion scores, coverage, sample adequacy and evaluator agreement.

The `evaluations` frame these functions take is qa_evaluations with the columns added by
`evaluation_scores`: `score` (null when no item was applicable) and `critical`. Calibration
copies are left out of every metric except evaluator agreement, which uses only them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl

from ..periods import Period
from ..results import Interval, MetricResult, Unit
from .exact import Moments, exact_sum, fixed, unscale
from .shapes import mean_of, no_data, params_of, proportion, ratio
from .stats import mean_interval, sample_size
from .workforce import active_agents


def evaluation_scores(evaluations: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """Evaluations with `score` = 100 * sum(earned) / sum(possible of applicable items), 0 when any
    item is critical_failed (even a not-applicable one), null with no applicable item; and
    `critical` = any critical_failed."""
    per_eval = items.group_by("evaluation_id").agg(*ITEM_SUMS)
    return with_scores(evaluations.join(per_eval, on="evaluation_id", how="left", maintain_order="left"))


# An evaluation's items summed (grouped by the caller, by id or by row): see `evaluation_scores`.
# Exact sums (integers of 1e-9 points): the score's last digit does not depend on the summing order.
ITEM_SUMS = (
    exact_sum(pl.col("points_earned")).alias("_earned"),
    exact_sum(pl.when(pl.col("points_earned").is_not_null()).then(pl.col("points_possible"))).alias("_possible"),
    pl.col("critical_failed").fill_null(False).any().alias("critical"),
)


def with_scores(evaluations: pl.DataFrame) -> pl.DataFrame:
    """`score` and `critical` (see `evaluation_scores`) from evaluations joined to their `ITEM_SUMS`."""
    return (
        evaluations.with_columns(pl.col("critical").fill_null(False))
        .with_columns(
            pl.when(pl.col("critical")).then(pl.lit(0.0))
            .when(pl.col("_possible") > 0)
            .then(100.0 * pl.col("_earned").cast(pl.Float64) / pl.col("_possible").cast(pl.Float64))
            .otherwise(pl.lit(None, dtype=pl.Float64))
            .alias("score")
        )
        .drop("_earned", "_possible")
    )


def scored(evaluations: pl.DataFrame) -> pl.DataFrame:
    """Non-calibration evaluations that have a score: the population of QA score and pass rate."""
    return evaluations.filter(~pl.col("calibration").fill_null(False) & pl.col("score").is_not_null())


def qa_score(evaluations: pl.DataFrame) -> MetricResult:
    """Mean evaluation score (0..100 points), mean +- 1.96 s / sqrt(n)."""
    return mean_of("qa.score", scored(evaluations).get_column("score"), unit=Unit.POINTS)


def pass_rate(evaluations: pl.DataFrame, pass_mark: float = 85) -> MetricResult:
    """Share of evaluations scoring at or above the pass mark."""
    scores = scored(evaluations).get_column("score")
    passed = int((scores.round(9) >= float(pass_mark)).sum())
    return proportion("qa.pass_rate", passed, scores.len(), params=params_of({"pass_mark": pass_mark}))


def critical_error_rate(evaluations: pl.DataFrame) -> MetricResult:
    """Share of evaluations (calibration copies excluded) with any critical failure; an evaluation
    whose items were all not applicable is still an evaluation."""
    rows = evaluations.filter(~pl.col("calibration").fill_null(False))
    return proportion("qa.critical_error_rate", int(rows.get_column("critical").sum()), rows.height)


@dataclass(frozen=True)
class CriterionTotal:
    """One criterion over a scope's non-calibration evaluations where it applied.

    `earned` and `possible` are exact sums in 1e-9 points (see `exact`), `items` the applicable
    items, and `scores` the moments of each evaluation's own criterion score (100 * earned /
    possible within the evaluation): the observations of the criterion's interval and gap tests.
    """

    earned: int = 0
    possible: int = 0
    items: int = 0
    scores: Moments = field(default_factory=Moments)

    def __add__(self, other: CriterionTotal) -> CriterionTotal:
        return CriterionTotal(self.earned + other.earned, self.possible + other.possible,
                              self.items + other.items, self.scores + other.scores)

    @property
    def evaluations(self) -> int:
        return self.scores.n


CriterionTotals = dict[str, CriterionTotal]

def criterion_sums(items: pl.LazyFrame, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """Per `keys` and criterion_id, from the applicable items: `points_earned`, `points_possible`
    (exact sums in 1e-9 points), `items`, and the moments of the evaluations' own criterion scores
    (`score_n`, `score_sum`, `score_sq`, see `exact.Moments`).

    Validation keeps one item per (evaluation, criterion) (qa_items' key), so each applicable item
    is its evaluation's own observation on the criterion. Identical observations are counted first
    (a few point values per criterion: a small frame even for 8M items), and every sum is made
    exactly from the counts, so no summing order can show.
    """
    counted = (items.filter(pl.col("points_earned").is_not_null())
               .group_by(*keys, "criterion_id", "points_earned", "points_possible").agg(pl.len().alias("_k")))
    e, p, k = fixed(pl.col("points_earned")), fixed(pl.col("points_possible")), pl.col("_k").cast(pl.Int128)
    x = fixed(pl.when(p > 0).then(100.0 * e.cast(pl.Float64) / p.cast(pl.Float64)))
    return counted.group_by(*keys, "criterion_id").agg(
        (e * k).sum().alias("points_earned"), (p * k).sum().alias("points_possible"),
        pl.col("_k").sum().alias("items"), k.filter(x.is_not_null()).sum().alias("score_n"),
        (x * k).sum().alias("score_sum"), (x * x * k).sum().alias("score_sq"))


def criterion_totals(evaluations: pl.DataFrame, items: pl.DataFrame | pl.LazyFrame) -> CriterionTotals:
    """criterion_id -> `CriterionTotal` over the applicable items of the non-calibration
    evaluations: every criterion of a scope in one pass."""
    keep = evaluations.lazy().filter(~pl.col("calibration").fill_null(False)).select("evaluation_id")
    return summed_totals(criterion_sums(items.lazy().join(keep, on="evaluation_id", how="semi")).collect())


def summed_totals(sums: pl.DataFrame) -> CriterionTotals:
    """`criterion_totals` from `criterion_sums` by criterion_id and anything else (site and channel
    in `period.PeriodData.criteria`); criteria with no applicable item are left out."""
    names = ("points_earned", "points_possible", "items", "score_n", "score_sum", "score_sq")
    totals = (sums.group_by("criterion_id").agg(*(pl.col(c).sum() for c in names))
              .filter(pl.col("items") > 0))
    return {c: CriterionTotal(int(e or 0), int(p or 0), int(n), Moments(int(k or 0), int(t or 0), int(q or 0)))
            for c, e, p, n, k, t, q in totals.iter_rows()}


def criterion_score(evaluations: pl.DataFrame, items: pl.DataFrame | pl.LazyFrame, criterion: str,
                    totals: CriterionTotals | None = None) -> MetricResult:
    """100 * earned / possible of one criterion over the non-calibration evaluations where it applied.

    No critical zeroing here: it scores the criterion itself. The unit of analysis is the
    evaluation (spec/metrics.md, Criterion score): n is the number of evaluations, and the interval
    is mean +- 1.96 s / sqrt(n) over each evaluation's own criterion score, never a proportion over
    points (which would shrink with the points a criterion is worth).
    `totals`: the scope's `criterion_totals`, when the caller already has them.
    """
    if totals is None:
        totals = criterion_totals(evaluations, items.lazy().filter(pl.col("criterion_id") == criterion))
    return criterion_result(criterion, totals.get(criterion, CriterionTotal()))


def criterion_of_items(items: pl.DataFrame, criterion: str) -> MetricResult:
    """`criterion_score` of the applicable items of one criterion given as rows (evaluation_id,
    criterion_id, points_earned, points_possible), as the breakdowns per agent or day have them."""
    totals = summed_totals(criterion_sums(items.lazy().filter(pl.col("criterion_id") == criterion)).collect())
    return criterion_result(criterion, totals.get(criterion, CriterionTotal()))


def criterion_result(criterion: str, total: CriterionTotal) -> MetricResult:
    """The criterion score of its totals: value 100 * earned / possible, n evaluations, and the
    interval over each evaluation's own score (mean +- 1.96 s / sqrt(n))."""
    metric_id = "qa.criterion_score"
    params = params_of({"criterion": criterion})
    if total.possible <= 0:
        return no_data(metric_id, Unit.POINTS, params=params, n=total.evaluations)
    scores = total.scores
    bounds = mean_interval(scores.mean, scores.sd, scores.n) if scores.mean is not None else None
    return MetricResult(
        metric_id=metric_id, value=float(Fraction(100 * total.earned, total.possible)), unit=Unit.POINTS,
        n=scores.n, numerator=unscale(total.earned), denominator=unscale(total.possible),
        interval=Interval(bounds[0], bounds[1], "mean-normal") if bounds else None, params=params)


def coverage(evaluations: pl.DataFrame, roster: pl.DataFrame, period: Period,
             min_evaluations: int = 4) -> MetricResult:
    """Share of active agents with at least k non-calibration evaluations in the period."""
    active = active_agents(roster, period).select("site_id", "agent_id").unique()
    # One lazy query: collect's default engine groups the evaluations faster than eager group_by.
    counts = (evaluations.lazy().filter(~pl.col("calibration").fill_null(False))
              .group_by("site_id", "agent_id").agg(pl.len().alias("_n")))
    covered = (active.lazy().join(counts, on=["site_id", "agent_id"], how="left")
               .select((pl.col("_n").fill_null(0) >= min_evaluations).sum()).collect().item())
    return proportion("qa.coverage", int(covered or 0), active.height,
                      params=params_of({"min_evaluations": min_evaluations}))


def handled_contacts(interactions: pl.DataFrame | pl.LazyFrame) -> int:
    """Contacts an agent handled: not abandoned, with an answered_at (every channel and direction)."""
    return int(interactions.lazy().select(
        (~pl.col("abandoned").fill_null(False) & pl.col("answered_at").is_not_null()).sum()).collect().item() or 0)


def sample_adequacy(evaluations: pl.DataFrame, interactions: pl.DataFrame | pl.LazyFrame, margin: float = 5) -> MetricResult:
    """Evaluations done as % of the evaluations needed for +-margin points at 95% confidence
    (p = 0.5, finite-population correction over the handled contacts of the period).

    numerator = evaluations done (non-calibration, scored), denominator = evaluations needed.
    Above 100 means more than enough.
    """
    metric_id = "qa.sample_adequacy"
    params = params_of({"margin": margin})
    population = handled_contacts(interactions)
    needed = sample_size(population, float(margin) / 100.0)
    done = scored(evaluations).height
    if needed == 0:
        return no_data(metric_id, Unit.PERCENT, params=params, n=done)
    return ratio(metric_id, float(done), float(needed), unit=Unit.PERCENT, n=done, scale=100.0, params=params)


def evaluator_agreement(evaluations: pl.DataFrame, tolerance: float = 5) -> MetricResult:
    """Share of calibration copies within `tolerance` points of their contact's consensus (mean) score.

    Copies are grouped by interaction_id; copies without one or without a score are left out. A
    copy alone on its contact is its own consensus, so it counts as within, as the spec reads.
    """
    copies = evaluations.filter(
        pl.col("calibration").fill_null(False) & pl.col("score").is_not_null()
        & pl.col("interaction_id").is_not_null()
    ).select("interaction_id", "score")
    grouped = copies.with_columns(pl.col("score").mean().over("interaction_id").alias("_consensus"))
    within = grouped.select(
        ((pl.col("score") - pl.col("_consensus")).abs().round(9) <= float(tolerance)).sum()).item()
    return proportion("qa.evaluator_agreement", int(within or 0), grouped.height,
                      params=params_of({"tolerance": tolerance}))
