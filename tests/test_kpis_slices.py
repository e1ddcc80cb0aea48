"""Breakdowns per agent, day and half-hour (`kpis.slices`): they add up to the site's totals and
carry the same kind of interval and n as the metric itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kpis_frames import at, data
from test_kpis_rows import CASES
from vendoraudit.audit import with_earlier_training
from vendoraudit.contract.loader import load_contracts
from vendoraudit.kpis import compute_metric, period_data
from vendoraudit.kpis.rows import NO_AGENT, Axis, metric_rows
from vendoraudit.kpis.slices import slice_metric
from vendoraudit.periods import Period
from vendoraudit.validate import load_exports


@pytest.fixture(scope="module")
def sample():
    period = Period(2026, 10)
    sites = load_contracts(Path("contracts")).site_directory(period)
    folder = Path("sample_exports/2026-10")
    validated = load_exports(folder, period=period, sites=sites)
    return period_data(with_earlier_training(validated.tables, folder, period, sites), period, sites)


@pytest.mark.parametrize("axis", list(Axis))
@pytest.mark.parametrize("site", ["ACME-MNL", "BP-DAL", "CC-BOG", "NW-BOS"])
def test_groups_sum_back_to_the_site(sample, axis, site):
    checked = 0
    for metric_id, params in CASES:
        groups = slice_metric(metric_id, sample, [site], axis, params)
        rows = metric_rows(metric_id, sample, [site], params)
        if axis not in rows.axes:
            assert groups == ()
            continue
        whole = compute_metric(metric_id, sample, [site], params)
        assert groups, (metric_id, axis)
        assert sum(r.numerator or 0 for _, r in groups) == pytest.approx(whole.numerator or 0), metric_id
        assert sum(r.denominator or 0 for _, r in groups) == pytest.approx(whole.denominator or 0), metric_id
        assert sum(r.n for _, r in groups) == whole.n, metric_id
        checked += 1
    assert checked >= 5


def test_interval_and_day_are_site_local_half_hours():
    d = data(interactions=[
        # 12:00 UTC is 08:00 in New York: two contacts in the 08:00 half-hour, one at 08:30.
        {"site_id": "NY", "agent_id": "a1", "arrived_at": at(0), "answered_at": at(10)},
        {"site_id": "NY", "agent_id": "a2", "arrived_at": at(60), "answered_at": at(90)},
        {"site_id": "NY", "abandoned": True, "arrived_at": at(1800), "ended_at": at(1830)},
        # 03:59 UTC on the 16th is still the 15th in New York.
        {"site_id": "NY", "agent_id": "a1", "arrived_at": at(57540), "answered_at": at(57545)},
    ])
    by_slot = dict(slice_metric("ops.service_level", d, ["NY"], "interval"))
    assert sorted(by_slot) == ["08:00", "08:30", "23:30"]
    assert (by_slot["08:00"].numerator, by_slot["08:00"].denominator, by_slot["08:00"].n) == (1, 2, 2)
    assert by_slot["08:00"].value == pytest.approx(50.0)
    assert by_slot["08:00"].interval is not None and by_slot["08:00"].interval.method == "wilson"
    assert (by_slot["08:30"].numerator, by_slot["08:30"].denominator) == (0, 1)
    by_day = dict(slice_metric("ops.service_level", d, ["NY"], "day"))
    assert list(by_day) == ["2026-10-15"] and by_day["2026-10-15"].denominator == 4
    by_agent = dict(slice_metric("ops.service_level", d, ["NY"], "agent"))
    assert list(by_agent) == ["a1", "a2", NO_AGENT]
    assert (by_agent["a1"].numerator, by_agent["a1"].denominator) == (2, 2)


def test_metrics_without_the_axis_give_nothing(sample):
    assert slice_metric("workforce.headcount", sample, ["ACME-MNL"], "day") == ()
    assert slice_metric("survey.nps", sample, ["ACME-MNL"], "interval") == ()
    assert slice_metric("qa.sample_adequacy", sample, ["ACME-MNL"], "agent") == ()


def test_an_unknown_axis_is_refused(sample):
    with pytest.raises(ValueError):
        slice_metric("ops.asa", sample, ["ACME-MNL"], "week")
