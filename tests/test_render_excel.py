"""The finance workbook: layout contract, cell types, figures equal to the JSON, inert text, same bytes."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from vendoraudit.audit_result import IssueCount
from vendoraudit.errors import OutputError
from vendoraudit.render_excel import is_formula_like, table_rows, workbook_bytes, write_workbook
from vendoraudit.report_json import dumps
from vendoraudit.tables import TABLES
from vendoraudit.workbook_layout import SHEETS, Kind, number_format, reference_markdown

REPO = Path(__file__).resolve().parents[1]
INJECTION = '=HYPERLINK("http://x","y")'

# Finance's import contract as published. A column may be added at the END of a table; renaming,
# reordering or dropping one must fail here (and then needs a release note before this list changes).
FROZEN_COLUMNS = {
    "tblSummary": ("period", "vendor_id", "vendor_name", "in_house", "contract_id", "contract_version",
                   "currency", "fees", "fee_basis", "at_risk", "service_credits", "bonus", "withhold_net",
                   "earn_back", "net_adjustment", "credit_cap_applied", "bonus_cap_applied", "composite_score",
                   "consistency_points", "kpis_met", "kpis_missed", "kpis_insufficient_data", "kpis_excused"),
    "tblKpis": ("period", "vendor_id", "kpi_id", "kpi_title", "metric_id", "category", "direction", "unit",
                "value", "target", "minimum", "n", "interval_low", "interval_high", "interval_method",
                "outcome", "points", "achievement", "improvement", "baseline", "weight", "effective_weight",
                "beyond_target", "clause", "verdict"),
    "tblAdjustments": ("period", "vendor_id", "line_no", "kind", "kpi_id", "category", "amount", "currency",
                       "refers_to", "clause", "explanation"),
    "tblRowAccounting": ("period", "file", "table", "format", "mapping", "rows_read", "rows_used",
                         "rows_quarantined", "rows_excluded", "errors", "warnings"),
    "tblIssueCounts": ("period", "file", "table", "rule", "severity", "issue_count", "first_rows"),
    "tblProvenance": ("period", "kind", "name", "table", "format", "contract_id", "version", "sha256",
                      "rows_read", "rows_used", "rows_quarantined"),
    "tblColumns": ("sheet", "table", "column", "value", "kind", "unit", "meaning"),
}
# One table per sheet (issue 21 split Data quality: the issue counts moved to their own sheet, the
# table names are unchanged, so Power Query imports by table name keep working).
FROZEN_SHEETS = {"Summary": ("tblSummary",), "KPIs": ("tblKpis",), "Adjustments": ("tblAdjustments",),
                 "Data quality": ("tblRowAccounting",), "Issues": ("tblIssueCounts",),
                 "Provenance": ("tblProvenance",), "Columns": ("tblColumns",)}


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _records(ws, table_name: str) -> list[dict]:
    """A table's body rows as dicts by header, read through the table's own ref."""
    grid = [[c.value for c in row] for row in ws[ws.tables[table_name].ref]]
    return [dict(zip(grid[0], row)) for row in grid[1:] if any(v is not None for v in row)]


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@pytest.fixture(scope="module")
def workbook(sample_audit) -> openpyxl.Workbook:
    return _load(workbook_bytes(sample_audit))


@pytest.fixture(scope="module")
def document(sample_audit) -> dict:
    return json.loads(dumps(sample_audit, "vendoraudit.audit"))["result"]


def test_checked_in_docs_equal_the_generated_page() -> None:
    assert (REPO / "docs" / "workbook.md").read_text(encoding="utf-8") == reference_markdown()


def test_documented_columns_are_neither_renamed_nor_dropped() -> None:
    assert {s.title: tuple(t.name for t in s.tables) for s in SHEETS} == FROZEN_SHEETS
    for sheet in SHEETS:
        for table in sheet.tables:
            frozen = FROZEN_COLUMNS[table.name]
            assert table.column_names[:len(frozen)] == frozen, table.name
            assert all(c.description for c in table.columns), table.name


def test_no_personal_free_text_column_is_declared() -> None:
    secret = {c.name for t in TABLES.values() for c in t.columns if c.never_output}
    assert secret  # the canonical tables still mark comments and member references
    assert not secret & {c.name for s in SHEETS for t in s.tables for c in t.columns}


def test_sheets_tables_headers_and_frozen_panes(workbook) -> None:
    assert workbook.sheetnames == list(FROZEN_SHEETS)
    for sheet in SHEETS:
        ws = workbook[sheet.title]
        assert ws.freeze_panes == "A2"
        assert sorted(ws.tables) == sorted(t.name for t in sheet.tables)
        for table in sheet.tables:
            header = next(iter(ws[ws.tables[table.name].ref]))
            assert tuple(c.value for c in header) == table.column_names
            assert tuple(c.name for c in ws.tables[table.name].tableColumns) == table.column_names
            widths = [ws.column_dimensions[c.column_letter].width for c in header]
            assert all(8 <= w <= 100 for w in widths), (table.name, widths)


def test_cells_have_real_types_and_formats(workbook) -> None:
    summary = workbook["Summary"]
    header = [c.value for c in summary[1]]
    acme = next(row for row in summary.iter_rows(min_row=2) if row[1].value == "ACME")
    cell = dict(zip(header, acme))
    assert isinstance(cell["period"].value, datetime) and cell["period"].is_date
    assert cell["period"].value == datetime(2026, 10, 1) and cell["period"].number_format == "yyyy-mm"
    for name in ("fees", "service_credits", "bonus", "net_adjustment"):
        assert cell[name].data_type == "n" and isinstance(cell[name].value, (int, float)), name
        assert cell[name].number_format == '"$"#,##0.00', name
    assert cell["in_house"].value is False and cell["bonus_cap_applied"].value is True
    assert cell["composite_score"].number_format == "0.00"
    assert cell["kpis_met"].data_type == "n" and cell["vendor_name"].data_type == "s"

    kpis = workbook["KPIs"]
    header = [c.value for c in kpis[1]]
    rows = [dict(zip(header, r)) for r in kpis.iter_rows(min_row=2)]
    by_unit = {r["unit"].value: r for r in rows}
    assert by_unit["percent"]["value"].number_format == '0.00"%"'
    assert by_unit["mean"]["value"].number_format == "0.000"
    assert all(r["value"].data_type == "n" and isinstance(r["value"].value, (int, float)) for r in rows)
    assert all(isinstance(r["n"].value, int) for r in rows)
    assert all(r["effective_weight"].number_format == '0.00"%"' for r in rows)


def test_money_format_follows_the_currency_and_minor_unit() -> None:
    assert number_format(Kind.MONEY, "COP", 0) == '"COP "#,##0'
    assert number_format(Kind.MONEY, "EUR", 3) == '"€"#,##0.000'


def test_money_shows_in_the_workbook_as_in_the_pdfs(sample_audit, tmp_path) -> None:
    """One money format in every document: LibreOffice shows the workbook's amounts as format_money writes them."""
    from vendoraudit.money import format_money

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    (tmp_path / "audit.xlsx").write_bytes(workbook_bytes(sample_audit))
    shown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1"
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                          "--convert-to", shown, "--outdir", str(tmp_path), str(tmp_path / "audit.xlsx")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "audit-Summary.csv", newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    for row in map(lambda r: dict(zip(header, r)), rows):
        v = sample_audit.vendor(row["vendor_id"])
        if v.settlement is not None:
            assert row["net_adjustment"] == format_money(v.settlement.net_adjustment, v.currency)
            assert row["fees"] == format_money(v.fees, v.currency)


def test_figures_equal_the_json(workbook, document) -> None:
    vendors = {v["vendor_id"]: v for v in document["vendors"]}
    summary = _records(workbook["Summary"], "tblSummary")
    assert [r["vendor_id"] for r in summary] == list(vendors)
    money = {"at_risk": "at_risk", "service_credits": "credits_total", "bonus": "bonus_total",
             "withhold_net": "withhold_net", "earn_back": "earn_back_total", "net_adjustment": "net_adjustment"}
    for row in summary:
        v = vendors[row["vendor_id"]]
        s = v["settlement"]
        assert _dec(row["fees"]) == _dec(v["fees"])
        for column, key in money.items():
            assert _dec(row[column]) == (_dec(s[key]) if s else None), column
        assert _dec(row["composite_score"]) == _dec(v["scorecard"]["composite"])
        assert row["consistency_points"] == v["scorecard"]["consistency_points"]
        counts = v["scorecard"]["counts"]
        assert (row["kpis_met"], row["kpis_missed"]) == (counts["met"], counts["missed"])
        assert (row["currency"], row["vendor_name"]) == (v["currency"], v["vendor_name"])
    # the sample has credits, a capped bonus and a withhold: every money column is exercised
    assert any(r["credit_cap_applied"] is False and r["bonus_cap_applied"] for r in summary)
    assert {r["vendor_id"] for r in summary if r["withhold_net"]} == {"BRIGHTPATH"}

    kpis = _records(workbook["KPIs"], "tblKpis")
    expected = [(v["vendor_id"], k) for v in document["vendors"] for k in v["scorecard"]["kpis"]]
    assert len(kpis) == len(expected) > 40
    for row, (vendor_id, k) in zip(kpis, expected):
        r = k["result"]
        assert (row["vendor_id"], row["kpi_id"], row["outcome"], row["points"]) == \
               (vendor_id, k["kpi_id"], k["outcome"], k["points"])
        assert row["value"] == pytest.approx(r["value"], rel=1e-15, abs=0)
        assert (row["target"], row["minimum"], row["n"]) == (k["target"], k["minimum"], r["n"])
        assert row["interval_low"] == pytest.approx(r["interval"]["low"], rel=1e-15) if r["interval"] \
            else row["interval_low"] is None
        assert _dec(row["weight"]) == _dec(k["weight"])
        assert _dec(row["effective_weight"]) == pytest.approx(_dec(k["effective_weight"]), rel=Decimal("1e-15"))

    lines = _records(workbook["Adjustments"], "tblAdjustments")
    expected = [(v["vendor_id"], n, line) for v in document["vendors"] if v["settlement"]
                for n, line in enumerate(v["settlement"]["lines"], start=1)]
    assert len(lines) == len(expected) > 0
    for row, (vendor_id, n, line) in zip(lines, expected):
        assert (row["vendor_id"], row["line_no"], row["kind"], row["kpi_id"]) == \
               (vendor_id, n, line["kind"], line["kpi_id"])
        assert _dec(row["amount"]) == _dec(line["amount"])
        assert row["explanation"] == line["explanation"]
    for vendor_id, v in vendors.items():
        if v["settlement"]:
            total = sum((_dec(r["amount"]) for r in lines if r["vendor_id"] == vendor_id), Decimal(0))
            assert total == _dec(v["settlement"]["net_adjustment"])


def test_provenance_has_hashes_versions_and_the_fingerprint_but_no_run_time(workbook, document) -> None:
    rows = _records(workbook["Provenance"], "tblProvenance")
    files = [r for r in rows if r["kind"] == "input_file"]
    assert [(r["name"], r["sha256"], r["rows_read"]) for r in files] == \
           [(f["path"], f["sha256"], f["rows_read"]) for f in document["data_quality"]["files"]]
    contracts = [r for r in rows if r["kind"] == "contract"]
    assert [(r["contract_id"], r["version"], r["sha256"]) for r in contracts] == \
           [(c["contract_id"], c["version"], c["sha256"]) for c in document["contracts"]]
    assert [r["version"] for r in rows if r["kind"] == "tool"] == [document["tool_version"]]
    assert [r["sha256"] for r in rows if r["kind"] == "inputs_fingerprint"] == [document["inputs_fingerprint"]]
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["sha256"]) for r in rows if r["kind"] != "tool")
    assert {r["period"] for r in rows} == {datetime(2026, 10, 1)}


def test_data_quality_counts_issues_per_file_and_rule(sample_audit) -> None:
    dq = sample_audit.data_quality
    first = dq.files[0].path
    counts = (IssueCount(first, "interactions", "handle_time_range", "error", 3, (4, 9, 12)),
              IssueCount(first, "interactions", "late_timestamp", "warning", 2, (7,)),
              IssueCount("", "", "vendor_without_sites", "warning", 1, ()))
    result = replace(sample_audit, data_quality=replace(dq, issue_counts=counts))
    book = _load(workbook_bytes(result))
    accounting = _records(book["Data quality"], "tblRowAccounting")
    assert len(accounting) == len(dq.files)
    assert (accounting[0]["file"], accounting[0]["errors"], accounting[0]["warnings"]) == (first, 3, 2)
    assert all((r["errors"], r["warnings"]) == (0, 0) for r in accounting[1:])
    assert all(r["rows_read"] == r["rows_used"] + r["rows_quarantined"] for r in accounting)
    issues = _records(book["Issues"], "tblIssueCounts")
    assert [(r["file"], r["rule"], r["severity"], r["issue_count"], r["first_rows"]) for r in issues] == [
        (first, "handle_time_range", "error", 3, "4, 9, 12"), (first, "late_timestamp", "warning", 2, "7"),
        (None, "vendor_without_sites", "warning", 1, None)]


def test_an_empty_table_keeps_one_blank_body_row(workbook) -> None:
    ws = workbook["Issues"]
    width = len(FROZEN_COLUMNS["tblIssueCounts"])
    assert ws.tables["tblIssueCounts"].ref.endswith("2")  # the sample has no issues
    assert ws.tables["tblIssueCounts"].ref == f"A1:{openpyxl.utils.get_column_letter(width)}2"


def test_same_result_gives_the_same_bytes_with_no_wall_clock(sample_audit) -> None:
    first, second = workbook_bytes(sample_audit), workbook_bytes(sample_audit)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 10, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2026-10-01T00:00:00Z") == 2, core  # created and modified
    props = _load(first).properties
    assert props.created == props.modified == datetime(2026, 10, 1)


def _injected(sample_audit):
    vendors = list(sample_audit.vendors)
    acme = next(i for i, v in enumerate(vendors) if v.vendor_id == "ACME")
    v = vendors[acme]
    lines = list(v.settlement.lines)
    lines[0] = replace(lines[0], clause="+cmd|' /C calc'!A0", explanation="@SUM(1+1)*cmd|' /C calc'!A0")
    kpis = list(v.scorecard.kpis)
    kpis[0] = replace(kpis[0], title="-2+3", clause="\t=1+1", verdict="\r=1+1")
    vendors[acme] = replace(v, vendor_name=INJECTION, settlement=replace(v.settlement, lines=tuple(lines)),
                            scorecard=replace(v.scorecard, kpis=tuple(kpis)))
    return replace(sample_audit, vendors=tuple(vendors))


def test_formula_like_text_arrives_as_inert_text(sample_audit) -> None:
    data = workbook_bytes(_injected(sample_audit))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)
    wb = _load(data)
    texts = {INJECTION: ("Summary", 3), "-2+3": ("KPIs", 4), "\t=1+1": ("KPIs", 24), "\n=1+1": ("KPIs", 25),
             "+cmd|' /C calc'!A0": ("Adjustments", 10), "@SUM(1+1)*cmd|' /C calc'!A0": ("Adjustments", 11)}
    for text, (sheet, column) in texts.items():
        cells = [row[column - 1] for row in wb[sheet].iter_rows(min_row=2) if row[column - 1].value == text]
        assert cells, (sheet, text)
        assert all(c.data_type == "s" and c.quotePrefix for c in cells), (sheet, text)
    plain = wb["Summary"]["C2"]
    assert plain.data_type == "s" and not plain.quotePrefix  # only formula-like text gets the flag


def test_empty_text_leaves_the_cell_empty(sample_audit) -> None:
    v = sample_audit.vendors[0]
    kpis = (replace(v.scorecard.kpis[0], clause=""),) + v.scorecard.kpis[1:]
    result = replace(sample_audit, vendors=(replace(v, scorecard=replace(v.scorecard, kpis=kpis)),)
                     + sample_audit.vendors[1:])
    data = workbook_bytes(result)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert not re.search(r'<c [^>]*t="inlineStr"[^>]*/>', xml)  # a text cell without text upsets Excel
    assert _load(data)["KPIs"].cell(row=2, column=24).value is None


def test_formula_triggers() -> None:
    assert all(is_formula_like(t) for t in ("=1", "+1", "-1", "@A", "\tx", "\rx"))
    assert not any(is_formula_like(t) for t in ("ACME", " =1", "1-2", ""))


def test_rows_have_exactly_the_declared_columns(sample_audit) -> None:
    rows = table_rows(sample_audit)
    for sheet in SHEETS:
        for table in sheet.tables:
            assert all(tuple(r.values) == table.column_names for r in rows[table.name])


def test_write_workbook_replaces_the_file_and_reports_failures(sample_audit, tmp_path) -> None:
    target = tmp_path / "out" / "audit-2026-10.xlsx"
    write_workbook(sample_audit, target)
    write_workbook(sample_audit, target)
    assert target.read_bytes() == workbook_bytes(sample_audit)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write workbook"):
        write_workbook(sample_audit, blocker / "audit.xlsx")


# LibreOffice as a second reader: each sheet to its own CSV, raw values (not as shown), en-US.
_CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1"


@pytest.fixture(scope="module")
def libreoffice_csvs(sample_audit, tmp_path_factory) -> dict[str, list[dict]]:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    (folder / "audit.xlsx").write_bytes(workbook_bytes(_injected(sample_audit)))
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                          "--convert-to", _CSV_FILTER, "--outdir", str(folder), str(folder / "audit.xlsx")],
                         capture_output=True, text=True, timeout=120)
    complaints = [line for line in run.stderr.splitlines() if line.strip() and "javaldx" not in line]
    assert run.returncode == 0 and not complaints, run.stderr
    out = {}
    for sheet in FROZEN_SHEETS:
        with open(folder / f"audit-{sheet}.csv", newline="", encoding="utf-8") as fh:
            out[sheet] = list(csv.reader(fh))
    return out


def test_libreoffice_reads_every_sheet_with_the_json_figures(libreoffice_csvs, document) -> None:
    vendors = {v["vendor_id"]: v for v in document["vendors"]}
    header, *rows = libreoffice_csvs["Summary"]
    assert tuple(header) == FROZEN_COLUMNS["tblSummary"]
    for row in map(lambda r: dict(zip(header, r)), rows):
        v = vendors[row["vendor_id"]]
        assert row["period"] == "10/01/2026"  # a real date, printed in en-US
        assert _dec(row["net_adjustment"]) == (_dec(v["settlement"]["net_adjustment"]) if v["settlement"] else None)
        assert _dec(row["bonus"]) == (_dec(v["settlement"]["bonus_total"]) if v["settlement"] else None)
        assert _dec(row["composite_score"]) == _dec(v["scorecard"]["composite"])
        assert row["in_house"] == ("TRUE" if v["in_house"] else "FALSE")
    header, *rows = libreoffice_csvs["KPIs"]
    expected = [k for v in document["vendors"] for k in v["scorecard"]["kpis"]]
    assert len(rows) == len(expected)
    for row, k in zip(map(lambda r: dict(zip(header, r)), rows), expected):
        assert row["outcome"] == k["outcome"]
        assert float(row["value"]) == pytest.approx(k["result"]["value"], rel=1e-13)  # LibreOffice prints 15 digits
    header, *rows = libreoffice_csvs["Adjustments"]
    amounts = [_dec(dict(zip(header, r))["amount"]) for r in rows]
    assert amounts == [_dec(line["amount"]) for v in document["vendors"] if v["settlement"]
                       for line in v["settlement"]["lines"]]
    assert libreoffice_csvs["Data quality"][0] == list(FROZEN_COLUMNS["tblRowAccounting"])
    assert libreoffice_csvs["Issues"][0] == list(FROZEN_COLUMNS["tblIssueCounts"])
    assert libreoffice_csvs["Provenance"][0] == list(FROZEN_COLUMNS["tblProvenance"])


def test_libreoffice_shows_formula_like_text_as_typed(libreoffice_csvs) -> None:
    names = [row[2] for row in libreoffice_csvs["Summary"][1:]]
    assert INJECTION in names and "y" not in names  # not evaluated to the link's label
    kpi_cells = {cell for row in libreoffice_csvs["KPIs"][1:] for cell in row}
    assert {"-2+3", "\t=1+1", "\n=1+1"} <= kpi_cells and "2" not in {row[3] for row in libreoffice_csvs["KPIs"]}
    adjustment_cells = {cell for row in libreoffice_csvs["Adjustments"][1:] for cell in row}
    assert {"+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"} <= adjustment_cells


# The JSON document (docs/json.md): every key the audit serialises is documented.

def _keys(value, parent: str = "") -> set[str]:
    """Every key name in a JSON value, except the keys of maps keyed by data (KPI ids)."""
    if isinstance(value, list):
        return set().union(*(_keys(v, parent) for v in value)) if value else set()
    if not isinstance(value, dict) or parent == "kpi_credits":
        return set()
    return set(value).union(*(_keys(v, k) for k, v in value.items()))


def test_every_json_key_is_documented(sample_audit) -> None:
    dq = sample_audit.data_quality
    # the sample has no data issues: add one so the issue-count keys are serialised too
    result = replace(sample_audit, data_quality=replace(dq, issue_counts=(
        IssueCount("a.csv", "interactions", "rule", "error", 1, (2,)),)))
    keys = _keys(json.loads(dumps(result, "vendoraudit.audit")))
    assert {"inputs_fingerprint", "withhold_factor", "gaps", "p_value", "first_rows", "refers_to"} <= keys
    page = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
    assert sorted(k for k in keys if f"`{k}`" not in page) == []
    assert f"today `{json.loads(dumps(result, 'x'))['schema_version']}`" in page


# The workbook as finance reads and prints it (issue 21).

def test_one_table_per_sheet_from_a1(workbook) -> None:
    for sheet in SHEETS:
        ws = workbook[sheet.title]
        assert len(sheet.tables) == 1 and len(ws.tables) == 1, sheet.title
        (table,) = ws.tables.values()
        assert table.ref.startswith("A1:"), sheet.title
        # nothing outside the table: a filter on it hides no other data
        last_col = openpyxl.utils.cell.range_boundaries(table.ref)[2]
        assert ws.max_column == last_col, sheet.title


def test_columns_sheet_lists_every_column_with_unit_and_meaning_and_every_metric(workbook) -> None:
    from vendoraudit.kpis.registry import METRICS

    rows = _records(workbook["Columns"], "tblColumns")
    columns = [r for r in rows if r["kind"] != "metric"]
    assert [(r["sheet"], r["table"], r["column"]) for r in columns] == [
        (s.title, t.name, c.name) for s in SHEETS for t in s.tables for c in t.columns]
    assert all(r["meaning"] for r in rows)
    by_name = {(r["table"], r["column"]): r for r in columns}
    assert by_name[("tblSummary", "net_adjustment")]["unit"] == "the row's currency"
    assert by_name[("tblKpis", "effective_weight")]["unit"] == "percentage points 0..100"
    assert by_name[("tblSummary", "in_house")]["unit"] == "TRUE/FALSE"
    assert by_name[("tblSummary", "vendor_name")]["unit"] is None  # text has no unit
    metrics = {r["value"]: r for r in rows if r["kind"] == "metric"}
    assert set(metrics) == set(METRICS)
    qa = metrics["qa.score"]
    assert qa["unit"] == "points" and METRICS["qa.score"].definition in qa["meaning"]
    assert qa["table"] == "tblKpis" and qa["column"] == "metric_id"


def test_booleans_are_real_true_false_cells(workbook) -> None:
    checked = 0
    for sheet in SHEETS:
        ws = workbook[sheet.title]
        (table,) = sheet.tables
        kinds = [c.kind for c in table.columns]
        for row in ws.iter_rows(min_row=2):
            for cell, kind in zip(row, kinds):
                if kind is Kind.BOOLEAN and cell.value is not None:
                    assert cell.data_type == "b" and isinstance(cell.value, bool)
                    assert cell.number_format == '"TRUE";"TRUE";"FALSE"'
                    checked += 1
    assert checked >= 10


def test_print_settings_landscape_fit_to_width_header_repeated(workbook) -> None:
    for sheet in SHEETS:
        ws = workbook[sheet.title]
        assert ws.page_setup.orientation == "landscape", sheet.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows == "$1:$1"


def test_libreoffice_keeps_booleans_as_booleans(sample_audit, tmp_path) -> None:
    """LibreOffice reads a boolean cell under General as the number 1 or 0 (shown as 1/0 once edited or
    re-formatted); under the boolean format it stays a boolean. Converted to flat ODS to see its type."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    (tmp_path / "audit.xlsx").write_bytes(workbook_bytes(sample_audit))
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                          "--convert-to", "fods", "--outdir", str(tmp_path), str(tmp_path / "audit.xlsx")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    content = (tmp_path / "audit.fods").read_text(encoding="utf-8")
    cells = re.findall(r'<table:table-cell[^>]*table:formula="of:=(?:TRUE|FALSE)\(\)"[^>]*>', content)
    assert len(cells) >= 10
    for cell in cells:
        assert 'office:value-type="boolean"' in cell, cell
