"""Quality metrics on tiny hand-computed evaluations."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
from kpis_frames import UTC, at, data, evaluation, frame

from vendoraudit.kpis import compute_metric
from vendoraudit.kpis.quality import evaluation_scores


def _qa(*evals: tuple[dict, list[dict]]) -> dict[str, list[dict]]:
    return {"qa_evaluations": [e for e, _ in evals], "qa_items": [i for _, items in evals for i in items]}


def test_critical_failure_zeroes_the_spec_example():
    row, items = evaluation([(10, 10, False), (20, 20, False), (25, 25, True), (20, 20, False),
                             (15, 15, False), (10, 10, False)])
    scores = evaluation_scores(frame("qa_evaluations", [row]), frame("qa_items", items))
    assert scores.get_column("score").to_list() == [0.0]
    assert scores.get_column("critical").to_list() == [True]


def test_not_applicable_items_leave_the_denominator():
    row, items = evaluation([(8, 10, False), (None, 20, False), (12, 15, False)])
    scores = evaluation_scores(frame("qa_evaluations", [row]), frame("qa_items", items))
    assert scores.get_column("score").item() == pytest.approx(100 * 20 / 25)


def test_evaluation_without_applicable_items_has_no_score():
    row, items = evaluation([(None, 10, False)])
    bare = {"evaluation_id": "no-items"}
    scores = evaluation_scores(frame("qa_evaluations", [row, bare]), frame("qa_items", items))
    assert scores.get_column("score").to_list() == [None, None]


def _three_evaluations():
    return _qa(
        evaluation([(9, 10, False), (81, 90, False)], ["greet", "other"]),  # 90
        evaluation([(5, 10, False), (75, 90, False)], ["greet", "other"]),  # 80
        evaluation([(10, 10, False), (90, 90, True)], ["greet", "other"]),  # critical: 0
        evaluation([(0, 10, False), (0, 90, False)], ["greet", "other"], calibration=True),  # ignored
    )


def test_qa_score_pass_rate_critical_rate():
    d = data(**_three_evaluations())
    score = compute_metric("qa.score", d, ["S1"])
    assert score.value == pytest.approx(170 / 3) and score.n == 3
    sd = math.sqrt(((90 - 170 / 3) ** 2 + (80 - 170 / 3) ** 2 + (170 / 3) ** 2) / 2)
    assert score.interval.high - score.value == pytest.approx(1.96 * sd / math.sqrt(3))
    passed = compute_metric("qa.pass_rate", d, ["S1"])
    assert (passed.numerator, passed.denominator) == (1, 3)
    assert compute_metric("qa.pass_rate", d, ["S1"], {"pass_mark": 80}).numerator == 2
    crit = compute_metric("qa.critical_error_rate", d, ["S1"])
    assert (crit.numerator, crit.denominator) == (1, 3)


def test_pass_mark_is_inclusive():
    d = data(**_qa(evaluation([(17, 20, False)])))  # exactly 85
    assert compute_metric("qa.pass_rate", d, ["S1"]).value == 100.0


def test_criterion_score_ignores_critical_zeroing_and_calibration():
    d = data(**_three_evaluations())
    res = compute_metric("qa.criterion_score", d, ["S1"], {"criterion": "greet"})
    assert res.value == pytest.approx(100 * 24 / 30) and res.n == 3
    assert (res.numerator, res.denominator) == (24, 30)
    assert res.params == (("criterion", "greet"),)
    none = compute_metric("qa.criterion_score", d, ["S1"], {"criterion": "absent"})
    assert none.value is None and none.note == "no data"


def test_coverage_counts_active_agents_with_k_evaluations():
    roster = [{"agent_id": "a1"}, {"agent_id": "a2"}, {"agent_id": "a3"},
              {"agent_id": "gone", "termination_date": date(2026, 9, 30)},
              {"agent_id": "lead", "role": "team_lead"}]
    evals = ([evaluation([(1, 1, False)], agent_id="a1") for _ in range(4)]
             + [evaluation([(1, 1, False)], agent_id="a2") for _ in range(3)]
             + [evaluation([(1, 1, False)], agent_id="a2", calibration=True)])
    d = data(roster=roster, **_qa(*evals))
    res = compute_metric("qa.coverage", d, ["S1"])
    assert (res.numerator, res.denominator) == (1, 3)
    assert compute_metric("qa.coverage", d, ["S1"], {"min_evaluations": 3}).numerator == 2


def test_sample_adequacy_against_handled_contacts():
    contacts = [{"answered_at": at(5)}] * 1000 + [{"abandoned": True}] * 50
    evals = [evaluation([(1, 1, False)]) for _ in range(139)]
    res = compute_metric("qa.sample_adequacy", data(interactions=contacts, **_qa(*evals)), ["S1"])
    assert (res.numerator, res.denominator) == (139, 278)
    assert res.value == pytest.approx(50.0)
    empty = compute_metric("qa.sample_adequacy", data(**_qa(*evals)), ["S1"])
    assert empty.value is None


def test_evaluator_agreement_against_the_consensus():
    copies = [
        evaluation([(90, 100, False)], interaction_id="x", calibration=True),
        evaluation([(85, 100, False)], interaction_id="x", calibration=True),
        evaluation([(95, 100, False)], interaction_id="x", calibration=True),  # mean 90: all within 5
        evaluation([(70, 100, False)], interaction_id="y", calibration=True),
        evaluation([(90, 100, False)], interaction_id="y", calibration=True),  # mean 80: both 10 off
        evaluation([(50, 100, False)], interaction_id="z", calibration=True),  # alone: its own consensus
        evaluation([(50, 100, False)], interaction_id="x"),  # not a calibration copy
    ]
    res = compute_metric("qa.evaluator_agreement", data(**_qa(*copies)), ["S1"])
    assert (res.numerator, res.denominator) == (4, 6)
    assert compute_metric("qa.evaluator_agreement", data(**_qa(*copies)), ["S1"],
                          {"tolerance": 10}).numerator == 6


def test_evaluations_placed_by_local_evaluated_at():
    late = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # 31 Oct in New York, 1 Nov in UTC
    d = data(**_qa(evaluation([(1, 2, False)], site_id="NY", evaluated_at=late),
                   evaluation([(1, 1, False)], site_id="S1", evaluated_at=late)))
    assert compute_metric("qa.score", d, ["NY"]).value == 50.0
    assert compute_metric("qa.score", d, ["S1"]).value is None
    assert d.qa_items.height == 1


@pytest.mark.parametrize("metric, params", [
    ("qa.score", {}), ("qa.pass_rate", {}), ("qa.critical_error_rate", {}),
    ("qa.criterion_score", {"criterion": "c0"}), ("qa.coverage", {}), ("qa.sample_adequacy", {}),
    ("qa.evaluator_agreement", {}),
])
def test_quality_empty_and_all_null(metric, params):
    assert compute_metric(metric, data(), ["S1"], params).value is None
    nulls = _qa(evaluation([(None, 10, False)]), evaluation([(None, 5, False)], calibration=True,
                                                            interaction_id="x"))
    res = compute_metric(metric, data(roster=[], **nulls), ["S1"], params)
    if metric == "qa.critical_error_rate":
        # An evaluation whose items were all not applicable is still an evaluation, with no failure.
        assert (res.value, res.n) == (0.0, 1)
    else:
        assert res.value is None and res.note == "no data"
