"""The backtest workbook: one sheet per view of a `BacktestResult`, each a named Excel table; the same
result always gives the same bytes (dated by its first month).

For procurement to take into a negotiation: Months (draft beside actual), KPIs (outcome, points and
money per KPI and month under both), KPI totals, Totals, Notes (what the months could not compute).
Money is written as numbers in the contract's currency, months as real dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from .backtest import BacktestResult
from .formula_text import is_formula_like
from .periods import Period
from .workbook_files import storable, write_workbook_bytes, xlsx_bytes
from .workbook_layout import Kind, number_format

# (sheet title, table name, [(column, kind)])
_SHEETS: tuple[tuple[str, str, tuple[tuple[str, Kind], ...]], ...] = (
    ("Months", "tblBacktestMonths", (
        ("period", Kind.MONTH), ("vendor_id", Kind.TEXT), ("currency", Kind.TEXT),
        ("draft_net_adjustment", Kind.MONEY), ("actual_net_adjustment", Kind.MONEY), ("difference", Kind.MONEY),
        ("actual_source", Kind.TEXT), ("actual_contract_id", Kind.TEXT),
        ("draft_composite", Kind.SCORE), ("actual_composite", Kind.SCORE),
        ("draft_credits", Kind.MONEY), ("actual_credits", Kind.MONEY),
        ("draft_bonus", Kind.MONEY), ("actual_bonus", Kind.MONEY),
        ("draft_withhold_net", Kind.MONEY), ("actual_withhold_net", Kind.MONEY),
        ("draft_earn_back", Kind.MONEY), ("actual_earn_back", Kind.MONEY),
        ("draft_kpis_missed", Kind.INTEGER), ("actual_kpis_missed", Kind.INTEGER))),
    ("KPIs", "tblBacktestKpis", (
        ("period", Kind.MONTH), ("kpi_id", Kind.TEXT), ("title", Kind.TEXT), ("metric_id", Kind.TEXT),
        ("currency", Kind.TEXT),
        ("draft_value", Kind.NUMBER), ("draft_outcome", Kind.TEXT), ("draft_points", Kind.INTEGER),
        ("draft_credit", Kind.MONEY), ("draft_bonus", Kind.MONEY),
        ("actual_value", Kind.NUMBER), ("actual_outcome", Kind.TEXT), ("actual_points", Kind.INTEGER),
        ("actual_credit", Kind.MONEY), ("actual_bonus", Kind.MONEY), ("note", Kind.TEXT))),
    ("KPI totals", "tblBacktestKpiTotals", (
        ("kpi_id", Kind.TEXT), ("title", Kind.TEXT), ("currency", Kind.TEXT),
        ("draft_months_missed", Kind.INTEGER), ("actual_months_missed", Kind.INTEGER),
        ("draft_credits", Kind.MONEY), ("actual_credits", Kind.MONEY),
        ("draft_bonus", Kind.MONEY), ("actual_bonus", Kind.MONEY))),
    ("Totals", "tblBacktestTotals", (
        ("side", Kind.TEXT), ("contract_id", Kind.TEXT), ("months", Kind.INTEGER), ("currency", Kind.TEXT),
        ("net_adjustment", Kind.MONEY), ("credits", Kind.MONEY), ("bonus", Kind.MONEY),
        ("withhold_net", Kind.MONEY), ("earn_back", Kind.MONEY), ("kpis_missed", Kind.INTEGER))),
    ("Notes", "tblBacktestNotes", (("period", Kind.MONTH), ("note", Kind.TEXT))),
)


def _rows(result: BacktestResult) -> dict[str, list[tuple[object, ...]]]:
    out: dict[str, list[tuple[object, ...]]] = {name: [] for _, name, _ in _SHEETS}
    for m in result.periods:
        d, a = m.draft, m.actual
        out["tblBacktestMonths"].append((
            m.period.first_day, m.vendor_id, m.currency, d.net_adjustment, a.net_adjustment, m.difference,
            a.source.value, a.contract_id, d.composite, a.composite, d.credits_total, a.credits_total,
            d.bonus_total, a.bonus_total, d.withhold_net, a.withhold_net, d.earn_back_total, a.earn_back_total,
            d.missed(), a.missed()))
        actual = {k.kpi_id: k for k in a.kpis}
        ids = [k.kpi_id for k in d.kpis] + [k for k in actual if k not in {x.kpi_id for x in d.kpis}]
        drafts = {k.kpi_id: k for k in d.kpis}
        for kpi_id in ids:
            dk, ak = drafts.get(kpi_id), actual.get(kpi_id)
            title = (dk or ak).title  # type: ignore[union-attr]
            metric = (dk or ak).metric_id  # type: ignore[union-attr]
            out["tblBacktestKpis"].append((
                m.period.first_day, kpi_id, title, metric, m.currency,
                dk.value if dk else None, dk.outcome.value if dk else "not in the draft",
                dk.points if dk else None, dk.credit if dk else None, dk.bonus if dk else None,
                ak.value if ak else None, ak.outcome.value if ak else "not in the contract",
                ak.points if ak else None, ak.credit if ak else None, ak.bonus if ak else None,
                dk.note if dk else ""))
        for note in m.notes:
            out["tblBacktestNotes"].append((m.period.first_day, note))
    t = result.totals
    for k in t.kpis:
        out["tblBacktestKpiTotals"].append((k.kpi_id, k.title, t.currency, k.draft_missed, k.actual_missed,
                                            k.draft_credits, k.actual_credits, k.draft_bonus, k.actual_bonus))
    actual_ids = sorted({m.actual.contract_id for m in result.periods if m.actual.contract_id})
    for side, totals, contract in (("draft", t.draft, result.draft.contract_id),
                                   ("actual", t.actual, ", ".join(actual_ids))):
        out["tblBacktestTotals"].append((side, contract, t.months, t.currency, totals.net_adjustment,
                                         totals.credits, totals.bonus, totals.withhold_net, totals.earn_back,
                                         totals.kpis_missed))
    return out


def _write(ws, name: str, columns: Sequence[tuple[str, Kind]], rows: list[tuple[object, ...]],
           currency: str) -> None:
    widths = [len(c) + 3 for c, _ in columns]
    for j, (column, _kind) in enumerate(columns, start=1):
        ws.cell(row=1, column=j, value=column)
    for i, row in enumerate(rows, start=2):
        for j, ((_column, kind), value) in enumerate(zip(columns, row), start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(row=i, column=j)
            if isinstance(value, str):
                value = storable(value)
                cell.value = value
                cell.data_type = "s"  # text from a contract never runs as a formula
                cell.quotePrefix = is_formula_like(value)
            else:
                cell.value = value
            cell.number_format = number_format(kind, currency)
            widths[j - 1] = max(widths[j - 1], len(str(value)) + 2)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(width, 60)
    ref = f"A1:{get_column_letter(len(columns))}{1 + max(1, len(rows))}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def workbook_bytes(result: BacktestResult) -> bytes:
    """The backtest workbook as .xlsx bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = _rows(result)
    for title, name, columns in _SHEETS:
        _write(wb.create_sheet(title), name, columns, rows[name], result.totals.currency)
    first = result.periods[0].period if result.periods else Period(2000, 1)
    return xlsx_bytes(wb, first, f"Backtest of {result.draft.contract_id} ({result.vendor_id})")


def write_workbook(result: BacktestResult, path: Path) -> None:
    """Write the backtest workbook to `path`, replacing it atomically; OutputError if that fails."""
    write_workbook_bytes(workbook_bytes(result), Path(path))
