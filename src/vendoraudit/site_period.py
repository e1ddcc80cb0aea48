"""Which rows fall in the audit month by their own site's local time (validation and KPIs).

Each site's month is a [start, end) pair of UTC instants (`bounds`). A table's rows are tested
against their site's pair: against constants, site by site, when each site's rows are contiguous
(as when every site sends its own files), else by looking each row's site up.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .periods import Period
from .results import SiteDirectory

START, END = "_period_start", "_period_end"


def bounds(period: Period, site_ids: Sequence[str], sites: SiteDirectory) -> pl.DataFrame:
    """site_id -> [start, end) of the period in the site's local time, as UTC (unknown sites: UTC)."""
    rows = [(s, *period.bounds_utc(sites.timezone_of(s))) for s in site_ids]
    return pl.DataFrame(rows, schema={"site_id": pl.String, START: pl.Datetime("us", "UTC"),
                                      END: pl.Datetime("us", "UTC")}, orient="row")


def inside(column: str, start: pl.Expr | None, end: pl.Expr) -> pl.Expr:
    """`column` in [start, end) (before `end` when `start` is None); null when either is null."""
    test = pl.col(column) < end
    return test if start is None else test & (pl.col(column) >= start)


def site_bound(table: pl.DataFrame, name: str) -> pl.Expr:
    """Each row's own site's START or END, looked up row by row (null for a site not in `table`)."""
    return pl.col("site_id").replace_strict(table["site_id"], table[name], default=None,
                                            return_dtype=table.schema[name])


def limits(table: pl.DataFrame) -> dict[str, tuple[pl.Expr, pl.Expr]]:
    """site_id -> its (start, end) as constants."""
    return {site: (pl.lit(start), pl.lit(end)) for site, start, end in table.iter_rows()}


def site_runs(frame: pl.DataFrame) -> dict[str, pl.DataFrame] | None:
    """Each site's rows as a slice of `frame` (no copy) when they are contiguous; else None."""
    runs = frame.select(pl.col("site_id").rle()).unnest("site_id")
    if runs["value"].null_count() or runs["value"].n_unique() != runs.height:
        return None
    starts = runs["len"].cum_sum() - runs["len"]
    return {site: frame.slice(start, n) for site, start, n in zip(runs["value"], starts, runs["len"])}


def in_period(frame: pl.DataFrame, column: str, table: pl.DataFrame, upper_only: bool = False) -> pl.Series:
    """Whether each row's `column` falls in its own site's [start, end) (before its end: `upper_only`);
    null where the timestamp is null or the site has no bounds in `table`.

    Testing each site's contiguous rows against constants is 8x faster than looking bounds up.
    """
    runs = site_runs(frame)
    if runs is not None and set(runs) <= set(table["site_id"]):
        fixed = limits(table)
        masks = [part.select(inside(column, None if upper_only else fixed[site][0], fixed[site][1]))
                 .to_series() for site, part in runs.items()]
        return pl.concat(masks) if masks else pl.Series(column, dtype=pl.Boolean)
    start = None if upper_only else site_bound(table, START)
    return frame.select(inside(column, start, site_bound(table, END))).to_series()
