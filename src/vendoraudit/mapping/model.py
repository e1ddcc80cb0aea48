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
