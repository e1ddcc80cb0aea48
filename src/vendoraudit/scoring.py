"""Scoring: each KPI's outcome against its contract minimum, its points, and the composite score.

Points follow the value-based purchasing method of spec/metrics.md ("Points"): achievement
against the threshold AT and benchmark BM, improvement against the vendor's own baseline B,
the higher of the two wins. Arithmetic is done in Decimal on the shortest decimal form of each
input (so 1.124 - 1.405 is exactly -0.281), then `kpis.stats.round_half_up` rounds the raw value
to 9 decimals and then half-up to a whole number. Lower-is-better KPIs flip every comparison; the formulas need no
flipping because numerator and denominator change sign together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .contract.model import Band, Contract, Domain, Kpi, ScoringMethod
from .errors import ConfigError
from .kpis.labels import result_definition
from .kpis.stats import round_half_up
from .periods import Period
from .results import Direction, MetricResult, Unit

_HALF = Decimal("0.5")
_HUNDREDTH = Decimal("0.01")


class Outcome(StrEnum):
    """A KPI's verdict for the month."""

    MET = "met"
    MISSED = "missed"
    INSUFFICIENT_DATA = "insufficient_data"
    EXCUSED = "excused"


Number = float | int | Decimal


def _dec(x: Number) -> Decimal:
    """A number as Decimal via its shortest decimal text, so 0.1 stays 0.1 and not its binary value."""
    d = x if isinstance(x, Decimal) else Decimal(str(x))
    if not d.is_finite():
        raise ValueError(f"not a finite number: {x!r}")
    return d


def _at_or_beyond(p: Decimal, ref: Decimal, direction: Direction) -> bool:
    return p >= ref if direction is Direction.HIGHER else p <= ref


def _better(p: Decimal, ref: Decimal, direction: Direction) -> bool:
    return p > ref if direction is Direction.HIGHER else p < ref


def _infer(at: Decimal, bm: Decimal, direction: Direction | None) -> Direction:
    """The given direction, or the one the benchmark implies (a benchmark below AT: lower is better)."""
    if direction is not None:
        return Direction(direction)
    if bm == at:
        raise ValueError("the direction is required when the benchmark equals the threshold")
    return Direction.LOWER if bm < at else Direction.HIGHER


def achievement_points(at: Number, bm: Number, p: Number, direction: Direction | None = None) -> int:
    """Achievement points 0..10 of performance `p` against threshold `at` and benchmark `bm`.

    10 at or beyond BM; 0 worse than AT; else clamp(round_half_up(9*(P-AT)/(BM-AT) + 0.5), 1, 9).
    P exactly at AT gives 1; with BM == AT a value at it gives 10. Without a direction, a benchmark
    below the threshold means lower is better.
    """
    at_d, bm_d, p_d = _dec(at), _dec(bm), _dec(p)
    direction = _infer(at_d, bm_d, direction)
    if _better(at_d, bm_d, direction):
        raise ValueError(f"benchmark {bm} is worse than threshold {at} for a {direction}-is-better KPI")
    if _at_or_beyond(p_d, bm_d, direction):
        return 10
    if not _at_or_beyond(p_d, at_d, direction):
        return 0
    raw = 9 * (p_d - at_d) / (bm_d - at_d) + _HALF
    return min(9, max(1, round_half_up(float(raw))))


def improvement_points(b: Number, bm: Number, p: Number, direction: Direction) -> int:
    """Improvement points 0..9 of performance `p` over the vendor's own baseline `b`.

    0 if P is not better than B (so a baseline beyond the benchmark earns none unless P beats it);
    9 at or beyond BM; else clamp(round_half_up(10*(P-B)/(BM-B) - 0.5), 0, 9). The direction is
    required: a baseline may lie on either side of the benchmark.
    """
    b_d, bm_d, p_d = _dec(b), _dec(bm), _dec(p)
    direction = Direction(direction)
    if not _better(p_d, b_d, direction):
        return 0
    if _at_or_beyond(p_d, bm_d, direction):
        return 9
    raw = 10 * (p_d - b_d) / (bm_d - b_d) - _HALF
    return min(9, max(0, round_half_up(float(raw))))


@dataclass(frozen=True)
class KpiPoints:
    """Achievement, improvement (None without a baseline) and the score, their maximum."""

    achievement: int
    improvement: int | None
    points: int


def kpi_points(at: Number, bm: Number, b: Number | None, p: Number,
               direction: Direction | None = None) -> KpiPoints:
    """Points of one KPI in the spec's order (AT, BM, B, P): max(achievement, improvement).

    Without a baseline `b` improvement is not available and the score is the achievement.
    Without a direction it is inferred from AT and BM (see `achievement_points`).
    """
    direction = _infer(_dec(at), _dec(bm), direction)
    achievement = achievement_points(at, bm, p, direction)
    improvement = None if b is None else improvement_points(b, bm, p, direction)
    return KpiPoints(achievement, improvement, max(achievement, improvement or 0))


def band_points(bands: Sequence[Band], value: float, direction: Direction) -> int:
    """Points of the band `value` falls in: the best band whose edge it reaches; 0 if none."""
    v = _dec(value)
    reached = [b for b in bands if _at_or_beyond(v, _dec(b.at_least), direction)]
    if not reached:
        return 0
    edge = max if direction is Direction.HIGHER else min
    return edge(reached, key=lambda b: _dec(b.at_least)).points


def kpi_direction(kpi: Kpi, directions: Mapping[str, Direction] | None = None) -> Direction:
    """A KPI's direction: the contract's, else `directions` (by KPI id, then metric id), else the registry's."""
    if kpi.direction is not None:
        return kpi.direction
    for key in (kpi.id, kpi.metric):
        if directions and key in directions:
            return Direction(directions[key])
    try:
        from .kpis.registry import METRICS  # imported late: the registry is optional for callers
        return METRICS[kpi.metric].direction
    except (ImportError, KeyError, AttributeError):
        raise ConfigError(f"KPI {kpi.id}: cannot tell which way is better for metric {kpi.metric!r}; "
                          "set its direction in the contract") from None


def baseline_period(kpi: Kpi, period: Period) -> Period:
    """The period whose value is this KPI's improvement baseline ('previous' = the month before)."""
    baseline = kpi.scoring.baseline
    return period.shift(-1) if baseline == "previous" else Period.parse(baseline)


def format_value(value: float | None, unit: Unit | None, decimals: int = 1) -> str:
    """A KPI value for people: 91.2%, 86.0 points, 5.30, 3.0 h, 25.0 s."""
    if value is None:
        return "no value"
    if unit is Unit.PERCENT:
        return f"{value:,.{decimals}f}%"
    if unit is Unit.POINTS:
        return f"{value:,.{decimals}f} points"
    if unit is Unit.MEAN:
        return f"{value:,.{decimals + 1}f}"
    if unit is Unit.HOURS:
        return f"{value:,.{decimals}f} h"
    if unit is Unit.SECONDS:
        return f"{value:,.{decimals}f} s"
    if unit is Unit.COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{decimals}f}"
    return f"{value:,.{decimals}f}"


def format_pair(value: float, limit: float, unit: Unit | None) -> tuple[str, str]:
    """Value and limit shown with enough decimals (1..4) that unequal numbers never look equal."""
    for decimals in range(1, 5):
        shown = format_value(value, unit, decimals), format_value(limit, unit, decimals)
        if shown[0] != shown[1] or value == limit:
            break
    return shown


def article(shown: str) -> str:
    """'a' or 'an' for a number as read aloud: an 80.0% minimum, an 11.0 h minimum, a 95.0% minimum."""
    lead = shown.split(".")[0].split(",")[0]
    return "an" if lead.startswith("8") or lead in ("11", "18") else "a"


def _score_value(domain: str, score: Number) -> Decimal:
    d = _dec(score)
    if not Decimal(0) <= d <= Decimal(100):
        raise ValueError(f"domain {domain!r}: score {score} is outside 0..100")
    return d


def domain_weights(scores: Mapping[str, Number | None], weights: Mapping[str, Number]) -> dict[str, Decimal]:
    """Each scored domain's share (percent, exact) of the composite: its weight over the weights of the
    domains that have a score, so missing domains are re-weighted proportionally (10/25/40 with a
    fourth domain of 25 missing become 13.33/33.33/53.33). Domains without a score are left out."""
    for domain, weight in weights.items():
        if _dec(weight) < 0:
            raise ValueError(f"domain {domain!r}: weight {weight} is negative")
    unknown = sorted(set(scores) - set(weights))
    if unknown:
        raise ValueError(f"no weight for domain(s) {', '.join(map(repr, unknown))}")
    present = {d: _dec(weights[d]) for d, score in scores.items() if score is not None}
    total = sum(present.values(), Decimal(0))
    if total <= 0:
        return {}
    return {d: w * 100 / total for d, w in present.items()}


def composite_score(scores: Mapping[str, Number | None], weights: Mapping[str, Number]) -> Decimal | None:
    """The weighted composite (0..100, two decimals, half-up) of domain scores.

    `scores`: domain id -> the domain's score 0..100, or None when the domain has no score this
    period; `weights`: domain id -> its weight (any scale: 25/25/25/25 and 1/1/1/1 are the same).
    Domains without a score (None, or absent from `scores`) are left out and the others re-weighted
    proportionally, as spec/metrics.md ("Points") and the hospital program do. None when no domain
    with a weight above 0 has a score. ValueError for a score outside 0..100, a negative weight or
    a scored domain without a weight. Arithmetic is exact (Decimal); floats are read from their
    shortest decimal text.

    >>> composite_score({"a": 60, "b": 80, "c": 90, "d": None}, {"a": 10, "b": 25, "c": 40, "d": 25})
    Decimal('82.67')
    """
    shares = domain_weights(scores, weights)
    if not shares:
        return None
    total = sum((_score_value(d, scores[d]) * share / 100 for d, share in shares.items()  # type: ignore[arg-type]
                 ), Decimal(0))
    return total.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DomainScore:
    """One domain of a domain-scored contract: points earned over points possible, scaled to 100.

    `score` (two decimals, half-up) is None when nothing in the domain was scored (the domain is
    then left out of the composite and the others re-weighted); `effective_weight` is its share
    (percent) of the composite after re-weighting. `consistency_points` are the brand-promise
    points (of 20) counted in it, when the contract says so.
    """

    domain_id: str
    title: str
    weight: Decimal
    effective_weight: Decimal
    points_earned: int
    points_possible: int
    score: Decimal | None
    kpi_ids: tuple[str, ...]
    consistency_points: int | None = None


@dataclass(frozen=True)
class KpiScore:
    """One KPI's verdict for the month, with everything needed to explain it.

    `effective_weight` is the KPI's share (percent) of the composite after re-weighting;
    `beyond_target` is True only for a met KPI at or beyond its target (eligible for a bonus).
    `verdict` is the short statement ("X missed: 91.2% against a 95.0% minimum"); `reason` adds
    the statistical allowance, why no money moves, and the points.
    """

    kpi_id: str
    title: str
    metric_id: str
    category: str
    direction: Direction
    result: MetricResult | None
    target: float
    minimum: float
    outcome: Outcome
    points: int | None
    achievement: int | None
    improvement: int | None
    baseline: float | None
    weight: Decimal
    effective_weight: Decimal
    beyond_target: bool
    verdict: str
    reason: str
    clause: str = ""
    definition: str = ""  # the parameters and variant its value was computed with ("20 s, variant 3")
    domain: str | None = None  # the contract domain its points count in (domain-scored contracts)

    @property
    def label(self) -> str:
        """The title with the definition it was computed with: one name never shows two definitions."""
        return f"{self.title} ({self.definition})" if self.definition else self.title

    @property
    def value(self) -> float | None:
        return self.result.value if self.result else None

    @property
    def unit(self) -> Unit | None:
        return self.result.unit if self.result else None

    @property
    def is_scored(self) -> bool:
        """Met or missed: the KPI counts in the composite and can move money."""
        return self.outcome in (Outcome.MET, Outcome.MISSED)


@dataclass(frozen=True)
class Scorecard:
    """A vendor's KPI verdicts for one period and its composite score.

    `composite` (0..100, two decimals half-up) is None when no weighted KPI (or domain) could be
    scored. `consistency_points` (0..20, brand promise) is passed through from the KPI engine.
    `domains` holds the domain scores when the contract scores by domains (`composite_score`).
    """

    vendor_id: str
    period: Period
    kpis: tuple[KpiScore, ...]
    composite: Decimal | None
    counts: dict[Outcome, int] = field(default_factory=dict)
    consistency_points: int | None = None
    domains: tuple[DomainScore, ...] = ()  # empty under the flat model

    @property
    def is_breached(self) -> bool:
        """True when any KPI was missed (exit code BREACH with --fail-on-breach)."""
        return any(k.outcome is Outcome.MISSED for k in self.kpis)

    def has_missed(self, kpi_id: str) -> bool:
        """True when the KPI `kpi_id` was missed this period."""
        score = self.get(kpi_id)
        return score is not None and score.outcome is Outcome.MISSED

    def get(self, kpi_id: str) -> KpiScore | None:
        """The score of KPI `kpi_id`, or None if the contract has no such KPI."""
        return next((k for k in self.kpis if k.kpi_id == kpi_id), None)


def _judge(kpi: Kpi, direction: Direction, result: MetricResult | None,
           excuse: str | None) -> tuple[Outcome, str, str]:
    """The outcome, its verdict in words and figures, and any further detail."""
    if excuse is not None:
        return Outcome.EXCUSED, f"{kpi.title} excused: {excuse}", "no credit and no bonus"
    needed = max(kpi.min_sample, result.min_sample if result else 0)
    if result is None or result.value is None:
        return Outcome.INSUFFICIENT_DATA, f"{kpi.title}: no data this period", "no credit and no bonus"
    if result.n < needed:
        return (Outcome.INSUFFICIENT_DATA,
                f"{kpi.title}: insufficient data, {result.n:,} observations where {needed:,} are needed",
                "no credit and no bonus")
    limit_word = "minimum" if direction is Direction.HIGHER else "maximum"
    value_text, limit_text = format_pair(result.value, kpi.minimum, result.unit)
    base = f"{value_text} against {article(limit_text)} {limit_text} {limit_word}"
    if _at_or_beyond(_dec(result.value), _dec(kpi.minimum), direction):
        return Outcome.MET, f"{kpi.title} met: {base}", ""
    if not kpi.statistical_allowance:
        return Outcome.MISSED, f"{kpi.title} missed: {base}", ""
    interval = result.interval
    if interval is None:
        return Outcome.MISSED, f"{kpi.title} missed: {base}", "no interval available for the statistical allowance"
    near_edge = interval.high if direction is Direction.HIGHER else interval.low
    shown = (f"95% interval [{format_value(interval.low, result.unit, 2)}, "
             f"{format_value(interval.high, result.unit, 2)}]")
    if _at_or_beyond(_dec(near_edge), _dec(kpi.minimum), direction):
        return (Outcome.MET, f"{kpi.title} met within the statistical allowance: {base}",
                f"its {shown} reaches the {limit_word}")
    return Outcome.MISSED, f"{kpi.title} missed: {base}", f"its whole {shown} is worse than the {limit_word}"


def _points(kpi: Kpi, direction: Direction, outcome: Outcome, value: float | None,
            baseline: float | None, unit: Unit | None = None) -> tuple[int | None, int | None, int | None, str]:
    """(points, achievement, improvement, words) for a met or missed KPI; Nones otherwise.

    Every computed figure in the words is rounded as the report shows it (the baseline beside the
    value, with decimals enough that unequal never look equal); contract figures appear as written."""
    if outcome not in (Outcome.MET, Outcome.MISSED) or value is None:
        return None, None, None, ""
    method = kpi.scoring.method
    if method is ScoringMethod.PASS_FAIL:
        pts = 10 if outcome is Outcome.MET else 0
        return pts, None, None, f"{pts} points (pass/fail)"
    if method is ScoringMethod.BANDS:
        pts = band_points(kpi.scoring.bands, value, direction)
        return pts, None, None, f"{pts} points (bands)"
    at = kpi.scoring.threshold if kpi.scoring.threshold is not None else kpi.minimum
    bm = kpi.scoring.benchmark if kpi.scoring.benchmark is not None else kpi.target
    try:
        kp = kpi_points(at, bm, baseline, value, direction)
    except ValueError as exc:
        raise ConfigError(f"KPI {kpi.id}: {exc}") from None
    if kp.improvement is None:
        improvement = "improvement not available (no baseline)"
    else:
        now, before = format_pair(value, baseline, unit)  # type: ignore[arg-type]
        improvement = f"improvement {kp.improvement}: {now} over a baseline of {before}"
    words = (f"{kp.points} points (achievement {kp.achievement} against threshold {_dec(at)} "
             f"and benchmark {_dec(bm)}; {improvement})")
    return kp.points, kp.achievement, kp.improvement, words


def score_contract(terms: Contract, period: Period, results: Mapping[str, MetricResult],
                   baselines: Mapping[str, float | None] | None = None,
                   excused: Mapping[str, str] | None = None,
                   consistency_points: int | None = None,
                   directions: Mapping[str, Direction] | None = None) -> Scorecard:
    """Score every KPI of `terms` (amendments already applied) for `period`.

    `results`, `baselines` and `excused` are keyed by KPI id; a KPI without a result has
    insufficient data. Excused wins over every other outcome. Flat model (no domains): composite =
    sum(weight * points) / sum(weights of scored KPIs) * 10, excused and insufficient KPIs left out
    and the rest re-weighted proportionally. With domains: each domain's score is its KPIs' points
    earned over points possible x 100 (consistency points of 20 added in the domain that counts
    them), and the composite is `composite_score` of the domain scores and weights.
    """
    baselines = baselines or {}
    excused = excused or {}
    scores = [_score_kpi(kpi, kpi_direction(kpi, directions), results.get(kpi.id), baselines.get(kpi.id),
                         excused.get(kpi.id)) for kpi in terms.kpis]
    domains: tuple[DomainScore, ...] = ()
    if terms.domains:
        domains, scores, composite = _by_domains(terms.domains, scores, consistency_points)
    else:
        scores, composite = _flat(scores)
    counts = {o: sum(1 for s in scores if s.outcome is o) for o in Outcome}
    return Scorecard(vendor_id=terms.vendor.id, period=period, kpis=tuple(scores), composite=composite,
                     counts=counts, consistency_points=consistency_points, domains=domains)


def _flat(scores: list[KpiScore]) -> tuple[list[KpiScore], Decimal | None]:
    """The flat model: sum(weight * points) / sum(weights of scored KPIs) * 10."""
    scored_weight = sum((s.weight for s in scores if s.points is not None), Decimal(0))
    if scored_weight <= 0:
        return scores, None
    scores = [replace(s, effective_weight=s.weight * 100 / scored_weight) if s.points is not None else s
              for s in scores]
    total = sum((s.weight * s.points for s in scores if s.points is not None), Decimal(0))  # type: ignore[misc]
    return scores, (total * 10 / scored_weight).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


CONSISTENCY_POSSIBLE = 20


def _by_domains(domains: Sequence[Domain], scores: list[KpiScore], consistency_points: int | None) -> tuple[
        tuple[DomainScore, ...], list[KpiScore], Decimal | None]:
    """Domain scores (points earned / possible x 100, two decimals), the composite over them
    (`composite_score`) and each KPI's effective weight: its domain's share x 10 / points possible."""
    raw: list[tuple[Domain, int, int, int | None, tuple[str, ...]]] = []
    for domain in domains:
        members = [s for s in scores if s.domain == domain.id]
        scored = [s for s in members if s.points is not None]
        earned = sum(s.points for s in scored)  # type: ignore[misc]
        possible = 10 * len(scored)
        counted = consistency_points if domain.consistency and consistency_points is not None else None
        if counted is not None:
            earned, possible = earned + counted, possible + CONSISTENCY_POSSIBLE
        raw.append((domain, earned, possible, counted, tuple(s.kpi_id for s in members)))
    values = {d.id: (Decimal(100 * earned) / possible).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
              if possible else None for d, earned, possible, _, _ in raw}
    weights = {d.id: d.weight for d in domains}
    shares = domain_weights(values, weights)
    composite = composite_score(values, weights)
    out = tuple(DomainScore(d.id, d.title or d.id, d.weight, shares.get(d.id, Decimal(0)), earned, possible,
                            values[d.id], members, counted) for d, earned, possible, counted, members in raw)
    possible_of = {d.domain_id: d.points_possible for d in out}
    scores = [replace(s, effective_weight=shares[s.domain] * 10 / possible_of[s.domain])
              if s.points is not None and s.domain in shares else s for s in scores]
    return out, scores, composite


def _score_kpi(kpi: Kpi, direction: Direction, result: MetricResult | None, baseline: float | None,
               excuse: str | None) -> KpiScore:
    """One KPI's score, its effective weight still zero (set once all KPIs are known)."""
    outcome, verdict, detail = _judge(kpi, direction, result, excuse)
    value = result.value if result else None
    pts, ach, imp, words = _points(kpi, direction, outcome, value, baseline, result.unit if result else None)
    beyond = outcome is Outcome.MET and _at_or_beyond(_dec(value), _dec(kpi.target), direction)
    if beyond:
        verdict = f"{verdict}, at or beyond the {format_pair(value, kpi.target, result.unit)[1]} target"
    return KpiScore(
        kpi_id=kpi.id, title=kpi.title, metric_id=kpi.metric, category=kpi.category, direction=direction,
        result=result, target=kpi.target, minimum=kpi.minimum, outcome=outcome, points=pts,
        achievement=ach, improvement=imp, baseline=baseline, weight=kpi.weight,
        effective_weight=Decimal(0), beyond_target=beyond, verdict=verdict,
        reason="; ".join(part for part in (verdict, detail, words) if part), clause=kpi.clause,
        definition=result_definition(result) if result is not None else "", domain=kpi.domain)
