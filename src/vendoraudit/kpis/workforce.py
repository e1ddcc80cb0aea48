"""Workforce metrics over the roster: active agents, headcount and attrition.

Roster dates are site-local calendar dates, compared with the period's first and last day.
Only rows with role `agent` count. As spec/metrics.md pins it (Attrition): the start headcount is
the agents employed at the start of the first local day (hire_date on or before it, so a hire on
the 1st counts; no termination before it); the end headcount is the agents employed at the end of
the last local day (hired by it; termination_date, the last day worked, not before it, so an agent
whose last day is the month's last day counts at the end and is also a separation of the month).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from ..periods import Period
from ..results import MetricResult, Unit
from .shapes import no_data, params_of, ratio

AGENT_ROLE = "agent"


def agents(roster: pl.DataFrame) -> pl.DataFrame:
    """Roster rows of role agent."""
    return roster.filter(pl.col("role") == AGENT_ROLE)


def active_agents(roster: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Agents active in the period: hired before its end and not terminated before its start."""
    return agents(roster).filter(
        (pl.col("hire_date") <= period.last_day)
        & (pl.col("termination_date").is_null() | (pl.col("termination_date") >= period.first_day))
    )


def employed_at_start(day: date) -> pl.Expr:
    """Employed at the start of local day `day`: hired on or before it, no termination before it."""
    return (pl.col("hire_date") <= day) & (pl.col("termination_date").is_null() | (pl.col("termination_date") >= day))


def employed_at_end(day: date) -> pl.Expr:
    """Employed at the end of local day `day`: hired by it, its last day worked not before it."""
    return (pl.col("hire_date") <= day) & (pl.col("termination_date").is_null() | (pl.col("termination_date") >= day))


def month_figures(roster: pl.DataFrame, period: Period) -> tuple[int, int, int]:
    """(start headcount, end headcount, separations) of agents in one month."""
    row = agents(roster).select(
        employed_at_start(period.first_day).sum().alias("start"),
        employed_at_end(period.last_day).sum().alias("end"),
        pl.col("termination_date").is_between(period.first_day, period.last_day).sum().alias("exits"),
    ).row(0)
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def headcount(roster: pl.DataFrame, period: Period) -> MetricResult:
    """Active agents in the period (informative)."""
    n = active_agents(roster, period).height
    if n == 0:
        return no_data("workforce.headcount", Unit.COUNT)
    return MetricResult(metric_id="workforce.headcount", value=float(n), unit=Unit.COUNT, n=n,
                        numerator=float(n))


def attrition(roster: pl.DataFrame, period: Period, variant: str = "monthly", months: int = 1) -> MetricResult:
    """Attrition in percent.

    monthly: separations in the month / ((start + end) / 2) * 100.
    annualised (ICMI): exits over the `months` ending with the period / average agents * 12 / months,
    the average being the mean over those months of each month's (start + end) / 2.
    """
    metric_id = "workforce.attrition"
    if variant == "monthly":
        start, end, exits = month_figures(roster, period)
        average = (start + end) / 2
        params = params_of({})
        n = active_agents(roster, period).height
        if average <= 0:
            return no_data(metric_id, Unit.PERCENT, variant, params, n=n)
        return ratio(metric_id, float(exits), average, unit=Unit.PERCENT, n=n, scale=100.0,
                     variant=variant, params=params)
    params = params_of({"months": months})
    window = [period.shift(-k) for k in range(months)]
    figures = [month_figures(roster, p) for p in window]
    exits = sum(f[2] for f in figures)
    average = sum((f[0] + f[1]) / 2 for f in figures) / months
    n = active_agents(roster, period).height
    if average <= 0:
        return no_data(metric_id, Unit.PERCENT, variant, params, n=n)
    return ratio(metric_id, float(exits), average, unit=Unit.PERCENT, n=n, scale=100.0 * 12 / months,
                 variant=variant, params=params)
