"""The sample period's audit tells the story the generator planted, and its money recomputes by hand."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from vendoraudit.audit import AuditInputs, blocking_problems, exports_dir_for, run_audit
from vendoraudit.contract.loader import load_contracts
from vendoraudit.money import LineKind
from vendoraudit.periods import Period
from vendoraudit.scoring import Outcome

ROOT = Path(__file__).resolve().parents[1]


def _missed(result, vendor_id: str) -> set[str]:
    return {k.kpi_id for k in result.vendor(vendor_id).scorecard.kpis if k.outcome is Outcome.MISSED}


def test_the_planted_story(sample_audit):
    assert [v.vendor_id for v in sample_audit.vendors] == ["NORTHWIND", "ACME", "BRIGHTPATH", "CALLCO"]
    assert sample_audit.baseline_vendor_id == "NORTHWIND"
    assert _missed(sample_audit, "ACME") == set()
    assert _missed(sample_audit, "BRIGHTPATH") == {"empathy", "ownership", "csat", "nps"}
    assert _missed(sample_audit, "CALLCO") == {"callback_10min", "training_hours", "onboarding_40h"}
    acme, bp, cc = (sample_audit.vendor(v) for v in ("ACME", "BRIGHTPATH", "CALLCO"))
    assert acme.settlement.net_adjustment > 0 > bp.settlement.net_adjustment
    assert cc.settlement.net_adjustment < 0
    # The brand promise: BrightPath's empathy and ownership gaps are significant and cost all 20 points.
    gaps = {g.criterion: g for g in bp.consistency.gaps if g.criterion}
    assert gaps["empathy"].significant and gaps["empathy"].gap < -20
    assert gaps["ownership"].significant and gaps["ownership"].gap < -20
    assert bp.consistency.points == 0 and acme.consistency.points == 20


def test_every_credit_recomputes_from_the_contract(sample_audit):
    for vendor in sample_audit.outsourced:
        money = vendor.terms.money
        settlement = vendor.settlement
        at_risk = (money.at_risk_percent / 100 * vendor.fees).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert settlement.at_risk == at_risk
        pools = {c.id: c.pool_allocation for c in money.categories}
        kpis = {k.id: k for k in vendor.terms.kpis}
        expected = Decimal(0)
        for score in vendor.scorecard.kpis:
            if score.outcome is Outcome.MISSED:
                kpi = kpis[score.kpi_id]
                expected += pools[kpi.category] / 100 * kpi.credit_allocation / 100 * settlement.at_risk
        credits = -settlement.total_of(LineKind.SERVICE_CREDIT, LineKind.CREDIT_CAP)
        assert credits == min(expected, settlement.at_risk).quantize(Decimal("0.01"), ROUND_HALF_UP), vendor.vendor_id
        assert settlement.net_adjustment == sum((line.amount for line in settlement.lines), Decimal(0))


def test_each_explanation_states_its_own_arithmetic(sample_audit):
    """`... = $5,248.7352, rounded to $5,248.74`: the figures in the words give the amount."""
    for vendor in sample_audit.outsourced:
        for line in vendor.settlement.lines:
            amounts = re.findall(r"\$([\d,]+\.\d+)", line.explanation)
            assert amounts, line.explanation
            last = Decimal(amounts[-1].replace(",", ""))
            assert abs(line.amount) == last, line.explanation


def test_a_contracted_site_without_contacts_blocks_the_money(tmp_path: Path):
    period = Period(2026, 10)
    contracts = load_contracts(ROOT / "contracts")
    source = exports_dir_for(ROOT / "sample_exports", period)
    target = tmp_path / "2026-10"
    target.mkdir()
    for f in source.iterdir():
        if f.name != "interactions_CC-BOG.csv":
            (target / f.name).write_bytes(f.read_bytes())
    from vendoraudit.validate import load_exports

    validated = load_exports(target, period=period, sites=contracts.site_directory(period))
    problems = blocking_problems(validated, contracts.site_directory(period), period)
    assert problems == ["site CC-BOG (CALLCO) sent no interactions for 2026-10"]
    try:
        run_audit(AuditInputs(target, contracts), period, validated=validated)
    except Exception as exc:  # noqa: BLE001 - asserting the type below
        assert type(exc).__name__ == "DataError" and exc.problems == tuple(problems)
    else:
        raise AssertionError("the audit priced a vendor with no contacts")
