"""The canonical export tables of spec/exports.md: one declaration every stage reads.

This is the public data contract with the sites. Names are stable; a new column is optional.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import polars as pl


class ColType(StrEnum):
    """Logical column types of the export contract."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"


POLARS_TYPES: dict[ColType, pl.DataType] = {
    ColType.STR: pl.String(),
    ColType.INT: pl.Int64(),
    ColType.FLOAT: pl.Float64(),
    ColType.BOOL: pl.Boolean(),
    ColType.DATE: pl.Date(),
    ColType.DATETIME: pl.Datetime("us", "UTC"),
}

CHANNELS = ("phone", "email", "chat", "sms", "whatsapp", "portal")
SYNC_CHANNELS = ("phone", "chat")
ASYNC_CHANNELS = ("email", "whatsapp", "sms", "portal")
DIRECTIONS = ("inbound", "outbound")
TRAINING_CATEGORIES = ("onboarding", "product", "systems", "soft_skills", "compliance")
ROLES = ("agent", "team_lead", "qa_analyst", "trainer")

# Columns added by the reader to every canonical frame, to trace a row back to its file.
SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"  # 1-based data row in the file, header excluded


@dataclass(frozen=True)
class Column:
    """One canonical column."""

    name: str
    type: ColType
    nullable: bool = False
    personal: bool = False  # values may identify a person or hold health data: mask in messages
    never_output: bool = False  # free text or member keys: never copied into any output
    notes: str = ""

    @property
    def dtype(self) -> pl.DataType:
        return POLARS_TYPES[self.type]


@dataclass(frozen=True)
class TableSpec:
    """One canonical table: its columns, its key and the timestamp that places a row in a period."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: str | None
    period_column: str | None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Columns every export must carry (non-nullable ones)."""
        return tuple(c.name for c in self.columns if not c.nullable)

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


S, I, F, B, D, T = ColType.STR, ColType.INT, ColType.FLOAT, ColType.BOOL, ColType.DATE, ColType.DATETIME

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "interactions",
            "One row per contact.",
            (
                Column("interaction_id", S, notes="unique within the export set"),
                Column("site_id", S),
                Column("channel", S, notes="one of " + ", ".join(CHANNELS)),
                Column("direction", S, notes="inbound or outbound"),
                Column("queue", S, notes="line of business: appointments, claims, pharmacy, ..."),
                Column("member_ref", S, nullable=True, personal=True, never_output=True,
                       notes="pseudonymous member key; used for repeat-contact analysis only"),
                Column("agent_id", S, nullable=True, notes="null when abandoned"),
                Column("arrived_at", T, notes="entered the queue (async channels: received)"),
                Column("answered_at", T, nullable=True, notes="agent connected (async: first agent reply)"),
                Column("ended_at", T, nullable=True),
                Column("handle_seconds", F, nullable=True, notes="talk + hold + after-contact work, >= 0"),
                Column("abandoned", B),
                Column("resolved_first_contact", B, nullable=True),
                Column("callback_requested_at", T, nullable=True),
                Column("callback_completed_at", T, nullable=True),
                Column("follow_up_due_at", T, nullable=True, notes="a follow-up the agent promised"),
                Column("follow_up_completed_at", T, nullable=True),
            ),
            key="interaction_id",
            period_column="arrived_at",
        ),
        TableSpec(
            "qa_evaluations",
            "One row per reviewed contact.",
            (
                Column("evaluation_id", S, notes="unique"),
                Column("interaction_id", S, nullable=True, notes="should match an interaction"),
                Column("site_id", S),
                Column("agent_id", S),
                Column("evaluator_id", S),
                Column("channel", S),
                Column("evaluated_at", T),
                Column("calibration", B, notes="calibration-session copy: excluded from scores"),
            ),
            key="evaluation_id",
            period_column="evaluated_at",
        ),
        TableSpec(
            "qa_items",
            "One row per criterion of an evaluation.",
            (
                Column("evaluation_id", S, notes="must match qa_evaluations"),
                Column("criterion_id", S),
                Column("points_earned", F, nullable=True, notes="null = not applicable"),
                Column("points_possible", F, notes="> 0, and points_earned <= points_possible"),
                Column("critical_failed", B, notes="auto-fail item: the evaluation scores 0"),
            ),
            key=None,
            period_column=None,
        ),
        TableSpec(
            "surveys",
            "One row per survey response.",
            (
                Column("response_id", S, notes="unique"),
                Column("interaction_id", S, nullable=True),
                Column("site_id", S),
                Column("channel", S),
                Column("submitted_at", T),
                Column("csat", I, nullable=True, notes="1..5"),
                Column("nps", I, nullable=True, notes="0..10"),
                Column("ces", I, nullable=True, notes="1..7 (agreement that it was easy)"),
                Column("comment", S, nullable=True, personal=True, never_output=True,
                       notes="free text; may hold health information: never copied into any output"),
            ),
            key="response_id",
            period_column="submitted_at",
        ),
        TableSpec(
            "training",
            "One row per completed course.",
            (
                Column("record_id", S, notes="unique"),
                Column("agent_id", S, notes="should match the roster"),
                Column("site_id", S),
                Column("course_id", S),
                Column("category", S, notes="one of " + ", ".join(TRAINING_CATEGORIES)),
                Column("hours", F, notes="a multi-day onboarding programme may be one record; over 24 in a "
                       "record that is not onboarding is a warning"),
                Column("completed_at", T),
                Column("paid_by_client", B, nullable=True),
            ),
            key="record_id",
            period_column="completed_at",
        ),
        TableSpec(
            "roster",
            "One row per agent employment at a site.",
            (
                Column("agent_id", S, notes="unique per site"),
                Column("site_id", S),
                Column("role", S, notes="one of " + ", ".join(ROLES)),
                Column("hire_date", D),
                Column("termination_date", D, nullable=True, notes=">= hire_date"),
                Column("fte", F, notes="> 0 and <= 1"),
            ),
            key=None,
            period_column=None,
        ),
    )
}
del S, I, F, B, D, T
