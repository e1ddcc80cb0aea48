"""Constructors of MetricResult for the shapes a metric takes: proportion, mean, ratio, count.

They are the one place that turns counts into value + interval, so every metric says
"no data" the same way (value None, never NaN, never a division by zero).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ..results import Interval, MetricResult, Unit
from .stats import mean_interval, wilson

NO_DATA = "no data"

Params = tuple[tuple[str, str], ...]


def format_param(value: object) -> str:
    """A parameter value as text: integral floats without '.0', booleans lower-case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def params_of(used: Mapping[str, object]) -> Params:
    """Parameters actually used, as sorted (name, text) pairs; None values are left out."""
    return tuple(sorted((k, format_param(v)) for k, v in used.items() if v is not None))


def no_data(metric_id: str, unit: Unit, variant: str = "default", params: Params = (),
            n: int = 0, note: str = NO_DATA) -> MetricResult:
    """A result with no value: the population or the denominator is empty."""
    return MetricResult(metric_id=metric_id, value=None, unit=unit, n=n, variant=variant,
                        params=params, note=note)


def proportion(metric_id: str, successes: int | float, n: int | float, *, variant: str = "default",
               params: Params = (), sample: int | None = None) -> MetricResult:
    """100 * successes / n with a Wilson interval; `sample` is n when the trials are not the sample."""
    size = int(n) if sample is None else sample
    if n <= 0:
        return no_data(metric_id, Unit.PERCENT, variant, params, n=size)
    low, high = wilson(successes, n)  # type: ignore[misc]
    return MetricResult(
        metric_id=metric_id, value=100.0 * successes / n, unit=Unit.PERCENT, n=size,
        numerator=successes, denominator=n, interval=Interval(100.0 * low, 100.0 * high, "wilson"),
        variant=variant, params=params)


def ratio(metric_id: str, numerator: float, denominator: float, *, unit: Unit, n: int,
          scale: float = 1.0, variant: str = "default", params: Params = (),
          interval: Interval | None = None) -> MetricResult:
    """scale * numerator / denominator with no interval of its own (hours shares, rates over headcount)."""
    if denominator <= 0:
        return no_data(metric_id, unit, variant, params, n=n)
    return MetricResult(metric_id=metric_id, value=scale * numerator / denominator, unit=unit, n=n,
                        numerator=numerator, denominator=denominator, interval=interval,
                        variant=variant, params=params)


def mean_of(metric_id: str, values: pl.Series, *, unit: Unit, variant: str = "default",
            params: Params = ()) -> MetricResult:
    """Mean of the non-null values with mean +- 1.96 s / sqrt(n); numerator is their sum.

    The values are made one contiguous array first: a float sum over several chunks adds the
    chunks' sums, so its last digits would follow how the rows were read (threads), not the rows.
    """
    clean = values.drop_nulls().cast(pl.Float64).rechunk()
    n = clean.len()
    if n == 0:
        return no_data(metric_id, unit, variant, params)
    total = float(clean.sum())
    mean = total / n
    sd = float(clean.std(ddof=1)) if n > 1 else None  # type: ignore[arg-type]
    bounds = mean_interval(mean, sd, n)
    interval = Interval(bounds[0], bounds[1], "mean-normal") if bounds else None
    return MetricResult(metric_id=metric_id, value=mean, unit=unit, n=n, numerator=total,
                        denominator=float(n), interval=interval, variant=variant, params=params)

