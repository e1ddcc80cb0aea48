"""Evidence behind missed and at-risk KPIs: which KPIs (`selection`), the rows that made each number
(`build`); the workbook and CSV writer is `render_evidence`, apart."""

from __future__ import annotations

from .build import EvidenceBook, EvidenceSheet, attach_evidence, build_evidence
from .selection import DEFAULT_ROWS_PER_SHEET, EvidenceReason, evidence_reason, workbook_name

__all__ = [
    "DEFAULT_ROWS_PER_SHEET", "EvidenceBook", "EvidenceReason", "EvidenceSheet", "attach_evidence",
    "build_evidence", "evidence_reason", "workbook_name",
]
