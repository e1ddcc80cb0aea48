"""The finance workbook's layout: sheets, Excel tables and columns, declared once.

This is finance's import contract: the writer (`render_excel`) and the reference page
docs/workbook.md are both generated from `SHEETS`, so a column cannot be renamed in one and not
the other. Renaming or dropping a column is a breaking change for finance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .money import CURRENCY_SYMBOLS
from .results import Unit


class Kind(StrEnum):
    """What a column holds, which fixes its cell type and number format."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    SCORE = "score"
    MONEY = "money"
    PERCENT = "percent"
    MEASURE = "measure"
    MONTH = "month"
    BOOLEAN = "boolean"


KIND_HELP: dict[Kind, tuple[str, str]] = {
    # kind: (cell type, what it looks like in Excel)
    Kind.TEXT: ("text", "text, format `@`"),
    Kind.INTEGER: ("number", "whole number, format `#,##0`"),
    Kind.NUMBER: ("number", "number as written in the contract, format `General`"),
    Kind.SCORE: ("number", "score 0..100 with two decimals, format `0.00`"),
    Kind.MONEY: ("number", "amount in the row's `currency`, shown as the PDFs show it: format `\"$\"#,##0.00` "
                           "(`$` for USD, `€` EUR, `£` GBP, else the code and a space, e.g. `\"COP \"#,##0`) with the "
                           "currency's minor unit; negative is a credit to the client, positive is paid to the vendor"),
    Kind.PERCENT: ("number", "percentage points 0..100 (85.5 means 85.5%, as in the JSON), "
                             "format `0.00\"%\"`; not an Excel fraction"),
    Kind.MEASURE: ("number", "a KPI figure in the row's `unit`: percent 0..100 (`0.00\"%\"`), points "
                             "(`0.00`; NPS -100..100), mean `0.000`, hours `0.00`, seconds `0.0`, count `General`"),
    Kind.MONTH: ("date", "the month's first day, a real date, format `yyyy-mm`"),
    Kind.BOOLEAN: ("boolean", "TRUE or FALSE, a real boolean cell (format `\"TRUE\";\"TRUE\";\"FALSE\"`, so "
                              "LibreOffice shows the words too)"),
}

# What a column's figures are measured in, for the Columns sheet ("" for text).
KIND_UNITS: dict[Kind, str] = {
    Kind.TEXT: "",
    Kind.INTEGER: "count",
    Kind.NUMBER: "as in the contract",
    Kind.SCORE: "points 0..100",
    Kind.MONEY: "the row's currency",
    Kind.PERCENT: "percentage points 0..100",
    Kind.MEASURE: "the row's unit",
    Kind.MONTH: "month",
    Kind.BOOLEAN: "TRUE/FALSE",
}

_MEASURE_FORMATS: dict[Unit | None, str] = {
    Unit.PERCENT: '0.00"%"',
    Unit.POINTS: "0.00",
    Unit.MEAN: "0.000",
    Unit.HOURS: "0.00",
    Unit.SECONDS: "0.0",
    Unit.COUNT: "General",
    None: "General",
}

_FIXED_FORMATS: dict[Kind, str] = {
    Kind.TEXT: "@",
    Kind.INTEGER: "#,##0",
    Kind.NUMBER: "General",
    Kind.SCORE: "0.00",
    Kind.PERCENT: '0.00"%"',
    Kind.MONTH: "yyyy-mm",
    # A boolean cell ignores its format in Excel; LibreOffice shows 1/0 under General but the words
    # under this format, in every locale.
    Kind.BOOLEAN: '"TRUE";"TRUE";"FALSE"',
}


def number_format(kind: Kind, currency: str | None = None, minor_unit: int = 2, unit: Unit | None = None) -> str:
    """The Excel number format of a `kind` cell in a row with this currency, minor unit and KPI unit."""
    if kind is Kind.MONEY:
        # as the PDFs write money (money.format_money): `$1,234.50`, `-€12.00`, `COP 1,234`
        digits = "#,##0" + ("." + "0" * minor_unit if minor_unit else "")
        if not currency:
            return digits
        prefix = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
        return f'"{prefix}"{digits}'

    if kind is Kind.MEASURE:
        return _MEASURE_FORMATS.get(unit, "General")
    return _FIXED_FORMATS[kind]


@dataclass(frozen=True)
class Column:
    """One column of an Excel table: its stable name, kind, meaning and widest width."""

    name: str
    kind: Kind
    description: str
    max_width: int = 40


@dataclass(frozen=True)
class TableSpec:
    """A named Excel table: what one row is, and its columns in order."""

    name: str
    grain: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class SheetSpec:
    """A worksheet and its one table from A1 (one table per sheet: a filter on it hides nothing else)."""

    title: str
    purpose: str
    tables: tuple[TableSpec, ...]


def _c(name: str, kind: Kind, description: str, max_width: int = 40) -> Column:
    return Column(name, kind, description, max_width)


_PERIOD = _c("period", Kind.MONTH, "the audited month")
_VENDOR = _c("vendor_id", Kind.TEXT, "the vendor's id in its contract")

SUMMARY = TableSpec("tblSummary", "one row per vendor (the in-house baseline included, without money)", (
    _PERIOD,
    _VENDOR,
    _c("vendor_name", Kind.TEXT, "the vendor's name in its contract"),
    _c("in_house", Kind.BOOLEAN, "TRUE for the in-house baseline, which has no fees and no money lines"),
    _c("contract_id", Kind.TEXT, "the contract that priced the month"),
    _c("contract_version", Kind.TEXT, "the contract document's version label"),
    _c("currency", Kind.TEXT, "ISO 4217 code of every amount in the row"),
    _c("fees", Kind.MONEY, "the month's fees; empty for the in-house baseline"),
    _c("fee_basis", Kind.TEXT, "how the fees were computed, in words", 60),
    _c("at_risk", Kind.MONEY, "the month's cap on service credits (at-risk % of fees)"),
    _c("service_credits", Kind.MONEY, "service credits after the credit cap (zero or negative)"),
    _c("bonus", Kind.MONEY, "bonus after the bonus cap (zero or positive)"),
    _c("withhold_net", Kind.MONEY, "withheld share of fees less what the score earned back"),
    _c("earn_back", Kind.MONEY, "earlier periods' credits returned this month (zero or positive)"),
    _c("net_adjustment", Kind.MONEY, "service_credits + bonus + withhold_net + earn_back: the change to the invoice"),
    _c("credit_cap_applied", Kind.BOOLEAN, "TRUE when credits were cut back to the at-risk amount"),
    _c("bonus_cap_applied", Kind.BOOLEAN, "TRUE when the bonus was cut back to its cap"),
    _c("composite_score", Kind.SCORE, "weighted points of the scored KPIs, 0..100; empty when none was scored"),
    _c("consistency_points", Kind.INTEGER, "brand-promise consistency points 0..20; empty when not computed"),
    _c("kpis_met", Kind.INTEGER, "KPIs met"),
    _c("kpis_missed", Kind.INTEGER, "KPIs missed"),
    _c("kpis_insufficient_data", Kind.INTEGER, "KPIs without enough data to judge"),
    _c("kpis_excused", Kind.INTEGER, "KPIs excused under the contract"),
))

KPIS = TableSpec("tblKpis", "one row per vendor and contract KPI, in contract order", (
    _PERIOD,
    _VENDOR,
    _c("kpi_id", Kind.TEXT, "the KPI's id in the contract"),
    _c("kpi_title", Kind.TEXT, "the KPI's title in the contract", 50),
    _c("metric_id", Kind.TEXT, "the metric measured (see docs/contract-format.md)"),
    _c("category", Kind.TEXT, "the KPI's money category"),
    _c("direction", Kind.TEXT, "`higher` or `lower`: which way is better"),
    _c("unit", Kind.TEXT, "unit of value, target, minimum, interval and baseline: percent, points, mean, "
                          "seconds, hours, count; empty without a result"),
    _c("value", Kind.MEASURE, "the month's value; empty when there was no data"),
    _c("target", Kind.MEASURE, "the contract target (at or beyond it a met KPI may earn a bonus)"),
    _c("minimum", Kind.MEASURE, "the contract minimum (a maximum for lower-is-better KPIs)"),
    _c("n", Kind.INTEGER, "observations behind the value"),
    _c("interval_low", Kind.MEASURE, "lower end of the 95% confidence interval; empty without one"),
    _c("interval_high", Kind.MEASURE, "upper end of the 95% confidence interval; empty without one"),
    _c("interval_method", Kind.TEXT, "`wilson`, `nps-variance` or `mean-normal`"),
    _c("outcome", Kind.TEXT, "`met`, `missed`, `insufficient_data` or `excused`"),
    _c("points", Kind.INTEGER, "points 0..10 of a met or missed KPI; empty otherwise"),
    _c("achievement", Kind.INTEGER, "achievement points 0..10 (linear scoring only)"),
    _c("improvement", Kind.INTEGER, "improvement points 0..9 (linear scoring with a baseline only)"),
    _c("baseline", Kind.MEASURE, "the vendor's own earlier value used for improvement points"),
    _c("weight", Kind.NUMBER, "the KPI's weight in the contract"),
    _c("effective_weight", Kind.PERCENT, "the KPI's share of the composite after re-weighting"),
    _c("beyond_target", Kind.BOOLEAN, "TRUE when met at or beyond target (bonus-eligible)"),
    _c("clause", Kind.TEXT, "the contract clause"),
    _c("verdict", Kind.TEXT, "the outcome in words and figures", 100),
))

ADJUSTMENTS = TableSpec("tblAdjustments", "one row per money line of a vendor's settlement, in settlement order", (
    _PERIOD,
    _VENDOR,
    _c("line_no", Kind.INTEGER, "the line's position in the vendor's settlement, from 1"),
    _c("kind", Kind.TEXT, "`service_credit`, `credit_cap`, `bonus`, `bonus_cap`, `withhold`, `withhold_earned` "
                          "or `earn_back`"),
    _c("kpi_id", Kind.TEXT, "the KPI the line is for; empty for vendor-level lines"),
    _c("category", Kind.TEXT, "the KPI category the line is for; empty when none"),
    _c("amount", Kind.MONEY, "the rounded amount; the lines of a vendor sum to its net_adjustment"),
    _c("currency", Kind.TEXT, "ISO 4217 code of amount"),
    _c("refers_to", Kind.MONTH, "for an earn-back: the month the returned credit was charged in"),
    _c("clause", Kind.TEXT, "the contract clause"),
    _c("explanation", Kind.TEXT, "the arithmetic in words and figures, recomputable by hand", 100),
))

ROW_ACCOUNTING = TableSpec("tblRowAccounting", "one row per export file and table: read = used + quarantined", (
    _PERIOD,
    _c("file", Kind.TEXT, "the export file, relative to the exports folder", 50),
    _c("table", Kind.TEXT, "the canonical table the file feeds"),
    _c("format", Kind.TEXT, "`csv`, `xlsx` or `parquet`"),
    _c("mapping", Kind.TEXT, "the column mapping applied; empty when none"),
    _c("rows_read", Kind.INTEGER, "data rows read"),
    _c("rows_used", Kind.INTEGER, "rows that passed validation and feed the KPIs"),
    _c("rows_quarantined", Kind.INTEGER, "rows set aside (errors, or excluded by the mapping)"),
    _c("rows_excluded", Kind.INTEGER, "of rows_quarantined, rows the mapping marks as not real records"),
    _c("errors", Kind.INTEGER, "error issues found in the file"),
    _c("warnings", Kind.INTEGER, "warning issues found in the file"),
))

ISSUE_COUNTS = TableSpec("tblIssueCounts", "one row per file, table, rule and severity with at least one issue", (
    _PERIOD,
    _c("file", Kind.TEXT, "the export file; empty for issues of the export set as a whole", 50),
    _c("table", Kind.TEXT, "the canonical table"),
    _c("rule", Kind.TEXT, "the validation rule", 50),
    _c("severity", Kind.TEXT, "`error` (rows quarantined) or `warning` (informative)"),
    _c("issue_count", Kind.INTEGER, "issues of this rule in this file"),
    _c("first_rows", Kind.TEXT, "up to five 1-based data rows with the issue, comma-separated"),
))

PROVENANCE = TableSpec("tblProvenance", "one row per input file, then per contract, then the tool and the inputs "
                                        "fingerprint", (
    _PERIOD,
    _c("kind", Kind.TEXT, "`input_file`, `contract`, `tool` or `inputs_fingerprint`"),
    _c("name", Kind.TEXT, "file or contract path; `vendoraudit` for the tool; `all inputs` for the fingerprint", 50),
    _c("table", Kind.TEXT, "input files: the canonical table"),
    _c("format", Kind.TEXT, "input files: `csv`, `xlsx` or `parquet`"),
    _c("contract_id", Kind.TEXT, "contracts: the contract id"),
    _c("version", Kind.TEXT, "contracts: the document's version label; tool: the vendoraudit version"),
    _c("sha256", Kind.TEXT, "SHA-256 of the file; for the fingerprint, SHA-256 over every input file's and "
                            "contract's hash", 66),
    _c("rows_read", Kind.INTEGER, "input files: data rows read"),
    _c("rows_used", Kind.INTEGER, "input files: rows used"),
    _c("rows_quarantined", Kind.INTEGER, "input files: rows quarantined"),
))

COLUMNS = TableSpec("tblColumns", "one row per column of every table (this one included), then one per metric "
                                  "a KPI can measure", (
    _c("sheet", Kind.TEXT, "the sheet the table is on"),
    _c("table", Kind.TEXT, "the Excel table's name"),
    _c("column", Kind.TEXT, "the column's name; `metric_id` on a metric's row"),
    _c("value", Kind.TEXT, "on a metric's row: the metric id the `metric_id` column holds; else empty"),
    _c("kind", Kind.TEXT, "what the column holds: text, integer, number, score, money, percent, measure, month, "
                          "boolean (see docs/workbook.md); `metric` on a metric's row"),
    _c("unit", Kind.TEXT, "what the figures are measured in: count, points 0..100, percentage points 0..100, "
                          "the row's currency, the row's unit, month, TRUE/FALSE; a metric's own unit "
                          "(percent, points, mean, seconds, hours, count); empty for text", 30),
    _c("meaning", Kind.TEXT, "what the column or metric means; a metric's definition", 100),
))

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("Summary", "What the month does to each vendor's invoice, and its score.", (SUMMARY,)),
    SheetSpec("KPIs", "Each KPI's value, limits, interval, outcome and points.", (KPIS,)),
    SheetSpec("Adjustments", "Every money line with its explanation.", (ADJUSTMENTS,)),
    SheetSpec("Data quality", "Row accounting per file: read = used + quarantined.", (ROW_ACCOUNTING,)),
    SheetSpec("Issues", "Issue counts per file, rule and severity.", (ISSUE_COUNTS,)),
    SheetSpec("Provenance", "What the figures were computed from.", (PROVENANCE,)),
    SheetSpec("Columns", "Every table's columns with their unit and meaning, and the definition of every "
                         "metric a KPI can measure.", (COLUMNS,)),
)


def reference_markdown() -> str:
    """docs/workbook.md: the workbook's sheets, tables and columns for finance's import."""
    out = [
        "# The audit workbook (finance's import contract)",
        "",
        "<!-- Generated from src/vendoraudit/workbook_layout.py by `workbook_layout.reference_markdown()`;",
        "     tests/test_render_excel.py fails when this page and the code differ. -->",
        "",
        "`vendoraudit` writes one workbook per audited month. Every sheet holds one named Excel table",
        "(Insert > Table) from cell A1, so Power Query and pivot tables find it by name and a filter on",
        "it hides no other table's rows; the header row is frozen. The `Columns` sheet repeats this page",
        "inside the workbook (every table, every column, its unit and meaning) with the definition of",
        "every metric a KPI can measure.",
        "",
        "Every sheet prints landscape, fitted to one page wide (as many pages tall as it needs), with",
        "the header row repeated at the top of each printed page.",
        "Column names are stable: renaming or dropping one is a breaking change and needs a release",
        "note; new columns may be added at the end of a table.",
        "",
        "- Numbers are stored as numbers, dates as real dates, TRUE/FALSE as real booleans (Excel and",
        "  LibreOffice both show the words); an empty cell",
        "  means \"not applicable\" or \"no value\", never zero.",
        "- Money cells hold the exact amount (rounded half-up to the currency's minor unit at the line",
        "  level the contract names; totals are sums of rounded lines), shown with the currency's code.",
        "  Excel keeps 15 significant digits, exact for any invoice amount; the JSON document carries",
        "  the same amounts as decimal strings. Signs are from the vendor's view: negative is a credit",
        "  to the client, positive is paid to the vendor.",
        "- Other figures (KPI values, intervals) carry 16 significant digits of the computed value;",
        "  the JSON document has the full double.",
        "- Percentages are percentage points 0..100, the same figures as the JSON document",
        "  (docs/json.md); they are not Excel fractions.",
        "- Text that Excel would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage",
        "  return) is stored as text with Excel's quote-prefix flag: it shows as typed and never runs.",
        "  Line ends in text are stored as line feeds (XML cannot carry a bare carriage return).",
        "- Survey comments and member references never appear in the workbook.",
        "- The same audit gives a byte-identical file: the document's created/modified dates are the",
        "  month's first day, not the time of the run. The run time is therefore not in the workbook;",
        "  the Provenance sheet carries the inputs fingerprint instead (it changes whenever an input",
        "  file or contract changes), and the results history database keeps the run times.",
        "",
        "## Kinds of column",
        "",
        "| kind | cell | meaning and format |",
        "|---|---|---|",
    ]
    out += [f"| {kind} | {cell} | {help_text} |" for kind, (cell, help_text) in KIND_HELP.items()]
    for sheet in SHEETS:
        out += ["", f"## Sheet `{sheet.title}`", "", sheet.purpose]
        for table in sheet.tables:
            out += ["", f"### Table `{table.name}`", "", f"Grain: {table.grain}.", "",
                    "| column | kind | unit | meaning |", "|---|---|---|---|"]
            out += [f"| `{c.name}` | {c.kind} | {KIND_UNITS[c.kind]} | {c.description} |" for c in table.columns]
    return "\n".join(out) + "\n"
