"""The terms in force for a period: a contract with its amendments applied in date order."""

from __future__ import annotations

from typing import Any

from ..periods import Period
from .model import Amendment, Contract, Kpi

# Sections an amendment replaces wholesale when it gives them.
_REPLACED_SECTIONS = ("fees", "qa_form", "money", "excused", "domains")


def is_in_force(contract: Contract, period: Period) -> bool:
    """True when `period` lies within the contract's effective range (an open end runs forever)."""
    if period < Period.parse(contract.effective_from):
        return False
    return contract.effective_to is None or period <= Period.parse(contract.effective_to)


def amendments_in_force(contract: Contract, period: Period) -> tuple[Amendment, ...]:
    """The contract's amendments with effective_from <= period, in date order (stable for ties)."""
    due = [a for a in contract.amendments if Period.parse(a.effective_from) <= period]
    return tuple(sorted(due, key=lambda a: Period.parse(a.effective_from)))


def apply_amendment(contract: Contract, amendment: Amendment) -> Contract:
    """`contract` with one amendment applied: given sections replace, `remove_kpis` drop, `kpis` merge by id."""
    update: dict[str, Any] = {
        name: getattr(amendment, name)
        for name in _REPLACED_SECTIONS
        if getattr(amendment, name) is not None
    }
    if amendment.kpis or amendment.remove_kpis:
        update["kpis"] = _merge_kpis(contract.kpis, amendment.kpis, amendment.remove_kpis)
    return contract.model_copy(update=update)


def terms_for(contract: Contract, period: Period) -> Contract:
    """The contract with every amendment effective by `period` applied in order; `amendments` emptied.

    The effective range is not checked here (see `is_in_force`): terms of a period before the
    contract starts are its base terms.
    """
    terms = contract
    for amendment in amendments_in_force(contract, period):
        terms = apply_amendment(terms, amendment)
    return terms.model_copy(update={"amendments": []})


def _merge_kpis(base: list[Kpi], changed: list[Kpi], removed: list[str]) -> list[Kpi]:
    """Drop `removed`, replace KPIs in place by id, and append new ones in the amendment's order."""
    gone = set(removed)
    kept = [k for k in base if k.id not in gone]
    by_id = {k.id: k for k in changed}
    merged = [by_id.pop(k.id, k) for k in kept]
    merged.extend(k for k in changed if k.id in by_id)
    return merged
