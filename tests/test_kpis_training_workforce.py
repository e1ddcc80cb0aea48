"""Training and workforce metrics, attrition examples of spec/metrics.md included."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from kpis_frames import OCT, UTC, data, frame

from vendoraudit.kpis import compute_metric
from vendoraudit.kpis.workforce import attrition, month_figures
from vendoraudit.periods import Period

D = date


def _roster(start: int, hires: int, leavers: int) -> list[dict]:
    """Agents: `start` employed on 1 Oct (of which `leavers` leave in October), `hires` hired in October."""
    rows = [{"agent_id": f"s{k}", "hire_date": D(2025, 1, 1),
             "termination_date": D(2026, 10, 10) if k < leavers else None} for k in range(start)]
    rows += [{"agent_id": f"h{k}", "hire_date": D(2026, 10, 5)} for k in range(hires)]
    return rows


def test_attrition_monthly_spec_example():
    # start 90, end 110, 5 leavers: 5 / 100 = 5%
    roster = frame("roster", _roster(90, 25, 5))
    assert month_figures(roster, OCT) == (90, 110, 5)
    res = attrition(roster, OCT)
    assert res.value == pytest.approx(5.0) and res.variant == "monthly"
    assert (res.numerator, res.denominator) == (5, 100)


def test_attrition_annualised_spec_example():
    # 6 exits in 3 months with 50 agents on average: 6 / 50 * 12 / 3 = 48%
    rows = [{"agent_id": f"s{k}", "hire_date": D(2025, 1, 1)} for k in range(44)]
    rows += [{"agent_id": f"l{k}", "hire_date": D(2025, 1, 1), "termination_date": D(2026, 8 + k // 2, 20)}
             for k in range(6)]
    rows += [{"agent_id": f"h{k}", "hire_date": D(2026, 8 + k // 2, 3)} for k in range(6)]
    roster = frame("roster", rows)
    for p in (Period(2026, 8), Period(2026, 9), Period(2026, 10)):
        start, end, exits = month_figures(roster, p)
        assert (start + end) / 2 == 50 and exits == 2
    res = compute_metric("workforce.attrition", data(roster=rows), ["S1"], {"variant": "annualised", "months": 3})
    assert res.value == pytest.approx(48.0)
    assert res.params == (("months", "3"),)
    monthly = compute_metric("workforce.attrition", data(roster=rows), ["S1"])
    assert monthly.value == pytest.approx(4.0)
    one = compute_metric("workforce.attrition", data(roster=rows), ["S1"], {"variant": "annualised"})
    assert one.value == pytest.approx(48.0)


def test_termination_on_first_and_last_day():
    rows = [{"hire_date": D(2025, 1, 1), "termination_date": D(2026, 10, 1)},
            {"hire_date": D(2025, 1, 1), "termination_date": D(2026, 10, 31)},
            {"hire_date": D(2025, 1, 1), "termination_date": D(2026, 9, 30)},  # gone before October
            {"hire_date": D(2026, 11, 1)},  # not yet hired
            {"hire_date": D(2026, 10, 31)},
            {"hire_date": D(2025, 1, 1), "role": "trainer"}]
    # start: the two leavers of October; end: the one whose last day worked is 31 October and the
    # hire of that day (spec: termination_date, the last day worked, not before the last day)
    assert month_figures(frame("roster", rows), OCT) == (2, 2, 2)
    head = compute_metric("workforce.headcount", data(roster=rows), ["S1"])
    assert head.value == 3.0 and head.n == 3


def test_attrition_counts_a_hire_on_the_first_at_the_start():
    # spec/metrics.md: start headcount = agents employed at the start of the first local day,
    # hire_date on or before it. 9 agents before October plus one hired on 1 October: start 10;
    # one leaves on 15 October, one more is hired on 20 October: end 10; 1 / 10 = 10%.
    rows = [{"agent_id": f"s{k}", "hire_date": D(2025, 3, 1)} for k in range(8)]
    rows += [{"agent_id": "leaver", "hire_date": D(2025, 3, 1), "termination_date": D(2026, 10, 15)},
             {"agent_id": "first", "hire_date": D(2026, 10, 1)},
             {"agent_id": "later", "hire_date": D(2026, 10, 20)},
             {"agent_id": "nov", "hire_date": D(2026, 11, 1)}]
    assert month_figures(frame("roster", rows), OCT) == (10, 10, 1)
    res = compute_metric("workforce.attrition", data(roster=rows), ["S1"])
    assert res.value == pytest.approx(10.0) and (res.numerator, res.denominator) == (1, 10)


def test_hours_per_active_agent():
    roster = [{"agent_id": "a1"}, {"agent_id": "a2"}, {"agent_id": "a3", "termination_date": D(2026, 9, 1)}]
    training = [{"agent_id": "a1", "hours": 6.0, "category": "product"},
                {"agent_id": "a1", "hours": 2.0, "category": "soft_skills"},
                {"agent_id": "a2", "hours": 4.0, "category": "soft_skills"},
                {"agent_id": "a2", "hours": 9.0, "completed_at": datetime(2026, 9, 30, 12, tzinfo=UTC)}]
    d = data(roster=roster, training=training)
    res = compute_metric("training.hours_per_agent", d, ["S1"])
    assert res.value == 6.0 and res.n == 2 and (res.numerator, res.denominator) == (12.0, 2.0)
    assert res.interval.method == "mean-normal"  # agents: 8 and 4 hours, s = 2.828
    assert res.interval.high - 6.0 == pytest.approx(1.96 * 8 ** 0.5 / 2 ** 0.5)
    soft = compute_metric("training.hours_per_agent", d, ["S1"], {"category": "soft_skills"})
    assert soft.value == 3.0 and soft.params == (("category", "soft_skills"),)
    share = compute_metric("training.soft_skills_share", d, ["S1"])
    assert share.value == pytest.approx(50.0)


def test_client_paid_share_over_known_flags():
    training = [{"hours": 3.0, "paid_by_client": True}, {"hours": 1.0, "paid_by_client": False},
                {"hours": 10.0, "paid_by_client": None}]
    res = compute_metric("training.client_paid_share", data(training=training), ["S1"])
    assert res.value == pytest.approx(75.0) and res.n == 2


def test_onboarding_completion_window_and_hours():
    roster = [{"agent_id": "new1", "hire_date": D(2026, 10, 5)},
              {"agent_id": "new2", "hire_date": D(2026, 8, 3)},  # 90th day back from 31 Oct: in
              {"agent_id": "old", "hire_date": D(2026, 8, 2)},  # 91 days: out
              {"agent_id": "lead", "hire_date": D(2026, 10, 5), "role": "team_lead"}]
    training = [
        {"agent_id": "new1", "category": "onboarding", "hours": 24.0},
        {"agent_id": "new1", "category": "onboarding", "hours": 16.0},  # 40 in October
        {"agent_id": "new2", "category": "onboarding", "hours": 20.0,
         "completed_at": datetime(2026, 8, 10, tzinfo=UTC)},  # earlier month still counts
        {"agent_id": "new2", "category": "product", "hours": 20.0},  # not onboarding
        {"agent_id": "new1", "category": "onboarding", "hours": 5.0,
         "completed_at": datetime(2026, 11, 2, tzinfo=UTC)},  # after the period: ignored
    ]
    d = data(roster=roster, training=training)
    res = compute_metric("training.onboarding_completion", d, ["S1"])
    assert (res.numerator, res.denominator) == (1, 2)
    assert res.params == (("days", "90"), ("min_hours", "40"))
    looser = compute_metric("training.onboarding_completion", d, ["S1"], {"min_hours": 20, "days": 91})
    assert (looser.numerator, looser.denominator) == (2, 3)


@pytest.mark.parametrize("metric", ["training.hours_per_agent", "training.onboarding_completion",
                                    "training.soft_skills_share", "training.client_paid_share",
                                    "workforce.attrition", "workforce.headcount"])
def test_training_and_workforce_empty(metric):
    assert compute_metric(metric, data(), ["S1"]).value is None
    nulls = data(training=[{"paid_by_client": None, "category": "product"}], roster=[])
    if metric in ("training.soft_skills_share",):
        assert compute_metric(metric, nulls, ["S1"]).value == 0.0
    else:
        assert compute_metric(metric, nulls, ["S1"]).value is None
