"""Which KPIs get evidence, and the names of the files and sheets that hold it.

A KPI gets a sheet when it was **missed**, or when it is **at risk**: met, but its 95% interval
reaches the contract minimum (for a lower-is-better KPI, the maximum). The true level is then not
distinguishable from a miss at 95%, as with a KPI met only within the statistical allowance;
next month's sample may well miss it. A KPI without an interval (a ratio such as attrition) is
never at risk; an at-risk KPI with no row counting against it gets no sheet. Excused KPIs and
KPIs with insufficient data get no sheet: no money moves on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from ..periods import Period
from ..config import DEFAULT_EVIDENCE_ROWS
from ..results import Direction
from ..scoring import KpiScore, Outcome

# Sheets show the first rows only (openpyxl writes about 100k rows in 12 s); the whole list goes
# to a CSV beside the workbook. Set by `rows_per_evidence_sheet` in vendoraudit.toml or --evidence-rows.
DEFAULT_ROWS_PER_SHEET = DEFAULT_EVIDENCE_ROWS
_SHEET_MAX = 31  # Excel's limit on a sheet name
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


class EvidenceReason(StrEnum):
    """Why a KPI has an evidence sheet."""

    MISSED = "missed"
    AT_RISK = "at_risk"


def evidence_reason(score: KpiScore) -> EvidenceReason | None:
    """MISSED, AT_RISK (met, its interval reaching the minimum) or None (see the module docstring)."""
    if score.outcome is Outcome.MISSED:
        return EvidenceReason.MISSED
    if score.outcome is not Outcome.MET or score.result is None or score.result.interval is None:
        return None
    interval = score.result.interval
    if score.direction is Direction.HIGHER:
        return EvidenceReason.AT_RISK if interval.low <= score.minimum else None
    return EvidenceReason.AT_RISK if interval.high >= score.minimum else None


def workbook_name(period: Period, vendor_id: str, version: int = 1) -> str:
    """evidence-YYYY-MM-VENDOR-vN.xlsx, beside the vendor's scorecard of the same version: a scorecard
    names the evidence of its own version, which stays when a later version is issued."""
    return f"evidence-{period}-{_file_part(vendor_id)}-v{version}.xlsx"


def csv_name(period: Period, vendor_id: str, kpi_id: str, version: int = 1) -> str:
    """evidence-YYYY-MM-VENDOR-KPI-vN.csv: the whole list of a sheet that shows only its first rows."""
    return f"evidence-{period}-{_file_part(vendor_id)}-{_file_part(kpi_id)}-v{version}.csv"


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def sheet_names(kpi_ids: Iterable[str], reserved: Iterable[str] = ("Contents",)) -> dict[str, str]:
    """kpi_id -> a sheet name Excel accepts (31 characters, no []:*?/\\'), unique case-insensitively."""
    taken = {r.lower() for r in reserved}
    out: dict[str, str] = {}
    for kpi_id in kpi_ids:
        base = _SHEET_BAD.sub("_", kpi_id)[:_SHEET_MAX] or "kpi"
        name, k = base, 2
        while name.lower() in taken:
            suffix = f"~{k}"
            name, k = base[:_SHEET_MAX - len(suffix)] + suffix, k + 1
        taken.add(name.lower())
        out[kpi_id] = name
    return out
