"""Display rows of a scorecard's version, disputes and "Changes since the previous version" section.

Built from the `AuditResult` only (as `pdf_views` is); text is formatted here so the template
only places it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .audit_result import AuditResult, DisputeLine, DisputeStatus, KpiChange, PeriodState, VendorAudit
from .money import format_money
from .scoring import format_value

_STATUS = {DisputeStatus.OPEN: "open (awaiting decision)", DisputeStatus.ACCEPTED: "accepted",
           DisputeStatus.PARTLY_ACCEPTED: "partly accepted", DisputeStatus.REJECTED: "rejected"}
_STATE = {PeriodState.PRELIMINARY: "preliminary", PeriodState.DISPUTED: "disputed (a dispute awaits its decision)",
          PeriodState.FINAL: "final"}


@dataclass(frozen=True)
class DisputeRow:
    """One dispute as the scorecard shows it."""

    dispute_id: str
    kpi: str
    status: str
    asked: str
    granted: str
    decision: str  # reason, by whom and when
    effect: str  # KPI value and outcome without -> with the remedy
    money: str


@dataclass(frozen=True)
class ChangeRow:
    """One KPI that moved since the previous version."""

    kpi: str
    value: str
    outcome: str
    money: str
    disputes: str


def issue_text(result: AuditResult) -> str:
    """'Version 2, final' (the cover's line)."""
    return f"Version {result.issue.version}, {_STATE[result.issue.state]}"


def _value(v: VendorAudit, kpi_id: str, value: float | None) -> str:
    score = v.scorecard.get(kpi_id)
    return format_value(value, score.unit if score else None, 2)


def _money(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else format_money(amount, currency)


def _delta(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    return ("+" if amount > 0 else "") + format_money(amount, currency) if amount else "no change"


def dispute_rows(v: VendorAudit, lines: tuple[DisputeLine, ...] | None = None) -> list[DisputeRow]:
    """The vendor's disputes (or `lines`), each with its decision and effect."""
    rows = []
    for d in v.disputes if lines is None else lines:
        score = v.scorecard.get(d.kpi_id)
        decision = (f"{d.reason} ({d.decided_by}, {d.decided_on.isoformat()})" if d.decided_on else "—")
        effect = (f"{_value(v, d.kpi_id, d.value_without)} {d.outcome_without.replace('_', ' ')} -> "
                  f"{_value(v, d.kpi_id, d.value_with)} {d.outcome_with.replace('_', ' ')}" if d.applied
                  else "no change")
        rows.append(DisputeRow(d.dispute_id, score.title if score else d.kpi_id, _STATUS[d.status], d.asked,
                               d.granted or "—", decision, effect,
                               _delta(d.money_delta, v.currency) if d.applied else "no change"))
    return rows


def change_rows(v: VendorAudit) -> list[ChangeRow]:
    """The KPIs that moved since the previous version."""
    if v.changes is None:
        return []
    return [_change_row(v, c) for c in v.changes.kpis]


def _change_row(v: VendorAudit, c: KpiChange) -> ChangeRow:
    outcome = (c.outcome_before or "—").replace("_", " ") + " -> " + c.outcome_after.replace("_", " ")
    money = f"{_money(c.money_before, v.currency)} -> {_money(c.money_after, v.currency)}"
    return ChangeRow(c.title, f"{_value(v, c.kpi_id, c.value_before)} -> {_value(v, c.kpi_id, c.value_after)}",
                     outcome, money, ", ".join(c.disputes) or "inputs changed (no dispute)")


def net_change(v: VendorAudit) -> str:
    """'-$4,000.00 -> -$2,000.00 (+$2,000.00)', or '' without money or changes."""
    c = v.changes
    if c is None or c.net_before is None or c.net_after is None:
        return ""
    return (f"{format_money(c.net_before, v.currency)} -> {format_money(c.net_after, v.currency)} "
            f"({_delta(c.net_delta, v.currency)})")
