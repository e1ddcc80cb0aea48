"""The finance workbook: an `AuditResult` as named Excel tables (layout in `workbook_layout`).

Numbers stay numbers (Decimal money is written as numeric cells), periods are real dates, and
text Excel would run as a formula is stored as quote-prefixed text. The same result always gives
the same bytes: document dates come from the period and the zip entries get a fixed timestamp.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .audit_result import AuditResult, VendorAudit
from .formula_text import is_formula_like
from .results import Unit
from .scoring import Outcome
from .kpis.registry import METRICS
from .workbook_files import storable, write_workbook_bytes, xlsx_bytes
from .workbook_layout import (ADJUSTMENTS, COLUMNS, ISSUE_COUNTS, KIND_UNITS, KPIS, PROVENANCE, ROW_ACCOUNTING,
                              SHEETS, SUMMARY, TableSpec, number_format)

_TABLE_STYLE = "TableStyleMedium2"


@dataclass(frozen=True)
class Row:
    """One table row by column name, with what its money and measure cells are formatted by."""

    values: Mapping[str, object]
    currency: str | None = None
    minor_unit: int = 2
    unit: Unit | None = None


def _minor_unit(vendor: VendorAudit) -> int:
    money = vendor.terms.money
    return money.rounding.minor_unit if money is not None else 2


def summary_rows(result: AuditResult) -> list[Row]:
    """tblSummary: one row per vendor."""
    rows = []
    for v in result.vendors:
        s, card = v.settlement, v.scorecard
        rows.append(Row({
            "period": result.period.first_day, "vendor_id": v.vendor_id, "vendor_name": v.vendor_name,
            "in_house": v.in_house, "contract_id": v.contract.contract_id, "contract_version": v.contract.version,
            "currency": v.currency, "fees": v.fees, "fee_basis": v.fee_basis,
            "at_risk": s.at_risk if s else None,
            "service_credits": s.credits_total if s else None,
            "bonus": s.bonus_total if s else None,
            "withhold_net": s.withhold_net if s else None,
            "earn_back": s.earn_back_total if s else None,
            "net_adjustment": s.net_adjustment if s else None,
            "credit_cap_applied": s.credit_cap_applied if s else None,
            "bonus_cap_applied": s.bonus_cap_applied if s else None,
            "composite_score": card.composite, "consistency_points": card.consistency_points,
            "kpis_met": card.counts.get(Outcome.MET, 0), "kpis_missed": card.counts.get(Outcome.MISSED, 0),
            "kpis_insufficient_data": card.counts.get(Outcome.INSUFFICIENT_DATA, 0),
            "kpis_excused": card.counts.get(Outcome.EXCUSED, 0),
        }, v.currency, _minor_unit(v)))
    return rows


def kpi_rows(result: AuditResult) -> list[Row]:
    """tblKpis: one row per vendor and KPI."""
    rows = []
    for v in result.vendors:
        for k in v.scorecard.kpis:
            r = k.result
            interval = r.interval if r else None
            rows.append(Row({
                "period": result.period.first_day, "vendor_id": v.vendor_id, "kpi_id": k.kpi_id,
                "kpi_title": k.title, "metric_id": k.metric_id, "category": k.category,
                "direction": str(k.direction), "unit": str(r.unit) if r else None, "value": k.value,
                "target": k.target, "minimum": k.minimum, "n": r.n if r else None,
                "interval_low": interval.low if interval else None,
                "interval_high": interval.high if interval else None,
                "interval_method": interval.method if interval else None,
                "outcome": str(k.outcome), "points": k.points, "achievement": k.achievement,
                "improvement": k.improvement, "baseline": k.baseline, "weight": k.weight,
                "effective_weight": k.effective_weight, "beyond_target": k.beyond_target,
                "clause": k.clause, "verdict": k.verdict,
            }, v.currency, _minor_unit(v), k.unit))
    return rows


def adjustment_rows(result: AuditResult) -> list[Row]:
    """tblAdjustments: one row per money line."""
    rows = []
    for v in result.vendors:
        if v.settlement is None:
            continue
        for number, line in enumerate(v.settlement.lines, start=1):
            rows.append(Row({
                "period": result.period.first_day, "vendor_id": v.vendor_id, "line_no": number,
                "kind": str(line.kind), "kpi_id": line.kpi_id, "category": line.category, "amount": line.amount,
                "currency": v.settlement.currency,
                "refers_to": line.refers_to.first_day if line.refers_to else None,
                "clause": line.clause, "explanation": line.explanation,
            }, v.settlement.currency, _minor_unit(v)))
    return rows


def row_accounting_rows(result: AuditResult) -> list[Row]:
    """tblRowAccounting: one row per export file and table."""
    per_file = Counter()
    for c in result.data_quality.issue_counts:
        per_file[(c.file, c.severity)] += c.count
    return [Row({
        "period": result.period.first_day, "file": f.path, "table": f.table, "format": str(f.format),
        "mapping": f.mapping, "rows_read": f.rows_read, "rows_used": f.rows_used,
        "rows_quarantined": f.rows_quarantined, "rows_excluded": f.rows_excluded,
        "errors": per_file[(f.path, "error")], "warnings": per_file[(f.path, "warning")],
    }) for f in result.data_quality.files]


def issue_count_rows(result: AuditResult) -> list[Row]:
    """tblIssueCounts: one row per file, table, rule and severity."""
    return [Row({
        "period": result.period.first_day, "file": c.file or None, "table": c.table or None, "rule": c.rule,
        "severity": c.severity, "issue_count": c.count, "first_rows": ", ".join(map(str, c.first_rows)) or None,
    }) for c in result.data_quality.issue_counts]


def provenance_rows(result: AuditResult) -> list[Row]:
    """tblProvenance: input files, contracts, the tool and the inputs fingerprint."""
    first = result.period.first_day
    empty = dict.fromkeys(PROVENANCE.column_names)
    rows = [{**empty, "period": first, "kind": "input_file", "name": f.path, "table": f.table,
             "format": str(f.format), "sha256": f.sha256, "rows_read": f.rows_read, "rows_used": f.rows_used,
             "rows_quarantined": f.rows_quarantined} for f in result.data_quality.files]
    rows += [{**empty, "period": first, "kind": "contract", "name": c.path, "contract_id": c.contract_id,
              "version": c.version, "sha256": c.sha256} for c in result.contracts]
    rows.append({**empty, "period": first, "kind": "tool", "name": "vendoraudit", "version": result.tool_version})
    rows.append({**empty, "period": first, "kind": "inputs_fingerprint", "name": "all inputs",
                 "sha256": result.inputs_fingerprint})
    return [Row(values) for values in rows]


def column_rows(result: AuditResult) -> list[Row]:
    """tblColumns: every declared column of every table, then every metric's definition."""
    del result  # the same for every audit: the layout and the metric registry
    rows = [Row({"sheet": sheet.title, "table": table.name, "column": c.name, "value": None, "kind": str(c.kind),
                 "unit": KIND_UNITS[c.kind] or None, "meaning": c.description})
            for sheet in SHEETS for table in sheet.tables for c in table.columns]
    rows += [Row({"sheet": "KPIs", "table": KPIS.name, "column": "metric_id", "value": m.id, "kind": "metric",
                  "unit": str(m.unit), "meaning": f"{m.title}: {m.definition}"}) for m in METRICS.values()]
    return rows


_BUILDERS = {
    SUMMARY.name: summary_rows, KPIS.name: kpi_rows, ADJUSTMENTS.name: adjustment_rows,
    ROW_ACCOUNTING.name: row_accounting_rows, ISSUE_COUNTS.name: issue_count_rows,
    PROVENANCE.name: provenance_rows, COLUMNS.name: column_rows,
}


def table_rows(result: AuditResult) -> dict[str, list[Row]]:
    """Every table's rows by table name; each row has exactly its table's declared columns."""
    tables = {t.name: t for s in SHEETS for t in s.tables}
    out = {name: build(result) for name, build in _BUILDERS.items()}
    for name, rows in out.items():
        for row in rows:
            if tuple(row.values) != tables[name].column_names:
                raise AssertionError(f"{name}: row columns differ from the declared layout")
    return out


def _width(value: object, fmt: str) -> int:
    """Roughly how many characters a cell shows."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, date):
        return 10
    if isinstance(value, (int, float, Decimal)):
        prefix = fmt[1:fmt.index('"', 1)] if fmt.startswith('"') else ""  # money's `"$"#,##0.00`
        return len(f"{value:,.2f}") + len(prefix)
    return len(str(value))


def _put(cell: Cell, value: object, fmt: str) -> object:
    """Write one value with its number format and return what was stored.

    Text is always stored as text, quote-prefixed when formula-like; empty text leaves the cell
    empty, like None. Numbers (Decimal included), dates and booleans keep their type.
    """
    if isinstance(value, str):
        formula_like = is_formula_like(value)
        value = storable(value) or None
        if value is None:
            return None
        cell.value = value
        cell.data_type = "s"  # never "f": text from exports or contracts must not run
        if formula_like:
            cell.quotePrefix = True  # and it stays text when someone edits the cell
    elif value is not None:
        cell.value = value
    if value is not None:
        cell.number_format = fmt
    return value


def _write_table(ws: Worksheet, table: TableSpec, rows: list[Row], first_col: int) -> None:
    widths = [max(8, len(c.name) + 3) for c in table.columns]  # room for the filter button
    for j, column in enumerate(table.columns):
        ws.cell(row=1, column=first_col + j, value=column.name)
    for i, row in enumerate(rows, start=2):
        for j, column in enumerate(table.columns):
            value = row.values[column.name]
            fmt = number_format(column.kind, row.currency, row.minor_unit, row.unit)
            stored = _put(ws.cell(row=i, column=first_col + j), value, fmt)
            widths[j] = max(widths[j], _width(stored, fmt) + 2)
    for j, column in enumerate(table.columns):
        ws.column_dimensions[get_column_letter(first_col + j)].width = min(widths[j], column.max_width)
    last = get_column_letter(first_col + len(table.columns) - 1)
    # An Excel table needs at least one body row, even when empty.
    ref = f"{get_column_letter(first_col)}1:{last}{1 + max(1, len(rows))}"
    excel_table = Table(displayName=table.name, ref=ref)
    excel_table.tableStyleInfo = TableStyleInfo(name=_TABLE_STYLE, showRowStripes=True)
    ws.add_table(excel_table)


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide (as tall as needed), the header row on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages tall as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False


def workbook_bytes(result: AuditResult) -> bytes:
    """The audit workbook as .xlsx bytes; identical for identical results."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = table_rows(result)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        (table,) = sheet.tables  # one table per sheet: a filter on it hides no other table's rows
        _write_table(ws, table, rows[table.name], 1)
        ws.freeze_panes = "A2"
        _print_setup(ws)
    return xlsx_bytes(wb, result.period, f"Vendor audit {result.period}")


def write_workbook(result: AuditResult, path: Path) -> None:
    """Write the audit workbook to `path`, replacing it atomically; OutputError if that fails."""
    write_workbook_bytes(workbook_bytes(result), Path(path))
