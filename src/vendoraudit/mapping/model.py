"""The mapping language's model: what one source's mapping onto one canonical table says.

A mapping names its table, the files it claims (globs relative to the export folder), how to
read them, the site time zone of local timestamps, and for each canonical column one small
typed operation (see `docs/mappings.md`). Pydantic models, frozen; `loading` checks them with
located errors, `evaluation` applies them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..tables import TABLES, TableSpec

Scalar = bool | int | Decimal | str | None
DEFAULT_CLOCK_TOLERANCE = Decimal(2)  # seconds; spec/exports.md


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
    """A test on source text: a leaf (`column` with exactly one of `in`, `not_in`, `present`) or a
    compound of conditions (`all`, `any`, `not`), nested freely."""

    column: str | None = Field(default=None, min_length=1)
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    present: bool | None = Field(default=None, description="true: the value is not empty; false: it is")
    all_: list[Condition] | None = Field(default=None, alias="all", min_length=1,
                                         description="every condition of the list holds")
    any_: list[Condition] | None = Field(default=None, alias="any", min_length=1,
                                         description="at least one condition of the list holds")
    not_: Condition | None = Field(default=None, alias="not", description="the condition does not hold")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        compound = [k for k in ("all_", "any_", "not_") if getattr(self, k) is not None]
        tests = [k for k in ("in_", "not_in", "present") if getattr(self, k) is not None]
        if compound:
            if len(compound) > 1 or tests or self.column is not None:
                raise ValueError("a compound condition is exactly one of 'all', 'any', 'not' (nest them "
                                 "for more)")
            return self
        if self.column is None:
            raise ValueError("give 'column' with one of 'in', 'not_in', 'present', or one of 'all', 'any', 'not'")
        if len(tests) != 1:
            raise ValueError("give exactly one of 'in', 'not_in', 'present'")
        return self

    def source_columns(self) -> list[str]:
        """Every source column the condition reads."""
        if self.column is not None:
            return [self.column]
        parts = self.all_ or self.any_ or ([self.not_] if self.not_ else [])
        return [c for part in parts for c in part.source_columns()]


class ColumnRule(_Model):
    """How one canonical column gets its value. Exactly one source operation: `column`, `value`,
    `template`, `concat`, `date` (+ `time`), or `add_seconds` (+ `to`)."""

    column: SourceNames | None = None
    value: Scalar = Field(default=None, description="a constant (site_id: ACME-MNL)")
    template: str | None = Field(default=None, min_length=1,
                                 description="text with {source column} placeholders: '{vru+line}-{call_id}'")
    concat: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, min_length=2, description="source columns joined by `separator`")
    sum: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, min_length=1, description="source numbers added up (talk + hold + wrap): an empty one "
        "counts as 0, all empty gives no value")
    test: Condition | None = Field(default=None, description="true where the condition holds, else false")
    plus: SourceNames | None = Field(default=None, description="source durations added to the timestamp "
                                     "(queue entry = contact start + IVR time)")
    separator: str = Field(default="", description="what `concat` puts between the columns")
    date: str | None = Field(default=None, description="source column holding the date")
    time: SourceNames | None = Field(default=None, description="source column(s) holding the time of day")
    add_seconds: SourceNames | None = Field(default=None, description="source column(s) of durations added "
                                            "to `to` (several are summed; an empty one counts as 0)")
    to: str | None = Field(default=None, description="the canonical timestamp `add_seconds` is added to")
    format: str | None = Field(default=None, description="strptime format of a date or datetime text, e.g. %y%m%d")
    time_format: str | None = Field(default=None, description="strptime format of the time of day, e.g. %H%M%S")
    unit: DurationUnit | None = None
    codes: dict[str, Scalar] | None = None
    unmatched: Unmatched = Unmatched.ERROR
    none_values: list[str] = Field(default_factory=list, description="source texts meaning 'no value'")
    when: Condition | None = Field(default=None, description="the value is empty unless this holds")
    not_before: str | None = Field(default=None, description="canonical timestamp: one day is added when "
                                   "the value is earlier by more than the clock tolerance (a time past midnight)")

    @model_validator(mode="after")
    def _one_operation(self) -> ColumnRule:
        ops = [k for k in OPERATIONS if k in self.model_fields_set]
        if len(ops) != 1:
            raise ValueError(f"give exactly one of {', '.join(repr(o) for o in OPERATIONS)}"
                             + (f" (got {', '.join(ops)})" if ops else ""))
        op = ops[0]
        text_mods = {"format", "unit", "codes", "unmatched", "none_values", "when", "not_before", "plus"}
        allowed = {
            "column": {"column"} | text_mods,
            "template": {"template"} | text_mods,
            "concat": {"concat", "separator"} | text_mods,
            "value": {"value", "when"},
            "sum": {"sum", "unit", "none_values", "when"},
            "test": {"test", "when"},
            "date": {"date", "time", "format", "time_format", "none_values", "when", "not_before", "plus", "unit"},
            "add_seconds": {"add_seconds", "to", "unit", "none_values", "when", "not_before"},
        }[op]
        extra = sorted(self.model_fields_set - allowed)
        if extra:
            raise ValueError(f"'{op}' does not take {', '.join(extra)}")
        if op == "add_seconds" and not self.to:
            raise ValueError("'add_seconds' needs 'to' (the canonical timestamp it is added to)")
        if self.codes is not None and (self.format or self.unit):
            raise ValueError("'codes' cannot be combined with 'format' or 'unit'")
        if self.plus is not None and self.codes is not None:
            raise ValueError("'plus' adds durations to a timestamp; it cannot be combined with 'codes'")
        if self.template is not None:
            template_columns(self.template)  # a ValueError names a stray brace
        return self

    @property
    def operation(self) -> str:
        """The rule's one source operation (see `OPERATIONS`)."""
        return next(k for k in OPERATIONS if k in self.model_fields_set)

    @property
    def references(self) -> list[str]:
        """Canonical columns this rule needs computed first (`to`, `not_before`)."""
        return [c for c in (self.to, self.not_before) if c]

    def source_columns(self) -> list[str]:
        """Every source column this rule reads."""
        out = list(self.column or []) + list(self.time or []) + list(self.concat or [])
        out += list(self.sum or []) + list(self.plus or [])
        out += self.test.source_columns() if self.test else []
        out += list(self.add_seconds or [])
        out += template_columns(self.template) if self.template else []
        out += [self.date] if self.date else []
        if self.when:
            out += self.when.source_columns()
        return out


OPERATIONS = ("column", "value", "template", "concat", "sum", "test", "date", "add_seconds")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_columns(template: str) -> list[str]:
    """The source columns a template's `{placeholders}` name (`{{` and `}}` are literal braces)."""
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None or not match.group(1).strip():
            raise ValueError(f"template {template!r}: a lone {token!r} or an empty placeholder (write a "
                             "literal brace as '{{' or '}}')")
        names.append(match.group(1))
    if not names:
        raise ValueError(f"template {template!r} names no source column (write them as {{column}})")
    return names


def template_parts(template: str) -> list[tuple[str, bool]]:
    """The template as (literal text, False) and (source column, True) pieces in order."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[at:match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
        if literal:
            parts.append((literal, False))
        if match.group(1) is not None:
            parts.append((match.group(1), True))
        at = match.end()
    if template[at:]:
        parts.append((template[at:], False))
    return parts


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
    skip_rows_after_header: int = Field(default=0, ge=0, description="rows between the header and the data "
                                        "(Qualtrics writes the question texts and import ids there)")
    decimal: Literal[".", ","] | None = Field(default=None, description="decimal separator of numbers; "
                                              "with `thousands`, the stated number format (not given: each "
                                              "column's own, and an error when it reads two ways)")
    thousands: Literal[",", ".", " ", "'", "\u00a0", "\u202f", ""] | None = Field(
        default=None, description="thousands separator ('' for none); default with `decimal` given: none")

    @model_validator(mode="after")
    def _check(self) -> FormatOptions:
        if self.decimal is not None and self.decimal == self.thousands:
            raise ValueError("'decimal' and 'thousands' must be different separators")
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
    sites: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="the site ids its rows are for (default: a constant site_id); "
        "attaches it to those sites (see docs/mappings.md)")
    clock_tolerance_seconds: Decimal = Field(
        default=DEFAULT_CLOCK_TOLERANCE, ge=0, le=3600,
        description="how far one timestamp may precede the one it follows (clocks of IVR, ACD, CRM disagree)")
    columns: dict[str, Annotated[ColumnRule, BeforeValidator(_shorthand)]] = Field(default_factory=dict)
    exclude: list[Exclusion] = Field(default_factory=list)
    one_row_per: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="source columns naming one record: later rows with the same values "
        "(the other criteria of an evaluation) are set aside, counted")

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
        names += [c for e in self.exclude for c in e.source_columns()] + list(self.one_row_per)
        return list(dict.fromkeys(names))

    def site_ids(self) -> list[str]:
        """The sites the mapping is attached to: `sites`, else its constant `site_id`."""
        if self.sites:
            return list(self.sites)
        rule = self.columns.get("site_id")
        if rule is not None and "value" in rule.model_fields_set and isinstance(rule.value, str):
            return [rule.value]
        return []


def identity_mapping(table: str) -> Mapping:
    """The implicit mapping of a file that already uses the canonical column names."""
    return Mapping(name=f"canonical-{table}", table=table, files=[f"{table}*"])
