"""Results history: replace-on-rerun, baselines, series, earn-back candidates, finalising, bad files."""

from __future__ import annotations

import sqlite3
from decimal import Decimal as D

import pytest

from vendoraudit.contract.model import Contract
from vendoraudit.errors import OutputError
from vendoraudit.history import History, SeriesPoint
from vendoraudit.money import EarnBackCandidate, LineKind, settle
from vendoraudit.periods import Period
from vendoraudit.results import MetricResult, Unit
from vendoraudit.scoring import Outcome, score_contract

JUL, AUG, SEP, OCT = (Period(2026, m) for m in (7, 8, 9, 10))
FEES = D("100000")

TERMS = Contract.model_validate({
    "contract_id": "c1", "vendor": {"id": "CALLCO", "name": "CallCo", "kind": "outsourced"},
    "currency": "USD", "effective_from": "2026-01", "sites": [{"id": "CC-BOG", "timezone": "America/Bogota"}],
    "qa_form": {"pass_mark": 85, "criteria": [{"id": "empathy", "points": 100}]},
    "kpis": [{"id": "callback", "title": "callback within 10 min", "metric": "ops.callback_within_sla",
              "category": "service", "direction": "higher", "target": 95, "minimum": 90, "weight": 1,
              "credit_allocation": 40, "min_sample": 30}],
    "money": {"at_risk_percent": 10, "pool_allocation_cap": 250, "earn_back_months": 2,
              "categories": [{"id": "service", "pool_allocation": 50}]},
})


def audit(history: History, period: Period, value: float, n: int = 500):
    """Score, settle with the history's earn-back candidates, and record, as the audit will."""
    card = score_contract(TERMS, period, {"callback": MetricResult("m", value, Unit.PERCENT, n)})
    candidates = history.earn_back_candidates("CALLCO", period, TERMS.money.earn_back_months)
    s = settle(TERMS, card, FEES, earn_back=candidates)
    history.record(period, [card], [s])
    return card, s


def rows(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_record_replaces_a_rerun_period_and_is_readable_with_plain_sql(tmp_path):
    path = tmp_path / "history.sqlite"
    with History(path) as h:
        audit(h, OCT, 80.0)
        audit(h, OCT, 85.5)  # re-run: replaces, never duplicates
        assert h.kpi_value("CALLCO", "callback", OCT) == 85.5
    assert rows(path, "SELECT period, vendor_id, kpi_id, outcome, value, credit_charged FROM kpi_results") == [
        ("2026-10", "CALLCO", "callback", "missed", 85.5, "2000.00")]
    assert rows(path, "SELECT kind, amount FROM money_lines") == [("service_credit", "-2000.00")]
    assert rows(path, "SELECT net_adjustment, credits_total FROM settlements") == [("-2000.00", "-2000.00")]
    assert rows(path, "SELECT missed, composite FROM scorecards") == [(1, "0.00")]


def test_record_is_one_transaction(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        card, s = audit(h, OCT, 80.0)
        unbindable = card.__class__(**{**card.__dict__, "vendor_id": "OTHER", "consistency_points": object()})
        with pytest.raises(OutputError, match="cannot record 2026-10"):  # fails after the deletes and a first insert
            h.record(OCT, [card, unbindable], [s])
        assert h.kpi_value("CALLCO", "callback", OCT) == 80.0  # rolled back to what was recorded before
    assert len(rows(tmp_path / "h.sqlite", "SELECT * FROM kpi_results")) == 1


def test_kpi_value_only_for_scored_months_and_series_with_gaps(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        audit(h, JUL, 91.0)
        audit(h, SEP, 99.0, n=10)  # insufficient data: not a baseline
        assert h.kpi_value("CALLCO", "callback", JUL) == 91.0
        assert h.kpi_value("CALLCO", "callback", SEP) is None
        assert h.kpi_value("CALLCO", "callback", AUG) is None
        assert h.kpi_series("CALLCO", "callback", SEP, 3) == (
            SeriesPoint(JUL, 91.0, Outcome.MET, 10), SeriesPoint(AUG, None, None, None),
            SeriesPoint(SEP, 99.0, Outcome.INSUFFICIENT_DATA, None))


def test_earn_back_runs_once_after_the_contracts_months(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        audit(h, JUL, 80.0)  # charged $2,000
        assert h.earn_back_candidates("CALLCO", AUG, 2) == []  # August alone cannot make two months
        assert h.earn_back_candidates("CALLCO", AUG, 1) == [EarnBackCandidate(JUL, "callback", D("2000.00"), 0)]
        _, aug = audit(h, AUG, 95.0)  # 1 month met: not yet
        assert aug.lines == ()
        assert h.earn_back_candidates("CALLCO", SEP, 2) == [EarnBackCandidate(JUL, "callback", D("2000.00"), 1)]
        _, sep = audit(h, SEP, 95.0)  # 2 months met: returned
        assert [(line.kind, line.amount, line.refers_to) for line in sep.lines] == [
            (LineKind.EARN_BACK, D("2000.00"), JUL)]
        _, sep_again = audit(h, SEP, 95.0)  # re-running September returns it again, only once
        assert [line.kind for line in sep_again.lines] == [LineKind.EARN_BACK]
        _, octo = audit(h, OCT, 95.0)  # already returned in September
        assert octo.lines == ()
    assert rows(tmp_path / "h.sqlite", "SELECT period, charged_period FROM money_lines WHERE kind = 'earn_back'") == [
        ("2026-09", "2026-07")]


def test_a_broken_run_forfeits_the_credit(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        audit(h, JUL, 80.0)
        audit(h, AUG, 99.0, n=10)  # insufficient data breaks the run
        assert h.earn_back_candidates("CALLCO", SEP, 2) == []
        audit(h, SEP, 80.0)  # a new charge in September
        assert h.earn_back_candidates("CALLCO", OCT, 1) == [EarnBackCandidate(SEP, "callback", D("2000.00"), 0)]
        assert h.earn_back_candidates("CALLCO", OCT, 2) == []  # cannot complete two months this period


def test_finalised_period_cannot_be_recorded_again(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        with pytest.raises(OutputError, match="never recorded"):
            h.finalise(OCT)
        audit(h, OCT, 80.0)
        assert not h.is_finalised(OCT)
        h.finalise(OCT)
        assert h.is_finalised(OCT) and not h.is_finalised(SEP)
        with pytest.raises(OutputError, match="2026-10 is finalised"):
            audit(h, OCT, 95.0)
        assert h.kpi_value("CALLCO", "callback", OCT) == 80.0


def test_corrupt_or_unopenable_file_is_a_clear_error(tmp_path):
    corrupt = tmp_path / "history.sqlite"
    corrupt.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(OutputError, match=f"results history {corrupt}"):
        History(corrupt)
    with pytest.raises(OutputError, match="results history"):
        History(tmp_path)  # a folder


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(OutputError, match="newer vendoraudit"):
        History(path)


@pytest.mark.parametrize("level", ["category", "kpi"])
def test_earn_back_returns_exactly_what_was_charged_under_category_rounding_and_a_cap(tmp_path, level):
    # Two categories (pools 90% and 80%) of two KPIs each, all missed in July: $1,078.00 of
    # credits before the cap, capped at the at-risk amount 7% x $10,000.07 = $700.00. Each KPI's
    # share must add up to the $700.00 charged, so that earning every credit back returns it all.
    kpis = [{"id": kid, "title": kid, "metric": "ops.callback_within_sla", "category": cat, "direction": "higher",
             "target": 95, "minimum": 90, "weight": 1, "credit_allocation": share}
            for kid, cat, share in (("s1", "service", 33), ("s2", "service", 67), ("q1", "quality", 51),
                                    ("q2", "quality", 29))]
    terms = TERMS.model_copy(update={"kpis": [TERMS.kpis[0].model_validate(k) for k in kpis], "money": (
        TERMS.money.model_validate({
            "at_risk_percent": 7, "pool_allocation_cap": 250, "earn_back_months": 2, "rounding": {"level": level},
            "categories": [{"id": "service", "pool_allocation": 90}, {"id": "quality", "pool_allocation": 80}]}))})
    fees = D("10000.07")

    def month(h, period, value):
        card = score_contract(terms, period, {k["id"]: MetricResult("m", value, Unit.PERCENT, 500) for k in kpis})
        s = settle(terms, card, fees, earn_back=h.earn_back_candidates("CALLCO", period, 2))
        h.record(period, [card], [s])
        return s

    with History(tmp_path / "h.sqlite") as h:
        jul = month(h, JUL, 80.0)
        assert jul.credit_cap_applied and jul.credits_total == D("-700.00")
        assert sum(jul.kpi_credits.values()) == D("700.00")
        assert all(v == v.quantize(D("0.01")) for v in jul.kpi_credits.values())
        month(h, AUG, 95.0)
        sep = month(h, SEP, 95.0)
    returned = {line.kpi_id: line.amount for line in sep.lines if line.kind is LineKind.EARN_BACK}
    assert returned == jul.kpi_credits
    assert sep.earn_back_total == -jul.credits_total == D("700.00")


def test_category_line_shares_add_up_to_the_line_without_a_cap():
    # $0.125 + $0.125 + $0.125 = $0.375, one category line rounded to $0.38: shares 0.13, 0.13, 0.12.
    from vendoraudit.money import apportion
    assert apportion(D("0.38"), [D("0.125")] * 3, D("0.01")) == [D("0.13"), D("0.13"), D("0.12")]
    assert apportion(D("10"), [D("1"), D("2"), D("0")], D("1")) == [D("3"), D("7"), D("0")]
    assert apportion(D("0.02"), [D("0"), D("0")], D("0.01")) == [D("0.01"), D("0.01")]
    assert apportion(D("5"), [], D("1")) == []


def test_vendor_months_give_composite_and_net_with_gaps(tmp_path):
    from vendoraudit.history import MonthFigures

    with History(tmp_path / "h.sqlite") as h:
        audit(h, JUL, 80.0)  # missed: a credit
        audit(h, SEP, 96.0)
        months = h.vendor_months("CALLCO", SEP, 3)
        assert months == (MonthFigures(JUL, True, D("0.00"), D("-2000.00"), "USD"),
                          MonthFigures(AUG, False, None, None, None),
                          MonthFigures(SEP, True, D("100.00"), months[2].net_adjustment, "USD"))
        assert months[2].net_adjustment >= 0
        assert h.vendor_months("OTHER", SEP, 2) == (MonthFigures(AUG, False, None, None, None),
                                                    MonthFigures(SEP, False, None, None, None))
        assert h.vendor_months("CALLCO", SEP, 0) == ()
