"""The audit month's rows: the validated tables placed in the period by site-local time, per site.

`period_data` restricts the validated tables to the period once: interactions by arrived_at,
follow-ups (interaction rows with a promise) by follow_up_due_at, surveys by submitted_at,
evaluations by evaluated_at (with their qa_items), training by completed_at. The roster stays
whole; each metric decides which agents were active. Interactions, surveys and evaluations are
also held per site, so that a vendor's metrics read that vendor's rows only (see `PeriodData.parts`);
QA items are not split per site: their criterion points are summed per site and channel instead
(`PeriodData.criteria`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl

from .. import site_period
from ..key_runs import KeyRuns, hashes_distinct, key_runs
from ..periods import Period
from ..results import SiteDirectory
from ..tables import CHANNELS, DIRECTIONS, TABLES
from .quality import ITEM_SUMS, criterion_sums, evaluation_scores, with_scores

Frame = pl.DataFrame | pl.LazyFrame
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class PeriodData:
    """The validated tables restricted to one period (see the module docstring).

    `evaluations` are the period's qa_evaluations with `score` and `critical` added;
    `training_to_date` holds every training record completed before the period's end (onboarding);
    `contact_queues` maps every interaction_id of the export to its queue (queue filters of surveys/QA)
    and its agent (the agent a survey is about, in evidence and breakdowns).
    `follow_ups` is a lazy view; in a scope (`scope.restrict`) `interactions` and `qa_items` may be
    too, so that each metric reads only its columns: metric functions call `.lazy()` on them.
    `criteria`: per (site_id, channel, criterion_id), the points earned and possible and the count
    of applicable items of the non-calibration evaluations (criterion scores of any scope filtered by
    sites and channels only); None in a scope filtered otherwise (its items are read instead).
    `parts` holds the same rows per site (table -> site_id -> frame): slices where a site's rows
    are contiguous (as when each site sends its own files), else copies for surveys and evaluations,
    and no parts for interactions and follow-ups (too big to copy; a scope filters them).
    `scope.restrict` takes a vendor's sites from the parts instead of scanning every row.
    Channel and direction are enums of the contract's values (see `_coded`); they compare with text.
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
    criteria: pl.DataFrame | None = None
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
    return _coded((frame.with_columns(fixes) if fixes else frame).select(spec.polars_schema.keys()))


# Channel and direction as enums: the scopes' and metrics' filters on them then compare small
# integers instead of text (a vendor's contact metrics over 1.5M rows took half the time).
_CODED = {"channel": pl.Enum(CHANNELS), "direction": pl.Enum(DIRECTIONS)}


def _coded(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its channel and direction columns as enums; as it is if a value is not one of
    the contract's (validated tables have none: validation quarantines such rows)."""
    casts = [pl.col(c).cast(e) for c, e in _CODED.items() if frame.schema.get(c) == pl.String]
    try:
        return frame.with_columns(casts) if casts else frame
    except pl.exceptions.InvalidOperationError:
        return frame


def _site_ids(frames: Iterable[pl.DataFrame], sites: SiteDirectory) -> tuple[str, ...]:
    seen = {s.site_id for s in sites.sites}
    for frame in frames:
        if "site_id" in frame.columns:
            seen.update(v for v in frame.get_column("site_id").unique().to_list() if v is not None)
    return tuple(sorted(seen))


def _within(frame: pl.DataFrame, column: str, bounds: pl.DataFrame, upper_only: bool = False) -> pl.DataFrame:
    """Rows whose `column` falls in their own site's [start, end) (or before its end: `upper_only`);
    the frame is filtered once by the mask, if at all."""
    mask = site_period.in_period(frame, column, bounds, upper_only).fill_null(False)
    return frame if mask.all() else frame.filter(mask)


def _by_site(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The rows of each site in their order: slices when contiguous, else a partition (a copy)."""
    runs = site_period.site_runs(frame)
    if runs is not None:
        return runs
    groups = frame.filter(pl.col("site_id").is_not_null()).partition_by("site_id", as_dict=True,
                                                                         maintain_order=True)
    return {key[0]: part for key, part in groups.items()}


def _period_items(items: pl.DataFrame, evaluations: pl.DataFrame) -> tuple[
        pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """(the items of `evaluations`; the evaluations scored, as `evaluation_scores`; the items'
    criterion sums: see `PeriodData.criteria`, None when an evaluation id repeats).

    One lookup gives each item its evaluation's row: the items are then the table itself when every
    item has one (no copy), and both sums group by small integers instead of text.
    """
    rows = pl.int_range(evaluations.height, dtype=pl.UInt32, eager=True)
    row, repeated = _evaluation_rows(items, evaluations.get_column("evaluation_id"), rows)
    mine = items if row.null_count() == 0 else items.filter(row.is_not_null())
    numbers = items.select("criterion_id", "points_earned", "points_possible", "critical_failed").with_columns(row)
    if repeated:  # each copy of the id is scored on its items, as by id
        scored = evaluation_scores(evaluations, mine)
    else:
        per_eval = numbers.group_by("_row").agg(*ITEM_SUMS)
        scored = with_scores(evaluations.with_columns(rows.alias("_row"))
                             .join(per_eval, on="_row", how="left", maintain_order="left").drop("_row"))
    # With a repeated id, an item belongs to several evaluations: no sums, the scopes read items.
    return mine, scored, None if repeated else _criterion_sums(numbers, evaluations)


def _evaluation_rows(items: pl.DataFrame, ids: pl.Series, rows: pl.Series) -> tuple[pl.Series, bool]:
    """Each item's evaluation row (null when none) as `_row`, and whether an evaluation id repeats
    (validation quarantines repeats; here a repeated id's items go to its first row).

    Each run of items of one evaluation (as exports list them) is looked up once, and not at all
    when the runs follow the evaluations one to one."""
    runs = key_runs(items, ["evaluation_id"])
    if _one_run_each(runs, ids):
        return runs.run.alias("_row").set_sorted(), False
    heads = runs.heads.get_column("evaluation_id")

    def lookup(keys: pl.Series, values: pl.Series) -> pl.Series:
        return heads.replace_strict(keys, values, default=None, return_dtype=pl.UInt32).gather(runs.run).alias("_row")

    try:
        row = lookup(ids, rows)
    except pl.exceptions.InvalidOperationError:  # replace_strict takes unique keys only
        if ids.is_unique().all():
            raise
        first = ids.is_first_distinct()
        return lookup(ids.filter(first), rows.filter(first)), True
    if row.null_count() == 0 and row.is_sorted():
        # Items in the evaluations' order, as exports list them: grouping runs 3x faster when told.
        row = row.set_sorted()
    return row, False


def _one_run_each(runs: KeyRuns, ids: pl.Series) -> bool:
    """Whether the item runs follow the evaluation ids, none null or repeated: then run k is
    evaluation row k (an export's items listed in its evaluations' order)."""
    keys = ids.alias("evaluation_id").to_frame()
    if ids.null_count() or not runs.follow(keys):
        return False
    return hashes_distinct(keys, ["evaluation_id"]) or bool(ids.is_unique().all())


def _criterion_sums(numbers: pl.DataFrame, evaluations: pl.DataFrame) -> pl.DataFrame:
    """`PeriodData.criteria` from the items' numbers and evaluation `_row`s: sums per cell (an
    evaluation's site, channel and calibration flag) and criterion, calibration cells left out."""
    flag = pl.col("calibration").fill_null(False)
    cells = evaluations.select("site_id", "channel", flag).unique(maintain_order=True).with_row_index("_cell")
    cell_of_row = evaluations.select("site_id", "channel", flag).join(
        cells, on=["site_id", "channel", "calibration"], how="left", nulls_equal=True,
        maintain_order="left").get_column("_cell")
    # Lazy: collect's default engine groups 8M items by (cell, criterion) 3x faster than eager's.
    cell = cell_of_row.gather(numbers.get_column("_row")).alias("_cell")
    return (criterion_sums(numbers.lazy().select("criterion_id", "points_earned", "points_possible", cell), ["_cell"])
            .join(cells.lazy().filter(~pl.col("calibration")), on="_cell")
            .select("site_id", "channel", "criterion_id", "points_earned", "points_possible", "items",
                    "score_n", "score_sum", "score_sq").collect())


def period_data(tables: Mapping[str, pl.DataFrame], period: Period, sites: SiteDirectory) -> PeriodData:
    """Restrict the validated tables to `period` once, each row by its own site's local month."""
    t = {name: _conform(name, tables.get(name)) for name in TABLES}
    site_ids = _site_ids(t.values(), sites)
    bounds = site_period.bounds(period, site_ids, sites)
    # Evaluations per site; `evaluations` joins the parts without a copy. Items are not split per
    # site: a scope's criterion scores come from `criteria`, and nothing else reads items per site.
    evaluations = _within(t["qa_evaluations"], "evaluated_at", bounds)
    items, scored, criteria = _period_items(t["qa_items"], evaluations)
    evaluation_parts = _by_site(scored)
    surveys = _within(t["surveys"], "submitted_at", bounds)
    interactions = _within(t["interactions"], "arrived_at", bounds)
    parts: dict[str, Mapping[str, Frame]] = {"surveys": _by_site(surveys), "evaluations": evaluation_parts}
    # Follow-ups are placed by their due date, whenever the contact arrived: a lazy view of the
    # export's interactions, read by the follow-up metric alone. The interactions are too big to
    # copy per site: they have parts only when each site's rows are contiguous (slices).
    due = pl.col("follow_up_due_at").is_not_null()
    contact_runs, limits = site_period.site_runs(t["interactions"]), site_period.limits(bounds)
    if contact_runs is not None:
        parts["follow_ups"] = {site: part.lazy().filter(due & site_period.inside("follow_up_due_at", *limits[site]))
                               for site, part in contact_runs.items()}
        follow_ups = joined(parts["follow_ups"], t["interactions"].lazy())
    else:
        follow_ups = t["interactions"].lazy().filter(due & site_period.inside(
            "follow_up_due_at", site_period.site_bound(bounds, site_period.START),
            site_period.site_bound(bounds, site_period.END)))
    period_runs = contact_runs if interactions is t["interactions"] else site_period.site_runs(interactions)
    if period_runs is not None:
        parts["interactions"] = period_runs
    return PeriodData(
        period=period,
        sites=sites,
        site_ids=site_ids,
        interactions=interactions,
        follow_ups=follow_ups,
        surveys=surveys,
        evaluations=joined(evaluation_parts, evaluation_scores(t["qa_evaluations"].clear(),
                                                                t["qa_items"].clear())),
        qa_items=items,
        training=_within(t["training"], "completed_at", bounds),
        training_to_date=_within(t["training"], "completed_at", bounds, upper_only=True),
        roster=t["roster"],
        contact_queues=t["interactions"].select("interaction_id", "queue", "agent_id"),
        criteria=criteria,
        parts=parts,
    )


def joined(parts: Mapping[str, Frame], empty: Frame) -> Frame:
    """The parts as one frame, without copying them (`empty` cleared, for its schema, when none)."""
    return pl.concat(list(parts.values()), rechunk=False) if parts else empty.clear()


# What has been derived from a PeriodData (its scopes, metric results, criterion totals), kept while
# it lives. Its frames are never modified, so nothing goes stale; an audit asks for the same scope
# and metric many times (the in-house baseline beside every vendor, sections, breakdowns).
_DERIVED: weakref.WeakKeyDictionary[PeriodData, dict[Hashable, Any]] = weakref.WeakKeyDictionary()


def derived(data: PeriodData, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` the first time `key` is asked of `data`; the same value every time after."""
    known = _DERIVED.setdefault(data, {})
    if key not in known:
        known[key] = compute()
    return known[key]
