"""Survey metrics on tiny frames, spec examples included."""

from __future__ import annotations

import pytest
from kpis_frames import data, frame

from vendoraudit.kpis import compute_metric
from vendoraudit.kpis.survey import ces, csat, nps
from vendoraudit.results import Unit


def _surveys(column: str, counts: dict[int, int], **extra) -> list[dict]:
    return [{column: score, **extra} for score, k in counts.items() for _ in range(k)]


def test_ces_spec_example():
    rows = frame("surveys", _surveys("ces", dict(zip(range(1, 8), [80, 210, 140, 110, 160, 180, 120]))))
    mean = ces(rows)
    assert mean.value == pytest.approx(4.08)
    assert mean.unit is Unit.MEAN and mean.n == 1000 and mean.interval.method == "mean-normal"
    top3 = ces(rows, "top3")
    assert top3.value == pytest.approx(46.0) and top3.variant == "top3" and top3.numerator == 460
    index = ces(rows, "index")
    assert index.value == pytest.approx(-13.0) and index.unit is Unit.POINTS
    assert index.interval.low < -13.0 < index.interval.high


def test_nps_spec_example_from_answers():
    rows = frame("surveys", _surveys("nps", {10: 50, 8: 30, 3: 20}))
    res = nps(rows)
    assert res.value == pytest.approx(30.0)
    assert (round(res.interval.low, 3), round(res.interval.high, 3)) == (14.692, 45.308)
    assert res.n == 100


def test_nps_bucket_edges():
    rows = frame("surveys", _surveys("nps", {9: 1, 7: 1, 6: 1, 0: 1}))
    assert nps(rows).value == pytest.approx(-25.0)  # promoter 9; passive 7; detractors 6 and 0
    rows = frame("surveys", _surveys("nps", {9: 2, 8: 1, 7: 1}))
    assert nps(rows).value == pytest.approx(50.0)


def test_csat_top2_and_mean_ignore_unanswered():
    rows = frame("surveys", [{"csat": 5}, {"csat": 4}, {"csat": 3}, {"csat": 1}, {"csat": None, "nps": 9}])
    top2 = csat(rows)
    assert (top2.value, top2.numerator, top2.denominator, top2.n) == (50.0, 2, 4, 4)
    assert top2.interval.method == "wilson"
    mean = csat(rows, "mean")
    assert mean.value == pytest.approx(13 / 4) and mean.unit is Unit.MEAN and mean.variant == "mean"


@pytest.mark.parametrize("metric, variant", [
    ("survey.csat", "top2"), ("survey.csat", "mean"), ("survey.nps", None),
    ("survey.ces", "mean"), ("survey.ces", "top3"), ("survey.ces", "index"),
])
def test_empty_and_all_null_surveys_give_no_data(metric, variant):
    params = {"variant": variant} if variant else {}
    for rows in ([], [{"comment": "text"}, {"comment": None}]):
        res = compute_metric(metric, data(surveys=rows), ["S1"], params)
        assert res.value is None and res.note == "no data" and res.n == 0 and res.interval is None


def test_single_answer_mean_has_no_interval():
    res = compute_metric("survey.ces", data(surveys=[{"ces": 6}]), ["S1"])
    assert res.value == 6.0 and res.interval is None and res.n == 1
