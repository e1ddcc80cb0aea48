"""Points (every example of spec/metrics.md "Points" and its edge rules), outcomes and the composite."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vendoraudit.contract.model import Contract
from vendoraudit.errors import ConfigError
from vendoraudit.periods import Period
from vendoraudit.results import Direction, Interval, MetricResult, Unit
from vendoraudit.scoring import (
    KpiPoints, Outcome, achievement_points, article, baseline_period, improvement_points, kpi_direction, kpi_points,
    score_contract,
)

H, L = Direction.HIGHER, Direction.LOWER
OCT = Period(2026, 10)


@pytest.mark.parametrize(("at", "bm", "b", "p", "direction", "expected"), [
    (0.869247, 0.887868, 0.856752, 0.880237, H, (6, 7, 7)),
    (0.869247, 0.887868, 0.861210, 0.887911, H, (10, 9, 10)),
    (0.025396, 0.018159, 0.030343, 0.022314, L, (4, 6, 6)),
    (0.589, 0, 0.596, 0.589, L, (1, 0, 1)),  # P equal to AT
    (0.738, 0, 0.350, 0.328, L, (6, 0, 6)),  # tie 5.5
    (0.726, 0, 1.405, 1.124, L, (0, 2, 2)),  # tie 1.5 in floats
    (79.83, 87.97, 91.1142, 89.7369, H, (10, 0, 10)),  # baseline better than benchmark
])
def test_spec_points_examples(at, bm, b, p, direction, expected):
    assert kpi_points(at, bm, b, p, direction) == KpiPoints(*expected)
    assert achievement_points(at, bm, p, direction) == expected[0]
    assert improvement_points(b, bm, p, direction) == expected[1]


def test_direction_is_inferred_from_benchmark_below_threshold():
    assert kpi_points(0.025396, 0.018159, 0.030343, 0.022314) == KpiPoints(4, 6, 6)
    assert achievement_points(0.738, 0, 0.328) == 6


def test_achievement_edges():
    assert achievement_points(80, 90, 90, H) == 10  # at BM
    assert achievement_points(80, 90, 79.999, H) == 0  # just worse than AT
    assert achievement_points(80, 90, 80, H) == 1  # at AT: round(0.5) = 1
    assert achievement_points(80, 90, 89.99, H) == 9  # clamp to 9 below BM
    assert achievement_points(85, 85, 85, H) == 10  # BM == AT, at it
    assert achievement_points(85, 85, 84.9, H) == 0  # BM == AT, worse
    assert achievement_points(5, 3, 3, L) == 10
    assert achievement_points(5, 3, 5.01, L) == 0
    with pytest.raises(ValueError, match="worse than threshold"):
        achievement_points(90, 80, 85, H)


def test_improvement_edges():
    assert improvement_points(80, 90, 80, H) == 0  # equal to baseline is not better
    assert improvement_points(80, 90, 95, H) == 9  # beyond BM
    assert improvement_points(80, 90, 80.1, H) == 0  # 10*0.01 - 0.5 < 0: clamp to 0
    assert improvement_points(80, 90, 81.5, H) == 1  # 10*1.5/10 - 0.5 = 1.0
    assert improvement_points(95, 90, 96, H) == 9  # baseline beyond BM, P beats it
    assert improvement_points(6, 3, 4.5, L) == 5  # 10*(-1.5)/(-3) - 0.5 = 4.5 -> 5


def test_no_baseline_means_achievement_only():
    assert kpi_points(80, 90, None, 85, H) == KpiPoints(5, None, 5)


def contract(kpis, **money) -> Contract:
    return Contract.model_validate({
        "contract_id": "acme-2026", "vendor": {"id": "ACME", "name": "Acme", "kind": "outsourced"},
        "currency": "USD", "effective_from": "2026-01", "sites": [{"id": "ACME-MNL", "timezone": "Asia/Manila"}],
        "qa_form": {"pass_mark": 85, "criteria": [{"id": "empathy", "points": 100}]},
        "kpis": kpis, **({"money": money} if money else {}),
    })


def kpi(kid, **over):
    base = {"id": kid, "title": kid.replace("_", " "), "metric": "ops.callback_within_sla", "category": "service",
            "direction": "higher", "target": 95, "minimum": 90, "weight": 10}
    return base | over


def pct(value, n=500, **kw) -> MetricResult:
    return MetricResult(metric_id="m", value=value, unit=Unit.PERCENT, n=n, **kw)


def test_outcomes_and_reasons():
    terms = contract([kpi("cb", min_sample=30), kpi("sl"), kpi("csat", min_sample=30), kpi("gone"), kpi("exc")])
    card = score_contract(terms, OCT, {"cb": pct(91.2), "sl": pct(89.96), "csat": pct(99, n=10),
                                       "exc": pct(10)}, excused={"exc": "hurricane closure 3-5 Oct"})
    by = {k.kpi_id: k for k in card.kpis}
    assert by["cb"].outcome is Outcome.MET and not by["cb"].beyond_target
    assert by["cb"].reason.startswith("cb met: 91.2% against a 90.0% minimum")
    assert by["sl"].outcome is Outcome.MISSED
    assert by["sl"].verdict == "sl missed: 89.96% against a 90.00% minimum"  # never "90.0% against 90.0%"
    assert by["csat"].outcome is Outcome.INSUFFICIENT_DATA and by["csat"].points is None
    assert "10 observations where 30 are needed; no credit and no bonus" in by["csat"].reason
    assert by["gone"].outcome is Outcome.INSUFFICIENT_DATA and "no data" in by["gone"].reason
    assert by["exc"].outcome is Outcome.EXCUSED and "hurricane closure" in by["exc"].reason
    assert "no credit and no bonus" in by["exc"].reason
    assert card.counts == {Outcome.MET: 1, Outcome.MISSED: 1, Outcome.INSUFFICIENT_DATA: 2, Outcome.EXCUSED: 1}
    assert card.is_breached and card.has_missed("sl") and not card.has_missed("cb")


def test_insufficient_when_n_below_the_kpis_or_the_results_minimum():
    terms = contract([kpi("a", min_sample=100), kpi("b")])
    card = score_contract(terms, OCT, {"a": pct(99, n=99), "b": pct(99, n=5, min_sample=30)})
    assert [k.outcome for k in card.kpis] == [Outcome.INSUFFICIENT_DATA] * 2
    assert "99 observations where 100 are needed" in card.kpis[0].reason
    assert card.composite is None and not card.is_breached


def test_lower_is_better_flips_the_minimum():
    terms = contract([kpi("abandon", direction="lower", target=5, minimum=6)])
    met = score_contract(terms, OCT, {"abandon": pct(5)}).kpis[0]
    missed = score_contract(terms, OCT, {"abandon": pct(6.5)}).kpis[0]
    assert met.outcome is Outcome.MET and met.beyond_target
    assert missed.outcome is Outcome.MISSED and "6.5% against a 6.0% maximum" in missed.reason


def test_statistical_allowance_misses_only_when_the_whole_interval_is_worse():
    terms = contract([kpi("cb", statistical_allowance=True)])
    near = pct(88.0, interval=Interval(85.1, 90.3, "wilson"))
    far = pct(85.0, interval=Interval(82.0, 89.9, "wilson"))
    s_near = score_contract(terms, OCT, {"cb": near}).kpis[0]
    s_far = score_contract(terms, OCT, {"cb": far}).kpis[0]
    assert s_near.outcome is Outcome.MET and "statistical allowance" in s_near.reason
    assert s_far.outcome is Outcome.MISSED and "whole 95% interval [82.00%, 89.90%]" in s_far.reason
    lower = contract([kpi("ab", direction="lower", target=5, minimum=6, statistical_allowance=True)])
    assert score_contract(lower, OCT, {"ab": pct(6.4, interval=Interval(5.9, 7, "w"))}).kpis[0].outcome is Outcome.MET
    assert score_contract(lower, OCT, {"ab": pct(6.4, interval=Interval(6.1, 7, "w"))}).kpis[0].outcome is Outcome.MISSED


def test_points_methods():
    terms = contract([
        kpi("pf"),
        kpi("vbp", scoring={"method": "points", "threshold": 80, "benchmark": 90}),
        kpi("band", scoring={"method": "bands", "bands": [{"at_least": 90, "points": 4},
                                                          {"at_least": 95, "points": 8}]}),
    ])
    card = score_contract(terms, OCT, {"pf": pct(89), "vbp": pct(85), "band": pct(96)}, baselines={"vbp": 81.5})
    pf, vbp, band = card.kpis
    assert (pf.outcome, pf.points) == (Outcome.MISSED, 0)
    # achievement round(9*5/10 + .5) = 5; improvement round(10*3.5/8.5 - .5) = round(3.618) = 4
    assert (vbp.points, vbp.achievement, vbp.improvement, vbp.baseline) == (5, 5, 4, 81.5)
    assert "5 points (achievement 5" in vbp.reason
    assert band.points == 8
    below = score_contract(terms, OCT, {"band": pct(90.5)}).get("band")
    assert below is not None and below.points == 4


def test_composite_reweights_missing_kpis_proportionally():
    terms = contract([kpi("a", weight=10), kpi("b", weight=25), kpi("c", weight=40), kpi("d", weight=25)])
    card = score_contract(terms, OCT, {"a": pct(96), "b": pct(80), "c": pct(96)})  # d has no data
    shares = [k.effective_weight.quantize(Decimal("0.01")) for k in card.kpis]
    assert shares == [Decimal("13.33"), Decimal("33.33"), Decimal("53.33"), Decimal("0.00")]
    # (10*10 + 25*0 + 40*10) / 75 * 10 = 66.666.. -> 66.67
    assert card.composite == Decimal("66.67")


def test_direction_resolution():
    terms = contract([kpi("x", direction=None, metric="custom.metric")])
    with pytest.raises(ConfigError, match="cannot tell which way"):
        score_contract(terms, OCT, {"x": pct(50)})
    card = score_contract(terms, OCT, {"x": pct(50)}, directions={"custom.metric": Direction.LOWER})
    assert card.kpis[0].direction is L and card.kpis[0].outcome is Outcome.MET  # 50 <= 90
    assert kpi_direction(terms.kpis[0], {"x": Direction.HIGHER}) is H
    from_registry = contract([kpi("ab", direction=None, metric="ops.abandon_rate")]).kpis[0]
    assert kpi_direction(from_registry) is L


def test_baseline_period():
    terms = contract([kpi("p"), kpi("fixed", scoring={"method": "points", "threshold": 80, "benchmark": 90,
                                                       "baseline": "2025-12"})])
    assert baseline_period(terms.kpis[0], OCT) == Period(2026, 9)
    assert baseline_period(terms.kpis[1], OCT) == Period(2025, 12)


@pytest.mark.parametrize(("shown", "expected"), [
    ("80.0%", "an"), ("8.0 h", "an"), ("11.0%", "an"), ("18,000", "an"), ("95.0%", "a"), ("110.0%", "a"),
    ("1.5", "a"), ("85.0 points", "an"),
])
def test_article_reads_numbers_aloud(shown, expected):
    assert article(shown) == expected


def test_explanations_show_figures_rounded_as_the_report_shows_them():
    # Issue 20: "over a baseline of 81.01725703905541". The baseline is a computed value: it is
    # shown as the report shows values (decimals enough to tell it from the value), never raw.
    terms = contract([kpi("vbp", scoring={"method": "points", "threshold": 80, "benchmark": 90})])
    card = score_contract(terms, OCT, {"vbp": pct(84.98765432109876)}, baselines={"vbp": 81.01725703905541})
    (vbp,) = card.kpis
    assert "improvement 4: 85.0% over a baseline of 81.0%" in vbp.reason
    assert "84.98765" not in vbp.reason and "81.017" not in vbp.reason
    close = score_contract(terms, OCT, {"vbp": pct(85.04)}, baselines={"vbp": 85.01}).kpis[0]
    assert "improvement 0: 85.04% over a baseline of 85.01%" in close.reason


def test_no_raw_float_in_any_explanation_of_the_sample_audit(sample_audit):
    import re
    long_decimals = re.compile(r"\d\.\d{5,}")
    texts = []
    for v in sample_audit.vendors:
        texts += [k.verdict for k in v.scorecard.kpis] + [k.reason for k in v.scorecard.kpis] + list(v.movers)
        texts += [line.explanation for line in (v.settlement.lines if v.settlement else ())] + [v.fee_basis]
    assert len(texts) > 100
    assert [t for t in texts if long_decimals.search(t)] == []


# --- domains and the composite (spec/metrics.md, "Points": a weighted composite of domain scores) ---

def test_composite_score_re_weights_missing_domains_as_the_spec_example():
    from vendoraudit.scoring import composite_score, domain_weights
    weights = {"a": 10, "b": 25, "c": 40, "d": 25}
    scores = {"a": 60, "b": 80, "c": 90, "d": None}
    shares = domain_weights(scores, weights)
    assert {k: v.quantize(Decimal("0.01")) for k, v in shares.items()} == {
        "a": Decimal("13.33"), "b": Decimal("33.33"), "c": Decimal("53.33")}
    # (10 x 60 + 25 x 80 + 40 x 90) / 75 = 82.666...
    assert composite_score(scores, weights) == Decimal("82.67")
    assert composite_score({"a": 60, "b": 80, "c": 90}, weights) == Decimal("82.67")  # absent = missing
    assert composite_score(scores, {"a": 2, "b": 5, "c": 8, "d": 5}) == Decimal("82.67")  # scale-free
    every = {"a": 50, "b": 50, "c": 50, "d": 100}
    assert composite_score(every, weights) == Decimal("62.50")
    assert composite_score({"a": 87.5, "b": Decimal("12.25")}, {"a": 1, "b": 1}) == Decimal("49.88")
    assert composite_score({"a": None, "b": None}, {"a": 1, "b": 1}) is None
    assert composite_score({"a": 70, "b": None}, {"a": 0, "b": 1}) is None
    for bad_scores, bad_weights in (({"a": 101}, {"a": 1}), ({"a": -1}, {"a": 1}), ({"a": 50}, {"a": -1}),
                                    ({"x": 50}, {"a": 1})):
        with pytest.raises(ValueError):
            composite_score(bad_scores, bad_weights)


def _domain_contract(kpis, domains):
    return Contract.model_validate({
        "contract_id": "acme-2026", "vendor": {"id": "ACME", "name": "Acme", "kind": "outsourced"},
        "currency": "USD", "effective_from": "2026-01", "sites": [{"id": "ACME-MNL", "timezone": "Asia/Manila"}],
        "qa_form": {"pass_mark": 85, "criteria": [{"id": "empathy", "points": 100}]},
        "kpis": kpis, "domains": domains})


def test_domain_scores_are_points_earned_over_possible_and_the_composite_re_weights():
    domains = [{"id": "resp", "title": "Responsiveness", "weight": 10},
               {"id": "exp", "title": "Experience", "weight": 25, "consistency": True},
               {"id": "qual", "title": "Quality", "weight": 40},
               {"id": "work", "title": "Workforce", "weight": 25}]
    kpis = [kpi("sl", domain="resp"), kpi("cb", domain="resp"), kpi("csat", domain="exp"),
            kpi("qa", domain="qual"), kpi("att", domain="work", min_sample=100)]
    terms = _domain_contract(kpis, domains)
    # pass/fail: sl met 10, cb missed 0; csat met 10; qa met 10; attrition short of data (workforce missing)
    card = score_contract(terms, OCT, {"sl": pct(95), "cb": pct(80), "csat": pct(96), "qa": pct(92),
                                       "att": pct(3, n=20)}, consistency_points=14)
    by = {d.domain_id: d for d in card.domains}
    assert [d.domain_id for d in card.domains] == ["resp", "exp", "qual", "work"]
    assert (by["resp"].points_earned, by["resp"].points_possible, by["resp"].score) == (10, 20, Decimal("50.00"))
    # consistency counts in its domain as HCAHPS consistency does: (10 + 14) / (10 + 20)
    assert (by["exp"].points_earned, by["exp"].points_possible, by["exp"].score) == (24, 30, Decimal("80.00"))
    assert by["exp"].consistency_points == 14 and by["resp"].consistency_points is None
    assert by["qual"].score == Decimal("100.00")
    assert by["work"].score is None and by["work"].effective_weight == 0 and by["work"].kpi_ids == ("att",)
    assert [by[d].effective_weight.quantize(Decimal("0.01")) for d in ("resp", "exp", "qual")] == [
        Decimal("13.33"), Decimal("33.33"), Decimal("53.33")]
    # (10 x 50 + 25 x 80 + 40 x 100) / 75 = 86.666...
    assert card.composite == Decimal("86.67")
    ks = {k.kpi_id: k for k in card.kpis}
    assert ks["sl"].domain == "resp" and ks["sl"].effective_weight == by["resp"].effective_weight * 10 / 20
    assert ks["att"].effective_weight == 0
    # without consistency points (in-house, or no brand items) the domain is its KPIs alone
    alone = score_contract(terms, OCT, {"sl": pct(95), "cb": pct(80), "csat": pct(96), "qa": pct(92)})
    assert alone.get("csat") is not None and alone.domains[1].points_possible == 10


def test_the_flat_model_stays_the_default():
    terms = contract([kpi("a", weight=30), kpi("b", weight=10)])
    card = score_contract(terms, OCT, {"a": pct(95), "b": pct(80)}, consistency_points=20)
    assert card.domains == () and card.composite == Decimal("75.00")  # consistency moves nothing here
