"""Metric rows (`kpis.rows`): every metric's rows reproduce its numerator, denominator, n and interval,
hold no member data, and carry site-local times."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from kpis_frames import SITES, at, data, evaluation
from vendoraudit.audit import with_earlier_training
from vendoraudit.contract.loader import load_contracts
from vendoraudit.kpis import METRICS, compute_metric, period_data
from vendoraudit.kpis.rows import AGAINST, DAY, NO_AGENT, SLOT, SUPPORTED, metric_rows
from vendoraudit.kpis.slices import result_of
from vendoraudit.periods import Period
from vendoraudit.validate import load_exports

# Every variant of every metric (and a parameter where one changes the population).
CASES = [
    ("ops.service_level", {"variant": v}) for v in "12345"
] + [
    ("ops.abandon_rate", {}), ("ops.asa", {}), ("ops.aht", {}), ("ops.callback_within", {"minutes": 10}),
    ("ops.async_response_within", {}), ("ops.follow_up_kept", {}), ("ops.fcr", {"variant": "flag"}),
    ("ops.fcr", {"variant": "repeat"}), ("qa.score", {}), ("qa.pass_rate", {"pass_mark": 85}),
    ("qa.critical_error_rate", {}), ("qa.criterion_score", {"criterion": "empathy"}), ("qa.coverage", {}),
    ("qa.sample_adequacy", {}), ("qa.evaluator_agreement", {}), ("survey.csat", {"variant": "top2"}),
    ("survey.csat", {"variant": "mean"}), ("survey.nps", {}), ("survey.ces", {"variant": "mean"}),
    ("survey.ces", {"variant": "top3"}), ("survey.ces", {"variant": "index"}), ("training.hours_per_agent", {}),
    ("training.hours_per_agent", {"category": "product"}), ("training.onboarding_completion", {}),
    ("training.soft_skills_share", {}), ("training.client_paid_share", {}),
    ("workforce.attrition", {"variant": "monthly"}), ("workforce.attrition", {"variant": "annualised", "months": 3}),
    ("workforce.headcount", {}),
]


@pytest.fixture(scope="module")
def sample():
    period = Period(2026, 10)
    sites = load_contracts(Path("contracts")).site_directory(period)
    folder = Path("sample_exports/2026-10")
    validated = load_exports(folder, period=period, sites=sites)
    return period_data(with_earlier_training(validated.tables, folder, period, sites), period, sites)


def test_every_metric_of_the_registry_has_rows():
    assert SUPPORTED == set(METRICS)
    assert {m for m, _ in CASES} == set(METRICS)


def _same(got, want):
    assert got.n == want.n
    for name in ("value", "numerator", "denominator"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a == pytest.approx(b, rel=1e-12, abs=1e-9), name
    assert (got.interval is None) == (want.interval is None)
    if want.interval is not None:
        assert got.interval.low == pytest.approx(want.interval.low, abs=1e-9)
        assert got.interval.high == pytest.approx(want.interval.high, abs=1e-9)
        assert got.interval.method == want.interval.method


SCOPES = [
    {"site_ids": ["ACME-MNL"]},
    {"site_ids": ["BP-DAL"]},
    {"site_ids": ["CC-BOG", "NW-BOS"]},
    {"site_ids": ["ACME-MNL"], "channels": ["phone"]},
    {"site_ids": ["BP-DAL"], "queues": ["claims", "billing"]},
    {"site_ids": ["CC-BOG"], "exclude_queues": ["pharmacy"], "exclude_dates": [date(2026, 10, 14), date(2026, 10, 15)]},
]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: "-".join(f"{k}" for k in s))
def test_rows_reproduce_every_metric_on_the_sample(sample, scope):
    for metric_id, params in CASES:
        want = compute_metric(metric_id, sample, params=params, **scope)
        rows = metric_rows(metric_id, sample, params=params, **scope)
        _same(result_of(rows, rows.frame, want), want)


def test_against_rows_are_the_denominator_less_the_numerator(sample):
    rows = metric_rows("ops.service_level", sample, ["CC-BOG"], {"variant": "3"})
    result = compute_metric("ops.service_level", sample, ["CC-BOG"], {"variant": "3"})
    assert rows.frame.get_column(AGAINST).sum() == result.denominator - result.numerator
    nps = metric_rows("survey.nps", sample, ["BP-DAL"])
    detractors = nps.frame.filter(pl.col(AGAINST))
    assert set(detractors.get_column("nps").to_list()) <= set(range(7))
    abandon = metric_rows("ops.abandon_rate", sample, ["CC-BOG"])
    assert abandon.frame.get_column(AGAINST).sum() == compute_metric("ops.abandon_rate", sample, ["CC-BOG"]).numerator


def test_local_times_keys_and_no_agent_group():
    d = data(interactions=[
        # 2026-10-15 12:00 UTC is 08:00 in New York (EDT) and 20:00 in Manila.
        {"site_id": "NY", "agent_id": "a1", "arrived_at": at(0), "answered_at": at(10)},
        {"site_id": "NY", "abandoned": True, "arrived_at": at(1790), "ended_at": at(1830)},
        {"site_id": "MNL", "agent_id": "m1", "arrived_at": at(0), "answered_at": at(40)},
    ])
    ny = metric_rows("ops.service_level", d, ["NY"]).frame
    assert ny.get_column("arrived_local").to_list() == [datetime(2026, 10, 15, 8, 0), datetime(2026, 10, 15, 8, 29, 50)]
    assert ny.get_column(SLOT).to_list() == ["08:00", "08:00"]
    assert ny.get_column("_agent").to_list() == ["a1", NO_AGENT]
    assert ny.get_column(AGAINST).to_list() == [False, True]
    assert ny.get_column("why").to_list() == ["answered after 10.0 s", "abandoned after 40.0 s"]
    mnl = metric_rows("ops.service_level", d, ["MNL"]).frame
    assert mnl.get_column(SLOT).to_list() == ["20:00"]
    assert mnl.get_column(DAY).to_list() == [date(2026, 10, 15)]


CANARY_MEMBER, CANARY_COMMENT = "=MEMBER-CANARY-7731", "COMMENT-CANARY diagnosis"


def test_no_member_reference_or_comment_in_any_metric_rows():
    e1, items1 = evaluation([(5.0, 10.0, False), (0.0, 10.0, True)], ["empathy", "verify"], interaction_id="i1")
    d = data(
        interactions=[
            {"interaction_id": "i1", "member_ref": CANARY_MEMBER, "agent_id": "a1", "arrived_at": at(0),
             "answered_at": at(30), "handle_seconds": 300.0, "resolved_first_contact": False,
             "callback_requested_at": at(0), "follow_up_due_at": at(3600)},
            {"interaction_id": "i2", "member_ref": CANARY_MEMBER, "agent_id": "a1", "arrived_at": at(600),
             "answered_at": at(610), "channel": "email"},
        ],
        surveys=[{"interaction_id": "i1", "csat": 2, "nps": 3, "ces": 2, "comment": CANARY_COMMENT}],
        qa_evaluations=[e1], qa_items=items1,
        training=[{"agent_id": "a1", "hours": 2.0, "paid_by_client": False}],
        roster=[{"agent_id": "a1", "termination_date": date(2026, 10, 20)}],
    )
    for metric_id, params in CASES:
        if metric_id == "qa.criterion_score":
            params = {"criterion": "empathy"}
        rows = metric_rows(metric_id, d, ["S1"], params)
        assert "member_ref" not in rows.frame.columns and "comment" not in rows.frame.columns
        text = rows.frame.select(pl.all().cast(pl.String)).write_csv()
        assert "CANARY" not in text, metric_id
    repeat = metric_rows("ops.fcr", d, ["S1"], {"variant": "repeat"}).frame
    assert repeat.filter(pl.col(AGAINST)).get_column("repeat_of").to_list() == ["i1"]


def test_unknown_metric_and_bad_params_are_config_errors(sample):
    from vendoraudit.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown metric"):
        metric_rows("ops.nope", sample, ["ACME-MNL"])
    with pytest.raises(ConfigError, match="threshold_seconds"):
        metric_rows("ops.service_level", sample, ["ACME-MNL"], {"threshold_seconds": -1})
