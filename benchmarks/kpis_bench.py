"""How long the KPI stage takes on 10M synthetic interactions (and proportionate other tables).

Builds random canonical frames with polars (no files), then times `period_data` and every metric
with its default parameters for each site and for all sites together.

Run: .venv/bin/python benchmarks/kpis_bench.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timezone

import polars as pl

from vendoraudit.kpis import METRICS, compute_metric, period_data
from vendoraudit.periods import Period
from vendoraudit.results import Site, SiteDirectory

SITES = SiteDirectory((
    Site("NW-BOS", "NORTHWIND", "America/New_York", True),
    Site("ACME-MNL", "ACME", "Asia/Manila", False),
    Site("BP-DAL", "BRIGHTPATH", "America/Chicago", False),
    Site("CC-BOG", "CALLCO", "America/Bogota", False),
))
PERIOD = Period(2026, 10)
START = datetime(2026, 9, 30, tzinfo=timezone.utc)
SPAN_US = 33 * 86_400 * 1_000_000  # a little over the month, so the period filter has work to do


def _pick(values: list[str], n: int, seed: int) -> pl.Series:
    return pl.Series(values).sample(n, with_replacement=True, seed=seed)


def _us(n: int, seed: int, high: int) -> pl.Series:
    """n pseudo-random integers in [0, high)."""
    return (pl.int_range(0, n, eager=True).hash(seed) % high).cast(pl.Int64)


def interactions(n: int) -> pl.DataFrame:
    site_ids = [s.site_id for s in SITES.sites]
    frame = pl.DataFrame({
        "interaction_id": pl.int_range(0, n, eager=True).cast(pl.String),
        "site_id": _pick(site_ids, n, 1),
        "channel": _pick(["phone"] * 60 + ["chat"] * 15 + ["email"] * 12 + ["whatsapp"] * 8 + ["sms"] * 3
                         + ["portal"] * 2, n, 2),
        "direction": _pick(["inbound"] * 19 + ["outbound"], n, 3),
        "queue": _pick(["appointments", "claims", "pharmacy", "benefits", "billing"], n, 4),
        "member_ref": (_us(n, 5, n // 3)).cast(pl.String),
        "arrived_us": _us(n, 6, SPAN_US),
        "wait_us": _us(n, 7, 90_000_000),
        "abandoned": _pick(["n"] * 19 + ["y"], n, 8) == "y",
    })
    start = pl.lit(START).dt.cast_time_unit("us")
    arrived = start + pl.duration(microseconds=pl.col("arrived_us"))
    answered = arrived + pl.duration(microseconds=pl.col("wait_us"))
    cb = pl.col("arrived_us") % 25 == 0
    fu = pl.col("arrived_us") % 12 == 0
    return frame.select(
        "interaction_id", "site_id", "channel", "direction", "queue", "member_ref",
        pl.when(pl.col("abandoned")).then(None).otherwise(pl.col("interaction_id")).alias("agent_id"),
        arrived.alias("arrived_at"),
        pl.when(pl.col("abandoned")).then(None).otherwise(answered).alias("answered_at"),
        (answered + pl.duration(seconds=400)).alias("ended_at"),
        pl.when(pl.col("abandoned")).then(None).otherwise((pl.col("wait_us") % 900).cast(pl.Float64))
        .alias("handle_seconds"),
        "abandoned",
        (pl.col("wait_us") % 5 != 0).alias("resolved_first_contact"),
        pl.when(cb).then(arrived).alias("callback_requested_at"),
        pl.when(cb).then(answered + pl.duration(minutes=5)).alias("callback_completed_at"),
        pl.when(fu).then(arrived + pl.duration(days=2)).alias("follow_up_due_at"),
        pl.when(fu).then(arrived + pl.duration(days=1)).alias("follow_up_completed_at"),
    )


def other_tables(n: int) -> dict[str, pl.DataFrame]:
    surveys_n, evals_n, criteria = n // 10, n // 200, 8
    start = pl.lit(START).dt.cast_time_unit("us")
    site_ids = [s.site_id for s in SITES.sites]
    surveys = pl.DataFrame({
        "response_id": pl.int_range(0, surveys_n, eager=True).cast(pl.String),
        "interaction_id": pl.int_range(0, surveys_n, eager=True).cast(pl.String),
        "site_id": _pick(site_ids, surveys_n, 11), "channel": _pick(["phone", "chat", "email"], surveys_n, 12),
        "t": _us(surveys_n, 13, SPAN_US),
        "csat": _us(surveys_n, 14, 5) + 1, "nps": _us(surveys_n, 15, 11), "ces": _us(surveys_n, 16, 7) + 1,
    }).with_columns((start + pl.duration(microseconds=pl.col("t"))).alias("submitted_at"),
                    pl.lit(None, dtype=pl.String).alias("comment")).drop("t")
    evals = pl.DataFrame({
        "evaluation_id": pl.int_range(0, evals_n, eager=True).cast(pl.String),
        "interaction_id": (pl.int_range(0, evals_n, eager=True) // 3).cast(pl.String),
        "site_id": _pick(site_ids, evals_n, 21), "agent_id": (_us(evals_n, 22, 250)).cast(pl.String),
        "evaluator_id": "q1", "channel": _pick(["phone", "chat"], evals_n, 23),
        "t": _us(evals_n, 24, SPAN_US), "calibration": _us(evals_n, 25, 50) == 0,
    }).with_columns((start + pl.duration(microseconds=pl.col("t"))).alias("evaluated_at")).drop("t")
    items = pl.DataFrame({
        "evaluation_id": (pl.int_range(0, evals_n * criteria, eager=True) // criteria).cast(pl.String),
        "criterion_id": pl.Series([f"c{k}" for k in range(criteria)] * evals_n),
        "points_earned": (_us(evals_n * criteria, 31, 11)).cast(pl.Float64),
        "points_possible": 10.0,
        "critical_failed": _us(evals_n * criteria, 32, 400) == 0,
    })
    agents = 1000
    roster = pl.DataFrame({
        "agent_id": pl.int_range(0, agents, eager=True).cast(pl.String), "site_id": _pick(site_ids, agents, 41),
        "role": "agent", "hire_date": pl.date_range(date(2020, 1, 1), date(2026, 10, 31), "1d",
                                                             eager=True).sample(agents, seed=42),
        "termination_date": pl.Series([None] * agents, dtype=pl.Date), "fte": 1.0,
    })
    training_n = agents * 5
    training = pl.DataFrame({
        "record_id": pl.int_range(0, training_n, eager=True).cast(pl.String),
        "agent_id": (_us(training_n, 51, agents)).cast(pl.String), "site_id": _pick(site_ids, training_n, 52),
        "course_id": "k", "category": _pick(["onboarding", "product", "soft_skills"], training_n, 53),
        "hours": 2.0, "t": _us(training_n, 54, SPAN_US), "paid_by_client": _us(training_n, 55, 2) == 0,
    }).with_columns((start + pl.duration(microseconds=pl.col("t"))).alias("completed_at")).drop("t")
    return {"surveys": surveys, "qa_evaluations": evals, "qa_items": items, "roster": roster, "training": training}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    t = time.perf_counter()
    tables = {"interactions": interactions(args.rows), **other_tables(args.rows)}
    print(f"built {args.rows:,} interactions in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    data = period_data(tables, PERIOD, SITES)
    scoped = time.perf_counter() - t
    print(f"period_data: {scoped:.2f} s ({data.interactions.height:,} interactions in the period)")

    t = time.perf_counter()
    groups = [[s] for s in data.site_ids] + [list(data.site_ids)]
    count = 0
    for mid in METRICS:
        params = {"criterion": "c1"} if mid == "qa.criterion_score" else None
        m0 = time.perf_counter()
        for sites in groups:
            compute_metric(mid, data, sites, params)
            count += 1
        print(f"  {mid:32s} {time.perf_counter() - m0:6.2f} s")
    metrics = time.perf_counter() - t
    print(f"{count} metric results ({len(METRICS)} metrics x {len(groups)} site groups): {metrics:.2f} s; "
          f"with period_data: {scoped + metrics:.2f} s")


if __name__ == "__main__":
    main()
