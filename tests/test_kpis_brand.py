"""Brand-promise consistency: gaps, tests, consistency points and channel parity."""

from __future__ import annotations

import pytest
from kpis_frames import data, evaluation

from vendoraudit.kpis import brand_consistency
from vendoraudit.kpis.brand import consistency_points, consistency_score


@pytest.mark.parametrize("lds, points", [
    (1.0, 20), (0.5, 10), (0.3, 6), (0.0, 0), (0.975, 19), (0.999, 19), (0.025, 0), (0.075, 1),
])
def test_consistency_points(lds, points):
    # 20 * LDS - 0.5 then round half up: 0.5 -> 9.5 -> 10; 0.3 -> 5.5 -> 6; 0.075 -> 1.0 -> 1
    assert consistency_points(lds) == points


def test_consistency_score_clamps_and_degenerate_scale():
    assert consistency_score(80, 90, 70) == pytest.approx(0.5)
    assert consistency_score(95, 90, 70) == 1.0
    assert consistency_score(60, 90, 70) == 0.0
    assert consistency_score(70, 65, 65) == 1.0  # baseline at the floor: the vendor reaches it
    assert consistency_score(60, 65, 65) == 0.0


def _world():
    evals, surveys = [], []
    for k in range(10):
        channel = "phone" if k < 6 else "chat"
        evals.append(evaluation([(14, 15, False), (10, 10, False)], ["empathy", "greet"], site_id="HOME",
                                channel=channel))
        evals.append(evaluation([(9, 15, False), (10, 10, False)], ["empathy", "greet"], site_id="S1",
                                channel=channel))
    for k in range(4):
        surveys.append({"site_id": "HOME", "csat": 5, "nps": 10, "ces": 6, "channel": "phone"})
        surveys.append({"site_id": "S1", "csat": 5 if k < 2 else 2, "nps": 10 if k < 2 else 3,
                        "ces": 6 if k < 2 else 3, "channel": "phone" if k % 2 else "chat"})
    return data(qa_evaluations=[e for e, _ in evals], qa_items=[i for _, items in evals for i in items],
                surveys=surveys)


def test_brand_consistency_gaps_and_points():
    res = brand_consistency(_world(), ["S1"], ["HOME"], ["empathy", "greet"], floors={"empathy": 50})
    gaps = {g.label: g for g in res.gaps}
    assert list(gaps) == ["empathy", "greet", "survey.csat", "survey.nps", "survey.ces"]
    emp = gaps["empathy"]
    assert emp.vendor.value == pytest.approx(60.0) and emp.baseline.value == pytest.approx(280 / 3)
    assert emp.gap == pytest.approx(60 - 280 / 3)
    # every evaluation scores 60 (vendor) and 93.33 (baseline): no spread, so Welch's t rejects outright
    assert emp.test == "welch-t" and emp.significant and emp.p_value < 1e-9
    assert (emp.n_vendor, emp.n_baseline, emp.unit) == (10, 10, "evaluation")
    assert emp.floor == 50 and emp.consistency == pytest.approx(10 / (280 / 3 - 50))
    greet = gaps["greet"]
    assert greet.gap == 0.0 and not greet.significant and greet.consistency == 1.0 and greet.floor == 0.0
    # LDS = 10 / 43.333 = 0.2308; 20 * LDS - 0.5 = 4.115 -> 4 points
    assert res.lds == pytest.approx(0.230769, abs=1e-6) and res.points == 4
    csat = gaps["survey.csat"]
    assert (csat.vendor.value, csat.baseline.value, csat.gap) == (50.0, 100.0, -50.0)
    assert csat.test == "two-proportion-z"
    nps = gaps["survey.nps"]
    assert nps.gap == pytest.approx(-100.0) and nps.test == "nps-variance-z"
    ces = gaps["survey.ces"]
    assert ces.gap == pytest.approx(-1.5) and ces.test == "welch-t"
    assert [g.label for g in res.significant_gaps][0] == "empathy"


def test_channel_parity_rows():
    res = brand_consistency(_world(), ["S1"], ["HOME"], ["empathy"])
    channels = sorted({g.channel for g in res.parity})
    assert channels == ["chat", "phone"]
    phone = {g.label: g for g in res.parity if g.channel == "phone"}
    assert phone["empathy"].vendor.n == 6 and phone["empathy"].baseline.n == 6
    chat_csat = next(g for g in res.parity if g.channel == "chat" and g.label == "survey.csat")
    assert chat_csat.baseline.value is None and chat_csat.gap is None and not chat_csat.significant
    assert chat_csat.p_value is None and chat_csat.test == ""


def test_no_baseline_data_gives_no_points():
    res = brand_consistency(_world(), ["S1"], ["NY"], ["empathy"])
    assert res.lds is None and res.points is None
    assert res.gaps[0].gap is None and res.gaps[0].consistency is None


def _gap_world(vendor: tuple[int, int, int], baseline: tuple[int, int, int], points: float) -> object:
    """Evaluations of one 'empathy' criterion worth `points`: counts earning all, half and none of it."""
    evals = []
    for site, counts in (("S1", vendor), ("HOME", baseline)):
        for earned, count in zip((points, points / 2, 0.0), counts):
            evals += [evaluation([(earned, points, False)], ["empathy"], site_id=site) for _ in range(count)]
    return data(qa_evaluations=[e for e, _ in evals], qa_items=[i for _, items in evals for i in items])


def _t_two_sided(t: float, df: float) -> float:
    """Student's t tail by Simpson's rule over its density (an independent check of the library's)."""
    import math
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    a, b, steps = abs(t), abs(t) + 60.0, 60000
    h = (b - a) / steps
    f = [c * (1 + (a + k * h) ** 2 / df) ** (-(df + 1) / 2) for k in range(steps + 1)]
    return 2 * h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2]))


def _welch_by_hand(vendor: tuple[int, int, int], baseline: tuple[int, int, int]) -> float:
    import statistics
    v = [100.0] * vendor[0] + [50.0] * vendor[1] + [0.0] * vendor[2]
    b = [100.0] * baseline[0] + [50.0] * baseline[1] + [0.0] * baseline[2]
    sv, sb = statistics.variance(v) / len(v), statistics.variance(b) / len(b)
    t = (statistics.mean(v) - statistics.mean(b)) / (sv + sb) ** 0.5
    df = (sv + sb) ** 2 / (sv ** 2 / (len(v) - 1) + sb ** 2 / (len(b) - 1))
    return _t_two_sided(t, df)


@pytest.mark.parametrize("vendor, significant", [((172, 28, 26), True), ((178, 22, 26), False)])
def test_criterion_gap_is_tested_over_evaluations_whatever_the_points(vendor, significant):
    # 226 vendor evaluations against 242 in-house ones, as in issue 20. Counting each of the
    # criterion's points as a trial gives p ~ 1e-10 and 2e-7: both "significant", the second wrongly.
    baseline = (205, 20, 17)
    from vendoraudit.kpis.stats import two_proportion_test
    earned = lambda c: 10 * c[0] + 5 * c[1]  # noqa: E731
    assert two_proportion_test(earned(vendor), 10 * 226, earned(baseline), 10 * 242).p_value < 1e-6
    gaps = {}
    for points in (10.0, 2.0):  # every item's points divided by 5: no score changes, nor may the test
        res = brand_consistency(_gap_world(vendor, baseline, points), ["S1"], ["HOME"], ["empathy"])
        gaps[points] = res.gaps[0]
    g = gaps[10.0]
    assert (g.test, g.n_vendor, g.n_baseline, g.unit) == ("welch-t", 226, 242, "evaluation")
    assert (g.vendor.n, g.baseline.n) == (226, 242)
    assert g.p_value == pytest.approx(_welch_by_hand(vendor, baseline), rel=1e-6)
    assert g.significant is significant
    scaled = gaps[2.0]
    assert scaled.p_value == pytest.approx(g.p_value, rel=1e-12) and scaled.significant is significant
    assert scaled.gap == pytest.approx(g.gap, rel=1e-12)
    assert scaled.vendor.interval == g.vendor.interval


def test_criterion_interval_is_over_evaluations():
    # 4 evaluations scoring 100, 50, 50, 0 on a 10-point criterion: mean 50, s = 40.82, n = 4.
    from vendoraudit.kpis.scope import compute_metric
    evals = [evaluation([(e, 10.0, False)], ["empathy"], site_id="S1") for e in (10.0, 5.0, 5.0, 0.0)]
    d = data(qa_evaluations=[e for e, _ in evals], qa_items=[i for _, items in evals for i in items])
    res = compute_metric("qa.criterion_score", d, ["S1"], {"criterion": "empathy"})
    half = 1.96 * (5000 / 3) ** 0.5 / 2
    assert (res.value, res.n, res.numerator, res.denominator) == (50.0, 4, 20.0, 40.0)
    assert res.interval is not None and res.interval.method == "mean-normal"
    assert res.interval.low == pytest.approx(50 - half) and res.interval.high == pytest.approx(50 + half)
