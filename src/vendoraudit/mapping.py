"""Per-source column mappings (YAML): how one source's files become one canonical table.

A mapping names its table, the files it claims (globs relative to the export folder), how to
read them, the site time zone of local timestamps, and for each canonical column one small
typed operation: take a source column (optionally through a code map, a date format or a
duration unit), a constant, a date column plus time-of-day column(s), or another canonical
timestamp plus a number of seconds. `docs/mappings.md` documents the vocabulary.

Applying a mapping is vectorised polars; a source value that does not parse becomes a
failure record (row, column, raw text, what was expected) instead of a silent null.
A file with canonical column names is read through the implicit `identity_mapping`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable, Mapping as MappingABC, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError
from .periods import zone_info
from .tables import POLARS_TYPES as TABLE_DTYPES, TABLES, ColType, TableSpec
from .yamlsource import LocatedDocument, load_located

# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------

Scalar = bool | int | Decimal | str | None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class DurationUnit(StrEnum):
    """How a source number or text expresses a duration; converted to seconds."""

    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    HMS = "h:mm:ss"  # text like 0:04:12 (hours may exceed 24)
    EXCEL_DAYS = "excel_days"  # an Excel time: a fraction of a day (0.5 = 12 h), or its h:mm:ss rendering


class Unmatched(StrEnum):
    """What a code map does with a source value it does not list."""

    ERROR = "error"  # the row is quarantined with the unknown code
    KEEP = "keep"  # the source text passes through unchanged (text columns only)
    NULL = "null"  # the value becomes empty


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


SourceNames = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_names),
                        Field(min_length=1, description="a source column, or a list: the first present value")]


class Condition(_Model):
    """A test on a source column's text; exactly one of `in`, `not_in`, `present`."""

    column: str = Field(min_length=1)
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    present: bool | None = Field(default=None, description="true: the value is not empty; false: it is")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [k for k in ("in_", "not_in", "present") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'in', 'not_in', 'present'")
        return self


class ColumnRule(_Model):
    """How one canonical column gets its value. Exactly one source operation:
    `column`, `value`, `date` (+ `time`), or `add_seconds` (+ `to`)."""

    column: SourceNames | None = None
    value: Scalar = Field(default=None, description="a constant (site_id: ACME-MNL)")
    date: str | None = Field(default=None, description="source column holding the date")
    time: SourceNames | None = Field(default=None, description="source column(s) holding the time of day")
    add_seconds: str | None = Field(default=None, description="source column of a duration added to `to`")
    to: str | None = Field(default=None, description="the canonical timestamp `add_seconds` is added to")
    format: str | None = Field(default=None, description="strptime format of a date or datetime text, e.g. %y%m%d")
    time_format: str | None = Field(default=None, description="strptime format of the time of day, e.g. %H%M%S")
    unit: DurationUnit | None = None
    codes: dict[str, Scalar] | None = None
    unmatched: Unmatched = Unmatched.ERROR
    none_values: list[str] = Field(default_factory=list, description="source texts meaning 'no value'")
    when: Condition | None = Field(default=None, description="the value is empty unless this holds")
    not_before: str | None = Field(default=None, description="canonical timestamp: one day is added when "
                                   "the value is earlier (a time past midnight)")

    @model_validator(mode="after")
    def _one_operation(self) -> ColumnRule:
        ops = [k for k in ("column", "value", "date", "add_seconds") if k in self.model_fields_set]
        if len(ops) != 1:
            raise ValueError("give exactly one of 'column', 'value', 'date', 'add_seconds'"
                             + (f" (got {', '.join(ops)})" if ops else ""))
        op = ops[0]
        allowed = {
            "column": {"column", "format", "unit", "codes", "unmatched", "none_values", "when", "not_before"},
            "value": {"value", "when"},
            "date": {"date", "time", "format", "time_format", "none_values", "when", "not_before"},
            "add_seconds": {"add_seconds", "to", "unit", "none_values", "when", "not_before"},
        }[op]
        extra = sorted(self.model_fields_set - allowed)
        if extra:
            raise ValueError(f"'{op}' does not take {', '.join(extra)}")
        if op == "add_seconds" and not self.to:
            raise ValueError("'add_seconds' needs 'to' (the canonical timestamp it is added to)")
        if self.codes is not None and (self.format or self.unit):
            raise ValueError("'codes' cannot be combined with 'format' or 'unit'")
        return self

    def source_columns(self) -> list[str]:
        """Every source column this rule reads."""
        out = list(self.column or []) + list(self.time or [])
        out += [c for c in (self.date, self.add_seconds) if c]
        if self.when:
            out.append(self.when.column)
        return out


def _shorthand(value: Any) -> Any:
    return {"column": value} if isinstance(value, str) else value


class Exclusion(Condition):
    """Rows meeting the condition are not real records (phantom calls): set aside with `reason`."""

    reason: str = Field(min_length=1)


class FormatOptions(_Model):
    """How to read the files (anything not given is detected)."""

    delimiter: str | None = Field(default=None, description="CSV delimiter; detected among , ; tab if not given")
    encoding: Literal["utf-8", "cp1252", "latin-1"] | None = None
    quote: str = Field(default='"', min_length=1, max_length=1)
    sheet: str | None = Field(default=None, description="XLSX sheet name (default: the first sheet)")
    excel_table: str | None = Field(default=None, description="XLSX table (ListObject) name")
    skip_rows: int = Field(default=0, ge=0, description="rows above the header row")

    @model_validator(mode="after")
    def _check(self) -> FormatOptions:
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ValueError("'delimiter' must be one character (write a tab as \"\\t\")")
        if self.sheet and self.excel_table:
            raise ValueError("give 'sheet' or 'excel_table', not both")
        return self


class Mapping(_Model):
    """One source's mapping onto one canonical table."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    table: Literal["interactions", "qa_evaluations", "qa_items", "surveys", "training", "roster"]
    description: str = ""
    files: list[str] = Field(min_length=1, description="globs relative to the export folder")
    format: FormatOptions = FormatOptions()
    timezone: str | None = Field(default=None, description="IANA zone of local timestamps; default: "
                                 "the site's zone from the contracts, else UTC")
    columns: dict[str, Annotated[ColumnRule, BeforeValidator(_shorthand)]] = Field(default_factory=dict)
    exclude: list[Exclusion] = Field(default_factory=list)

    @field_validator("files")
    @classmethod
    def _inside_the_export_folder(cls, patterns: list[str]) -> list[str]:
        # A glob may only claim files of the export folder: no absolute paths, no way up.
        for pattern in patterns:
            parts = pattern.replace("\\", "/").split("/")
            if pattern.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", pattern) or ".." in parts:
                raise ValueError(f"{pattern!r} must be a pattern relative to the export folder "
                                 "(no leading '/', no drive, no '..')")
        return patterns

    @property
    def spec(self) -> TableSpec:
        return TABLES[self.table]

    def rule_for(self, column: str) -> ColumnRule:
        """The rule of a canonical column; unlisted columns come from a same-named source column."""
        return self.columns.get(column) or ColumnRule(column=[column])

    def source_columns(self) -> list[str]:
        """Source columns the mapping reads explicitly (a missing one is an input error)."""
        names = [c for r in self.columns.values() for c in r.source_columns()]
        names += [e.column for e in self.exclude]
        return list(dict.fromkeys(names))


def identity_mapping(table: str) -> Mapping:
    """The implicit mapping of a file that already uses the canonical column names."""
    return Mapping(name=f"canonical-{table}", table=table, files=[f"{table}*"])


# --------------------------------------------------------------------------------------------
# Loading with located errors
# --------------------------------------------------------------------------------------------

def load_mapping(path: Path) -> Mapping:
    """Read one mapping file; ConfigError (every problem, `file:line:col: path: message`) if invalid."""
    doc = load_located(path)
    problems = _problems(doc)
    if problems:
        raise ConfigError(f"{doc.file}: invalid mapping ({len(problems)} problem(s))", tuple(problems))
    return Mapping.model_validate(doc.data)


def load_mappings(paths: Iterable[Path]) -> tuple[Mapping, ...]:
    """Read several mappings, reporting the problems of all of them at once."""
    mappings: list[Mapping] = []
    problems: list[str] = []
    for path in paths:
        try:
            mappings.append(load_mapping(Path(path)))
        except ConfigError as exc:
            problems.extend(exc.problems or (str(exc),))
    names = [m.name for m in mappings]
    problems += [f"mapping name {n!r} is used twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise ConfigError(f"invalid mapping(s): {len(problems)} problem(s)", tuple(problems))
    return tuple(mappings)


def _problems(doc: LocatedDocument) -> list[str]:
    if not isinstance(doc.data, dict):
        return [f"{doc.locate(())}: (root): a mapping file must be a YAML mapping of keys"]
    try:
        mapping = Mapping.model_validate(doc.data)
    except ValidationError as exc:
        return sorted((_located(doc, err) for err in exc.errors()), key=_line_order)
    return _semantic_problems(doc, mapping)


def _line_order(problem: str) -> tuple[int, int]:
    match = re.search(r":(\d+):(\d+): ", problem)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _located(doc: LocatedDocument, err: Any) -> str:
    path = _doc_path(doc, err["loc"])
    key = err["type"] == "extra_forbidden"
    where = doc.locate(path, key=key)
    dotted = ".".join(str(p) for p in path) or "(root)"
    if key:
        known = _known_keys(err["loc"][:-1])
        message = f"unknown key {path[-1]!r}" + (f"; known keys: {', '.join(known)}" if known else "")
    else:
        message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {dotted}: {message}"


def _doc_path(doc: LocatedDocument, loc: Sequence[Any]) -> tuple[str | int, ...]:
    """Pydantic's error location without the union/validator tags it inserts."""
    path: tuple[str | int, ...] = ()
    for part in loc:
        candidate = path + (part,)
        if candidate in doc.locations or candidate in doc.key_locations:
            path = candidate
    return path


def _known_keys(loc: Sequence[Any]) -> list[str]:
    node: Any = Mapping
    for part in loc:
        node = _model_in(node)
        if node is None:
            return []
        if isinstance(part, str) and isinstance(node, type) and issubclass(node, BaseModel):
            field = next((f for n, f in node.model_fields.items() if part in (n, f.alias)), None)
            node = field.annotation if field else None
        else:
            node = _item_type(node)
    node = _model_in(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [f.alias or n for n, f in node.model_fields.items()]
    return []


def _model_in(tp: Any) -> Any:
    """Unwrap Optional/Annotated/union down to a model class when there is one."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _model_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _model_in(arg)
            if isinstance(found, type) or typing.get_origin(found) in (list, dict):
                return found
        return None
    return tp


def _item_type(tp: Any) -> Any:
    tp = _model_in(tp)
    args = typing.get_args(tp)
    if typing.get_origin(tp) is dict:
        return args[1]
    if typing.get_origin(tp) is list:
        return args[0]
    return None


_CODE_TYPES: dict[ColType, tuple[type, ...]] = {
    ColType.STR: (str,),
    ColType.INT: (int,),
    ColType.FLOAT: (int, Decimal),
    ColType.BOOL: (bool,),
    ColType.DATE: (),
    ColType.DATETIME: (),
}


def _semantic_problems(doc: LocatedDocument, m: Mapping) -> list[str]:
    """Checks that need the canonical table: column names, code types, references, time zone."""
    spec = m.spec
    out: list[str] = []

    def add(path: tuple[str | int, ...], message: str, key: bool = False) -> None:
        out.append(f"{doc.locate(path, key=key)}: {'.'.join(map(str, path))}: {message}")

    if m.timezone is not None:
        try:
            zone_info(m.timezone)
        except ConfigError:
            add(("timezone",), f"unknown time zone {m.timezone!r} (use an IANA name like Asia/Manila)")
    for name, rule in m.columns.items():
        base: tuple[str | int, ...] = ("columns", name)
        if name not in spec.names:
            add(base, f"{name!r} is not a column of {m.table}; columns: {', '.join(spec.names)}", key=True)
            continue
        ctype = spec.column(name).type
        is_time = ctype in (ColType.DATE, ColType.DATETIME)
        if rule.codes is not None:
            allowed = _CODE_TYPES[ctype]
            if not allowed:
                add(base + ("codes",), f"code maps cannot produce a {ctype} (use 'format')")
            for code, value in rule.codes.items():
                ok = value is None or (isinstance(value, allowed) and not (bool not in allowed and isinstance(value, bool)))
                if allowed and not ok:
                    add(base + ("codes", code), f"{value!r} is not a {ctype} value for {name}")
            if rule.unmatched is Unmatched.KEEP and ctype is not ColType.STR:
                add(base + ("unmatched",), "'keep' is only for text columns")
        if (rule.date or rule.add_seconds) and ctype is not ColType.DATETIME:
            add(base, f"'date' and 'add_seconds' make timestamps, but {name} is a {ctype}")
        if rule.format and not is_time:
            add(base + ("format",), f"'format' is for date and datetime columns; {name} is a {ctype}")
        if rule.unit and ctype not in (ColType.FLOAT, ColType.INT) and not rule.add_seconds:
            add(base + ("unit",), f"'unit' is for durations; {name} is a {ctype}")
        for ref_key in ("to", "not_before"):
            ref = getattr(rule, ref_key)
            if ref is None:
                continue
            if ref not in spec.names or spec.column(ref).type is not ColType.DATETIME:
                add(base + (ref_key,), f"{ref!r} is not a datetime column of {m.table}")
            elif ref == name or (m.columns.get(ref) and (m.columns[ref].to or m.columns[ref].not_before)):
                add(base + (ref_key,), f"{ref!r} must be a column computed without 'to'/'not_before'")
    return out


# --------------------------------------------------------------------------------------------
# Applying a mapping (vectorised, eager)
# --------------------------------------------------------------------------------------------

_SITE = "__site"
_DT_UTC = pl.Datetime("us", "UTC")
_AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
_NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")
# ISO 8601 to the second with a +hh:mm offset, as nearly every export writes it (see `_iso_offset`).
_ISO_OFFSET = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
_CLOCK = r"^(?:\d{4}-\d{2}-\d{2}[ T])?(\d{1,4}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_EXPECTS = {
    ColType.STR: "text",
    ColType.INT: "a whole number",
    ColType.FLOAT: "a number",
    ColType.BOOL: "true/false",
    ColType.DATE: "a date (YYYY-MM-DD)",
    ColType.DATETIME: "a datetime (ISO 8601, with an offset or in the site's time zone)",
}


@dataclass(frozen=True)
class MappedFrame:
    """A source frame turned canonical.

    `frame`: the table's canonical columns in order, typed. `failures`: one row per cell that
    did not parse (`row` 0-based position, `column`, `value` raw text, `expects`).
    `excluded`: per row, the mapping's exclusion reason or null.
    """

    frame: pl.DataFrame
    failures: pl.DataFrame
    excluded: pl.Series


FAILURE_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "expects": pl.String}


def missing_source_columns(mapping: Mapping, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """(source columns the mapping reads that are absent, required canonical columns with no source)."""
    present = set(columns)
    missing_src = [c for c in mapping.source_columns() if c not in present]
    no_source = [c for c in mapping.spec.required if c not in mapping.columns and c not in present]
    return missing_src, no_source


def apply_mapping(src: pl.DataFrame, mapping: Mapping,
                  site_zones: MappingABC[str, str] | None = None) -> MappedFrame:
    """Turn `src` (source columns, text or typed) into the canonical table of `mapping`.

    Local timestamps are read in `mapping.timezone`, else in the zone `site_zones` gives the
    row's site_id, else UTC. The caller checks `missing_source_columns` first.
    """
    spec = mapping.spec
    n = src.height
    # Text is cleaned once, before the rules read it. Finding the columns with a value to clean
    # costs a quarter of cleaning them all, and most exports have none. A column read as a
    # timestamp or a flag whose values all have the usual shape has none either: that shape is
    # checked instead (one pass, which its fast reading below then skips).
    text = [c for c, dtype in src.schema.items() if dtype == pl.String]
    lanes = _lanes(mapping, src)
    found = src.select(*(_usual_shape(pl.col(c), t).alias(c) for c, t in lanes.items()),
                       *(_needs_cleaning(pl.col(c)).alias(c) for c in text if c not in lanes)).row(0, named=True)
    usual = {c for c in lanes if found[c]}
    if len(usual) < len(lanes):
        found |= src.select(_needs_cleaning(pl.col(c)).alias(c) for c in lanes if c not in usual).row(0, named=True)
    cleaned = [_cleaned(pl.col(c)) for c in text if c not in usual and found[c]]
    work = src.with_columns(*cleaned)
    present = set(src.columns)
    failures: list[pl.DataFrame] = []
    out: dict[str, pl.Series] = {}

    def finish(name: str, value: pl.Series, raw: pl.Series, expects: str) -> None:
        ctype = spec.column(name).type
        # A failure is a value given but not read: there is none when every value was read or
        # none was given (null counts are known without a pass over the column).
        fails = value.null_count() > 0 and raw.null_count() < raw.len()
        if fails and (bad := raw.is_not_null() & value.is_null()).any():
            # Only the failing cells are turned into text: formatting a whole column is costly.
            failures.append(pl.DataFrame({"row": bad.arg_true().cast(pl.Int64),
                                          "value": raw.filter(bad).cast(pl.String)})
                            .select("row", pl.lit(name).alias("column"), "value", pl.lit(expects).alias("expects")))
        out[name] = (value if ctype is ColType.DATETIME else value.cast(spec.column(name).dtype)).alias(name)

    derived = [c for c in spec.columns if (r := mapping.rule_for(c.name)).add_seconds or r.not_before]
    plain = [c for c in spec.columns if c not in derived]
    # Text and number columns first: local timestamps need the row's site_id for their zone.
    plain.sort(key=lambda c: c.type is ColType.DATETIME)
    for col in plain:
        rule = mapping.rule_for(col.name)
        if col.type is ColType.DATETIME and _SITE not in work.columns:
            site = out.get("site_id", _full(n, None, pl.String))
            work = work.with_columns(site.alias(_SITE))
        if rule.column and not any(c in present for c in rule.column) and col.name not in mapping.columns:
            finish(col.name, _full(n, None, col.dtype), _full(n, None, pl.String), "")
            continue
        if (source := _lane_source(rule, col.type)) in usual and lanes[source] is col.type:
            # The fast reading; a value it leaves (2026-02-30...) sends the column the general way.
            raw = work[source]
            value = _iso_shaped(raw) if col.type is ColType.DATETIME else raw == "true"
            if value.null_count() == raw.null_count():
                finish(col.name, value, raw, _EXPECTS[col.type])
                continue
        value, raw, expects = _evaluate(work, rule, col.type, mapping, site_zones or {})
        finish(col.name, value, raw, expects)
    for col in derived:
        rule = mapping.rule_for(col.name)
        frame = work.with_columns(**{f"__c_{k}": v for k, v in out.items() if k in (rule.to, rule.not_before)})
        if rule.add_seconds:
            value, raw, expects = _add_seconds(frame, rule)
        else:
            base = rule.model_copy(update={"not_before": None})
            value, raw, expects = _evaluate(frame, base, col.type, mapping, site_zones or {})
        if rule.not_before:
            ref = frame[f"__c_{rule.not_before}"]
            value = pl.select(pl.when(value < ref).then(value + pl.duration(days=1)).otherwise(value)).to_series()
        finish(col.name, value, raw, expects)

    excluded = _exclusions(work, mapping)
    failure_frame = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURE_SCHEMA)
    frame = pl.DataFrame([out[c.name] for c in spec.columns])
    return MappedFrame(frame, failure_frame.cast(FAILURE_SCHEMA), excluded)  # type: ignore[arg-type]


def _full(n: int, value: Any, dtype: Any) -> pl.Series:
    """A column of `n` copies of `value` (built by polars, not from a Python list)."""
    return pl.select(pl.repeat(value, n, dtype=dtype)).to_series()


def _lane_source(rule: ColumnRule, ctype: ColType) -> str | None:
    """The source column of a rule that reads one column, as it is, into a timestamp or a flag."""
    names = rule.column or []
    if ctype in (ColType.DATETIME, ColType.BOOL) and rule.model_fields_set == {"column"} and len(names) == 1:
        return names[0]
    return None


def _lanes(mapping: Mapping, src: pl.DataFrame) -> dict[str, ColType]:
    """Text columns of `src` that such rules read, with the type they are read as (one type only)."""
    lanes: dict[str, ColType] = {}
    mixed: set[str] = set()
    for col in mapping.spec.columns:
        name = _lane_source(mapping.rule_for(col.name), col.type)
        if name is not None and src.schema.get(name) == pl.String and lanes.setdefault(name, col.type) is not col.type:
            mixed.add(name)
    return {c: t for c, t in lanes.items() if c not in mixed}


def _usual_shape(text: pl.Expr, ctype: ColType) -> pl.Expr:
    """Whether every value has the shape nearly every export writes (`2026-10-08T10:35:53+00:00`,
    `true`/`false`): such text has no blanks to clean, and the fast reading takes it whole."""
    if ctype is ColType.DATETIME:
        return text.str.contains(_ISO_OFFSET).all()
    return ((text == "true") | (text == "false")).all()


def padded_or_empty(text: pl.Expr) -> pl.Expr:
    """True where `_cleaned` changes the value: blanks around it, or empty (stripping changes a
    value exactly when it shortens it; comparing lengths is cheaper than comparing text)."""
    return (text.str.strip_chars().str.len_bytes() != text.str.len_bytes()) | (text == "")


def _needs_cleaning(text: pl.Expr) -> pl.Expr:
    """Whether `_cleaned` would change any value of the column."""
    return padded_or_empty(text).any()


def _cleaned(text: pl.Expr) -> pl.Expr:
    """Text without surrounding blanks; an empty value is null."""
    stripped = text.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _text(frame: pl.DataFrame, name: str, none_values: Sequence[str] = ()) -> pl.Series:
    """A source column as stripped text; empty and 'none' values become null.

    Text columns of `frame` are already cleaned by `apply_mapping`; typed ones are cleaned here.
    """
    s = frame[name]
    if s.dtype != pl.String:
        s = pl.select(_cleaned(pl.lit(s.cast(pl.String)))).to_series()
    if none_values:
        s = pl.select(pl.when(~s.is_in(none_values)).then(s)).to_series()
    return s.alias(name)


def _first_present(frame: pl.DataFrame, names: Sequence[str], none_values: Sequence[str]) -> pl.Series:
    texts = [_text(frame, c, none_values) for c in names]
    return texts[0] if len(texts) == 1 else pl.select(pl.coalesce(texts)).to_series()


def _condition(frame: pl.DataFrame, cond: Condition) -> pl.Series:
    s = _text(frame, cond.column)
    if cond.in_ is not None:
        return s.is_in(cond.in_).fill_null(False)
    if cond.not_in is not None:
        return (~s.is_in(cond.not_in)).fill_null(True)
    return s.is_not_null() if cond.present else s.is_null()


def _evaluate(frame: pl.DataFrame, rule: ColumnRule, ctype: ColType, mapping: Mapping,
              site_zones: MappingABC[str, str]) -> tuple[pl.Series, pl.Series, str]:
    """(typed value, raw text that should have given a value, what was expected)."""
    n = frame.height
    if "value" in rule.model_fields_set:
        const = rule.value
        if const is None:
            return _full(n, None, TABLE_DTYPES[ctype]), _full(n, None, pl.String), ""
        raw = _full(n, str(const).lower() if isinstance(const, bool) else str(const), pl.String)
        value, expects = _typed(raw, ctype, None, None, mapping, site_zones, frame)
    elif rule.date:
        date_text = _text(frame, rule.date, rule.none_values)
        time_text = _first_present(frame, rule.time, rule.none_values) if rule.time else None
        value, raw, expects = _date_time(date_text, time_text, rule, mapping, site_zones, frame)
    else:
        names = rule.column or []
        if ctype is not ColType.STR and len(names) == 1 and frame[names[0]].dtype != pl.String \
                and not rule.codes and not rule.none_values:
            value, raw, expects = _native(frame[names[0]], ctype, rule, mapping, site_zones, frame)
        else:
            raw = _first_present(frame, names, rule.none_values)
            if rule.codes is not None:
                value, raw, expects = _codes(raw, rule, ctype)
            else:
                value, expects = _typed(raw, ctype, rule.format, rule.unit, mapping, site_zones, frame)
    if rule.when is not None:
        keep = _condition(frame, rule.when)
        value = pl.select(pl.when(keep).then(value)).to_series()
        raw = pl.select(pl.when(keep).then(raw)).to_series()
    return value, raw, expects


def _codes(raw: pl.Series, rule: ColumnRule, ctype: ColType) -> tuple[pl.Series, pl.Series, str]:
    codes = rule.codes or {}
    dtype = TABLE_DTYPES[ctype]
    listed = pl.Series(list(codes), dtype=pl.String)
    mapped = raw.replace_strict(
        {k: (float(v) if isinstance(v, Decimal) else v) for k, v in codes.items()},
        default=raw if rule.unmatched is Unmatched.KEEP else None, return_dtype=dtype)
    # A code mapped to null, or an unmatched code under 'null', is deliberate: not a failure.
    deliberate = raw.is_in([k for k, v in codes.items() if v is None]).fill_null(False)
    if rule.unmatched is Unmatched.NULL:
        deliberate = deliberate | ~raw.is_in(listed).fill_null(True)
    raw = pl.select(pl.when(deliberate).then(None).otherwise(raw)).to_series()
    shown = ", ".join(list(codes)[:8]) + (", ..." if len(codes) > 8 else "")
    return mapped, raw, f"one of the codes {shown}"


def _typed(raw: pl.Series, ctype: ColType, fmt: str | None, unit: DurationUnit | None, mapping: Mapping,
           site_zones: MappingABC[str, str], frame: pl.DataFrame) -> tuple[pl.Series, str]:
    """Parse text `raw` into the canonical type."""
    if ctype is ColType.STR:
        return raw, _EXPECTS[ctype]
    if unit is not None:
        secs = duration_seconds(raw, unit)
        return (secs.round(0).cast(pl.Int64) if ctype is ColType.INT else secs), f"a duration ({unit})"
    if ctype is ColType.INT:
        f = _number(raw)
        whole = f == f.floor()
        return (f if whole.all() else pl.select(pl.when(whole).then(f)).to_series()).cast(pl.Int64), _EXPECTS[ctype]
    if ctype is ColType.FLOAT:
        return _number(raw), _EXPECTS[ctype]
    if ctype is ColType.BOOL:
        if pl.select(_usual_shape(pl.lit(raw), ctype)).item():  # as nearly every export writes them
            return raw == "true", _EXPECTS[ctype]
        low = raw.str.to_lowercase()
        value = pl.select(pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
                          .otherwise(None)).to_series()
        return value.cast(pl.Boolean), _EXPECTS[ctype]
    if ctype is ColType.DATE:
        if fmt:
            return raw.str.to_date(fmt, strict=False), f"a date like {fmt}"
        return _first_parse(raw, [lambda s: s.str.to_date("%Y-%m-%d", strict=False),
                                  lambda s: s.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False).dt.date()],
                            pl.Date), _EXPECTS[ctype]
    return _datetime_text(raw, fmt, mapping, site_zones, frame), (
        f"a datetime like {fmt}" if fmt else _EXPECTS[ctype])


def _native(s: pl.Series, ctype: ColType, rule: ColumnRule, mapping: Mapping,
            site_zones: MappingABC[str, str], frame: pl.DataFrame) -> tuple[pl.Series, pl.Series, str]:
    """A typed source column (Parquet, say) cast to the canonical type."""
    raw = s  # typed: cast to text only for the cells reported (see `finish`)
    if rule.unit is not None and s.dtype.is_numeric():
        return duration_seconds(s.cast(pl.Float64), rule.unit), raw, f"a duration ({rule.unit})"
    if ctype is ColType.DATETIME and isinstance(s.dtype, (pl.Datetime, pl.Date)):
        if isinstance(s.dtype, pl.Date):
            s = s.cast(pl.Datetime("us"))
        if s.dtype.time_zone is None:  # type: ignore[union-attr]
            return localize(s.cast(pl.Datetime("us")), mapping, site_zones, frame), raw, _EXPECTS[ctype]
        return s.dt.convert_time_zone("UTC").cast(_DT_UTC), raw, _EXPECTS[ctype]
    if ctype is ColType.DATE and isinstance(s.dtype, pl.Datetime):
        return s.dt.date(), raw, _EXPECTS[ctype]
    if ctype is ColType.INT and s.dtype.is_float():
        return pl.select(pl.when(s == s.floor()).then(s)).to_series().cast(pl.Int64), raw, _EXPECTS[ctype]
    if ctype is ColType.FLOAT and s.dtype.is_numeric():
        f = s.cast(pl.Float64)
        # NaN and infinities are no value; the column is copied only when it holds one
        if not f.is_finite().all():
            f = pl.select(pl.when(f.is_finite()).then(f)).to_series()
        return f, raw, _EXPECTS[ctype]
    value = s.cast(TABLE_DTYPES[ctype], strict=False)
    if value.dtype == s.dtype or s.dtype.is_numeric() or s.dtype == pl.Boolean:
        return value, raw, _EXPECTS[ctype]
    # Anything else (a Date where an int is wanted, ...) goes through the text reading.
    value, expects = _typed(s.cast(pl.String, strict=False).str.strip_chars(), ctype, rule.format, rule.unit, mapping, site_zones, frame)
    return value, raw, expects


def _number(raw: pl.Series) -> pl.Series:
    # Excel in many locales writes a decimal comma ("3,5"); only when there is no dot.
    # The whole-column checks skip the per-value work when no value needs it.
    text = raw
    if raw.str.contains(",", literal=True).any():
        text = pl.select(pl.when(raw.str.contains(".", literal=True)).then(raw)
                         .otherwise(raw.str.replace(",", ".", literal=True))).to_series()
    f = text.cast(pl.Float64, strict=False)
    return f if f.is_finite().all() else pl.select(pl.when(f.is_finite()).then(f)).to_series()


def _first_parse(raw: pl.Series, parsers: Sequence[Any], dtype: Any) -> pl.Series:
    """Try parsers in order; each later one only sees the values still unparsed."""
    result = _full(raw.len(), None, dtype)
    pending = raw
    for parse in parsers:
        if pending.null_count() == pending.len():
            break
        parsed = parse(pending)
        result = pl.select(pl.coalesce(result, parsed.cast(dtype))).to_series()
        pending = pl.select(pl.when(result.is_null()).then(pending)).to_series()
    return result


def _datetime_text(raw: pl.Series, fmt: str | None, mapping: Mapping, site_zones: MappingABC[str, str],
                   frame: pl.DataFrame) -> pl.Series:
    """ISO 8601 (or `fmt`) text to UTC; text without an offset is local time of the site."""
    if fmt:
        aware = "%z" in fmt or "%#z" in fmt or "%:z" in fmt
        aware_formats, naive_formats = ((fmt,), ()) if aware else ((), (fmt,))
    else:
        aware_formats, naive_formats = _AWARE_FORMATS, _NAIVE_FORMATS
    aware_parsers = [lambda s, f=f: s.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                     for f in aware_formats]
    if not fmt:
        fast = _iso_offset(raw)
        if fast.null_count() == raw.null_count():  # every value read: the general formats have nothing left
            return fast
        aware_parsers.insert(0, lambda s: fast)  # `_first_parse` hands its first parser all of `raw`
    result = _first_parse(raw, aware_parsers, _DT_UTC)
    pending = pl.select(pl.when(result.is_null()).then(raw)).to_series()
    if naive_formats and pending.null_count() < pending.len():
        naive = _first_parse(pending, [lambda s, f=f: s.str.to_datetime(f, strict=False, time_unit="us")
                                       for f in naive_formats], pl.Datetime("us"))
        result = pl.select(pl.coalesce(result, localize(naive, mapping, site_zones, frame))).to_series()
    return result


def _iso_offset(raw: pl.Series) -> pl.Series:
    """Text of the `_ISO_OFFSET` shape to UTC as its local part minus its offset (other text: null).

    The same instants as parsing with `%z`, in about a third of the time; the text it leaves goes
    on to the general formats.
    """
    shaped = raw.str.contains(_ISO_OFFSET)
    return _iso_shaped(raw if shaped.all() else pl.select(pl.when(shaped).then(raw)).to_series())


def _iso_shaped(text: pl.Series) -> pl.Series:
    """`_iso_offset` of text whose values all have the `_ISO_OFFSET` shape (or are null)."""
    if 2 * text.null_count() > text.len():
        # Mostly empty (callbacks, follow-ups): read the values only and put them back in place.
        given = text.is_not_null()
        return _full(text.len(), None, _DT_UTC).scatter(given.arg_true(), _iso_shaped(text.filter(given)))
    # No cache: timestamps are nearly all distinct, and caching them doubles the parsing time.
    local = text.str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us", cache=False)
    if local.null_count() == local.len():
        return local.dt.replace_time_zone("UTC")
    # A file usually writes one offset throughout: then it is subtracted once, not parsed per value.
    offset = text[int(text.is_not_null().arg_max() or 0)][19:]
    if text.str.ends_with(offset).all():
        minutes = (int(offset[1:3]) * 60 + int(offset[4:6])) * (-1 if offset[0] == "-" else 1)
        if minutes == 0:
            return local.dt.replace_time_zone("UTC")
        return pl.select((local - pl.duration(minutes=minutes)).dt.replace_time_zone("UTC")).to_series()
    minutes = text.str.slice(20, 2).cast(pl.Int64) * 60 + text.str.slice(23, 2).cast(pl.Int64)
    sign = pl.when(text.str.slice(19, 1) == "-").then(-1).otherwise(1)
    return pl.select((local - pl.duration(minutes=minutes * sign)).dt.replace_time_zone("UTC")).to_series()


def _date_time(date_text: pl.Series, time_text: pl.Series | None, rule: ColumnRule, mapping: Mapping,
               site_zones: MappingABC[str, str], frame: pl.DataFrame) -> tuple[pl.Series, pl.Series, str]:
    """A date column plus an optional time-of-day column, read as local time."""
    if rule.format:
        day = date_text.str.to_date(rule.format, strict=False)
    else:
        day = _typed(date_text, ColType.DATE, None, None, mapping, site_zones, frame)[0]
    expects = f"a date like {rule.format or '%Y-%m-%d'}"
    if time_text is None:
        naive = day.cast(pl.Datetime("us"))
        return localize(naive, mapping, site_zones, frame), date_text, expects
    if rule.time_format:
        t = time_text.str.to_time(rule.time_format, strict=False)
        secs = (t.cast(pl.Int64) / 1_000_000_000).cast(pl.Float64)
    else:
        secs = time_of_day_seconds(time_text)
    naive = pl.select(day.cast(pl.Datetime("us")) + pl.duration(microseconds=(secs * 1e6).round(0).cast(pl.Int64))
                      ).to_series()
    # No time means no timestamp (0:00:00 as "none" arrives here as null).
    raw = pl.select(pl.when(time_text.is_not_null()).then(pl.concat_str([date_text, time_text], separator=" ",
                                                                          ignore_nulls=True))).to_series()
    return localize(naive, mapping, site_zones, frame), raw, expects + " and a time of day like " + (
        rule.time_format or "H:MM:SS")


def _add_seconds(frame: pl.DataFrame, rule: ColumnRule) -> tuple[pl.Series, pl.Series, str]:
    base = frame[f"__c_{rule.to}"]
    unit = rule.unit or DurationUnit.SECONDS
    text = _text(frame, rule.add_seconds or "", rule.none_values)
    src = frame[rule.add_seconds or ""]
    secs = duration_seconds(src if src.dtype.is_numeric() else text, unit)
    value = pl.select(base + pl.duration(microseconds=(secs * 1e6).round(0).cast(pl.Int64))).to_series()
    raw = pl.select(pl.when(base.is_not_null()).then(text)).to_series()
    if rule.when is not None:
        keep = _condition(frame, rule.when)
        value = pl.select(pl.when(keep).then(value)).to_series()
        raw = pl.select(pl.when(keep).then(raw)).to_series()
    return value.cast(_DT_UTC), raw, f"a duration ({unit})"


def time_of_day_seconds(text: pl.Series) -> pl.Series:
    """Seconds after midnight from `H:MM[:SS[.f]]` (an Excel rendering `1899-12-31 09:12:58` too)
    or an Excel fraction of a day (0.5 = 12:00)."""
    secs = _clock_seconds(text)
    frac = _number(text)
    from_frac = pl.select(pl.when((frac >= 0) & (frac < 1)).then(frac * 86400.0)).to_series()
    value = pl.select(pl.coalesce(secs, from_frac)).to_series()
    return pl.select(pl.when(value < 86400.0).then(value)).to_series()


def duration_seconds(source: pl.Series, unit: DurationUnit) -> pl.Series:
    """A duration in seconds from numbers or text in `unit`; negative or unreadable -> null."""
    if source.dtype.is_numeric():
        f = source.cast(pl.Float64)
    elif unit is DurationUnit.HMS:
        f = _clock_seconds(source)
    elif unit is DurationUnit.EXCEL_DAYS:
        # A number is a fraction of a day; Excel renders a formatted time as a datetime from
        # its day zero (1899-12-31), or as plain h:mm:ss text.
        as_dt = source.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us")
        since_zero = pl.select((as_dt - pl.datetime(1899, 12, 31)).dt.total_microseconds() / 1e6).to_series()
        f = pl.select(pl.coalesce(_number(source) * 86400.0, since_zero, _clock_seconds(source))).to_series()
    else:
        f = _number(source)
    factor = {DurationUnit.MINUTES: 60.0, DurationUnit.HOURS: 3600.0}.get(unit, 1.0)
    if source.dtype.is_numeric() and unit is DurationUnit.EXCEL_DAYS:
        factor = 86400.0
    f = f * factor
    return pl.select(pl.when(f.is_finite() & (f >= 0)).then(f)).to_series().cast(pl.Float64)


def _clock_seconds(text: pl.Series) -> pl.Series:
    parts = text.str.extract_groups(_CLOCK)
    h = parts.struct.field("1").cast(pl.Float64)
    m = parts.struct.field("2").cast(pl.Float64)
    s = parts.struct.field("3").cast(pl.Float64).fill_null(0.0)
    return pl.select(pl.when(h.is_not_null()).then(h * 3600 + m * 60 + s)).to_series()


def localize(naive: pl.Series, mapping: Mapping, site_zones: MappingABC[str, str],
             frame: pl.DataFrame) -> pl.Series:
    """Local wall-clock times to UTC: the mapping's zone, else the row's site zone, else UTC.

    Ambiguous times (the repeated hour in autumn) take the earlier instant; times that do not
    exist (the skipped hour in spring) become null, which the caller reports as unreadable.
    """
    def to_utc(tz: str) -> pl.Series:
        return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null") \
            .dt.convert_time_zone("UTC").cast(_DT_UTC)

    if mapping.timezone:
        return to_utc(mapping.timezone)
    if not site_zones or _SITE not in frame.columns:
        return naive.dt.replace_time_zone("UTC").cast(_DT_UTC)
    site = frame[_SITE]
    by_zone: dict[str, list[str]] = {}
    for s in site.drop_nulls().unique().to_list():
        by_zone.setdefault(site_zones.get(s, "UTC"), []).append(s)
    if set(by_zone) <= {"UTC"}:
        return naive.dt.replace_time_zone("UTC").cast(_DT_UTC)
    expr: Any = pl
    for tz, sites in by_zone.items():
        expr = expr.when(site.is_in(sites)).then(to_utc(tz))
    return pl.select(expr.otherwise(naive.dt.replace_time_zone("UTC"))).to_series().cast(_DT_UTC)


def _exclusions(frame: pl.DataFrame, mapping: Mapping) -> pl.Series:
    if not mapping.exclude:
        return _full(frame.height, None, pl.String).alias("excluded")
    expr: Any = pl
    for ex in mapping.exclude:
        expr = expr.when(_condition(frame, ex)).then(pl.lit(ex.reason))
    return pl.select(expr.otherwise(pl.lit(None, dtype=pl.String))).to_series().alias("excluded")
