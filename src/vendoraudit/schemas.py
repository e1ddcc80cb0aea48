"""Pandera (polars) schemas of the canonical export tables, built from `tables.TABLES`.

Declarations only: what valid means. `validate` runs them. Column types and nullability come
from `tables.py`; this module adds the value rules of spec/exports.md (allowed values,
ranges), the unique keys, and the rules that span columns or tables (implemented in
`validate` as polars expressions, declared here so the export contract can print them).
`contract_markdown` / `contract_json` describe the whole contract for vendors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pandera.api.polars.components import Column as PaColumn
from pandera.api.polars.container import DataFrameSchema
from pandera.api.checks import Check

from .results import Severity
from .tables import CHANNELS, DIRECTIONS, ROLES, TABLES, TRAINING_CATEGORIES, TableSpec


@dataclass(frozen=True)
class ValueRule:
    """A rule on single values of one column, run by pandera: allowed values or a range."""

    code: str  # stable rule code in issue records
    description: str  # what a valid value is, for messages and the printed contract
    values: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def check(self) -> Check:
        """The pandera check; its `error` text is the description."""
        named = {"name": self.code, "error": self.description}
        if self.values is not None:
            return Check.isin(list(self.values), **named)
        if self.low is not None and self.high is not None:
            return Check.in_range(self.low, self.high, include_min=self.low_inclusive,
                                  include_max=self.high_inclusive, **named)
        if self.low is not None:
            return (Check.ge if self.low_inclusive else Check.gt)(self.low, **named)
        return (Check.le if self.high_inclusive else Check.lt)(self.high, **named)


def one_of(values: tuple[str, ...]) -> ValueRule:
    return ValueRule("allowed_values", "one of " + ", ".join(values), values=values)


def between(low: float | None, high: float | None, low_inclusive: bool = True,
            high_inclusive: bool = True) -> ValueRule:
    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {low:g}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {high:g}")
    return ValueRule("range", " and ".join(parts), None, low, high, low_inclusive, high_inclusive)


MAX_TRAINING_HOURS = 240  # one training record, hours: at most ten days (an onboarding programme)
DAY_HOURS = 24  # beyond this, a record that is not onboarding is suspicious (a warning)

VALUE_RULES: dict[str, dict[str, tuple[ValueRule, ...]]] = {
    "interactions": {
        "channel": (one_of(CHANNELS),),
        "direction": (one_of(DIRECTIONS),),
        "handle_seconds": (between(0, None),),
    },
    "qa_evaluations": {"channel": (one_of(CHANNELS),)},
    "qa_items": {
        "points_earned": (between(0, None),),
        "points_possible": (between(0, None, low_inclusive=False),),
    },
    "surveys": {
        "channel": (one_of(CHANNELS),),
        "csat": (between(1, 5),),
        "nps": (between(0, 10),),
        "ces": (between(1, 7),),
    },
    "training": {
        "category": (one_of(TRAINING_CATEGORIES),),
        # A multi-day onboarding programme may be one record (spec/exports.md): up to 240 h; a
        # record over 24 h that is not onboarding is a warning (`long_course`), not an error.
        "hours": (between(0, MAX_TRAINING_HOURS, low_inclusive=False),),
    },
    "roster": {
        "role": (one_of(ROLES),),
        "fte": (between(0, 1, low_inclusive=False),),
    },
}

# Key columns whose values must be unique across every file of the table (checked in `validate`
# with a hash pre-check; pandera's unique check is the slow part of a 10M-row validation).
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "interactions": ("interaction_id",),
    "qa_evaluations": ("evaluation_id",),
    "qa_items": ("evaluation_id", "criterion_id"),
    "surveys": ("response_id",),
    "training": ("record_id",),
    "roster": ("agent_id", "site_id"),
}


@dataclass(frozen=True)
class RelationRule:
    """A rule across columns or tables; `validate` implements each code."""

    code: str
    table: str
    column: str  # the column an issue points at
    severity: Severity
    description: str


E, W = Severity.ERROR, Severity.WARNING
RELATION_RULES: tuple[RelationRule, ...] = (
    RelationRule("answered_before_arrival", "interactions", "answered_at", E, "answered_at >= arrived_at"),
    RelationRule("ended_before_start", "interactions", "ended_at", E,
                 "ended_at >= answered_at (or arrived_at when not answered)"),
    RelationRule("abandoned_answered", "interactions", "answered_at", E, "abandoned rows have no answered_at"),
    RelationRule("callback_before_request", "interactions", "callback_completed_at", E,
                 "callback_completed_at >= callback_requested_at"),
    RelationRule("follow_up_before_arrival", "interactions", "follow_up_completed_at", E,
                 "follow_up_completed_at >= arrived_at"),
    RelationRule("points_exceed_possible", "qa_items", "points_earned", E, "points_earned <= points_possible"),
    RelationRule("unknown_evaluation", "qa_items", "evaluation_id", E,
                 "evaluation_id must match an evaluation in qa_evaluations"),
    RelationRule("unknown_interaction", "qa_evaluations", "interaction_id", W,
                 "interaction_id should match an interaction"),
    RelationRule("unknown_agent", "training", "agent_id", W, "agent_id should match the roster of its site"),
    RelationRule("long_course", "training", "hours", W,
                 f"hours <= {DAY_HOURS} in a record that is not onboarding (only onboarding runs over days)"),
    RelationRule("termination_before_hire", "roster", "termination_date", E, "termination_date >= hire_date"),
)
del E, W


def schema_for(table: str) -> DataFrameSchema:
    """The pandera schema of one canonical table (canonical columns only, exact dtypes)."""
    spec = TABLES[table]
    rules = VALUE_RULES.get(table, {})
    columns = {
        c.name: PaColumn(c.dtype, checks=[r.check() for r in rules.get(c.name, ())],
                         nullable=c.nullable, coerce=False)
        for c in spec.columns
    }
    return DataFrameSchema(columns, strict=True, ordered=False, name=table)


SCHEMAS: dict[str, DataFrameSchema] = {name: schema_for(name) for name in TABLES}


# --------------------------------------------------------------------------------------------
# The export contract, printable
# --------------------------------------------------------------------------------------------

def _column_rules(spec: TableSpec, column: str) -> list[str]:
    out = [r.description for r in VALUE_RULES.get(spec.name, {}).get(column, ())]
    key = UNIQUE_KEYS.get(spec.name, ())
    if key == (column,):
        out.append("unique")
    return out


def contract_json(table: str | None = None) -> dict[str, Any]:
    """The export contract as plain data (all tables, or one)."""
    names = [table] if table else list(TABLES)
    out: dict[str, Any] = {}
    for name in names:
        spec = TABLES[name]
        out[name] = {
            "description": spec.description,
            "columns": [
                {"name": c.name, "type": str(c.type), "required": not c.nullable, "personal": c.personal,
                 "rules": _column_rules(spec, c.name), "notes": c.notes}
                for c in spec.columns
            ],
            "unique": list(UNIQUE_KEYS.get(name, ())),
            "rules": [{"code": r.code, "severity": str(r.severity), "description": r.description}
                      for r in RELATION_RULES if r.table == name],
        }
    return out


def contract_markdown(table: str | None = None) -> str:
    """The export contract as Markdown (the text of docs/export-contract.md when `table` is None)."""
    lines: list[str] = []
    if table is None:
        lines += [
            "# Export contract",
            "",
            "Generated from `src/vendoraudit/tables.py` and `schemas.py` by `vendoraudit schema`;",
            "do not edit by hand. Types: str, int, float, bool, date (YYYY-MM-DD), datetime",
            "(ISO 8601 with an offset, or local time of the site). `personal` columns are masked",
            "in messages; required columns must be present in every file.",
            "",
        ]
    for name, data in contract_json(table).items():
        lines += [f"## {name}", "", data["description"], "",
                  "| column | type | required | rules | notes |", "|---|---|---|---|---|"]
        for c in data["columns"]:
            # tables.py notes often restate the rule; print it once.
            notes = "" if c["notes"] in c["rules"] else c["notes"]
            notes += " (personal)" if c["personal"] else ""
            lines.append(f"| {c['name']} | {c['type']} | {'yes' if c['required'] else 'no'} | "
                         f"{'; '.join(c['rules'])} | {notes.strip()} |")
        lines.append("")
        if len(data["unique"]) > 1:
            lines += [f"Unique together: {', '.join(data['unique'])}.", ""]
        if data["rules"]:
            lines += ["Rules:", ""]
            lines += [f"- `{r['code']}` ({r['severity']}): {r['description']}" for r in data["rules"]]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
