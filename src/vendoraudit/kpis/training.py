"""Training metrics: hours per active agent, onboarding completion, soft-skills and client-paid shares.

Hours are summed exactly (`exact`): a total, an agent's hours and the interval's spread come out the
same to the last digit whatever order the records are read or grouped in.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from ..periods import Period
from ..results import Interval, MetricResult, Unit
from .exact import SCALE, exact_sum, moments, unscale
from .shapes import no_data, params_of, proportion, ratio
from .stats import mean_interval
from .workforce import active_agents, agents

ONBOARDING = "onboarding"
SOFT_SKILLS = "soft_skills"


def hours_per_agent(training: pl.DataFrame, roster: pl.DataFrame, period: Period,
                    category: str | None = None) -> MetricResult:
    """sum(hours) of the period's training (optionally one category) / agents active in the period.

    The interval is value +- 1.96 s / sqrt(n), s the sample sd of each active agent's hours
    (0 for an agent without training).
    """
    metric_id = "training.hours_per_agent"
    params = params_of({"category": category})
    rows = training if category is None else training.filter(pl.col("category") == category)
    active = active_agents(roster, period).select("site_id", "agent_id").unique()
    n = active.height
    if n == 0:
        return no_data(metric_id, Unit.HOURS, params=params)
    total = unscale(rows.select(exact_sum(pl.col("hours"))).item())
    per_agent = (
        active.join(rows.group_by("site_id", "agent_id").agg(exact_sum(pl.col("hours")).alias("_units")),
                    on=["site_id", "agent_id"], how="left")
        .select((pl.col("_units").fill_null(0).cast(pl.Float64) / SCALE).alias("hours")).get_column("hours")
    )
    value = total / n
    sd = moments(per_agent).sd if n > 1 else None
    bounds = mean_interval(value, sd, n)
    interval = Interval(bounds[0], bounds[1], "mean-normal") if bounds else None
    return ratio(metric_id, total, float(n), unit=Unit.HOURS, n=n, params=params, interval=interval)


def onboarding_completion(training_to_date: pl.DataFrame, roster: pl.DataFrame, period: Period,
                          days: int = 90, min_hours: float = 40) -> MetricResult:
    """Share of agents hired in the last `days` days of the period with >= `min_hours` onboarding hours.

    "Last N days" are the N calendar days ending on the period's last day. Onboarding hours are
    every onboarding record of the agent completed before the period's end (not only this month's).
    """
    metric_id = "training.onboarding_completion"
    params = params_of({"days": days, "min_hours": min_hours})
    end = period.next_first_day
    hires = agents(roster).filter(
        (pl.col("hire_date") >= end - timedelta(days=days)) & (pl.col("hire_date") < end)
    ).select("site_id", "agent_id").unique()
    hours = (training_to_date.filter(pl.col("category") == ONBOARDING)
             .group_by("site_id", "agent_id").agg((exact_sum(pl.col("hours")).cast(pl.Float64) / SCALE).alias("hours")))
    done = (hires.join(hours, on=["site_id", "agent_id"], how="left")
            .select((pl.col("hours").fill_null(0.0).round(9) >= min_hours).sum()).item())
    return proportion(metric_id, int(done or 0), hires.height, params=params)


def soft_skills_share(training: pl.DataFrame) -> MetricResult:
    """Soft-skills hours / all training hours of the period, in percent (n = training records)."""
    metric_id = "training.soft_skills_share"
    row = training.select(
        exact_sum(pl.col("hours").filter(pl.col("category") == SOFT_SKILLS)).alias("soft"),
        exact_sum(pl.col("hours")).alias("all"),
    ).row(0)
    return ratio(metric_id, unscale(row[0]), unscale(row[1]), unit=Unit.PERCENT,
                 n=training.height, scale=100.0)


def client_paid_share(training: pl.DataFrame) -> MetricResult:
    """Hours paid by the client / hours whose paid_by_client flag is known, in percent."""
    metric_id = "training.client_paid_share"
    known = training.filter(pl.col("paid_by_client").is_not_null())
    row = known.select(
        exact_sum(pl.col("hours").filter(pl.col("paid_by_client"))).alias("paid"),
        exact_sum(pl.col("hours")).alias("all"),
    ).row(0)
    return ratio(metric_id, unscale(row[0]), unscale(row[1]), unit=Unit.PERCENT,
                 n=known.height, scale=100.0)
