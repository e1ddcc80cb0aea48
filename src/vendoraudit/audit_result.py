"""The result of one period's audit: everything the renderers (JSON, Excel, PDF) show.

Built by `audit.run_audit`; renderers read only this (never DataFrames). Frozen throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .periods import Period
from .results import MetricResult, Site

if TYPE_CHECKING:
    from .contract.model import Contract
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
    path: str
    version: str
    sha256: str


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
    inputs_fingerprint: str  # SHA-256 over the input files' and contracts' hashes

    def vendor(self, vendor_id: str) -> VendorAudit:
        return next(v for v in self.vendors if v.vendor_id == vendor_id)

    @property
    def outsourced(self) -> tuple[VendorAudit, ...]:
        return tuple(v for v in self.vendors if not v.in_house)
