"""Money: every example of spec/metrics.md "Money" and the withhold example, caps, rounding, earn-back."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from vendoraudit.contract.model import Contract
from vendoraudit.errors import ConfigError
from vendoraudit.money import EarnBackCandidate, LineKind, format_money, format_percent, settle
from vendoraudit.periods import Period
from vendoraudit.results import MetricResult, Unit
from vendoraudit.scoring import score_contract

OCT = Period(2026, 10)


def contract(kpis, money=None, currency="USD") -> Contract:
    return Contract.model_validate({
        "contract_id": "c1", "vendor": {"id": "CALLCO", "name": "CallCo", "kind": "outsourced"},
        "currency": currency, "effective_from": "2026-01", "sites": [{"id": "CC-BOG", "timezone": "America/Bogota"}],
        "qa_form": {"pass_mark": 85, "criteria": [{"id": "empathy", "points": 100}]},
        "kpis": kpis, **({"money": money} if money else {}),
    })


def kpi(kid, **over):
    base = {"id": kid, "title": kid.replace("_", " "), "metric": "ops.callback_within_sla", "category": "service",
            "direction": "higher", "target": 95, "minimum": 90, "weight": 1}
    return base | over


def money(at_risk=10, pool=50, **over):
    return {"at_risk_percent": at_risk, "pool_allocation_cap": 250,
            "categories": [{"id": "service", "pool_allocation": pool}]} | over


def pct(value, n=500) -> MetricResult:
    return MetricResult(metric_id="m", value=value, unit=Unit.PERCENT, n=n)


def run(terms, results, fees, **kw):
    card = score_contract(terms, OCT, results)
    return settle(terms, card, fees, **kw)


def test_spec_example_single_kpi_credit():
    terms = contract([kpi("callback_within_10_min", target=95, minimum=95, credit_allocation=40)], money())
    s = run(terms, {"callback_within_10_min": pct(91.2)}, D("100000"))
    assert s.at_risk == D("10000.00")
    (line,) = s.lines
    assert line.kind is LineKind.SERVICE_CREDIT and line.amount == D("-2000.00")
    assert line.explanation == ("callback within 10 min missed: 91.2% against a 95.0% minimum; "
                                "credit 50% x 40% x $10,000.00 = $2,000.00")
    assert s.credits_total == s.net_adjustment == D("-2000.00") and not s.credit_cap_applied
    assert s.kpi_credits == {"callback_within_10_min": D("2000.00")}


def test_spec_example_credits_capped_at_the_at_risk_amount():
    terms = contract([kpi("a", credit_allocation=75), kpi("b", credit_allocation=50)], money(at_risk=12, pool=100))
    s = run(terms, {"a": pct(80), "b": pct(80)}, D("500000"))
    credits = [line.amount for line in s.lines if line.kind is LineKind.SERVICE_CREDIT]
    assert credits == [D("-45000.00"), D("-30000.00")]  # 75,000 before the cap
    cap = next(line for line in s.lines if line.kind is LineKind.CREDIT_CAP)
    assert cap.amount == D("15000.00") and "$60,000.00" in cap.explanation and "$15,000.00 given back" in cap.explanation
    assert s.credits_total == D("-60000.00") and s.credit_cap_applied
    # what each KPI bears after the cap, pro rata: 60,000 x 75/125 and x 50/125
    assert s.kpi_credits == {"a": D("36000.00"), "b": D("24000.00")}


def test_spec_example_withhold_exchange():
    terms = contract([kpi(f"k{i}") for i in range(5)],
                     money(withhold={"percent": 2, "slope": 2.5}, categories=[]))
    # 2 of 5 equally weighted pass/fail KPIs met: composite 40
    s = run(terms, {"k0": pct(95), "k1": pct(95), "k2": pct(80), "k3": pct(80), "k4": pct(80)}, D("100000"))
    withheld, earned = s.lines
    assert (withheld.kind, withheld.amount) == (LineKind.WITHHOLD, D("-2000.00"))
    assert (earned.kind, earned.amount) == (LineKind.WITHHOLD_EARNED, D("2000.00"))
    assert "2% x score 40.00/100 x slope 2.5 = 2%" in earned.explanation
    assert s.withhold_factor == D("1") and s.withhold_net == D("0.00")


def test_withhold_with_nothing_scored_is_returned_in_full():
    terms = contract([kpi("k", min_sample=50)], money(withhold={"percent": 3, "slope": 2}, categories=[]))
    s = run(terms, {"k": pct(10, n=5)}, D("1000"))
    assert [line.amount for line in s.lines] == [D("-30.00"), D("30.00")] and s.net_adjustment == 0
    assert "returned in full" in s.lines[1].explanation


def test_insufficient_and_excused_earn_no_credit_and_no_bonus():
    terms = contract([kpi("a", credit_allocation=40, bonus_allocation=50, min_sample=100),
                      kpi("b", credit_allocation=40, bonus_allocation=50)],
                     money(bonus={"pool_percent": 2, "cap_percent": 1}))
    card = score_contract(terms, OCT, {"a": pct(10, n=99), "b": pct(10)}, excused={"b": "system outage"})
    s = settle(terms, card, D("100000"))
    assert s.lines == () and s.net_adjustment == 0
    assert all("no credit and no bonus" in k.reason for k in card.kpis)


def test_bonus_beyond_target_and_its_cap():
    terms = contract([kpi("a", bonus_allocation=60), kpi("b", bonus_allocation=60), kpi("c", bonus_allocation=60)],
                     money(bonus={"pool_percent": 2, "cap_percent": 1.5, "clause": "Sched C"}))
    # a beyond target, b met but short of target (no bonus), c beyond target
    s = run(terms, {"a": pct(96), "b": pct(92), "c": pct(95)}, D("100000"))
    bonus = [line for line in s.lines if line.kind is LineKind.BONUS]
    assert [line.kpi_id for line in bonus] == ["a", "c"]
    assert [line.amount for line in bonus] == [D("1200.00"), D("1200.00")]
    assert bonus[0].explanation.endswith("bonus 60% x 2% x $100,000.00 = $1,200.00")
    cap = next(line for line in s.lines if line.kind is LineKind.BONUS_CAP)
    assert cap.amount == D("-900.00") and s.bonus_total == D("1500.00") and s.bonus_cap_applied


def test_rounding_level_kpi_versus_category():
    kpis = [kpi("a", credit_allocation=12.5), kpi("b", credit_allocation=12.5)]
    results = {"a": pct(80), "b": pct(80)}
    # at-risk 10% of $10 = $1; each credit 100% x 12.5% x $1 = $0.125
    by_kpi = run(contract(kpis, money(pool=100)), results, D("10"))
    assert [line.amount for line in by_kpi.lines] == [D("-0.13"), D("-0.13")] and by_kpi.credits_total == D("-0.26")
    assert by_kpi.lines[0].explanation.endswith("= $0.125, rounded to $0.13")
    by_cat = run(contract(kpis, money(pool=100, rounding={"level": "category"})), results, D("10"))
    (line,) = by_cat.lines
    assert line.amount == D("-0.25") and line.category == "service" and line.kpi_id is None
    assert line.explanation.startswith("category service: (a missed: 80.0% against a 90.0% minimum; credit")
    # the $0.25 charged shared to the cent, so returning both gives back exactly what was charged;
    # the cent left over by the equal shares goes to the KPI listed first
    assert by_cat.kpi_credits == {"a": D("0.13"), "b": D("0.12")}


def test_minor_unit_zero_and_currency_text():
    terms = contract([kpi("a", credit_allocation=33)], money(rounding={"minor_unit": 0}), currency="COP")
    s = run(terms, {"a": pct(10)}, D("1234567"))
    # 50% x 33% x 123,456.7 = 20,370.3555 -> 20,370
    assert s.lines[0].amount == D("-20370")
    assert s.lines[0].explanation.endswith("x COP 123,456.7 = COP 20,370.3555, rounded to COP 20,370")


def test_format_helpers():
    assert format_money(D("-2000"), "USD") == "-$2,000.00"
    assert format_money(D("1234.5"), "EUR") == "€1,234.50"
    assert format_money(D("0.125"), "GBP") == "£0.125"
    assert format_money(D("1000"), "JPY", 0) == "JPY 1,000"
    assert format_percent(D("50.00")) == "50%" and format_percent(D("12.5")) == "12.5%"


def test_earn_back_after_the_contracts_run_of_months():
    terms = contract([kpi("a", credit_allocation=40)], money(earn_back_months=3))
    charged = EarnBackCandidate(Period(2026, 7), "a", D("2000.00"), months_met_before=2)
    met = run(terms, {"a": pct(95)}, D("100000"), earn_back=[charged, charged])
    (line,) = met.lines  # the duplicate candidate is returned once
    assert (line.kind, line.amount, line.refers_to) == (LineKind.EARN_BACK, D("2000.00"), Period(2026, 7))
    assert "charged in 2026-07 returned: met 3 month(s) in a row since, the contract requires 3" in line.explanation
    assert met.earn_back_total == met.net_adjustment == D("2000.00")
    missed_now = run(terms, {"a": pct(80)}, D("100000"), earn_back=[charged])
    assert [line.kind for line in missed_now.lines] == [LineKind.SERVICE_CREDIT]
    too_early = EarnBackCandidate(Period(2026, 8), "a", D("2000.00"), months_met_before=1)
    assert run(terms, {"a": pct(95)}, D("100000"), earn_back=[too_early]).lines == ()
    no_clause = contract([kpi("a", credit_allocation=40)], money())
    assert run(no_clause, {"a": pct(95)}, D("100000"), earn_back=[charged]).lines == ()


def test_guards():
    terms = contract([kpi("a", credit_allocation=40, category="nowhere")], money())
    with pytest.raises(ConfigError, match="category 'nowhere'"):
        run(terms, {"a": pct(10)}, D("100"))
    with pytest.raises(TypeError, match="never a float"):
        run(terms, {"a": pct(99)}, 100.0)
    with pytest.raises(ValueError):
        run(terms, {"a": pct(99)}, D("-1"))
    no_money = contract([kpi("a")])
    s = run(no_money, {"a": pct(10)}, D("100"))
    assert s.lines == () and s.at_risk == 0 and s.net_adjustment == 0
