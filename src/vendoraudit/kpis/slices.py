"""Breakdowns that find the cause: a metric per agent, per site-local day or per half-hour.

Each group's result is made from the metric's rows (`rows.metric_rows`) by the same shape as the
metric itself (Wilson proportion, mean +- 1.96 s / sqrt(n), the NPS variance formula, a ratio), so
it has the same kind of interval and n as the site, channel and queue breakdowns, and the groups'
numerators and denominators add up to the scope's. Half-hours are the site-local wall-clock
half-hour of the day ("09:30" = 09:30-09:59 on every day of the month), the service-level planning
unit; days are site-local calendar dates. Rows without an agent (abandoned contacts, surveys of
an unknown contact) form the group `rows.NO_AGENT`, so nothing falls out of the sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import polars as pl

from ..results import Interval, MetricResult
from .exact import exact_sum, moments, unscale
from .period import PeriodData
from .quality import criterion_of_items
from .rows import AGENT, DAY, DEN, MINUS, NO_AGENT, NUM, PLUS, SLOT, VALUE, Axis, MetricRows, RowKind, metric_rows
from .scope import compute_metric
from .shapes import mean_of, proportion, ratio
from .stats import mean_interval
from .survey import _net_score

_KEY = {Axis.AGENT: AGENT, Axis.DAY: DAY, Axis.INTERVAL: SLOT}

# Ratios whose n is their denominator (agents), not their row count (training records).
_N_IS_DENOMINATOR = frozenset({"training.hours_per_agent"})


def _number(x: float) -> int | float:
    """A sum of counts as an int (the metric functions give counts as ints)."""
    return int(x) if float(x).is_integer() else x


def result_of(rows: MetricRows, frame: pl.DataFrame, template: MetricResult) -> MetricResult:
    """The metric over `frame` (some or all of `rows.frame`), with `template`'s unit, variant and
    params (the metric's result over the whole scope). None of a metric without additive rows
    (sample adequacy's need is computed, not summed) is `template` itself."""
    mid, variant, params = rows.metric_id, template.variant, template.params
    # Exact sums (kpis/exact.py): a group's figures never depend on the order of its rows.
    num = unscale(frame.select(exact_sum(pl.col(NUM))).item())
    den = unscale(frame.select(exact_sum(pl.col(DEN))).item())
    if mid == "qa.criterion_score":
        # The unit of analysis is the evaluation (spec/metrics.md): never points as trials.
        out = criterion_of_items(frame, dict(params)["criterion"])
    elif rows.kind is RowKind.PROPORTION:
        out = proportion(mid, _number(num), _number(den), variant=variant, params=params, sample=frame.height)
    elif rows.kind is RowKind.MEAN:
        out = mean_of(mid, frame.get_column(VALUE).cast(pl.Float64), unit=template.unit, variant=variant,
                      params=params)
    elif rows.kind is RowKind.NET:
        out = _net_score(mid, int(frame.get_column(PLUS).sum() or 0), int(frame.get_column(MINUS).sum() or 0),
                         frame.height, variant)
        out = replace(out, params=params)
    elif rows.kind is RowKind.RATIO:
        n = int(den) if mid in _N_IS_DENOMINATOR else frame.height
        interval = None
        if mid in _N_IS_DENOMINATOR and den > 0:
            sd = moments(frame.get_column(VALUE)).sd
            bounds = mean_interval(rows.scale * num / den, sd, n)
            interval = Interval(bounds[0], bounds[1], "mean-normal") if bounds else None
        if mid == "workforce.attrition":
            n = template.n  # active agents, not the rows of the window
        out = ratio(mid, num, den, unit=template.unit, n=n, scale=rows.scale, variant=variant, params=params,
                    interval=interval)
    elif rows.kind is RowKind.COUNT:
        out = MetricResult(metric_id=mid, value=float(frame.height) if frame.height else None,
                           unit=template.unit, n=frame.height, numerator=float(frame.height) if frame.height else None,
                           variant=variant, params=params, note="" if frame.height else "no data")
    else:
        return template
    return replace(out, unit=template.unit, min_sample=template.min_sample)


def _sort_key(axis: Axis, key: object) -> tuple[int, str]:
    text = key.isoformat() if isinstance(key, date) else str(key)
    return (1 if key == NO_AGENT or key is None else 0, text)


def slice_metric(metric_id: str, data: PeriodData, site_ids: Sequence[str], axis: Axis | str,
                 params: Mapping[str, object] | None = None, channels: Sequence[str] | None = None,
                 queues: Sequence[str] | None = None, exclude_queues: Sequence[str] = (),
                 exclude_dates: Sequence[date] = (), min_sample: int = 0) -> tuple[tuple[str, MetricResult], ...]:
    """The metric per agent, day or half-hour of the scope, sorted by key (agents by id with
    `NO_AGENT` last, days and half-hours in time order); an empty tuple when the axis does not
    apply to the metric (no day for an agent headcount, no half-hour for a survey)."""
    axis = Axis(axis)
    scope = {"channels": channels, "queues": queues, "exclude_queues": exclude_queues, "exclude_dates": exclude_dates}
    rows = metric_rows(metric_id, data, site_ids, params, **scope)
    if axis not in rows.axes:
        return ()
    template = compute_metric(metric_id, data, site_ids, params, min_sample=min_sample, **scope)
    column = _KEY[axis]
    frame = rows.frame.filter(pl.col(column).is_not_null())
    parts = frame.partition_by(column, as_dict=True, maintain_order=True)
    ordered = sorted(parts.items(), key=lambda kv: _sort_key(axis, kv[0][0]))
    out = []
    for (key,), part in ordered:
        label = key.isoformat() if isinstance(key, date) else str(key)
        out.append((label, result_of(rows, part, template)))
    return tuple(out)
