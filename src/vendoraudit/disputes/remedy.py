"""Applying a granted remedy to the period's data, and checking the ids a remedy names against it.

A remedy narrows (or, for re-scored evaluations, corrects) the rows of the disputed KPI only; every
other KPI and section of the scorecard reads the data as exported. What each part leaves out:

- exclude_dates / exclude_queues: passed to the KPI's computation as the contract's own excused
  dates and queues are (`kpis.scope`), so both follow one rule: contacts by arrival, follow-ups by
  due date, surveys by submission, evaluations by evaluation date, each in its site's local time.
- exclude_intervals: the same rows, by the site-local half hour their time falls in (wall-clock
  time: in the hour a fall-back repeats, both of its passes are left out).
- exclude_contacts: the interactions, and the surveys and evaluations that name them.
- exclude_evaluations: the evaluations and their items.
- rescore: the named item's points_earned (and critical_failed when stated) replaced before the
  evaluation is scored again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from ..problems import PathT, Problem, format_path
from ..kpis.period import Frame, PeriodData
from ..kpis.quality import evaluation_scores
from ..kpis.rows import local_time
from ..kpis.scope import restrict
from .loader import LoadedDisputes, half_hours, interval_end
from .model import Interval, Remedy


def merged(remedies: Sequence[Remedy]) -> Remedy:
    """Several granted remedies of one KPI as one (their parts together, each once)."""
    def union(key: str) -> list:
        out: list = []
        for r in remedies:
            out.extend(v for v in getattr(r, key) if v not in out)
        return out

    rescore = {(r.evaluation, r.criterion): r for remedy in remedies for r in remedy.rescore}
    return Remedy(exclude_dates=union("exclude_dates"), exclude_intervals=union("exclude_intervals"),
                  exclude_contacts=union("exclude_contacts"), exclude_evaluations=union("exclude_evaluations"),
                  rescore=list(rescore.values()), exclude_queues=union("exclude_queues"))


def remedied(data: PeriodData, site_ids: Sequence[str], remedy: Remedy) -> PeriodData:
    """`data` narrowed to `site_ids` with the remedy's intervals, contacts, evaluations and re-scores
    applied (dates and queues are given to the KPI's computation instead; see the module docstring)."""
    base = restrict(data, site_ids)
    halves = sorted({h for span in remedy.exclude_intervals for h in half_hours(span)})
    contacts = list(remedy.exclude_contacts)
    evaluations = list(remedy.exclude_evaluations)

    def keep(frame: Frame, time_column: str, by_contact: bool = True) -> Frame:
        conditions: list[pl.Expr] = []
        if halves:
            conditions.append(~local_time(time_column, data, site_ids).dt.truncate("30m")
                              .is_in(pl.Series(halves, dtype=pl.Datetime("us"))).fill_null(False))
        if contacts and by_contact:
            conditions.append(~pl.col("interaction_id").is_in(contacts).fill_null(False))
        return frame.filter(*conditions) if conditions else frame

    kept = keep(base.evaluations, "evaluated_at")
    if evaluations:
        kept = kept.filter(~pl.col("evaluation_id").is_in(evaluations))
    items = base.qa_items.lazy().join(kept.lazy().select("evaluation_id"), on="evaluation_id", how="semi")
    if remedy.rescore:
        items, kept = _rescored(items.collect(), kept, remedy)
    return replace(
        base,
        interactions=keep(base.interactions.lazy(), "arrived_at"),
        follow_ups=keep(base.follow_ups.lazy(), "follow_up_due_at"),
        surveys=keep(base.surveys, "submitted_at"),
        evaluations=kept,
        qa_items=items,
        criteria=None,  # the criterion sums are of the rows as exported: read the items instead
        parts={},
    )


def _rescored(items: pl.DataFrame, evaluations: pl.DataFrame, remedy: Remedy) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Items with the stated points (and critical flags), and their evaluations scored again."""
    changes = pl.DataFrame(
        {"evaluation_id": [r.evaluation for r in remedy.rescore], "criterion_id": [r.criterion for r in remedy.rescore],
         "_points": [r.points for r in remedy.rescore],
         "_critical": [r.critical_failed for r in remedy.rescore]},
        schema={"evaluation_id": pl.String, "criterion_id": pl.String, "_points": pl.Float64,
                "_critical": pl.Boolean})
    hit = items.join(changes.with_columns(pl.lit(True).alias("_named")), on=["evaluation_id", "criterion_id"],
                     how="left", maintain_order="left")
    named = pl.col("_named").fill_null(False)
    new_items = hit.with_columns(
        pl.when(named).then(pl.col("_points")).otherwise(pl.col("points_earned")).alias("points_earned"),
        pl.when(named & pl.col("_critical").is_not_null()).then(pl.col("_critical"))
        .otherwise(pl.col("critical_failed")).alias("critical_failed"),
    ).drop("_points", "_critical", "_named")
    ids = sorted({r.evaluation for r in remedy.rescore})
    again = evaluation_scores(evaluations.filter(pl.col("evaluation_id").is_in(ids)).drop("score", "critical"),
                              new_items.filter(pl.col("evaluation_id").is_in(ids)))
    rescored = evaluations.update(again.select("evaluation_id", "score", "critical"), on="evaluation_id",
                                  how="left", include_nulls=True)
    return new_items, rescored


def check_against_data(entry: LoadedDisputes, data: PeriodData, site_ids: Sequence[str]) -> list[Problem]:
    """Every id, queue and item a file's remedies (asked and granted) name that the vendor's data of
    the period does not hold, located in the file."""
    base = restrict(data, site_ids)
    vendor, period = entry.vendor_id, entry.period
    contacts = _ids(base.interactions, "interaction_id", [v for _, r in _remedies(entry) for v in r.exclude_contacts])
    wanted_evals = [v for _, r in _remedies(entry) for v in r.exclude_evaluations] + \
                   [x.evaluation for _, r in _remedies(entry) for x in r.rescore]
    evaluations = _ids(base.evaluations, "evaluation_id", wanted_evals)
    queues = set(base.interactions.lazy().select(pl.col("queue").unique()).collect().get_column("queue").to_list())
    pairs = [(x.evaluation, x.criterion) for _, r in _remedies(entry) for x in r.rescore]
    items = _items(base, pairs)
    out: list[Problem] = []

    def add(path: PathT, message: str) -> None:
        out.append(Problem(entry.doc.locate(path), format_path(path), message))

    for path, remedy in _remedies(entry):
        for j, cid in enumerate(remedy.exclude_contacts):
            if cid not in contacts:
                add(path + ("exclude_contacts", j), f"no contact {cid!r} among {vendor}'s contacts of {period}")
        for j, eid in enumerate(remedy.exclude_evaluations):
            if eid not in evaluations:
                add(path + ("exclude_evaluations", j), f"no evaluation {eid!r} among {vendor}'s evaluations of {period}")
        for j, q in enumerate(remedy.exclude_queues):
            if q not in queues:
                known = ", ".join(sorted(str(x) for x in queues if x is not None)) or "(none)"
                add(path + ("exclude_queues", j), f"no contact of {vendor} in {period} is in queue {q!r} "
                                                  f"(queues: {known})")
        for j, x in enumerate(remedy.rescore):
            if x.evaluation not in evaluations:
                add(path + ("rescore", j, "evaluation"),
                    f"no evaluation {x.evaluation!r} among {vendor}'s evaluations of {period}")
                continue
            possible = items.get((x.evaluation, x.criterion))
            if possible is None:
                add(path + ("rescore", j, "criterion"),
                    f"evaluation {x.evaluation} has no item for criterion {x.criterion!r}")
            elif x.points is not None and x.points > possible:
                add(path + ("rescore", j, "points"),
                    f"{x.points:g} points are more than the item's {possible:g} possible")
    return sorted(out, key=lambda p: p.sort_key)


def _remedies(entry: LoadedDisputes) -> list[tuple[PathT, Remedy]]:
    out: list[tuple[PathT, Remedy]] = []
    for i, d in enumerate(entry.file.disputes):
        out.append((("disputes", i, "remedy"), d.remedy))
        if d.decision is not None and d.decision.granted is not None:
            out.append((("disputes", i, "decision", "granted"), d.decision.granted))
    return out


def _ids(frame: Frame, column: str, wanted: list[str]) -> set[str]:
    """Which of `wanted` occur in the frame's `column` (a semi-join, not a scan into Python)."""
    if not wanted:
        return set()
    probe = pl.DataFrame({column: sorted(set(wanted))}, schema={column: pl.String})
    found = frame.lazy().select(column).join(probe.lazy(), on=column, how="semi").unique().collect()
    return set(found.get_column(column).to_list())


def _items(data: PeriodData, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Points possible of the named (evaluation, criterion) items."""
    if not pairs:
        return {}
    probe = pl.DataFrame({"evaluation_id": [p[0] for p in pairs], "criterion_id": [p[1] for p in pairs]},
                         schema={"evaluation_id": pl.String, "criterion_id": pl.String}).unique()
    rows = (data.qa_items.lazy().join(probe.lazy(), on=["evaluation_id", "criterion_id"], how="semi")
            .select("evaluation_id", "criterion_id", "points_possible").collect())
    return {(e, c): p for e, c, p in rows.iter_rows()}


def remedy_text(remedy: Remedy) -> str:
    """A remedy in words, e.g. 'exclude 2026-10-14; exclude contacts C-1, C-2'."""
    parts = []
    if remedy.exclude_dates:
        parts.append("exclude " + ", ".join(d.isoformat() for d in sorted(remedy.exclude_dates)) + " (site-local days)")
    for span in remedy.exclude_intervals:
        parts.append(f"exclude {span.start:%Y-%m-%d %H:%M}-{_end_text(span)} (site-local half hours)")
    if remedy.exclude_contacts:
        parts.append(f"exclude {_count(remedy.exclude_contacts, 'contact')} " + _ids_text(remedy.exclude_contacts))
    if remedy.exclude_evaluations:
        parts.append(f"exclude {_count(remedy.exclude_evaluations, 'evaluation')} "
                     + _ids_text(remedy.exclude_evaluations))
    for r in remedy.rescore:
        points = "not applicable" if r.points is None else f"{r.points:g} points"
        critical = "" if r.critical_failed is None else f", critical {'failed' if r.critical_failed else 'passed'}"
        parts.append(f"re-score evaluation {r.evaluation} {r.criterion}: {points}{critical}")
    if remedy.exclude_queues:
        parts.append("exclude queue" + ("s " if len(remedy.exclude_queues) > 1 else " ")
                     + ", ".join(remedy.exclude_queues))
    return "; ".join(parts)


def _end_text(span: Interval) -> str:
    end = interval_end(span)
    return f"{end:%H:%M}" if end.date() == span.start.date() else f"{end:%Y-%m-%d %H:%M}"


def _count(items: Sequence[str], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _ids_text(ids: Sequence[str], shown: int = 10) -> str:
    head = ", ".join(ids[:shown])
    return f"({head}{f' and {len(ids) - shown} more' if len(ids) > shown else ''})"
