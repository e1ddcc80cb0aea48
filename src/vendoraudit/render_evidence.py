"""Writing evidence books: one workbook per vendor (`evidence-YYYY-MM-VENDOR-vN.xlsx`) and, for a sheet
whose list is longer than its cap, the whole list as CSV beside it.

Each KPI sheet opens with what the KPI is and why it is there, its numerator, denominator and n,
which rows are listed and in which time zone; then three Excel tables side by side: per agent,
per day, and the rows themselves. A Contents sheet lists the KPI sheets. openpyxl's write-only
mode streams the rows (the cap keeps a sheet to seconds); text a spreadsheet would run as a
formula is stored as text, quote-prefixed, in the workbook and with a leading apostrophe in the
CSV. The same book always gives the same bytes (fixed document dates and zip timestamps).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from .errors import OutputError
from .evidence.build import EvidenceBook, EvidenceSheet
from .evidence.selection import EvidenceReason
from .formula_text import FORMULA_TRIGGERS, neutralised
from .publish import write_bytes
from .scoring import format_value
from .workbook_files import storable, xlsx_bytes
from .workers import map_in_workers

POOL_MIN_CELLS = 300_000  # about two seconds of writing on one core
_STYLE = "TableStyleMedium2"
_HEADER_ROWS = 7  # the lines above the tables: tables start on row 8
_REASONS = {
    EvidenceReason.MISSED: "missed",
    EvidenceReason.AT_RISK: "at risk: met, but its 95% interval reaches the minimum",
}


def _cell(ws, value: object) -> object:
    """One value as written: text cleaned and, when a spreadsheet would run it, stored as quote-prefixed
    text; everything else as it is (openpyxl gives dates and times their formats). Plain values, not
    cell objects, where possible: they write about twice as fast."""
    if isinstance(value, str):
        text = storable(value)
        if not text.startswith(FORMULA_TRIGGERS):
            return text or None
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"  # never a formula, whatever the export said
        cell.quotePrefix = True
        return cell
    return value


def _block(ws, frame: pl.DataFrame | None) -> tuple[list[str], list[list[object]]]:
    """A frame as (header, rows of cells)."""
    if frame is None:
        return [], []
    text = [dtype == pl.String for dtype in frame.dtypes]
    if not any(text):
        return list(frame.columns), [list(row) for row in frame.iter_rows()]
    return list(frame.columns), [[_cell(ws, v) if t else v for t, v in zip(text, row)] for row in frame.iter_rows()]


def _table(name: str, first_col: int, header: Sequence[str], rows: int) -> Table:
    last = get_column_letter(first_col + len(header) - 1)
    top = _HEADER_ROWS + 1
    # An Excel table needs at least one body row, even when empty.
    table = Table(displayName=name, ref=f"{get_column_letter(first_col)}{top}:{last}{top + max(1, rows)}")
    table.tableStyleInfo = TableStyleInfo(name=_STYLE, showRowStripes=True)
    # Write-only mode cannot read the names back from the cells: give them, or Excel sees Column1..N.
    table._initialise_columns()
    for column, title in zip(table.tableColumns, header):
        column.name = title
    return table


def _add_table(ws, table: Table) -> None:
    with warnings.catch_warnings():  # openpyxl warns in write-only mode even when the columns are named
        warnings.filterwarnings("ignore", message="In write-only mode you must add table columns manually")
        ws.add_table(table)


def _figure(value: float | None, sheet: EvidenceSheet) -> str:
    return format_value(value, sheet.unit, 2) if value is not None else "no value"


def _count(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4f}"


def _heading(sheet: EvidenceSheet) -> list[str]:
    limit = "minimum" if sheet.direction.value == "higher" else "maximum"
    lines = [
        f"{sheet.title} ({sheet.kpi_id}): {_REASONS[sheet.reason]}",
        f"{sheet.verdict}. Value {_figure(sheet.value, sheet)}, {limit} {_figure(sheet.minimum, sheet)}, "
        f"target {_figure(sheet.target, sheet)}.",
        f"Numerator {_count(sheet.numerator)}, denominator {_count(sheet.denominator)}, n {sheet.n:,} "
        f"({sheet.subject}). The per-agent and per-day tables add up to them.",
        f"Listed: {sheet.rows.height:,} row(s), {sheet.listed}.",
    ]
    if sheet.csv:
        lines.append(f"This sheet shows the first {sheet.rows_shown:,} of {sheet.rows.height:,} rows; "
                     f"the whole list is in {sheet.csv} beside this workbook.")
    if sheet.note:
        lines.append(sheet.note)
    lines.append(f"Times are site-local ({sheet.timezones}). Member references and survey comments are never "
                 "included.")
    return lines


def _kpi_sheet(wb: Workbook, sheet: EvidenceSheet, number: int) -> None:
    ws = wb.create_sheet(sheet.sheet)
    blocks = [_block(ws, sheet.by_agent), _block(ws, sheet.by_day), _block(ws, sheet.shown)]
    starts, col = [], 1
    for header, _ in blocks:
        starts.append(col)
        col += len(header) + 1 if header else 0
    for (header, _), start in zip(blocks, starts):
        for j, name in enumerate(header):
            ws.column_dimensions[get_column_letter(start + j)].width = max(10, min(40, len(name) + 4))
    ws.freeze_panes = f"A{_HEADER_ROWS + 2}"
    lines = _heading(sheet)[:_HEADER_ROWS - 1]
    bold = Font(bold=True)
    for k in range(_HEADER_ROWS):
        text = lines[k] if k < len(lines) else None
        if k == 0 and text:
            first = WriteOnlyCell(ws, value=storable(text))
            first.font = bold
            ws.append([first])
        else:
            ws.append([storable(text)] if text else [])
    height = max(1, *(len(rows) for _, rows in blocks))
    header_row: list[object] = []
    for (header, _), start in zip(blocks, starts):
        header_row += [None] * (start - 1 - len(header_row)) + header
    ws.append(header_row)
    for i in range(height):
        line: list[object] = []
        for (header, rows), start in zip(blocks, starts):
            if header:
                line += [None] * (start - 1 - len(line))
                line += rows[i] if i < len(rows) else [None] * len(header)
        ws.append(line)
    names = ("Agents", "Days", "Rows")
    for (header, rows), start, name in zip(blocks, starts, names):
        if header:
            _add_table(ws, _table(f"tbl{name}{number}", start, header, len(rows)))


_CONTENTS = ("kpi_id", "kpi_title", "sheet", "reason", "value", "minimum", "target", "numerator", "denominator",
             "n", "rows_listed", "rows_shown", "csv")


def _contents(wb: Workbook, book: EvidenceBook) -> None:
    ws = wb.create_sheet("Contents")
    for j, name in enumerate(_CONTENTS):
        ws.column_dimensions[get_column_letter(j + 1)].width = 40 if name in ("kpi_title", "csv") else 14
    lines = [f"Evidence for {book.vendor_name} ({book.vendor_id}), {book.period}: the rows behind each missed or "
             "at-risk KPI",
             "At risk: met, but the value's 95% interval reaches the contract minimum "
             "(maximum for lower-is-better KPIs).",
             "Each KPI's sheet lists the rows counting against it, with a summary per agent and per day."]
    for k in range(_HEADER_ROWS):
        ws.append([storable(lines[k])] if k < len(lines) else [])
    frame = pl.DataFrame([
        {"kpi_id": s.kpi_id, "kpi_title": s.title, "sheet": s.sheet, "reason": s.reason.value,
         "value": s.value, "minimum": s.minimum, "target": s.target, "numerator": s.numerator,
         "denominator": s.denominator, "n": s.n, "rows_listed": s.rows.height, "rows_shown": s.rows_shown,
         "csv": s.csv} for s in book.sheets],
        schema={"kpi_id": pl.String, "kpi_title": pl.String, "sheet": pl.String, "reason": pl.String,
                "value": pl.Float64, "minimum": pl.Float64, "target": pl.Float64, "numerator": pl.Float64,
                "denominator": pl.Float64, "n": pl.Int64, "rows_listed": pl.Int64, "rows_shown": pl.Int64,
                "csv": pl.String})
    header, rows = _block(ws, frame)
    ws.append(header)
    for row in rows:
        ws.append(row)
    _add_table(ws, _table("tblContents", 1, header, len(rows)))


def workbook_bytes(book: EvidenceBook) -> bytes:
    """The evidence workbook as .xlsx bytes; identical for identical books."""
    wb = Workbook(write_only=True)
    _contents(wb, book)
    for number, sheet in enumerate(book.sheets, start=1):
        _kpi_sheet(wb, sheet, number)
    return xlsx_bytes(wb, book.period, f"Evidence {book.vendor_id} {book.period}")


def write_csv(sheet: EvidenceSheet, path: Path) -> None:
    """The whole list of a sheet as CSV (polars' writer: a million rows in about a second)."""
    try:
        neutralised(sheet.rows).write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S%.f", date_format="%Y-%m-%d")
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def workbooks_bytes(books: Sequence[EvidenceBook]) -> list[bytes]:
    """Each book's `workbook_bytes`, over a pool of two processes when the books hold enough cells to
    repay starting it (openpyxl writes about 150,000 cells a second on one core; a worker starts in
    about a second); see `workers` for the pool."""
    cells = sum(s.rows_shown * s.rows.width for b in books for s in b.sheets)
    if len(books) < 2 or cells < POOL_MIN_CELLS:
        return [workbook_bytes(b) for b in books]
    return map_in_workers(workbook_bytes, len(books), books)


def write_evidence(books: Sequence[EvidenceBook], folder: Path) -> list[Path]:
    """Write each book's workbook, and the CSV of each sheet longer than its cap, into `folder`."""
    written: list[Path] = []
    for book, data in zip(books, workbooks_bytes(books)):
        path = folder / book.workbook
        write_bytes(path, data)
        written.append(path)
        for sheet in book.sheets:
            if sheet.csv:
                write_csv(sheet, folder / sheet.csv)
                written.append(folder / sheet.csv)
    return written

