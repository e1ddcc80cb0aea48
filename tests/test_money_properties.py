"""Money invariants under hypothesis: credits bounded by the cap, monotone in performance, totals
equal sums of rounded lines, same inputs same amounts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from vendoraudit.contract.model import Contract
from vendoraudit.money import LineKind, settle
from vendoraudit.periods import Period
from vendoraudit.results import MetricResult, Unit
from vendoraudit.scoring import score_contract

OCT = Period(2026, 10)
KPI_IDS = ("a", "b", "c", "d")

# whole percents as well as cents of a percent, so large allocations (and so the caps) come up often
percents = st.one_of(st.integers(0, 100).map(Decimal),
                     st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False))
values = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def cases(draw):
    """A contract with up to four KPIs (either direction), their values and the month's fees."""
    kpis = []
    for kid in KPI_IDS[:draw(st.integers(1, 4))]:
        lower = draw(st.booleans())
        target, minimum = sorted(draw(st.lists(values, min_size=2, max_size=2)), reverse=not lower)
        kpis.append({"id": kid, "title": f"kpi {kid}", "metric": "m", "category": draw(st.sampled_from(["x", "y"])),
                     "direction": "lower" if lower else "higher", "target": target, "minimum": minimum,
                     "weight": draw(st.integers(0, 40)), "credit_allocation": draw(percents),
                     "bonus_allocation": draw(percents)})
    money = {"at_risk_percent": draw(percents), "pool_allocation_cap": 300,
             "categories": [{"id": "x", "pool_allocation": draw(st.sampled_from([50, 100, 200, 300]))},
                            {"id": "y", "pool_allocation": draw(percents)}],
             "bonus": {"pool_percent": draw(percents), "cap_percent": draw(percents)},
             "rounding": {"level": draw(st.sampled_from(["kpi", "category"])), "minor_unit": draw(st.integers(0, 3))}}
    if draw(st.booleans()):
        money["withhold"] = {"percent": draw(percents), "slope": draw(st.decimals(min_value="0.1", max_value=5,
                                                                                   places=1))}
    terms = Contract.model_validate({
        "contract_id": "p", "vendor": {"id": "V", "name": "V", "kind": "outsourced"}, "currency": "USD",
        "effective_from": "2026-01", "sites": [{"id": "S", "timezone": "UTC"}],
        "qa_form": {"pass_mark": 85, "criteria": [{"id": "c", "points": 100}]}, "kpis": kpis, "money": money})
    results = {k["id"]: draw(values) for k in kpis}
    fees = draw(st.decimals(min_value=0, max_value=10_000_000, places=2))
    return terms, results, fees


def run(terms, results, fees):
    measured = {k: MetricResult("m", v, Unit.PERCENT, 100) for k, v in results.items()}
    return settle(terms, score_contract(terms, OCT, measured), fees)


def kpi_lines(settlement, kind, kpi_id):
    return sum((line.amount for line in settlement.lines if line.kind is kind and line.kpi_id == kpi_id), Decimal(0))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_credits_are_never_negative_and_never_exceed_the_at_risk_cap(case):
    terms, results, fees = case
    s = run(terms, results, fees)
    assert all(line.amount <= 0 for line in s.lines if line.kind is LineKind.SERVICE_CREDIT)
    assert all(line.amount > 0 for line in s.lines if line.kind is LineKind.CREDIT_CAP)
    assert -s.at_risk <= s.credits_total <= 0
    assert all(c >= 0 for c in s.kpi_credits.values()) and sum(s.kpi_credits.values()) <= -s.credits_total
    quantum = Decimal(1).scaleb(-terms.money.rounding.minor_unit)
    # what each KPI bore adds up to what was charged, to the minor unit (earn-back returns it all)
    assert sum(s.kpi_credits.values(), Decimal(0)) == -s.credits_total
    assert all(c == c.quantize(quantum) for c in s.kpi_credits.values())
    assert 0 <= s.bonus_total <= (terms.money.bonus.cap_percent / 100 * fees).quantize(quantum, ROUND_HALF_UP)


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_better_performance_never_raises_a_credit_nor_lowers_a_bonus(case, data):
    terms, results, fees = case
    kpi = data.draw(st.sampled_from(terms.kpis))
    step = data.draw(st.floats(min_value=0, max_value=100, allow_nan=False))
    better = {**results, kpi.id: results[kpi.id] + (step if kpi.direction == "higher" else -step)}
    before, after = run(terms, results, fees), run(terms, better, fees)
    assert after.kpi_credits.get(kpi.id, 0) <= before.kpi_credits.get(kpi.id, 0)
    assert after.credits_total >= before.credits_total  # credits are negative: fewer or equal
    if terms.money.rounding.level == "kpi":
        assert kpi_lines(after, LineKind.SERVICE_CREDIT, kpi.id) >= kpi_lines(before, LineKind.SERVICE_CREDIT, kpi.id)
        assert kpi_lines(after, LineKind.BONUS, kpi.id) >= kpi_lines(before, LineKind.BONUS, kpi.id)
    assert after.bonus_total >= before.bonus_total
    assert after.withhold_net >= before.withhold_net


@settings(max_examples=150, deadline=None)
@given(cases())
def test_totals_are_sums_of_rounded_lines_and_amounts_are_repeatable(case):
    terms, results, fees = case
    s = run(terms, results, fees)
    quantum = Decimal(1).scaleb(-terms.money.rounding.minor_unit)
    assert all(line.amount == line.amount.quantize(quantum) for line in s.lines)
    assert s.net_adjustment == sum((line.amount for line in s.lines), Decimal(0))
    assert s.net_adjustment == s.credits_total + s.bonus_total + s.withhold_net + s.earn_back_total
    assert s.credits_total == s.total_of(LineKind.SERVICE_CREDIT, LineKind.CREDIT_CAP)
    assert s.bonus_total == s.total_of(LineKind.BONUS, LineKind.BONUS_CAP)
    assert run(terms, results, fees) == s
