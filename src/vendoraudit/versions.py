"""Versions and states of a period's scorecards, and what changed since the previous version.

Each audit run of a period issues a version. A run whose inputs (exports, contracts, dispute
files) and state are those of the last recorded version re-issues that version, byte for byte;
anything else is the next version (v1, v2, ...), and so is every run forced over a final period.
The state: final with `--finalise` (refused while a dispute of the period is open), disputed while
any dispute of the period awaits its decision, preliminary otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .audit_result import AuditResult, Changes, DisputeLine, DisputeStatus, Issue, KpiChange, PeriodState, VendorAudit
from .history import History, IssueRows, IssueSnapshot
from .money import LineKind, Settlement
from .periods import Period


def plan_issue(history: History | None, period: Period, fingerprint: str, open_disputes: int,
               finalise: bool = False, force: bool = False) -> Issue:
    """The version and state this run issues (see the module docstring)."""
    state = PeriodState.FINAL if finalise else PeriodState.DISPUTED if open_disputes else PeriodState.PRELIMINARY
    latest = history.latest_issue(period) if history is not None else None
    # A final period is only re-run with --force (deliver refuses it otherwise): always a new version.
    forced = history is not None and history.is_finalised(period)
    if latest is None:
        # a period finalised before versions were recorded was its v1: a forced re-issue is v2
        return Issue(2 if forced else 1, state, forced, open_disputes)
    if not forced and latest.inputs_fingerprint == fingerprint and latest.state == state:
        return Issue(latest.version, state, latest.forced, open_disputes)
    return Issue(latest.version + 1, state, forced, open_disputes)


def kpi_money(settlement: Settlement | None, kpi_id: str) -> Decimal | None:
    """The KPI's own credit and bonus lines summed (before caps), or None without a settlement."""
    if settlement is None:
        return None
    return sum((line.amount for line in settlement.lines
                if line.kpi_id == kpi_id and line.kind in (LineKind.SERVICE_CREDIT, LineKind.BONUS)), Decimal(0))


def with_changes(result: AuditResult, history: History | None) -> AuditResult:
    """`result` with each vendor's changes since the previous version (none on v1)."""
    version = result.issue.version
    if history is None or version == 1:
        return result
    previous = history.issue_snapshot(result.period, version - 1)
    if previous is None:
        return result
    vendors = tuple(replace(v, changes=_changes(v, previous, result.issue.forced)) for v in result.vendors)
    return replace(result, vendors=vendors)


def _changes(v: VendorAudit, previous: IssueSnapshot, forced: bool) -> Changes:
    decided_now = [d for d in v.disputes if d.status is not DisputeStatus.OPEN
                   and previous.disputes.get((v.vendor_id, d.dispute_id)) != (d.digest, str(d.status))]
    applied_by_kpi: dict[str, list[str]] = {}
    for d in decided_now:
        if d.applied:
            applied_by_kpi.setdefault(d.kpi_id, []).append(d.dispute_id)
    kpis = []
    for k in v.scorecard.kpis:
        before = previous.kpis.get((v.vendor_id, k.kpi_id))
        money = kpi_money(v.settlement, k.kpi_id)
        after = (k.value, str(k.outcome), money)
        if before is not None and _same(before, after) and k.kpi_id not in applied_by_kpi:
            continue
        kpis.append(KpiChange(
            k.kpi_id, k.title, before[0] if before else None, k.value, before[1] if before else None,
            str(k.outcome), before[2] if before else None, money, tuple(applied_by_kpi.get(k.kpi_id, ()))))
    current = {d.dispute_id for d in v.disputes}
    withdrawn = tuple(sorted(d for (vendor, d) in previous.disputes if vendor == v.vendor_id and d not in current))
    return Changes(previous.record.version, previous.record.state, tuple(kpis), tuple(decided_now),
                   previous.nets.get(v.vendor_id), v.settlement.net_adjustment if v.settlement else None, forced,
                   withdrawn)


def _same(before: tuple[float | None, str, Decimal | None], after: tuple[float | None, str, Decimal | None]) -> bool:
    return before[1] == after[1] and before[2] == after[2] and (
        before[0] == after[0] or (before[0] is not None and after[0] is not None and abs(before[0] - after[0]) < 1e-9))


def issue_rows(result: AuditResult) -> IssueRows:
    """The history rows of this version: KPI values, outcomes and money, nets, and every dispute."""
    kpis, vendors, disputes = [], [], []
    for v in result.vendors:
        for k in v.scorecard.kpis:
            money = kpi_money(v.settlement, k.kpi_id)
            kpis.append((v.vendor_id, k.kpi_id, k.value, str(k.outcome), None if money is None else str(money)))
        vendors.append((v.vendor_id, v.currency, str(v.settlement.net_adjustment) if v.settlement else None))
        disputes.extend(_dispute_row(v.vendor_id, d) for d in v.disputes)
    issue = result.issue
    return IssueRows(issue.version, str(issue.state), result.inputs_fingerprint, issue.forced,
                     tuple(kpis), tuple(vendors), tuple(disputes))


def _dispute_row(vendor_id: str, d: DisputeLine) -> tuple:
    return (vendor_id, d.dispute_id, d.kpi_id, d.source, d.digest, str(d.status), int(d.applied), d.asked,
            d.granted, d.reason, d.decided_by, d.decided_on.isoformat() if d.decided_on else None,
            d.value_without, d.value_with, d.outcome_without, d.outcome_with,
            None if d.money_delta is None else str(d.money_delta))
