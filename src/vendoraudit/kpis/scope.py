"""Placing rows in the audit month by site-local time, and computing a metric over a scope.

`period_data` restricts the validated tables to the period once: interactions by arrived_at,
follow-ups (interaction rows with a promise) by follow_up_due_at, surveys by submitted_at,
evaluations by evaluated_at (with their qa_items), training by completed_at. The roster stays
whole; each metric decides which agents were active.

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

import weakref
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import polars as pl

from ..periods import Period
from ..results import MetricResult, SiteDirectory
from ..tables import TABLES
from .quality import evaluation_scores
from .registry import CHANNEL, QUEUE, MetricDef, metric

BreakdownBy = Literal["site", "vendor", "channel", "queue"]

_START, _END = "_period_start", "_period_end"
Frame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True, eq=False)
class PeriodData:
    """The validated tables restricted to one period (see the module docstring).

    `evaluations` are the period's qa_evaluations with `score` and `critical` added;
    `training_to_date` holds every training record completed before the period's end (onboarding);
    `contact_queues` maps every interaction_id of the export to its queue (queue filters of surveys/QA).
    After `restrict`, `interactions`, `follow_ups` and `qa_items` may be LazyFrames (a filtered view),
    so that each metric reads only its columns; metric functions call `.lazy()` on them.
    `follow_ups` is a lazy view. `parts` holds the same rows per site (table -> site_id -> frame):
    slices where a site's rows are contiguous, else copies (surveys, evaluations, items) or lazy
    filters (interactions, follow-ups, too big to copy); `restrict` takes a vendor's sites from them
    instead of scanning every row.
    """

    period: Period
    sites: SiteDirectory
    site_ids: tuple[str, ...]
    interactions: Frame
    follow_ups: Frame
    surveys: pl.DataFrame
    evaluations: pl.DataFrame
    qa_items: Frame
    training: pl.DataFrame
    training_to_date: pl.DataFrame
    roster: pl.DataFrame
    contact_queues: pl.DataFrame
    parts: Mapping[str, Mapping[str, Frame]] = field(default_factory=dict)


def _conform(name: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    """The canonical columns alone (missing nullable ones as nulls), each in its canonical dtype.

    Other columns (the validated tables' `_source_file` and `_source_row`) are left out, so that no
    copy made for the period carries them."""
    spec = TABLES[name]
    if frame is None:
        return pl.DataFrame(schema=spec.polars_schema)
    fixes = []
    for col in spec.columns:
        if col.name not in frame.columns:
            fixes.append(pl.lit(None, dtype=col.dtype).alias(col.name))
        elif frame.schema[col.name] != col.dtype:
            dtype = frame.schema[col.name]
            if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
                # A naive timestamp in a canonical frame is UTC by the tables' convention.
                fixes.append(pl.col(col.name).dt.replace_time_zone("UTC").cast(col.dtype))
            else:
                fixes.append(pl.col(col.name).cast(col.dtype))
    return (frame.with_columns(fixes) if fixes else frame).select(spec.polars_schema.keys())


def _site_ids(frames: Iterable[pl.DataFrame], sites: SiteDirectory) -> tuple[str, ...]:
    seen = {s.site_id for s in sites.sites}
    for frame in frames:
        if "site_id" in frame.columns:
            seen.update(v for v in frame.get_column("site_id").unique().to_list() if v is not None)
    return tuple(sorted(seen))


def _bounds(period: Period, site_ids: Sequence[str], sites: SiteDirectory) -> pl.DataFrame:
    """site_id -> [start, end) of the period in the site's local time, as UTC (unknown sites: UTC)."""
    rows = [(s, *period.bounds_utc(sites.timezone_of(s))) for s in site_ids]
    return pl.DataFrame(rows, schema={"site_id": pl.String, _START: pl.Datetime("us", "UTC"),
                                      _END: pl.Datetime("us", "UTC")}, orient="row")


def _within(frame: pl.DataFrame, column: str, bounds: pl.DataFrame, upper_only: bool = False) -> pl.DataFrame:
    """Rows whose `column` falls in their own site's [start, end) (or before its end: `upper_only`).

    The join carries only site_id and the timestamp; the wide frame is filtered once by the mask.
    """
    test = pl.col(column) < pl.col(_END)
    if not upper_only:
        test = test & (pl.col(column) >= pl.col(_START))
    mask = (frame.select("site_id", column)
            .join(bounds, on="site_id", how="left", maintain_order="left")
            .select(test.fill_null(False)).to_series())
    return frame if mask.all() else frame.filter(mask)


def _site_runs(frame: pl.DataFrame) -> dict[str, pl.DataFrame] | None:
    """Each site's rows as a slice of `frame` (no copy) when they are contiguous, as when every site
    sends its own files; else None."""
    runs = frame.select(pl.col("site_id").rle()).unnest("site_id")
    if runs["value"].null_count() or runs["value"].n_unique() != runs.height:
        return None
    starts = runs["len"].cum_sum() - runs["len"]
    return {site: frame.slice(start, n) for site, start, n in zip(runs["value"], starts, runs["len"])}


def _by_site(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The rows of each site in their order: slices when contiguous, else a partition (a copy)."""
    runs = _site_runs(frame)
    if runs is not None:
        return runs
    groups = frame.filter(pl.col("site_id").is_not_null()).partition_by("site_id", as_dict=True,
                                                                         maintain_order=True)
    return {key[0]: part for key, part in groups.items()}


def _views_by_site(frame: pl.DataFrame, site_ids: Sequence[str]) -> dict[str, pl.LazyFrame]:
    """The rows of each site as lazy views, never a copy (for the big tables, read lazily):
    slices when contiguous, else a filter of `frame` by site."""
    runs = _site_runs(frame)
    if runs is not None:
        return {site: part.lazy() for site, part in runs.items()}
    return {site: frame.lazy().filter(pl.col("site_id") == site) for site in site_ids}


def period_data(tables: Mapping[str, pl.DataFrame], period: Period, sites: SiteDirectory) -> PeriodData:
    """Restrict the validated tables to `period` once, each row by its own site's local month."""
    t = {name: _conform(name, tables.get(name)) for name in TABLES}
    site_ids = _site_ids(t.values(), sites)
    bounds = _bounds(period, site_ids, sites)
    # Evaluations and their items per site; `qa_items` and `evaluations` join the parts without a
    # copy. Items by one membership test per site: a join giving each item its site peaks at 3x the
    # memory. Scores per site keep the group_by's working memory to a site's items.
    evaluation_parts: dict[str, pl.DataFrame] = {}
    item_parts: dict[str, pl.DataFrame] = {}
    for site, evaluations in _by_site(_within(t["qa_evaluations"], "evaluated_at", bounds)).items():
        ids = evaluations.get_column("evaluation_id").implode()
        item_parts[site] = t["qa_items"].filter(pl.col("evaluation_id").is_in(ids))
        evaluation_parts[site] = evaluation_scores(evaluations, item_parts[site])
    surveys = _within(t["surveys"], "submitted_at", bounds)
    interactions = _within(t["interactions"], "arrived_at", bounds)
    # Follow-ups are placed by their due date, whenever the contact arrived: per site, a lazy view of
    # the export's interactions (read by the follow-up metric alone).
    follow_up_parts = {site: _due_within(view, site, bounds)
                       for site, view in _views_by_site(t["interactions"], site_ids).items()}
    return PeriodData(
        period=period,
        sites=sites,
        site_ids=site_ids,
        interactions=interactions,
        follow_ups=_joined(follow_up_parts, t["interactions"].lazy()),
        surveys=surveys,
        evaluations=_joined(evaluation_parts, evaluation_scores(t["qa_evaluations"].clear(),
                                                                t["qa_items"].clear())),
        qa_items=_joined(item_parts, t["qa_items"].clear()),
        training=_within(t["training"], "completed_at", bounds),
        training_to_date=_within(t["training"], "completed_at", bounds, upper_only=True),
        roster=t["roster"],
        contact_queues=t["interactions"].select("interaction_id", "queue"),
        parts={"interactions": _views_by_site(interactions, site_ids), "follow_ups": follow_up_parts,
               "surveys": _by_site(surveys), "evaluations": evaluation_parts, "qa_items": item_parts},
    )


def _joined(parts: Mapping[str, Frame], empty: Frame) -> Frame:
    """The parts as one frame, without copying them (`empty` cleared, for its schema, when none)."""
    return pl.concat(list(parts.values()), rechunk=False) if parts else empty.clear()


def _due_within(view: pl.LazyFrame, site: str, bounds: pl.DataFrame) -> pl.LazyFrame:
    """One site's interactions whose follow-up falls due within the period in the site's local time."""
    start, end = bounds.filter(pl.col("site_id") == site).select(_START, _END).row(0)
    due = pl.col("follow_up_due_at")
    return view.filter(due.is_not_null() & (due >= start) & (due < end))


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
    narrow = lookup.join(wanted, on="interaction_id", how="semi").unique("interaction_id")
    joined = frame.join(narrow.rename({"queue": "_queue"}), on="interaction_id", how="left")
    keep = pl.lit(True)
    if queues is not None:
        keep = keep & pl.col("_queue").is_in(list(queues)).fill_null(False)
    if exclude:
        keep = keep & ~pl.col("_queue").is_in(list(exclude)).fill_null(False)
    return joined.filter(keep).drop("_queue")


# Scopes already restricted from a PeriodData: an audit asks for the same sites and filters for every
# metric of a section, for the in-house baseline beside every vendor, and for each channel.
_SCOPES: weakref.WeakKeyDictionary[PeriodData, dict[Hashable, PeriodData]] = weakref.WeakKeyDictionary()


def restrict(data: PeriodData, site_ids: Sequence[str],
             channels: Sequence[str] | None = None, queues: Sequence[str] | None = None,
             exclude_queues: Sequence[str] = (), exclude_dates: Sequence[date] = ()) -> PeriodData:
    """`data` narrowed to sites, channels, queues and non-excused dates. The same scope asked again of
    the same `data` is the same object."""
    key = (tuple(site_ids), None if channels is None else tuple(channels),
           None if queues is None else tuple(queues), tuple(exclude_queues), tuple(exclude_dates))
    known = _SCOPES.setdefault(data, {})
    if key not in known:
        known[key] = _restrict(data, *key)
    return known[key]


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
        # The items of the evaluations kept, lazily: only the criterion query reads them.
        qa_items=_items_of(base.qa_items, evaluations),
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
        return _joined({s: p for s, p in parts.items() if s in wanted}, whole)

    evaluations = rows("evaluations", data.evaluations)
    return replace(
        data,
        site_ids=tuple(sorted(wanted)),
        interactions=rows("interactions", data.interactions).lazy(),
        follow_ups=rows("follow_ups", data.follow_ups).lazy(),
        surveys=rows("surveys", data.surveys),
        evaluations=evaluations,
        # The sites' items are exactly those of the sites' evaluations.
        qa_items=(rows("qa_items", data.qa_items) if "qa_items" in data.parts
                  else _items_of(data.qa_items, evaluations)),
        training=data.training.filter(in_sites),
        training_to_date=data.training_to_date.filter(in_sites),
        roster=data.roster.filter(in_sites),
        parts={table: {s: p for s, p in parts.items() if s in wanted} for table, parts in data.parts.items()},
    )


def _items_of(items: Frame, evaluations: pl.DataFrame) -> pl.LazyFrame:
    """The items of `evaluations`, as a lazy view."""
    return items.lazy().join(evaluations.lazy().select("evaluation_id"), on="evaluation_id", how="semi")


# Results already computed on a PeriodData (frames are never modified, results are frozen): an audit
# asks for the same metric of the same scope many times (the in-house baseline beside every vendor,
# the sections and the breakdowns), and each computation scans millions of rows.
_RESULTS: weakref.WeakKeyDictionary[PeriodData, dict[Hashable, MetricResult]] = weakref.WeakKeyDictionary()


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
    known = _RESULTS.setdefault(data, {})
    if key is not None and key in known:
        return known[key]
    result = _compute(definition, data, site_ids, resolved, channels, queues, exclude_queues, exclude_dates,
                      min_sample)
    if key is not None:
        known[key] = result
    return result


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
