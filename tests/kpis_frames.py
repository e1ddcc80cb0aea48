"""Tiny canonical frames for the KPI tests: rows given as dicts, every other column defaulted."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import count

import polars as pl

from vendoraudit.kpis import PeriodData, period_data
from vendoraudit.periods import Period
from vendoraudit.results import Site, SiteDirectory
from vendoraudit.tables import TABLES

UTC = timezone.utc
OCT = Period(2026, 10)
T0 = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
SITES = SiteDirectory((
    Site("HOME", "INHOUSE", "UTC", True),
    Site("S1", "V1", "UTC", False),
    Site("S2", "V1", "UTC", False),
    Site("NY", "V2", "America/New_York", False),
    Site("MNL", "V3", "Asia/Manila", False),
))

_ids = count(1)

_DEFAULTS = {
    "interactions": lambda: {
        "interaction_id": f"i{next(_ids)}", "site_id": "S1", "channel": "phone", "direction": "inbound",
        "queue": "claims", "member_ref": None, "agent_id": None, "arrived_at": T0, "answered_at": None,
        "ended_at": None, "handle_seconds": None, "abandoned": False, "resolved_first_contact": None,
        "callback_requested_at": None, "callback_completed_at": None, "follow_up_due_at": None,
        "follow_up_completed_at": None,
    },
    "surveys": lambda: {
        "response_id": f"r{next(_ids)}", "interaction_id": None, "site_id": "S1", "channel": "phone",
        "submitted_at": T0, "csat": None, "nps": None, "ces": None, "comment": None,
    },
    "qa_evaluations": lambda: {
        "evaluation_id": f"e{next(_ids)}", "interaction_id": None, "site_id": "S1", "agent_id": "a1",
        "evaluator_id": "q1", "channel": "phone", "evaluated_at": T0, "calibration": False,
    },
    "qa_items": lambda: {
        "evaluation_id": None, "criterion_id": "c", "points_earned": None, "points_possible": 10.0,
        "critical_failed": False,
    },
    "training": lambda: {
        "record_id": f"t{next(_ids)}", "agent_id": "a1", "site_id": "S1", "course_id": "k1",
        "category": "product", "hours": 1.0, "completed_at": T0, "paid_by_client": None,
    },
    "roster": lambda: {
        "agent_id": f"a{next(_ids)}", "site_id": "S1", "role": "agent", "hire_date": date(2020, 1, 1),
        "termination_date": None, "fte": 1.0,
    },
}


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """A canonical frame of `table` from partial rows."""
    full = [{**_DEFAULTS[table](), **row} for row in rows]
    return pl.DataFrame(full, schema=TABLES[table].polars_schema, orient="row") if full else \
        pl.DataFrame(schema=TABLES[table].polars_schema)


def data(period: Period = OCT, sites: SiteDirectory = SITES, **tables: list[dict]) -> PeriodData:
    """PeriodData built from partial rows per table."""
    return period_data({name: frame(name, rows) for name, rows in tables.items()}, period, sites)


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def evaluation(items: list[tuple[float | None, float, bool]], criterion_ids: list[str] | None = None,
               **fields: object) -> tuple[dict, list[dict]]:
    """One evaluation row and its items from (earned, possible, critical_failed) triples."""
    row = {**_DEFAULTS["qa_evaluations"](), **fields}
    names = criterion_ids or [f"c{k}" for k in range(len(items))]
    item_rows = [{"evaluation_id": row["evaluation_id"], "criterion_id": name, "points_earned": e,
                  "points_possible": p, "critical_failed": c} for name, (e, p, c) in zip(names, items)]
    return row, item_rows
