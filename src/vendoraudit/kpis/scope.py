"""Computing a metric over a scope: the period's rows (`period.PeriodData`) narrowed by filters.

Filters of `compute_metric`:
- sites: every table.
- channels: interactions, follow-ups, surveys and evaluations (each has a channel column).
- queues / exclude_queues: interactions and follow-ups by their queue; surveys and evaluations by
  the queue of the interaction their interaction_id names (looked up over the whole export, so a
  survey of a contact from the month before still finds it). A survey or evaluation whose
  interaction_id matches no interaction cannot be placed in a queue: a queue filter leaves it out,
  an exclusion keeps it.
- exclude_dates (site-local calendar dates, for excused outage days): interactions by arrived_at,
  follow-ups by due date, surveys by submitted_at, evaluations by evaluated_at. Training and the
  roster are not contact activity and are never excused.
Training and workforce metrics ignore channel and queue filters and say so in the result's note.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Literal

import polars as pl

from ..results import MetricResult
from .period import Frame, PeriodData, derived, joined
from .registry import CHANNEL, QUEUE, MetricDef, metric

BreakdownBy = Literal["site", "vendor", "channel", "queue"]


def _local_date(column: str, data: PeriodData, site_ids: Iterable[str]) -> pl.Expr:
    """The site-local calendar date of a UTC timestamp column, one branch per time zone in play."""
    by_zone: dict[str, list[str]] = {}
    for s in site_ids:
        by_zone.setdefault(data.sites.timezone_of(s), []).append(s)
    expr: pl.Expr = pl.col(column).dt.date()
    for zone, members in by_zone.items():
        if zone == "UTC":
            continue
        expr = pl.when(pl.col("site_id").is_in(members)).then(
            pl.col(column).dt.convert_time_zone(zone).dt.date()).otherwise(expr)
    return expr


def _queue_filter(frame: pl.DataFrame, lookup: pl.DataFrame, queues: Sequence[str] | None,
                  exclude: Sequence[str]) -> pl.DataFrame:
    """Keep rows whose interaction is in `queues` and not in `exclude` (see the module docstring)."""
    if queues is None and not exclude:
        return frame
    # Narrow the export-wide lookup to this frame's interactions before joining it.
    wanted = frame.select("interaction_id").drop_nulls().unique()
    narrow = lookup.select("interaction_id", "queue").join(wanted, on="interaction_id", how="semi").unique(
        "interaction_id")
    joined = frame.join(narrow.rename({"queue": "_queue"}), on="interaction_id", how="left")
    keep = pl.lit(True)
    if queues is not None:
        keep = keep & pl.col("_queue").is_in(list(queues)).fill_null(False)
    if exclude:
        keep = keep & ~pl.col("_queue").is_in(list(exclude)).fill_null(False)
    return joined.filter(keep).drop("_queue")


def restrict(data: PeriodData, site_ids: Sequence[str],
             channels: Sequence[str] | None = None, queues: Sequence[str] | None = None,
             exclude_queues: Sequence[str] = (), exclude_dates: Sequence[date] = ()) -> PeriodData:
    """`data` narrowed to sites, channels, queues and non-excused dates. The same scope asked again of
    the same `data` is the same object."""
    key = (tuple(site_ids), None if channels is None else tuple(channels),
           None if queues is None else tuple(queues), tuple(exclude_queues), tuple(exclude_dates))
    return derived(data, ("scope", key), lambda: _restrict(data, *key))


def _restrict(data: PeriodData, site_ids: tuple[str, ...], channels: tuple[str, ...] | None,
              queues: tuple[str, ...] | None, exclude_queues: tuple[str, ...],
              exclude_dates: tuple[date, ...]) -> PeriodData:
    if channels is None and queues is None and not exclude_queues and not exclude_dates:
        return _sites_only(data, site_ids)
    # The filters apply to the sites' own scope (shared by every filter of those sites).
    base = restrict(data, site_ids)
    sites = list(site_ids)

    def contact_filter(frame: Frame, date_column: str, by_lookup: bool) -> Frame:
        keep: list[pl.Expr] = []
        if channels is not None:
            keep.append(pl.col("channel").is_in(list(channels)))
        if not by_lookup:
            if queues is not None:
                keep.append(pl.col("queue").is_in(list(queues)))
            if exclude_queues:
                keep.append(~pl.col("queue").is_in(list(exclude_queues)))
        if exclude_dates:
            keep.append(~_local_date(date_column, data, sites).is_in(list(exclude_dates)))
        out = frame.filter(*keep) if keep else frame
        return _queue_filter(out, data.contact_queues, queues, exclude_queues) if by_lookup else out

    evaluations = contact_filter(base.evaluations, "evaluated_at", True)
    return replace(
        base,
        # Lazy: the big frames are filtered inside each metric's own query, on its columns only.
        interactions=contact_filter(base.interactions.lazy(), "arrived_at", False),
        follow_ups=contact_filter(base.follow_ups.lazy(), "follow_up_due_at", False),
        surveys=contact_filter(base.surveys, "submitted_at", True),
        evaluations=evaluations,
        # The items of the evaluations kept, lazily: only the criterion query reads them, where
        # the criterion sums cannot answer (a queue or date filter).
        qa_items=_items_of(base.qa_items, evaluations),
        # The sums answer a channel filter alone (a scope without filters is `_sites_only`'s).
        criteria=(None if base.criteria is None or queues is not None or exclude_queues or exclude_dates
                  or channels is None else base.criteria.filter(pl.col("channel").is_in(list(channels)))),
        parts={},
    )


def _sites_only(data: PeriodData, site_ids: tuple[str, ...]) -> PeriodData:
    """`data` narrowed to sites: their parts joined without a copy, or a filter where `data` has none."""
    wanted = set(site_ids)
    if wanted >= set(data.site_ids):
        return replace(data, site_ids=tuple(sorted(wanted)), interactions=data.interactions.lazy(),
                       follow_ups=data.follow_ups.lazy())
    in_sites = pl.col("site_id").is_in(sorted(wanted))

    def rows(name: str, whole: Frame) -> Frame:
        parts = data.parts.get(name)
        if parts is None:
            return whole.filter(in_sites)
        # In the parts' own order, which is the order of the rows in `whole`.
        return joined({s: p for s, p in parts.items() if s in wanted}, whole)

    evaluations = rows("evaluations", data.evaluations)
    return replace(
        data,
        site_ids=tuple(sorted(wanted)),
        interactions=rows("interactions", data.interactions).lazy(),
        follow_ups=rows("follow_ups", data.follow_ups).lazy(),
        surveys=rows("surveys", data.surveys),
        evaluations=evaluations,
        qa_items=_items_of(data.qa_items, evaluations),
        criteria=None if data.criteria is None else data.criteria.filter(in_sites),
        training=data.training.filter(in_sites),
        training_to_date=data.training_to_date.filter(in_sites),
        roster=data.roster.filter(in_sites),
        parts={table: {s: p for s, p in parts.items() if s in wanted} for table, parts in data.parts.items()},
    )


def _items_of(items: Frame, evaluations: pl.DataFrame) -> pl.LazyFrame:
    """The items of `evaluations`, as a lazy view."""
    return items.lazy().join(evaluations.lazy().select("evaluation_id"), on="evaluation_id", how="semi")


def _result_key(metric_id: str, resolved: Mapping[str, object], site_ids: Sequence[str],
                channels: Sequence[str] | None, queues: Sequence[str] | None, exclude_queues: Sequence[str],
                exclude_dates: Sequence[date], min_sample: int) -> Hashable | None:
    """The cache key of one computation, or None when a parameter value is not hashable."""
    key = (metric_id, tuple(sorted(resolved.items())), tuple(site_ids),
           None if channels is None else tuple(channels), None if queues is None else tuple(queues),
           tuple(exclude_queues), tuple(exclude_dates), min_sample)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def compute_metric(metric_id: str, data: PeriodData, site_ids: Sequence[str],
                   params: Mapping[str, object] | None = None, channels: Sequence[str] | None = None,
                   queues: Sequence[str] | None = None, exclude_queues: Sequence[str] = (),
                   exclude_dates: Sequence[date] = (), min_sample: int = 0) -> MetricResult:
    """One metric over the given sites of `data`, filtered; ConfigError for an unknown id or bad params.

    The same question asked again of the same `data` is answered from a cache.
    """
    definition = metric(metric_id)
    resolved = definition.resolve_params(params)
    key = _result_key(metric_id, resolved, site_ids, channels, queues, exclude_queues, exclude_dates, min_sample)

    def compute() -> MetricResult:
        return _compute(definition, data, site_ids, resolved, channels, queues, exclude_queues, exclude_dates,
                        min_sample)

    return compute() if key is None else derived(data, ("metric", key), compute)


def _compute(definition: MetricDef, data: PeriodData, site_ids: Sequence[str], resolved: Mapping[str, object],
             channels: Sequence[str] | None, queues: Sequence[str] | None, exclude_queues: Sequence[str],
             exclude_dates: Sequence[date], min_sample: int) -> MetricResult:
    scoped = restrict(data, site_ids, channels, queues, exclude_queues, exclude_dates)
    result = definition.compute(scoped, resolved)
    ignored = [name for name, given, kind in (("channel", channels is not None, CHANNEL),
                                              ("queue", queues is not None or bool(exclude_queues), QUEUE))
               if given and kind not in definition.filters]
    note = result.note
    if ignored:
        note = "; ".join(filter(None, [note, f"{' and '.join(ignored)} filter does not apply"]))
    return replace(result, min_sample=min_sample, note=note)


def _keys(scoped: PeriodData, tables: Sequence[str], by: str) -> tuple[str, ...]:
    """Channels or queues present in the frames a metric reads, sorted."""
    column = "channel" if by == "channel" else "queue"
    frames: list[pl.LazyFrame] = []
    if "interactions" in tables:
        frames += [scoped.interactions.lazy(), scoped.follow_ups.lazy()]
    for table, frame in (("surveys", scoped.surveys), ("qa_evaluations", scoped.evaluations)):
        if table in tables:
            frames.append(frame.lazy() if by == "channel" else
                          scoped.contact_queues.lazy().join(frame.lazy().select("interaction_id"),
                                                            on="interaction_id", how="semi"))
    seen: set[str] = set()
    for frame in frames:
        values = frame.select(pl.col(column).unique()).collect().get_column(column)
        seen.update(v for v in values.to_list() if v is not None)
    return tuple(sorted(seen))


def breakdown(metric_id: str, data: PeriodData, by: BreakdownBy, site_ids: Sequence[str] | None = None,
              params: Mapping[str, object] | None = None,
              min_sample: int = 0) -> tuple[tuple[str, MetricResult], ...]:
    """The metric per site, vendor (its sites together), channel or queue, sorted by key.

    By channel or queue, metrics those filters do not apply to give an empty tuple.
    """
    definition = metric(metric_id)
    sites = tuple(site_ids) if site_ids is not None else data.site_ids
    if by == "site":
        groups = {s: [s] for s in sites}
    elif by == "vendor":
        groups = {}
        for s in sites:
            site = data.sites.get(s)
            groups.setdefault(site.vendor_id if site else s, []).append(s)
    elif by in ("channel", "queue"):
        if (CHANNEL if by == "channel" else QUEUE) not in definition.filters:
            return ()
        keys = _keys(restrict(data, sites), definition.tables, by)
        out = []
        for key in keys:
            filt = {"channels": [key]} if by == "channel" else {"queues": [key]}
            out.append((key, compute_metric(metric_id, data, sites, params, min_sample=min_sample, **filt)))
        return tuple(out)
    else:
        raise ValueError(f"unknown breakdown {by!r}")
    return tuple((key, compute_metric(metric_id, data, members, params, min_sample=min_sample))
                 for key, members in sorted(groups.items()))
