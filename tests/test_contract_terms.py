"""Terms in force for a period: amendments applied in date order, before and after."""

from __future__ import annotations

import functools

from decimal import Decimal
from pathlib import Path
from typing import Any

from vendoraudit.contract.loader import ContractSet, load_contracts
from vendoraudit.contract.model import Contract, FeeModel
from vendoraudit.contract.terms import is_in_force, terms_for
from vendoraudit.periods import Period

SAMPLES = Path(__file__).resolve().parents[1] / "contracts"


@functools.cache
def _samples() -> ContractSet:
    """The sample contracts, read once per module (the pure-Python YAML reader is slow)."""
    return load_contracts(SAMPLES)


def _kpi(kid: str, minimum: float, **extra: Any) -> dict[str, Any]:
    return {"id": kid, "title": kid, "metric": "qa.score", "category": "quality",
            "target": 90, "minimum": minimum} | extra


def _contract(**extra: Any) -> Contract:
    return Contract.model_validate({
        "contract_id": "T-1", "vendor": {"id": "T", "name": "T", "kind": "outsourced"},
        "currency": "USD", "effective_from": "2026-01", "effective_to": "2026-12",
        "sites": [{"id": "T-1", "timezone": "UTC"}],
        "fees": {"model": "fixed_monthly", "amount": "1000"},
        "qa_form": {"pass_mark": 85, "criteria": [{"id": "empathy", "points": 100}]},
        "kpis": [_kpi("a", 80), _kpi("b", 81), _kpi("c", 82)],
    } | extra)


def test_callco_sample_before_and_after_its_july_amendment() -> None:
    contracts = _samples()
    june = contracts.terms_for("CALLCO", "2026-06")
    july = contracts.terms_for("CALLCO", "2026-07")
    october = contracts.terms_for("CALLCO", Period(2026, 10))

    def callback(c: Contract) -> float:
        return next(k.minimum for k in c.kpis if k.id == "callback_10min")

    assert (callback(june), june.fees.amount) == (85.0, Decimal("27.50"))
    assert (callback(july), july.fees.amount) == (90.0, Decimal("26.75"))
    assert october == july
    assert june.fees.model is FeeModel.PER_CONTACT
    # The amended KPI keeps its place; nothing else changes.
    assert [k.id for k in july.kpis] == [k.id for k in june.kpis]
    assert [k for k in july.kpis if k.id != "callback_10min"] == [k for k in june.kpis if k.id != "callback_10min"]
    assert june.amendments == [] and july.amendments == []


def test_amendments_apply_in_date_order_replace_merge_and_remove() -> None:
    contract = _contract(amendments=[
        {"id": "A1", "effective_from": "2026-04", "kpis": [_kpi("b", 85), _kpi("d", 70)],
         "fees": {"model": "per_fte", "amount": "2000"}},
        {"id": "A2", "effective_from": "2026-09", "remove_kpis": ["a"], "kpis": [_kpi("d", 75)]},
    ])
    march = terms_for(contract, Period(2026, 3))
    april = terms_for(contract, Period(2026, 4))
    september = terms_for(contract, Period(2026, 9))
    assert [(k.id, k.minimum) for k in march.kpis] == [("a", 80), ("b", 81), ("c", 82)]
    assert [(k.id, k.minimum) for k in april.kpis] == [("a", 80), ("b", 85), ("c", 82), ("d", 70)]
    assert [(k.id, k.minimum) for k in september.kpis] == [("b", 85), ("c", 82), ("d", 75)]
    assert march.fees.amount == Decimal("1000") and september.fees.amount == Decimal("2000")
    assert september.fees.model is FeeModel.PER_FTE
    assert september.amendments == []
    # The written contract is left as it was.
    assert [k.id for k in contract.kpis] == ["a", "b", "c"] and len(contract.amendments) == 2


def test_in_force_range_is_inclusive_and_open_end_runs_on() -> None:
    contract = _contract()
    assert not is_in_force(contract, Period(2025, 12))
    assert is_in_force(contract, Period(2026, 1)) and is_in_force(contract, Period(2026, 12))
    assert not is_in_force(contract, Period(2027, 1))
    assert is_in_force(_contract(effective_to=None), Period(2040, 1))


def test_in_force_applies_amendments() -> None:
    contracts = _samples()
    by_vendor = {c.vendor.id: c for c in contracts.in_force("2026-10")}
    assert set(by_vendor) == {"ACME", "BRIGHTPATH", "CALLCO", "NORTHWIND"}
    assert by_vendor["CALLCO"].fees.amount == Decimal("26.75")
    assert all(c.amendments == [] for c in by_vendor.values())
