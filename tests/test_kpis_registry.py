"""The metric registry, parameter checking, filters and breakdowns."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from kpis_frames import at, data

from vendoraudit.errors import ConfigError
from vendoraudit.kpis import METRICS, breakdown, compute_metric
from vendoraudit.results import Direction, Unit

EXPECTED_IDS = {
    "training.hours_per_agent", "training.onboarding_completion", "training.soft_skills_share",
    "training.client_paid_share", "qa.score", "qa.pass_rate", "qa.critical_error_rate", "qa.criterion_score",
    "qa.coverage", "qa.sample_adequacy", "qa.evaluator_agreement", "survey.csat", "survey.nps", "survey.ces",
    "ops.service_level", "ops.abandon_rate", "ops.asa", "ops.aht", "ops.callback_within",
    "ops.async_response_within", "ops.follow_up_kept", "ops.fcr", "workforce.attrition", "workforce.headcount",
}
LOWER = {"qa.critical_error_rate", "ops.abandon_rate", "ops.asa", "ops.aht", "workforce.attrition"}


def test_registry_ids_and_directions():
    assert set(METRICS) == EXPECTED_IDS
    for mid, m in METRICS.items():
        assert m.id == mid and m.definition and m.title
        assert m.direction is (Direction.LOWER if mid in LOWER else Direction.HIGHER)
    assert METRICS["workforce.headcount"].unit is Unit.COUNT
    with pytest.raises(FrozenInstanceError):
        METRICS["qa.score"].title = "x"  # type: ignore[misc]


def test_defaults_and_variants():
    sl = METRICS["ops.service_level"]
    assert dict(sl.default_params) == {"threshold_seconds": 20, "short_abandon_seconds": 5, "variant": "3"}
    assert set(sl.variants) == {"1", "2", "3", "4", "5"}
    assert METRICS["survey.csat"].default_variant == "top2"
    assert METRICS["survey.ces"].default_variant == "mean"
    assert METRICS["ops.fcr"].variants == ("flag", "repeat")
    assert METRICS["workforce.attrition"].default_variant == "monthly"
    assert METRICS["qa.pass_rate"].default_params["pass_mark"] == 85


@pytest.mark.parametrize("metric, params, fragment", [
    ("ops.nope", {}, "unknown metric 'ops.nope'"),
    ("ops.service_level", {"thresold_seconds": 20}, "unknown parameter 'thresold_seconds'"),
    ("ops.service_level", {"variant": 6}, "unknown variant '6'"),
    ("ops.service_level", {"threshold_seconds": "20"}, "'threshold_seconds' must be a number"),
    ("ops.callback_within", {"minutes": 0}, "'minutes' must be > 0"),
    ("qa.coverage", {"min_evaluations": 2.5}, "whole number"),
    ("qa.criterion_score", {}, "'criterion' is required"),
    ("training.hours_per_agent", {"category": "yoga"}, "unknown value 'yoga'"),
    ("survey.nps", {"variant": "x"}, "unknown parameter 'variant'"),
])
def test_bad_params_raise_config_error(metric, params, fragment):
    with pytest.raises(ConfigError) as err:
        compute_metric(metric, data(), ["S1"], params)
    assert fragment in str(err.value)


def test_decimal_params_from_yaml_are_accepted():
    from decimal import Decimal
    res = compute_metric("qa.pass_rate", data(), ["S1"], {"pass_mark": Decimal("85.5")})
    assert res.params == (("pass_mark", "85.5"),)


def test_min_sample_flags_insufficient():
    d = data(surveys=[{"csat": 5}, {"csat": 4}])
    res = compute_metric("survey.csat", d, ["S1"], min_sample=30)
    assert res.value == 100.0 and res.min_sample == 30 and res.is_insufficient
    assert not compute_metric("survey.csat", d, ["S1"], min_sample=2).is_insufficient


def _mixed():
    ivs = [
        {"interaction_id": "p1", "site_id": "S1", "channel": "phone", "queue": "claims", "answered_at": at(5)},
        {"interaction_id": "p2", "site_id": "S1", "channel": "phone", "queue": "billing", "answered_at": at(50)},
        {"interaction_id": "c1", "site_id": "S2", "channel": "chat", "queue": "claims", "answered_at": at(50)},
        {"interaction_id": "h1", "site_id": "HOME", "channel": "phone", "queue": "claims", "answered_at": at(1)},
    ]
    surveys = [
        {"site_id": "S1", "interaction_id": "p1", "csat": 5, "channel": "phone"},
        {"site_id": "S1", "interaction_id": "p2", "csat": 1, "channel": "phone"},
        {"site_id": "S2", "interaction_id": "c1", "csat": 4, "channel": "chat"},
        {"site_id": "S2", "interaction_id": None, "csat": 2, "channel": "chat"},  # not placeable in a queue
    ]
    return data(interactions=ivs, surveys=surveys)


def test_filters_by_channel_and_queue():
    d = _mixed()
    sl = "ops.service_level"
    assert compute_metric(sl, d, ["S1", "S2"]).value == pytest.approx(100 / 3)
    assert compute_metric(sl, d, ["S1", "S2"], channels=["chat"]).value == 0.0
    assert compute_metric(sl, d, ["S1", "S2"], queues=["claims"]).value == 50.0
    assert compute_metric(sl, d, ["S1", "S2"], exclude_queues=["claims"]).value == 0.0
    cs = "survey.csat"
    assert compute_metric(cs, d, ["S1", "S2"]).denominator == 4
    claims = compute_metric(cs, d, ["S1", "S2"], queues=["claims"])
    assert (claims.numerator, claims.denominator) == (2, 2)
    # exclusion keeps the survey whose queue is unknown
    assert compute_metric(cs, d, ["S1", "S2"], exclude_queues=["claims"]).denominator == 2
    assert compute_metric(cs, d, ["S2"], channels=["chat"]).denominator == 2


def test_filters_that_do_not_apply_are_noted():
    res = compute_metric("workforce.headcount", data(roster=[{}]), ["S1"], channels=["phone"])
    assert res.value == 1.0 and "channel filter does not apply" in res.note


def test_breakdowns_sorted_by_key():
    d = _mixed()
    by_site = breakdown("ops.service_level", d, "site")
    assert [k for k, _ in by_site] == sorted(k for k, _ in by_site)
    values = dict(by_site)
    assert values["S1"].value == 50.0 and values["S2"].value == 0.0 and values["HOME"].value == 100.0
    assert values["NY"].value is None  # known site, no contacts
    by_vendor = dict(breakdown("ops.service_level", d, "vendor"))
    assert by_vendor["V1"].value == pytest.approx(100 / 3) and by_vendor["INHOUSE"].value == 100.0
    by_channel = breakdown("ops.service_level", d, "channel", site_ids=["S1", "S2"])
    assert [(k, r.value) for k, r in by_channel] == [("chat", 0.0), ("phone", 50.0)]
    by_queue = breakdown("survey.csat", d, "queue", site_ids=["S1", "S2"])
    assert [(k, r.denominator) for k, r in by_queue] == [("billing", 1), ("claims", 2)]
    assert breakdown("workforce.headcount", d, "channel") == ()


def test_every_metric_on_empty_data_says_no_data():
    d = data()
    for mid in METRICS:
        params = {"criterion": "x"} if mid == "qa.criterion_score" else {}
        res = compute_metric(mid, d, ["S1"], params)
        assert res.value is None and res.note == "no data", mid
        assert res.metric_id == mid

