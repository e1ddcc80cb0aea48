"""Where a period's disputes stand: the period's state and version from the results history, and
each dispute's decision and whether the last version applied it."""

from __future__ import annotations

from dataclasses import dataclass

from ..history import History
from ..periods import Period
from .loader import DisputeSet


@dataclass(frozen=True)
class DisputeState:
    """One dispute of the period as `dispute list` shows it."""

    vendor_id: str
    dispute_id: str
    kpi_id: str
    status: str  # open, accepted, partly_accepted, rejected
    location: str  # file:line:col of the dispute
    recorded_in: int | None  # the last version that recorded it as it now reads; None: not yet issued


@dataclass(frozen=True)
class PeriodStatus:
    """A period's state (not audited, preliminary, disputed, final), its last version and disputes."""

    period: Period
    state: str
    version: int | None
    disputes: tuple[DisputeState, ...]
    events: tuple[tuple[str, str, str], ...]

    @property
    def open_count(self) -> int:
        return sum(1 for d in self.disputes if d.status == "open")

    @property
    def pending(self) -> tuple[DisputeState, ...]:
        """Disputes whose present wording the last version did not issue (a re-run would)."""
        return tuple(d for d in self.disputes if d.recorded_in is None)


def period_status(disputes: DisputeSet, period: Period, history: History | None) -> PeriodStatus:
    """The status of `period` from its dispute files and (when given) the results history."""
    latest = history.latest_issue(period) if history is not None else None
    recorded: dict[tuple[str, str], str] = {}
    if history is not None and latest is not None:
        snapshot = history.issue_snapshot(period, latest.version)
        recorded = {k: v[0] for k, v in snapshot.disputes.items()} if snapshot else {}
    rows = []
    for f in disputes.for_period(period):
        for i, d in enumerate(f.file.disputes):
            status = str(d.decision.outcome) if d.decision else "open"
            same = recorded.get((f.vendor_id, d.id)) == d.digest
            rows.append(DisputeState(f.vendor_id, d.id, d.kpi, status, str(f.doc.locate(("disputes", i, "id"))),
                                     latest.version if same and latest else None))
    finalised = history is not None and history.is_finalised(period)
    if finalised:
        state = "final"
    elif any(r.status == "open" for r in rows):
        state = "disputed"
    elif latest is None:
        state = "not audited"
    else:
        state = "preliminary"
    events = tuple(history.events(period)) if history is not None else ()
    return PeriodStatus(period, state, latest.version if latest else None, tuple(rows), events)


def final_period_problems(disputes: DisputeSet, history: History) -> list[str]:
    """A located line for each dispute of a final period that its final version did not issue: a
    final period changes only through `vendoraudit audit --force`, which records the change."""
    out = []
    for period in sorted({f.period for f in disputes}):
        if not history.is_finalised(period):
            continue
        status = period_status(disputes, period, history)
        for d in status.pending:
            out.append(f"{d.location}: disputes: {period} is final (v{status.version}); dispute {d.dispute_id} "
                       f"({d.vendor_id}, KPI {d.kpi_id}) is not part of the final version as written. A final "
                       "period changes only with `vendoraudit audit --force`, which records the change")
    return out
