"""The result of one period's audit: everything the renderers (JSON, Excel, PDF) show.

Built by `audit.run_audit`; renderers read only this (never DataFrames). Frozen throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from .periods import Period
from .results import MetricResult, Site

if TYPE_CHECKING:
    from .history import MonthFigures
    from .contract.model import Contract
    from .kpis.query import MetricQuery
    from .kpis.brand import ConsistencyResult
    from .money import Settlement
    from .scoring import Scorecard
    from .validate import FileReport


@dataclass(frozen=True)
class MetricLine:
    """One informative metric of a scorecard section: the vendor's value beside the in-house one."""

    metric_id: str
    title: str
    vendor: MetricResult
    baseline: MetricResult | None
    definition: str


@dataclass(frozen=True)
class Section:
    """A scorecard section (training, quality, satisfaction, responsiveness, workforce)."""

    id: str
    title: str
    lines: tuple[MetricLine, ...]


@dataclass(frozen=True)
class ChannelValue:
    """A metric's value for one channel (channel parity)."""

    channel: str
    metric_id: str
    vendor: MetricResult
    baseline: MetricResult | None


@dataclass(frozen=True)
class TrendPoint:
    """An earlier (or this) period's value of a KPI, from the results history."""

    period: Period
    kpi_id: str
    value: float | None
    outcome: str | None


@dataclass(frozen=True)
class ContractSource:
    """Which contract file priced this vendor: path, version and SHA-256."""

    contract_id: str
    path: str  # as recorded: `<contracts folder>/<file>` or as given, never relative to the working folder
    version: str
    sha256: str
    file: str = field(default="", metadata={"json_skip": True}, compare=False, repr=False)  # where it was read


class PeriodState(StrEnum):
    """Where a period stands: preliminary (nothing open), disputed (a dispute awaits its decision),
    final (`--finalise`: invoices are issued from it; only `--force` changes it)."""

    PRELIMINARY = "preliminary"
    DISPUTED = "disputed"
    FINAL = "final"


class DisputeStatus(StrEnum):
    """A dispute's standing in this version: open (undecided) or its decision."""

    OPEN = "open"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class DisputeLine:
    """One dispute of the vendor's period and what it did to the disputed KPI and the money.

    `applied` is True when a remedy was granted (accepted or partly accepted) and applied. The
    effect compares the KPI computed without the dispute's remedies (`*_without`) with the KPI as
    scored (`*_with`); `money_delta` is the net adjustment as settled minus the net adjustment with
    this KPI's remedies left out (None without money). The vendor's claim is not copied here: it is
    the vendor's free text.
    """

    dispute_id: str
    kpi_id: str
    source: str  # the dispute file
    digest: str  # SHA-256 of the dispute's content: tells a changed dispute from a recorded one
    status: DisputeStatus
    applied: bool
    asked: str  # the remedy asked, in words
    granted: str  # the remedy granted, in words ('' when none)
    reason: str
    decided_by: str
    decided_on: date | None
    value_without: float | None
    value_with: float | None
    outcome_without: str
    outcome_with: str
    money_delta: Decimal | None


@dataclass(frozen=True)
class KpiChange:
    """A KPI whose value, outcome or money differs from the previous version's."""

    kpi_id: str
    title: str
    value_before: float | None
    value_after: float | None
    outcome_before: str | None
    outcome_after: str
    money_before: Decimal | None  # the KPI's own credit (negative) or bonus (positive) lines
    money_after: Decimal | None
    disputes: tuple[str, ...]  # the ids of the disputes newly applied to it ('' none: inputs changed)


@dataclass(frozen=True)
class Changes:
    """A vendor's scorecard against its previous version: every remedy newly applied or rejected,
    every KPI that moved, and the money delta."""

    previous_version: int
    previous_state: str
    kpis: tuple[KpiChange, ...]
    disputes: tuple[DisputeLine, ...]  # decided since the previous version (applied or rejected)
    net_before: Decimal | None
    net_after: Decimal | None
    forced: bool  # the previous version was final and this one was issued with --force
    withdrawn: tuple[str, ...] = ()  # ids of disputes the previous version listed and this one does not

    @property
    def net_delta(self) -> Decimal | None:
        if self.net_before is None or self.net_after is None:
            return None
        return self.net_after - self.net_before


@dataclass(frozen=True)
class Issue:
    """This issue of the period: its version (1, 2, ...) and state, and whether it was forced."""

    version: int
    state: PeriodState
    forced: bool = False
    open_disputes: int = 0

    @property
    def label(self) -> str:
        return f"v{self.version}"


@dataclass(frozen=True)
class EvidenceSheetRef:
    """One KPI's sheet of an evidence workbook: why it is there, how many rows it lists, and the CSV
    holding the whole list when the sheet shows only the first rows."""

    kpi_id: str
    sheet: str
    reason: str  # "missed" or "at_risk"
    rows: int
    rows_shown: int
    csv: str | None


@dataclass(frozen=True)
class EvidenceIndex:
    """A vendor's evidence workbook (a file of the period's output folder) and its KPI sheets."""

    workbook: str
    sheets: tuple[EvidenceSheetRef, ...]

    def sheet_for(self, kpi_id: str) -> EvidenceSheetRef | None:
        return next((s for s in self.sheets if s.kpi_id == kpi_id), None)


@dataclass(frozen=True)
class VendorAudit:
    """One vendor's month: contract terms in force, scores, money, sections and trend."""

    vendor_id: str
    vendor_name: str
    in_house: bool
    sites: tuple[Site, ...]
    contract: ContractSource
    terms: Contract = field(metadata={"json_skip": True})
    currency: str
    fees: Decimal | None
    fee_basis: str
    scorecard: Scorecard
    settlement: Settlement | None
    consistency: ConsistencyResult | None
    sections: tuple[Section, ...]
    channel_parity: tuple[ChannelValue, ...]
    trend: tuple[TrendPoint, ...]
    movers: tuple[str, ...]  # "the three things that moved the score", in words
    disputes: tuple[DisputeLine, ...] = ()
    changes: Changes | None = None  # None on the first version
    # The question each KPI asked of the period's rows (kpi_id, query): its evidence reads the same rows.
    kpi_queries: tuple[tuple[str, MetricQuery], ...] = field(default=(), metadata={"json_skip": True})
    evidence: EvidenceIndex | None = None  # set once the evidence workbook is built (`evidence.attach_evidence`)
    # this vendor's share of the inputs (its files, rows and issues: see `data_quality`); what its
    # scorecard shows instead of the whole export set's. Left out of the audit JSON, which carries
    # the whole set; the scorecard's JSON carries it as its `data_quality`.
    data_quality: DataQuality | None = field(default=None, metadata={"json_skip": True})
    # the vendor's composite and net adjustment month by month (the portfolio's trend), this month last
    months: tuple[MonthFigures, ...] = ()


@dataclass(frozen=True)
class IssueCount:
    """How many issues of one rule one file had."""

    file: str
    table: str
    rule: str
    severity: str
    count: int
    first_rows: tuple[int, ...]


@dataclass(frozen=True)
class DataQuality:
    """The validation stage in summary: files with row accounting and hashes, issue counts."""

    files: tuple[FileReport, ...]
    issue_counts: tuple[IssueCount, ...]
    error_count: int
    warning_count: int
    rows_read: int
    rows_used: int
    rows_quarantined: int


@dataclass(frozen=True)
class AuditResult:
    """A whole period's audit."""

    period: Period
    tool_version: str
    baseline_vendor_id: str | None
    vendors: tuple[VendorAudit, ...]
    data_quality: DataQuality
    contracts: tuple[ContractSource, ...]
    inputs_fingerprint: str  # SHA-256 over the input files', contracts' and dispute files' hashes
    issue: Issue = Issue(1, PeriodState.PRELIMINARY)

    def vendor(self, vendor_id: str) -> VendorAudit:
        return next(v for v in self.vendors if v.vendor_id == vendor_id)

    @property
    def outsourced(self) -> tuple[VendorAudit, ...]:
        return tuple(v for v in self.vendors if not v.in_house)
