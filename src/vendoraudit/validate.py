"""Validating an export set: schemas, cross-column and cross-table rules, issues, quarantine.

`load_exports` reads every file (`exports`), then checks, per table, the values that did not
parse, the pandera schema (`schemas`, on collected frames so value checks run), the rules
across columns, unique keys over all files, then references between tables, rows outside the
audit period (one counted line per file and month) and days without data. Each problem is an `Issue` with file, 1-based row,
column, rule code, message, value (masked for personal columns) and severity. Rows with an
error go to quarantine with their reasons; rows with warnings only are kept. Per file,
rows read = rows used + rows quarantined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping as MappingABC, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from pandera.errors import SchemaErrors

from . import site_period
from .errors import InputError, OutputError
from .exports import EXCLUDED, Discovery, ExportFile, FileFormat, ReadFile, discover, read_file
from .formula_text import neutralised
from .key_runs import RUN, hashes_distinct, key_runs
from .mapping import Mapping, load_mappings
from .paths import recorded_path
from .periods import Period
from .results import Severity, SiteDirectory
from .schemas import DAY_HOURS, RELATION_RULES, SCHEMAS, UNIQUE_KEYS, VALUE_RULES
from .tables import SOURCE_FILE, SOURCE_ROW, TABLES

REASON = "_reason"
MASK = "<masked>"
MAX_VALUE_CHARS = 200  # an issue shows at most this much of a value (a 10 MB cell stays in its file)
_IDX = "__idx"
_ISSUE_SCHEMA: dict[str, Any] = {
    _IDX: pl.Int64, "file": pl.String, "row": pl.Int64, "column": pl.String, "rule": pl.String,
    "message": pl.String, "value": pl.String, "severity": pl.String,
}
_RULES = {r.code: r for r in RELATION_RULES}
# Tables whose earlier rows are history the month needs (onboarding hours of a new hire span
# 90 days), so only rows after the period are flagged as outside it.
HISTORY_TABLES = frozenset({"training"})
STRAGGLERS = 5  # at most this many rows of another month in a file are listed one by one


@dataclass(frozen=True)
class Issue:
    """One data problem. `row` is the 1-based data row in `file` (None for file- or set-level issues)."""

    table: str
    file: str | None
    row: int | None
    column: str | None
    rule: str
    message: str
    value: str | None
    severity: Severity

    @property
    def location(self) -> str:
        """`file:row:column`, leaving out what is unknown."""
        return ":".join(str(p) for p in (self.file or self.table, self.row, self.column) if p is not None)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "file": self.file, "row": self.row, "column": self.column, "rule": self.rule,
                "message": self.message, "value": self.value, "severity": str(self.severity)}


@dataclass(frozen=True)
class FileReport:
    """What happened to one file's rows for one table: read = used + quarantined.

    `rows_excluded` (part of `rows_quarantined`) are rows the mapping sets aside as not real
    records (phantom calls, say). `rows_clock_adjusted` (used rows) had a timestamp a little
    before the one it follows, within the clock tolerance, taken as equal to it. `rows_other_period`
    (used rows) belong to another month than the audited one: set aside from its KPIs.
    """

    path: str
    table: str
    format: FileFormat
    sha256: str
    mapping: str | None
    rows_read: int
    rows_used: int
    rows_quarantined: int
    rows_excluded: int = 0
    rows_clock_adjusted: int = 0
    rows_other_period: int = 0

    @property
    def is_balanced(self) -> bool:
        return self.rows_read == self.rows_used + self.rows_quarantined

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "table": self.table, "format": str(self.format), "sha256": self.sha256,
                "mapping": self.mapping, "rows_read": self.rows_read, "rows_used": self.rows_used,
                "rows_quarantined": self.rows_quarantined, "rows_excluded": self.rows_excluded,
                "rows_clock_adjusted": self.rows_clock_adjusted, "rows_other_period": self.rows_other_period}


@dataclass(frozen=True)
class ValidatedExports:
    """An export set after validation.

    `tables`: valid rows of all six tables (canonical columns + `_source_file` (categorical: a file
    name repeated on every row), `_source_row`; empty with the right schema when no file).
    `quarantine`: the rest, with `_reason` (the same source columns).
    """

    tables: MappingABC[str, pl.DataFrame]
    quarantine: MappingABC[str, pl.DataFrame]
    issues: tuple[Issue, ...]
    files: tuple[FileReport, ...]
    period: Period | None = None
    export_dir: str = ""

    @property
    def error_count(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def is_balanced(self) -> bool:
        """Every file's rows are accounted for."""
        return all(f.is_balanced for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        """The full report as plain JSON-ready data (what `validate --json` prints)."""
        return {
            "export_dir": self.export_dir,
            "period": str(self.period) if self.period else None,
            "summary": {
                "files": len(self.files),
                "rows_read": sum(f.rows_read for f in self.files),
                "rows_used": sum(f.rows_used for f in self.files),
                "rows_quarantined": sum(f.rows_quarantined for f in self.files),
                "errors": self.error_count,
                "warnings": self.warning_count,
                "balanced": self.is_balanced,
            },
            "files": [f.to_dict() for f in self.files],
            "issues": [i.to_dict() for i in self.issues],
        }


def empty_table(table: str) -> pl.DataFrame:
    """A table with no rows and the canonical schema plus the source columns."""
    return pl.DataFrame(schema={**TABLES[table].polars_schema, SOURCE_FILE: pl.Categorical, SOURCE_ROW: pl.Int64})


def load_exports(export_dir: Path, mappings: Sequence[Path] = (), period: Period | None = None,
                 sites: SiteDirectory | None = None, require_files: bool = False,
                 site_check: bool = False) -> ValidatedExports:
    """Read, map and validate every export file in `export_dir`.

    `sites` gives local time zones; with `site_check` they are the contracts' sites, and a row of
    any other site is an error (`unknown_site`).

    Raises ConfigError for a bad mapping, InputError for a file that cannot be read and, with
    `require_files` (every command), for a folder where no file is read: never an empty result
    that looks like a quiet month. Data problems are issues in the result.
    """
    loaded = load_mappings(Path(p) for p in mappings)
    found = discover(Path(export_dir), loaded)
    if require_files and not found.files:
        raise InputError(nothing_read(Path(export_dir), found, loaded))
    sites = sites or SiteDirectory()
    zones = {s.site_id: s.timezone for s in sites.sites}
    # A generator: once read, a file's frame is held only by its table's pieces (see `_tables_of`).
    reads = (read_file(f, zones) for f in found.files)
    return validate_reads(reads, found, period, sites, export_dir=recorded_path(export_dir), site_check=site_check)


def nothing_read(export_dir: Path, found: Discovery, mappings: Sequence[Mapping]) -> str:
    """Why no file of `export_dir` is read, in one line naming what is there."""
    head = f"{export_dir}: no export file was read"
    if found.unclaimed:
        names = ", ".join(found.unclaimed[:5]) + (f" and {len(found.unclaimed) - 5} more"
                                                  if len(found.unclaimed) > 5 else "")
        claim = (f"no mapping claims {'it' if len(found.unclaimed) == 1 else 'them'}"
                 + (f" (the mappings given, {', '.join(m.name for m in mappings)}, claim "
                    f"{', '.join(p for m in mappings for p in m.files)})" if mappings else " (give one with --mapping, "
                    "or attach one beside the contracts)"))
        return (f"{head}: {len(found.unclaimed)} data file(s) ({names}) whose names start with no table name "
                f"({', '.join(TABLES)}), and {claim}")
    return f"{head}: it holds no CSV, XLSX or Parquet file"


@dataclass(frozen=True)
class _FileRead:
    """What validation keeps of a file once its frame is part of its table."""

    source: ExportFile
    sha256: str
    rows_read: int
    rows_excluded: int
    failures: pl.DataFrame
    unknown_columns: tuple[str, ...]
    clock_adjusted: int = 0


def validate_reads(reads: Iterable[ReadFile], found: Discovery | None = None, period: Period | None = None,
                   sites: SiteDirectory | None = None, export_dir: str = "",
                   site_check: bool = False) -> ValidatedExports:
    """Validate files already read (see `load_exports`); `reads` is gone through once."""
    sites = sites or SiteDirectory()
    files, live, excluded = _tables_of(reads, Counter(f.table for f in found.files) if found else Counter())
    # Key "" holds issues of the export set as a whole (files that belong to no table).
    issue_frames: dict[str, list[pl.DataFrame]] = {t: [] for t in (*TABLES, "")}
    for table in TABLES:
        mine = [f for f in files if f.source.table == table]
        live[table] = live[table].with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(_IDX))
        issue_frames[table] += _file_issues(table, mine, excluded[table])
        issue_frames[table] += _table_issues(table, live[table], mine)
    issue_frames = _cross_table_issues(live, issue_frames)
    if site_check:
        for table in TABLES:
            issue_frames[table].append(_unknown_site_issues(table, live[table], sites, period))
    other_period: dict[tuple[str, str], int] = {}
    if period is not None:
        for table in TABLES:
            frame, counts = _period_issues(table, live[table], period, sites)
            issue_frames[table].append(frame)
            other_period |= {(table, f): n for f, n in counts.items()}
        issue_frames["interactions"].append(_missing_days(live["interactions"], period, sites))
    if found is not None and found.unclaimed:
        issue_frames[""].append(pl.DataFrame({
            "file": list(found.unclaimed), "rule": "unclaimed_file",
            "message": [f"file name does not start with a table name ({', '.join(TABLES)}) and no mapping "
                        "claims it: ignored"] * len(found.unclaimed),
            "severity": str(Severity.WARNING)}).pipe(_conform))
    return _assemble(files, live, excluded, issue_frames, period, export_dir, other_period)


def _tables_of(reads: Iterable[ReadFile], expected: Counter[str]) -> tuple[
        list[_FileRead], dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """What is kept of each file; each table's records as one contiguous frame (without
    `_excluded`); each table's rows the mappings set aside (with `_excluded`).

    `expected`: how many files each table has (when known). A table is made contiguous as soon
    as its last file is read, so the memory its pieces free is reused by the files read next.
    """
    files: list[_FileRead] = []
    parts: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES}
    set_aside: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES}
    left = expected.copy()
    for read in reads:
        table = read.source.table
        files.append(_split(read, parts[table], set_aside[table]))
        del read  # the file's frame is now held by its pieces only
        left[table] -= 1
        if left[table] == 0:
            parts[table] = [_contiguous(parts.pop(table))]
    live = {t: _contiguous(parts.pop(t)) if parts[t] else empty_table(t) for t in TABLES}
    excluded = {t: pl.concat(set_aside[t]) if set_aside[t]
                else empty_table(t).with_columns(pl.lit(None, dtype=pl.String).alias(EXCLUDED)) for t in TABLES}
    return files, live, excluded


def _split(read: ReadFile, parts: list[pl.DataFrame], set_aside: list[pl.DataFrame]) -> _FileRead:
    """Append the file's records to `parts` and the rows its mapping sets aside to `set_aside`
    (split file by file, so the table's records are copied only once, into `_contiguous`)."""
    is_excluded = read.frame[EXCLUDED].is_not_null()
    n_excluded = int(is_excluded.sum())
    # Built from the columns, not by `drop`: that goes through a query (5 ms a file of 150k rows).
    kept = pl.DataFrame([s for s in read.frame.get_columns() if s.name != EXCLUDED])
    if n_excluded:
        set_aside.append(read.frame.filter(is_excluded))
        kept = kept.filter(~is_excluded)
    parts.append(kept)
    return _FileRead(read.source, read.sha256, read.rows_read, n_excluded, read.failures, read.unknown_columns,
                     read.clock_adjusted)


def _contiguous(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """`pl.concat(parts)` in one chunk per column, built a column at a time.

    Polars copies a frame of many chunks into one for nearly every filter or join, so each
    check would copy the table; built here once, a column at a time, each column's pieces are
    freed as it is joined (the caller passes its only reference), and the table is never held twice.
    """
    pieces = {name: [p[name] for p in parts] for name in parts[0].columns}
    parts.clear()  # the frames are let go: each column's pieces are now held by `pieces` only
    columns: list[pl.Series] = []
    for name in list(pieces):
        # `.rechunk()`, not `rechunk=True`: that leaves a single piece as it is (a Parquet file:
        # a chunk a row group)
        columns.append(pl.concat(pieces.pop(name), rechunk=False).rechunk())
    return pl.DataFrame(columns)


# --------------------------------------------------------------------------------------------
# Issue frames: one schema for every source of issues, turned into Issue records at the end
# --------------------------------------------------------------------------------------------

def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    if frame.width == 0:  # selecting literals from a frame without columns would make one row
        return pl.DataFrame(schema=_ISSUE_SCHEMA)
    conformed = frame.select([
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in _ISSUE_SCHEMA.items()])
    value = pl.col("value")
    return conformed.with_columns(
        pl.when(value.str.len_chars() > MAX_VALUE_CHARS)
        .then(pl.format("{}... ({} characters)", value.str.slice(0, MAX_VALUE_CHARS), value.str.len_chars()))
        .otherwise(value).alias("value"))


def _row_issues(rows: pl.DataFrame, column: str, rule: str, message: pl.Expr | str, severity: Severity,
                table: str, value: pl.Expr | None = None) -> pl.DataFrame:
    """Issues for every row of `rows` (already filtered to the offending ones)."""
    personal = column in TABLES[table].names and TABLES[table].column(column).personal
    if value is None:
        value = pl.col(column) if column in rows.columns else pl.lit(None)
    value_expr = pl.when(value.is_not_null()).then(pl.lit(MASK) if personal else _as_text(value, rows))
    return rows.select(
        pl.col(_IDX), pl.col(SOURCE_FILE).alias("file"), pl.col(SOURCE_ROW).alias("row"),
        pl.lit(column).alias("column"), pl.lit(rule).alias("rule"),
        (pl.lit(message) if isinstance(message, str) else message).alias("message"),
        value_expr.alias("value"),
        pl.lit(str(severity)).alias("severity"),
    ).pipe(_conform)


def _as_text(value: pl.Expr, rows: pl.DataFrame) -> pl.Expr:
    """Values as the export would write them (timestamps ISO 8601 in UTC)."""
    dtype = rows.lazy().select(value.alias("v")).collect_schema()["v"]
    if isinstance(dtype, pl.Datetime):
        return value.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.cast(pl.String)


def _file_issues(table: str, reads: Sequence[_FileRead], excluded: pl.DataFrame) -> list[pl.DataFrame]:
    out: list[pl.DataFrame] = []
    for r in reads:
        if r.unknown_columns:
            out.append(_conform(pl.DataFrame({
                "file": [r.source.relative], "rule": ["unknown_column"], "severity": [str(Severity.WARNING)],
                "message": [f"column(s) not in the {table} contract, ignored: {', '.join(r.unknown_columns)}"],
            })))
        if r.clock_adjusted:
            seconds = f"{r.source.mapping.clock_tolerance_seconds.normalize():f}"
            out.append(_conform(pl.DataFrame({
                "file": [r.source.relative], "rule": ["clock_tolerance"], "severity": [str(Severity.WARNING)],
                "message": [f"{r.clock_adjusted} row(s) had a time up to {seconds} s before the time it follows "
                            "(clocks of different systems disagree): taken as equal to it"],
            })))
    if excluded.height:
        counts = excluded.group_by(SOURCE_FILE, EXCLUDED, maintain_order=True).len()
        out.append(_conform(counts.select(
            pl.col(SOURCE_FILE).alias("file"), pl.lit("excluded_by_mapping").alias("rule"),
            pl.format("{} row(s) set aside by the mapping: {}", pl.col("len"), pl.col(EXCLUDED)).alias("message"),
            pl.lit(str(Severity.WARNING)).alias("severity"))))
    return out


def _table_issues(table: str, rows: pl.DataFrame, reads: Sequence[_FileRead]) -> list[pl.DataFrame]:
    """Parse failures, the pandera schema, cross-column rules and unique keys of one table."""
    out: list[pl.DataFrame] = []
    failures = [r.failures.with_columns(pl.lit(r.source.relative, dtype=pl.Categorical).alias(SOURCE_FILE))
                for r in reads if r.failures.height]
    parsed_bad = pl.DataFrame(schema={SOURCE_FILE: pl.Categorical, SOURCE_ROW: pl.Int64, "column": pl.String})
    if failures:
        fails = pl.concat(failures, how="diagonal_relaxed").join(
            rows.select(_IDX, SOURCE_FILE, SOURCE_ROW), on=[SOURCE_FILE, SOURCE_ROW], how="inner")
        parsed_bad = fails.select(SOURCE_FILE, SOURCE_ROW, "column")
        spec = TABLES[table]
        personal = [c.name for c in spec.columns if c.personal]
        # The reader names a rule for whole-row failures (a ragged row); a cell that did not parse is unreadable.
        rule = pl.col("rule").fill_null("unreadable_value") if "rule" in fails.columns else pl.lit("unreadable_value")
        out.append(fails.select(
            pl.col(_IDX), pl.col(SOURCE_FILE).alias("file"), pl.col(SOURCE_ROW).alias("row"), pl.col("column"),
            rule.alias("rule"),
            pl.format("cannot be read as {}", pl.col("expects")).alias("message"),
            pl.when(pl.col("column").is_in(personal)).then(pl.lit(MASK)).otherwise(pl.col("value")).alias("value"),
            pl.lit(str(Severity.ERROR)).alias("severity")).pipe(_conform))
    out.append(_schema_issues(table, rows, parsed_bad))
    out += _relation_issues(table, rows)
    out += _unique_issues(table, rows)
    return out


def _schema_issues(table: str, rows: pl.DataFrame, parsed_bad: pl.DataFrame) -> pl.DataFrame:
    """Run the pandera schema on the collected frame (value checks run only on collected frames)."""
    spec = TABLES[table]
    try:
        SCHEMAS[table].validate(rows.select(spec.names), lazy=True)
        return _conform(pl.DataFrame())
    except SchemaErrors as exc:
        cases = exc.failure_cases
    rules = VALUE_RULES.get(table, {})
    descriptions = {(col, r.description): r for col, rs in rules.items() for r in rs}
    cases = cases.filter(pl.col("index").is_not_null()).with_columns(pl.col("index").cast(pl.Int64).alias(_IDX))
    bad = cases.join(rows.select(_IDX, SOURCE_FILE, SOURCE_ROW), on=_IDX, how="left")
    # A value that did not parse is already reported as unreadable; don't report its null again,
    # nor anything of a row that failed as a whole (its cells were left empty).
    bad = bad.join(parsed_bad, on=[SOURCE_FILE, SOURCE_ROW, "column"], how="anti")
    whole_rows = parsed_bad.filter(pl.col("column").is_null()).select(SOURCE_FILE, SOURCE_ROW)
    bad = bad.join(whole_rows, on=[SOURCE_FILE, SOURCE_ROW], how="anti")
    code = pl.col("check").replace_strict(
        {"not_nullable": "missing_value", **{r.description: r.code for r in descriptions.values()}},
        default="schema", return_dtype=pl.String)
    message = pl.when(pl.col("check") == "not_nullable").then(pl.lit("required value is missing")) \
        .otherwise(pl.format("must be {}", pl.col("check")))
    personal = [c.name for c in spec.columns if c.personal]
    return bad.select(
        pl.col(_IDX), pl.col(SOURCE_FILE).alias("file"), pl.col(SOURCE_ROW).alias("row"), pl.col("column"),
        code.alias("rule"), message.alias("message"),
        pl.when(pl.col("column").is_in(personal)).then(pl.lit(MASK)).otherwise(pl.col("failure_case")).alias("value"),
        pl.lit(str(Severity.ERROR)).alias("severity")).pipe(_conform)


# The rules of RELATION_RULES within one row, per table and code: (true where the row breaks
# the rule, null where it cannot tell; the value an issue shows).
ROW_RULES: dict[str, dict[str, tuple[pl.Expr, pl.Expr]]] = {
    "interactions": {
        "answered_before_arrival": (pl.col("answered_at") < pl.col("arrived_at"), pl.col("answered_at")),
        "ended_before_start": (pl.col("ended_at") < pl.coalesce("answered_at", "arrived_at"), pl.col("ended_at")),
        "abandoned_answered": (pl.col("abandoned") & pl.col("answered_at").is_not_null(), pl.col("answered_at")),
        "callback_before_request": (pl.col("callback_completed_at") < pl.col("callback_requested_at"),
                                    pl.col("callback_completed_at")),
        "follow_up_before_arrival": (pl.col("follow_up_completed_at") < pl.col("arrived_at"),
                                     pl.col("follow_up_completed_at")),
    },
    "qa_items": {
        "points_exceed_possible": (pl.col("points_earned") > pl.col("points_possible"), pl.col("points_earned")),
    },
    "roster": {
        "termination_before_hire": (pl.col("termination_date") < pl.col("hire_date"), pl.col("termination_date")),
    },
    "training": {
        "long_course": ((pl.col("hours") > DAY_HOURS) & (pl.col("category") != "onboarding"), pl.col("hours")),
    },
}


# Order rules between two timestamps: the time a broken one is compared with, shown beside the
# value so the cause is visible without the quarantine file (a day added past midnight, say).
# (the reference's name, its value): an unanswered contact's end is compared with its arrival.
_ORDER_REFERENCES: dict[str, tuple[pl.Expr, pl.Expr]] = {
    "answered_before_arrival": (pl.lit("arrived_at"), pl.col("arrived_at")),
    "ended_before_start": (pl.when(pl.col("answered_at").is_null()).then(pl.lit("arrived_at"))
                           .otherwise(pl.lit("answered_at")), pl.coalesce("answered_at", "arrived_at")),
    "callback_before_request": (pl.lit("callback_requested_at"), pl.col("callback_requested_at")),
    "follow_up_before_arrival": (pl.lit("arrived_at"), pl.col("arrived_at")),
}


def _iso(value: pl.Expr) -> pl.Expr:
    return value.dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _relation_issues(table: str, rows: pl.DataFrame) -> list[pl.DataFrame]:
    """Rules across the columns of one row (`ROW_RULES`)."""
    out = []
    for code, (broken, value) in ROW_RULES.get(table, {}).items():
        rule = _RULES[code]
        if code in _ORDER_REFERENCES:
            name, ref = _ORDER_REFERENCES[code]
            value = pl.format("{} (before {} {})", _iso(value), name, _iso(ref))
        bad = rows.filter(broken.fill_null(False))
        if bad.height:
            out.append(_row_issues(bad, rule.column, code, f"breaks: {rule.description}", rule.severity, table,
                                   value))
    return out


def _unique_issues(table: str, rows: pl.DataFrame) -> list[pl.DataFrame]:
    """Repeated keys across all files: every copy after the first is an error."""
    keys = list(UNIQUE_KEYS.get(table, ()))
    if not keys or rows.height == 0:
        return []
    if hashes_distinct(rows, keys):  # the exact duplicate search costs ~20x more
        return []
    # Numbering the copies needs a window over the keys: only over the rows whose key repeats.
    key = pl.struct(keys) if len(keys) > 1 else pl.col(keys[0])
    with_keys = rows.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys) & key.is_duplicated())
    dup = with_keys.with_columns(
        pl.int_range(pl.len()).over(keys).alias("__n"),
        pl.col(SOURCE_FILE).first().over(keys).alias("__ff"),
        pl.col(SOURCE_ROW).first().over(keys).alias("__fr"),
    ).filter(pl.col("__n") > 0)
    if dup.height == 0:
        return []
    what = "+".join(keys)
    return [_row_issues(dup, keys[0], "duplicate_key",
                        pl.format(f"{what} repeats the one at {{}}:{{}}", pl.col("__ff"), pl.col("__fr")),
                        Severity.ERROR, table)]


def _cross_table_issues(live: dict[str, pl.DataFrame],
                        issues: dict[str, list[pl.DataFrame]]) -> dict[str, list[pl.DataFrame]]:
    """References between tables, checked against the other table's rows as read."""
    refs = (
        ("unknown_evaluation", "qa_items", ["evaluation_id"], "qa_evaluations", ["evaluation_id"]),
        ("unknown_interaction", "qa_evaluations", ["interaction_id"], "interactions", ["interaction_id"]),
        ("unknown_agent", "training", ["agent_id", "site_id"], "roster", ["agent_id", "site_id"]),
    )
    for code, table, cols, parent, parent_cols in refs:
        rule = _RULES[code]
        # Each run of equal keys is looked up once (a QA evaluation's items come together: 8M
        # items, 1M runs); the rows of the runs without a parent are taken afterwards.
        runs = key_runs(live[table], cols)
        keys = live[parent].select(parent_cols).rename(dict(zip(parent_cols, cols)))
        if runs.follow(keys):
            continue  # every run has its parent row (items listed in their evaluations' order)
        orphans = runs.heads.lazy() \
            .filter(pl.all_horizontal(pl.col(c).is_not_null() for c in cols)) \
            .join(keys.lazy(), on=cols, how="anti") \
            .collect().get_column(RUN)
        if orphans.len():
            rows = live[table].filter(runs.run.is_in(orphans.implode()))
            issues[table].append(_row_issues(rows, rule.column, code, f"breaks: {rule.description}",
                                             rule.severity, table))
    return issues


def _unknown_site_issues(table: str, rows: pl.DataFrame, sites: SiteDirectory,
                         period: Period | None) -> pl.DataFrame:
    """Rows whose site is in no contract (in force in `period`): errors, so they are quarantined.

    Such a row feeds no vendor: counted as used it would vanish from every figure while the
    accounting said all was well. Quarantined, it is kept with its reason and counts towards
    the audit's blocking share; a mapping's `exclude` sets a known stray site aside instead.
    """
    if "site_id" not in TABLES[table].names or rows.height == 0:
        return _conform(pl.DataFrame())
    known = pl.Series([s.site_id for s in sites.sites], dtype=pl.String)
    stray = rows.filter(pl.col("site_id").is_not_null() & ~pl.col("site_id").is_in(known.implode()))
    if stray.height == 0:
        return _conform(pl.DataFrame())
    when = f" in force in {period}" if period is not None else ""
    return _row_issues(stray, "site_id", "unknown_site", f"site_id is the site of no contract{when}: "
                       "its rows feed no vendor", Severity.ERROR, table)


def _period_issues(table: str, rows: pl.DataFrame, period: Period, sites: SiteDirectory
                   ) -> tuple[pl.DataFrame, dict[str, int]]:
    """Rows whose period timestamp falls outside the audit month in the site's local time: one
    warning per file and month (a quarterly extract gives two lines, not a line per row), and the
    count per file. The rows stay with their table; the KPIs read only the period's rows.
    """
    col = TABLES[table].period_column
    if col is None or rows.height == 0:
        return _conform(pl.DataFrame()), {}
    site_ids = rows["site_id"].drop_nulls().unique().to_list()
    history = table in HISTORY_TABLES
    inside = site_period.in_period(rows, col, site_period.bounds(period, site_ids, sites), upper_only=history)
    outside = rows.filter(~inside)  # a row with no timestamp or no site is not placed: not outside
    if outside.height == 0:
        return _conform(pl.DataFrame()), {}
    # Each row's local month, site by site (a few sites; the rows of one may be millions).
    months = pl.concat([
        part.select(SOURCE_FILE, SOURCE_ROW, pl.col(col).dt.convert_time_zone(sites.timezone_of(site))
                    .dt.strftime("%Y-%m").alias("__month"))
        for (site,), part in outside.partition_by("site_id", as_dict=True, maintain_order=True).items()])
    groups = months.group_by(SOURCE_FILE, "__month").agg(
        pl.len().alias("__n"), pl.col(SOURCE_ROW).min().alias("__first")).sort(SOURCE_FILE, "__month")
    where = "after" if history else "outside"
    # A few rows of a month are stragglers near its edge (a clock or zone slip): each is listed.
    # More are another month's data (a quarterly extract): one counted line per file and month,
    # whose row is the month's first in the file.
    few = months.join(groups.filter(pl.col("__n") <= STRAGGLERS), on=[SOURCE_FILE, "__month"], how="semi")
    stragglers = _row_issues(outside.join(few.select(SOURCE_FILE, SOURCE_ROW), on=[SOURCE_FILE, SOURCE_ROW],
                                          how="semi"),
                             col, "outside_period", f"{col} is {where} {period} in the site's local time",
                             Severity.WARNING, table)
    bulk = groups.filter(pl.col("__n") > STRAGGLERS)
    messages = [f"{n:,} row(s) of {month} from this one on ({col} in the site's local time, {where} "
                f"{period}): set aside from {period}" for _, month, n, _first in bulk.iter_rows()]
    issues = pl.concat([stragglers, pl.DataFrame({
        "file": bulk[SOURCE_FILE].cast(pl.String), "row": bulk["__first"], "column": col,
        "rule": "outside_period", "message": messages, "severity": str(Severity.WARNING)}).pipe(_conform)])
    counts = {str(f): int(n) for f, n in months.group_by(SOURCE_FILE).len().iter_rows()}
    return issues, counts


_QUARTER_US = 15 * 60 * 1_000_000


def _missing_days(rows: pl.DataFrame, period: Period, sites: SiteDirectory) -> pl.DataFrame:
    """Local days of the period on which a site has no interactions (and sites with none at all)."""
    days = [period.first_day + timedelta(days=i) for i in range((period.last_day - period.first_day).days + 1)]
    # One pass over the rows: every time-zone offset is a multiple of 15 minutes, so the distinct
    # (site, quarter-hour) slots give the same local days as the rows, in a frame of thousands.
    # Quarter-hours as integers: 3x faster to find than truncated timestamps.
    quarter = pl.col("arrived_at").dt.epoch("us") // _QUARTER_US
    rows = rows.group_by("site_id").agg(quarter.unique()).explode("arrived_at").select(
        "site_id", pl.from_epoch(pl.col("arrived_at") * _QUARTER_US, time_unit="us")
        .dt.replace_time_zone("UTC").alias("arrived_at"))
    present = set(rows["site_id"].drop_nulls().unique().to_list())
    messages: list[str] = []
    for site in sorted(present | {s.site_id for s in sites.sites}):
        if site not in present:
            messages.append(f"no interactions at all from site {site} in {period}")
            continue
        tz = sites.timezone_of(site)
        local_days = set(rows.filter(pl.col("site_id") == site)
                         .select(pl.col("arrived_at").dt.convert_time_zone(tz).dt.date().unique())
                         .to_series().drop_nulls().to_list())
        missing: list[date] = [d for d in days if d not in local_days]
        messages += [f"no interactions at site {site} on {d.isoformat()} (local time)" for d in missing]
    if not messages:
        return _conform(pl.DataFrame())
    return _conform(pl.DataFrame({"column": "arrived_at", "rule": "missing_day", "message": messages,
                                  "severity": str(Severity.WARNING)}))


# --------------------------------------------------------------------------------------------
# Assembling the result
# --------------------------------------------------------------------------------------------

def _assemble(files: Sequence[_FileRead], live: dict[str, pl.DataFrame], excluded: dict[str, pl.DataFrame],
              issue_frames: dict[str, list[pl.DataFrame]], period: Period | None,
              export_dir: str, other_period: MappingABC[tuple[str, str], int]) -> ValidatedExports:
    tables: dict[str, pl.DataFrame] = {}
    quarantine: dict[str, pl.DataFrame] = {}
    issues: list[Issue] = []
    quarantined_by_file: dict[tuple[str, str], int] = {}
    for table, spec in TABLES.items():
        out_columns = [*spec.names, SOURCE_FILE, SOURCE_ROW]
        found = _sorted_issues(issue_frames[table])
        errors = found.filter((pl.col("severity") == str(Severity.ERROR)) & pl.col(_IDX).is_not_null())
        reasons = errors.group_by(_IDX).agg(
            pl.format("{} {}: {}", pl.col("rule"), pl.col("column").fill_null("(row)"), pl.col("message"))
            .str.join("; ").alias(REASON))
        is_bad = live[table][_IDX].is_in(reasons[_IDX].implode())
        bad = live[table].filter(is_bad).join(reasons, on=_IDX, how="left", maintain_order="left")
        # Popped: the whole table is let go as its valid rows are taken.
        tables[table] = _kept(live.pop(table), ~is_bad, out_columns)
        set_aside = excluded[table].select(
            *out_columns, pl.format("excluded by mapping: {}", pl.col(EXCLUDED)).alias(REASON))
        quarantine[table] = pl.concat([bad.select(*out_columns, REASON), set_aside])
        for file, count in quarantine[table].group_by(SOURCE_FILE).len().iter_rows():
            quarantined_by_file[(table, file)] = count
        issues += [Issue(table, d["file"], d["row"], d["column"], d["rule"], d["message"], d["value"],
                         Severity(d["severity"])) for d in found.drop(_IDX).iter_rows(named=True)]
    issues += [Issue("", d["file"], d["row"], d["column"], d["rule"], d["message"], d["value"],
                     Severity(d["severity"])) for d in _sorted_issues(issue_frames[""]).drop(_IDX).iter_rows(named=True)]
    reports = []
    for r in files:
        q = quarantined_by_file.get((r.source.table, r.source.relative), 0)
        reports.append(FileReport(
            path=r.source.relative, table=r.source.table, format=r.source.format, sha256=r.sha256,
            mapping=r.source.mapping.name if r.source.mapped else None, rows_read=r.rows_read,
            rows_used=r.rows_read - q, rows_quarantined=q, rows_excluded=r.rows_excluded,
            rows_clock_adjusted=r.clock_adjusted,
            rows_other_period=other_period.get((r.source.table, r.source.relative), 0)))
    return ValidatedExports(tables, quarantine, tuple(issues), tuple(reports), period, export_dir)


def _kept(rows: pl.DataFrame, keep: pl.Series, columns: list[str]) -> pl.DataFrame:
    """`rows.filter(keep).select(columns)`, a column at a time: when the caller passes its last
    reference to `rows`, each column is freed once filtered, so the table is never held twice."""
    if keep.all():
        return rows.select(columns)
    out: list[pl.Series] = []
    for name in columns:
        out.append(rows[name].filter(keep))
        rows = rows.drop(name)
    return pl.DataFrame(out)


def _sorted_issues(frames: list[pl.DataFrame]) -> pl.DataFrame:
    found = [f for f in frames if f.height]
    merged = pl.concat(found) if found else _conform(pl.DataFrame())
    return merged.sort(["file", "row", "column", "rule"], nulls_last=True)


def write_quarantine(result: ValidatedExports, out_dir: Path) -> list[Path]:
    """Write one CSV per table with quarantined rows and their reasons (never_output columns left out).

    Text a spreadsheet would run as a formula is written quote-prefixed (`'=1+1`), as the workbook
    stores it: these rows come from the exports, and a quarantine file is opened in Excel."""
    written: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for table, frame in result.quarantine.items():
            if frame.height == 0:
                continue
            hidden = [c.name for c in TABLES[table].columns if c.never_output]
            path = out_dir / f"quarantine_{table}.csv"
            neutralised(frame.drop(hidden)).write_csv(path)
            written.append(path)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write quarantine files: {exc.strerror or exc}") from exc
    return written
