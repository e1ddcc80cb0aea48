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
    # pooled 230/300 over points: z = (0.6 - 0.9333) / sqrt(0.76667 * 0.23333 * 2 / 150) = -6.825
    assert emp.test == "two-proportion-z" and emp.significant and emp.p_value < 1e-9
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
