"""The mid-month forecast: its intervals cover the month-end values (sample months and freshly generated
ones), on the last day it is the audit itself, its methods by kind, and bad input answered."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vendoraudit.audit import AuditInputs, run_audit
from vendoraudit.cli import app
from vendoraudit.contract.loader import load_contracts
from vendoraudit.forecast import Kind, _by_weekday, _Day, _p_worse, _proportion, check_as_of, kind_of, run_forecast
from vendoraudit.periods import Period
from vendoraudit.results import Direction, Interval, MetricResult, Unit

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "sample_exports"
runner = CliRunner()


@pytest.fixture(scope="module")
def contracts():
    return load_contracts(ROOT / "contracts")


def _coverage(folder: Path, period: Period, contracts) -> tuple[int, int]:
    """(covered, KPIs): forecasts from the first half of the month against the audited month-end values."""
    audited, _ = run_audit(AuditInputs(folder, contracts), period)
    forecast = run_forecast(folder, period, date(period.year, period.month, 15), contracts)
    covered = total = 0
    for vendor in forecast.vendors:
        actual = {k.kpi_id: k.value for k in audited.vendor(vendor.vendor_id).scorecard.kpis}
        for k in vendor.kpis:
            if actual[k.kpi_id] is None:
                continue
            total += 1
            covered += k.interval is not None and k.interval.low - 1e-9 <= actual[k.kpi_id] <= k.interval.high + 1e-9
    return covered, total


@pytest.mark.parametrize("month", ["2026-08", "2026-09", "2026-10"])
def test_first_half_forecasts_cover_the_sample_month_ends(contracts, month):
    covered, total = _coverage(EXPORTS / month, Period.parse(month), contracts)
    assert total >= 50
    assert covered / total >= 0.8, f"{covered} of {total} KPIs covered"


@pytest.fixture(scope="module")
def fresh_months(tmp_path_factory):
    """Months of worlds the sample generator draws from other seeds."""
    spec = importlib.util.spec_from_file_location("sample_generate", EXPORTS / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # its dataclasses look their module up
    try:
        spec.loader.exec_module(generate)
    finally:
        del sys.modules[spec.name]
    out = tmp_path_factory.mktemp("fresh")
    made = []
    for seed, month in (("forecast-check-1", "2026-09"), ("forecast-check-2", "2026-10")):
        generate.generate(out / seed, [month], seed=seed)
        made.append((out / seed / month, Period.parse(month)))
    return made


def test_first_half_forecasts_cover_freshly_generated_month_ends(contracts, fresh_months):
    for folder, period in fresh_months:
        covered, total = _coverage(folder, period, contracts)
        assert total >= 50
        assert covered / total >= 0.8, f"{folder}: {covered} of {total} KPIs covered"


def test_on_the_last_day_the_forecast_is_the_audit(contracts):
    period = Period(2026, 10)
    audited, _ = run_audit(AuditInputs(EXPORTS / "2026-10", contracts), period)
    forecast = run_forecast(EXPORTS / "2026-10", period, period.last_day, contracts)
    for vendor in forecast.vendors:
        audit = audited.vendor(vendor.vendor_id)
        for k in vendor.kpis:
            assert k.projected == k.so_far == audit.scorecard.get(k.kpi_id).value
            assert k.interval.low == k.interval.high == k.projected
        if audit.settlement is not None:
            net = vendor.net_adjustment
            assert net.expected == net.low == net.high == audit.settlement.net_adjustment
            assert vendor.fees == audit.fees


def test_money_and_p_miss_are_consistent_and_repeatable(contracts):
    period = Period(2026, 9)
    first = run_forecast(EXPORTS / "2026-09", period, date(2026, 9, 12), contracts)
    again = run_forecast(EXPORTS / "2026-09", period, date(2026, 9, 12), contracts)
    assert first == again
    for vendor in first.vendors:
        for k in vendor.kpis:
            assert 0 <= k.p_miss <= 1 and k.interval.low <= k.projected <= k.interval.high
        if vendor.net_adjustment is None:
            continue
        assert vendor.expected_credit <= 0 <= vendor.expected_bonus
        assert vendor.net_adjustment.low <= vendor.net_adjustment.expected <= vendor.net_adjustment.high
    brightpath = {k.kpi_id: k for k in next(v for v in first.vendors if v.vendor_id == "BRIGHTPATH").kpis}
    assert brightpath["empathy"].p_miss > 0.99  # the planted brand-promise gap: 68% against an 80 minimum
    assert brightpath["service_level"].p_miss < 0.01


def test_methods_by_kind():
    assert kind_of("ops.service_level") is Kind.PROPORTION
    assert kind_of("survey.csat") is Kind.PROPORTION
    assert kind_of("qa.score") is Kind.MEAN and kind_of("survey.nps") is Kind.MEAN and kind_of("ops.asa") is Kind.MEAN
    assert kind_of("training.hours_per_agent") is Kind.COUNT and kind_of("workforce.attrition") is Kind.COUNT
    monday = date(2026, 11, 2)
    # two weeks of Mondays with 100 trials and Tuesdays with 50: the days left take their weekday's volume
    series = [_Day(monday + timedelta(days=7 * w + d), 100.0 if d == 0 else 50.0, 0.0) for w in range(2) for d in (0, 1)]
    assert _by_weekday(series, [monday + timedelta(days=14), monday + timedelta(days=15),
                                monday + timedelta(days=16)], "volume") == [100.0, 50.0, 75.0]
    # 80 of 100 so far, days alike (no extra spread), 100 trials to come: month-end 80% +- about 5.6 points
    days = [_Day(monday + timedelta(days=i), 25.0, 20.0) for i in range(4)]
    so_far = MetricResult("ops.service_level", 80.0, Unit.PERCENT, 100, 80, 100, Interval(71.1, 86.7, "wilson"))
    mean, sd, n_end = _proportion(so_far, days, [monday + timedelta(days=7 + i) for i in range(4)])
    assert n_end == 200 and abs(mean - 80.0) < 0.2
    # binomial of the 100 to come (16) plus the rate's own uncertainty (100^2 x 0.0016): sqrt(32) / 200 ~ 2.8%
    assert 2.6 < sd < 3.0
    assert _p_worse(80.0, 2.8, 80.0, Direction.HIGHER) == pytest.approx(0.5)
    assert _p_worse(5.0, 1.0, 7.0, Direction.LOWER) == pytest.approx(0.0228, abs=1e-3)


def test_as_of_outside_the_period_is_refused():
    with pytest.raises(ValueError, match="outside 2026-10"):
        check_as_of(Period(2026, 10), date(2026, 11, 1))
    res = runner.invoke(app, ["forecast", str(EXPORTS / "2026-10"), "--period", "2026-10", "--as-of", "2026-09-30",
                              "--contracts", str(ROOT / "contracts")])
    assert res.exit_code == 2 and "outside 2026-10" in res.output
    bad = runner.invoke(app, ["forecast", str(EXPORTS / "2026-10"), "--period", "2026-10", "--as-of", "15/10/2026",
                              "--contracts", str(ROOT / "contracts")])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_cli_json_shape_and_terminal_table():
    args = ["forecast", str(EXPORTS / "2026-10"), "--period", "2026-10", "--as-of", "2026-10-15",
            "--contracts", str(ROOT / "contracts")]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["kind"] == "forecast" and doc["schema_version"] == 1 and doc["as_of"] == "2026-10-15"
    acme = next(v for v in doc["vendors"] if v["vendor_id"] == "ACME")
    kpi = acme["kpis"][0]
    assert {"kpi_id", "so_far", "projected", "interval", "p_miss"} <= set(kpi)
    assert set(kpi["interval"]) == {"low", "high"}
    assert set(acme["net_adjustment"]) == {"expected", "low", "high"}
    assert all(isinstance(acme["net_adjustment"][k], str) for k in ("expected", "low", "high"))
    assert set(doc["methods"]) == {"proportion", "mean", "count"}
    text = runner.invoke(app, args)
    assert text.exit_code == 0
    rows = [line for line in text.stdout.splitlines() if line.rstrip().endswith("%") and line.startswith(
        ("ACME", "BRIGHTPATH", "CALLCO", "NORTHWIND"))]
    shown = [float(line.rsplit(None, 1)[1].rstrip("%")) for line in rows]
    assert len(shown) >= 10 and shown == sorted(shown, reverse=True)
    assert rows[0].split()[:2] in (["BRIGHTPATH", "ownership"], ["BRIGHTPATH", "empathy"])
    assert "Money at risk" in text.stdout and "proportions: the days so far are the prior" in text.stdout


def test_a_pace_goes_on_by_weekday():
    """Training hours: 8 h each weekday, none at weekends, over 10 agents; the days left add their
    weekdays' pace, so the month ends at 8 h x all weekdays / 10 agents."""
    from vendoraudit.forecast import _count

    start = date(2026, 11, 2)  # a Monday
    elapsed = [start + timedelta(days=i) for i in range(14)]
    left = [start + timedelta(days=i) for i in range(14, 29)]
    series = [_Day(d, 1.0, 8.0 if d.weekday() < 5 else 0.0) for d in elapsed]
    hours = sum(d.amount for d in series)
    so_far = MetricResult("training.hours_per_agent", hours / 10, Unit.HOURS, 10, hours, 10.0)
    mean, sd, _ = _count(so_far, series, left)
    weekdays = sum(1 for d in elapsed + left if d.weekday() < 5)
    assert mean == pytest.approx(8.0 * weekdays / 10)
    # the spread of the days (8 h or none) over the 15 days left, and the pace's own uncertainty
    var = sum((x - hours / 14) ** 2 for x in (d.amount for d in series)) / 13
    assert sd == pytest.approx((15 * var + 15 ** 2 * var / 14) ** 0.5 / 10)
    # whole events (leavers) with none so far still leave room for some: a Jeffreys rate
    none = [_Day(d, 1.0, 0.0) for d in elapsed]
    attrition = MetricResult("workforce.attrition", 0.0, Unit.PERCENT, 50, 0.0, 50.0)
    mean, sd, _ = _count(attrition, none, left)
    assert mean == 0.0 and sd > 0
