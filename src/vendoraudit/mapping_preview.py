"""Previewing a mapping on one file: its first rows as canonical columns, and per column how many
values were read, empty or failed, with examples. How a person writes a mapping for a new
source in minutes (`vendoraudit mapping preview FILE --mapping M`).

Personal columns (member references, comments) are masked in the rows and the examples.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .errors import InputError
from .exports import EXCLUDED, EXTENSIONS, ExportFile, read_file
from .mapping import Mapping
from .tables import SOURCE_ROW, TABLES

MASK = "<masked>"
EXAMPLES = 3  # failing values shown per column


@dataclass(frozen=True)
class ColumnPreview:
    """One canonical column over the whole file: values read, empty, failed (with examples)."""

    column: str
    rule: str  # the rule in short, e.g. `template {vru+line}-{call_id}`
    parsed: int
    empty: int
    failed: int
    expects: str | None  # what a failing value should have looked like
    examples: tuple[str, ...]  # failing source values (masked for personal columns)
    personal: bool


@dataclass(frozen=True)
class MappingPreview:
    """A mapping applied to one file: counts over its records (rows not set aside) and its first
    records as canonical text."""

    file: str
    mapping: str
    table: str
    rows_read: int
    excluded: tuple[tuple[str, int], ...]  # (reason, rows)
    clock_adjusted: int
    columns: tuple[ColumnPreview, ...]
    rows: tuple[tuple[str | None, ...], ...]  # the first rows, one text per column of `columns`

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "mapping": self.mapping, "table": self.table, "rows_read": self.rows_read,
                "excluded": [{"reason": r, "rows": n} for r, n in self.excluded],
                "clock_adjusted": self.clock_adjusted,
                "columns": [{"column": c.column, "rule": c.rule, "parsed": c.parsed, "empty": c.empty,
                             "failed": c.failed, "expects": c.expects, "examples": list(c.examples)}
                            for c in self.columns],
                "rows": [dict(zip((c.column for c in self.columns), r)) for r in self.rows]}


def preview_mapping(path: Path, mapping: Mapping, rows: int = 20,
                    site_zones: MappingABC[str, str] | None = None) -> MappingPreview:
    """Apply `mapping` to the file at `path` (InputError if it cannot be read as the mapping says)."""
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: its extension is not one of {', '.join(sorted(EXTENSIONS))}")
    read = read_file(ExportFile(path, path.name, mapping.table, fmt, mapping, True), site_zones, partial=True)
    spec = TABLES[mapping.table]
    # Counted over the records: rows the mapping sets aside are counted apart, their values unread.
    frame = read.frame.filter(pl.col(EXCLUDED).is_null())
    failures = read.failures.join(frame.select(SOURCE_ROW), on=SOURCE_ROW, how="semi")
    failed = failures.group_by("column").agg(
        pl.len().alias("n"), pl.col("value").drop_nulls().unique(maintain_order=True).head(EXAMPLES).alias("ex"),
        pl.col("expects").first())
    by_column = {c: (n, ex, expects) for c, n, ex, expects in failed.iter_rows()}
    columns = []
    for col in spec.columns:
        n_failed, examples, expects = by_column.get(col.name, (0, [], None))
        parsed = frame.height - frame[col.name].null_count()
        hidden = col.personal or col.never_output
        columns.append(ColumnPreview(
            col.name, _describe(mapping, col.name), parsed, frame.height - parsed - n_failed, n_failed, expects,
            tuple(MASK if hidden else str(v)[:80] for v in examples), hidden))
    head = frame.head(rows)
    texts = [_as_text(head[c.column], c.personal) for c in columns]
    excluded = read.frame[EXCLUDED].drop_nulls().value_counts(sort=True)
    return MappingPreview(
        file=str(path), mapping=mapping.name, table=mapping.table, rows_read=read.rows_read,
        excluded=tuple((str(r), int(n)) for r, n in excluded.iter_rows()), clock_adjusted=read.clock_adjusted,
        columns=tuple(columns), rows=tuple(zip(*texts)) if texts else ())


def _as_text(values: pl.Series, personal: bool) -> list[str | None]:
    if personal:
        return [None if v is None else MASK for v in values.to_list()]
    if isinstance(values.dtype, pl.Datetime):
        values = values.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [None if v is None else str(v) for v in values.cast(pl.String).to_list()]


def _describe(mapping: Mapping, column: str) -> str:
    """The column's rule in a few words."""
    if column not in mapping.columns:
        return f"not mapped: a source column named {column}, if any"
    rule = mapping.columns[column]
    op = rule.operation
    source: Any = getattr(rule, op)
    if isinstance(source, list):
        source = " + ".join(source) if op == "add_seconds" else ", ".join(source)
    text = f"{op} {source}"
    if rule.to:
        text += f" to {rule.to}"
    if rule.time:
        text += f" time {', '.join(rule.time)}"
    if rule.codes is not None:
        text += f" ({len(rule.codes)} codes)"
    if rule.when is not None:
        text += " when ..."
    return text

