"""Row-level contributions of a metric: which rows of a scope made its numerator and denominator.

`metric_rows` returns, for one metric over one scope (the same filters as `scope.compute_metric`),
a frame with one row per contact, evaluation, criterion item, survey response, training record
or agent of the metric's population. Beside display columns (ids, site, queue, channel, agent,
site-local times: never member references or comments) each row carries what it adds:

- `_num`, `_den`: its share of the numerator and the denominator (proportions and ratios);
- `_plus`, `_minus`: whether it counts on the plus or minus side (net scores: NPS, CES index);
- `_value`: the observation of a mean (wait, handle time, evaluation score, survey answer);
- `_against`: whether it pulls the value towards a miss (an answer after T, a detractor, a failed
  criterion); null for a mean, where that depends on the KPI's limit (see `against`);
- `_agent`, `_day`, `_slot`: the keys of the agent, day and half-hour breakdowns (`slices`),
  null where a key does not apply to the metric (`MetricRows.axes`).

Summing `_num` and `_den` over every row gives the metric's numerator and denominator; over the
rows of one agent, day or half-hour, that group's. `tests/test_kpis_rows.py` holds every metric
to `compute_metric` on the sample exports, so a change of definition shows here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import polars as pl

from ..periods import Period
from ..tables import ASYNC_CHANNELS, SYNC_CHANNELS, TABLES
from .exact import SCALE, exact_sum
from .period import PeriodData
from .quality import scored
from .registry import metric
from .scope import restrict
from .workforce import active_agents, agents, employed_at_end, employed_at_start

NO_AGENT = "(no agent)"

# Internal columns (the display columns are everything else).
NUM, DEN, PLUS, MINUS, VALUE, AGAINST = "_num", "_den", "_plus", "_minus", "_value", "_against"
AGENT, DAY, SLOT = "_agent", "_day", "_slot"
INTERNAL = (NUM, DEN, PLUS, MINUS, VALUE, AGAINST, AGENT, DAY, SLOT)

# Never in a display column, whatever a builder does: checked by `_finish`.
_NEVER = frozenset(c.name for t in TABLES.values() for c in t.columns if c.never_output)


class RowKind(StrEnum):
    """How a metric's rows make its value."""

    PROPORTION = "proportion"  # 100 * sum(_num) / sum(_den), Wilson
    RATIO = "ratio"  # scale * sum(_num) / sum(_den), no interval of its own
    MEAN = "mean"  # mean of _value
    NET = "net"  # 100 * (sum(_plus) - sum(_minus)) / rows
    COUNT = "count"  # rows (headcount)
    NEEDED = "needed"  # rows done against a computed need (sample adequacy): no additive denominator


class Axis(StrEnum):
    """A breakdown key of a metric's rows."""

    AGENT = "agent"
    DAY = "day"
    INTERVAL = "interval"  # the site-local half-hour


@dataclass(frozen=True, eq=False)
class MetricRows:
    """One metric's rows over one scope (see the module docstring).

    `subject` names what a row is ("contacts"); `against` says in words which rows count against
    the value; `axes` are the breakdowns that apply; `scale` is the ratio's factor (100, or
    100 x 12 / months for annualised attrition); `sample` whether n is the row count (criterion
    items) rather than the denominator.
    """

    metric_id: str
    kind: RowKind
    subject: str
    against: str
    frame: pl.DataFrame
    axes: frozenset[Axis]
    scale: float = 100.0

    @property
    def display_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.frame.columns if c not in INTERNAL)

    @property
    def numerator(self) -> float:
        return _total(self.frame, NUM)

    @property
    def denominator(self) -> float:
        return _total(self.frame, DEN)


def _total(frame: pl.DataFrame, column: str) -> float:
    return float(frame.get_column(column).sum() or 0) if column in frame.columns else 0.0


# ------------------------------------------------------------------------------------------ helpers

def local_time(column: str, data: PeriodData, site_ids: Sequence[str]) -> pl.Expr:
    """A UTC timestamp column as naive site-local wall-clock time, one branch per time zone in play."""
    by_zone: dict[str, list[str]] = {}
    for s in site_ids:
        by_zone.setdefault(data.sites.timezone_of(s), []).append(s)
    expr: pl.Expr = pl.col(column).dt.replace_time_zone(None)
    for zone, members in sorted(by_zone.items()):
        if zone == "UTC":
            continue
        expr = pl.when(pl.col("site_id").is_in(members)).then(
            pl.col(column).dt.convert_time_zone(zone).dt.replace_time_zone(None)).otherwise(expr)
    return expr


def _keys(local: str) -> list[pl.Expr]:
    """`_day` and `_slot` (HH:MM of the half-hour) from a local-time column."""
    return [pl.col(local).dt.date().alias(DAY),
            pl.col(local).dt.truncate("30m").dt.strftime("%H:%M").alias(SLOT)]


def _agent(column: str = "agent_id") -> pl.Expr:
    return pl.col(column).fill_null(NO_AGENT).alias(AGENT)


def _seconds(start: str, end: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds() / 1_000_000


_ABANDONED = pl.col("abandoned").fill_null(False)
_ANSWERED = ~_ABANDONED & pl.col("answered_at").is_not_null()
_WAIT = _seconds("arrived_at", "answered_at")
_ABANDON_WAIT = _seconds("arrived_at", "ended_at")
_CONTACT_TIMES = ("arrived_at", "answered_at", "ended_at")


def _contact_columns(data: PeriodData, sites: Sequence[str], extra_times: Sequence[str] = ()) -> list[pl.Expr]:
    """The display columns of a contact (no member_ref), times in site-local time."""
    cols: list[pl.Expr] = [pl.col("interaction_id"), pl.col("site_id"), pl.col("queue"),
                           pl.col("channel").cast(pl.String), pl.col("direction").cast(pl.String),
                           pl.col("agent_id")]
    for t in (*_CONTACT_TIMES, *extra_times):
        cols.append(local_time(t, data, sites).alias(t.replace("_at", "_local")))
    cols += [_WAIT.alias("wait_seconds"), pl.col("handle_seconds"), _ABANDONED.alias("abandoned")]
    return cols


def _finish(rows: pl.DataFrame, sort: Sequence[str]) -> pl.DataFrame:
    """The rows in a stable order (by local time then id), with no never-output column."""
    leaked = _NEVER & set(rows.columns)
    if leaked:  # a builder's mistake, never data: say which column, not its values
        raise AssertionError(f"never-output column(s) in metric rows: {sorted(leaked)}")
    return rows.sort(list(sort), nulls_last=True, maintain_order=True)


def _lazy(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    return frame.lazy()


# ------------------------------------------------------------------------------------------ contacts

_CONTACT_AXES = frozenset(Axis)


def _contacts(data: PeriodData, sites: Sequence[str], population: pl.Expr, num: pl.Expr, den: pl.Expr,
              why: pl.Expr, extra: Sequence[pl.Expr] = (), extra_times: Sequence[str] = (),
              frame: pl.DataFrame | pl.LazyFrame | None = None, place: str = "arrived_local",
              against: pl.Expr | None = None) -> pl.DataFrame:
    source = _lazy(data.interactions if frame is None else frame).filter(population)
    out = source.select(
        *_contact_columns(data, sites, extra_times), *extra,
        why.alias("why"),
        num.cast(pl.Float64).alias(NUM), den.cast(pl.Float64).alias(DEN),
        (against if against is not None else (den & ~num)).alias(AGAINST),
        _agent(),
    ).with_columns(_keys(place)).filter(pl.col(DEN) > 0).collect()
    return _finish(out, [place, "interaction_id"])


def _wait_words(kind: str, seconds: pl.Expr) -> pl.Expr:
    return pl.when(seconds.is_null()).then(pl.lit(f"{kind}, wait unknown")).otherwise(
        pl.lit(f"{kind} after ") + seconds.round(1).cast(pl.String) + pl.lit(" s"))


def _service_level(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    t, short, variant = float(p["threshold_seconds"]), float(p["short_abandon_seconds"]), str(p["variant"])
    ans_in = _ANSWERED & (_WAIT <= t)
    ab_in = _ABANDONED & (_ABANDON_WAIT <= t).fill_null(False)
    ab_short = _ABANDONED & (_ABANDON_WAIT <= short).fill_null(False)
    handled = _ANSWERED | _ABANDONED
    num, den = {
        "1": (ans_in | ab_in, handled),
        "2": (ans_in, _ANSWERED),
        "4": (ans_in, _ANSWERED | (_ABANDONED & ~ab_in)),
        "5": (ans_in | ab_short, handled),
    }.get(variant, (ans_in, handled))
    why = pl.when(_ANSWERED).then(_wait_words("answered", _WAIT)).otherwise(_wait_words("abandoned", _ABANDON_WAIT))
    rows = _contacts(data, sites, pl.col("channel").is_in(SYNC_CHANNELS) & (pl.col("direction") == "inbound"),
                     num, den, why)
    return MetricRows("ops.service_level", RowKind.PROPORTION, "synchronous inbound contacts",
                      f"contacts not handled within {t:g} s under variant {variant} "
                      "(answered later, or abandoned where the variant counts it against)", rows, _CONTACT_AXES)


def _abandon_rate(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    short = float(p["short_abandon_seconds"])
    ab = _ABANDONED & ~(_ABANDON_WAIT <= short).fill_null(False)
    why = pl.when(_ANSWERED).then(_wait_words("answered", _WAIT)).otherwise(_wait_words("abandoned", _ABANDON_WAIT))
    rows = _contacts(data, sites, pl.col("channel").is_in(SYNC_CHANNELS), ab, _ANSWERED | ab, why, against=ab)
    return MetricRows("ops.abandon_rate", RowKind.PROPORTION, "synchronous contacts",
                      f"contacts abandoned after more than {short:g} s", rows, _CONTACT_AXES)


def _asa(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    rows = _contacts(data, sites, pl.col("channel").is_in(SYNC_CHANNELS) & _ANSWERED, pl.lit(0), pl.lit(1),
                     _wait_words("answered", _WAIT), extra=[_WAIT.alias(VALUE)], against=pl.lit(None, pl.Boolean))
    return MetricRows("ops.asa", RowKind.MEAN, "answered synchronous contacts",
                      "contacts answered after a wait longer than the KPI's limit", rows, _CONTACT_AXES)


def _aht(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    handle = pl.col("handle_seconds").cast(pl.Float64)
    rows = _contacts(data, sites, _ANSWERED & handle.is_not_null() & ~handle.is_nan(), pl.lit(0), pl.lit(1),
                     pl.lit("handled in ") + handle.round(1).cast(pl.String) + pl.lit(" s"),
                     extra=[handle.alias(VALUE)], against=pl.lit(None, pl.Boolean))
    return MetricRows("ops.aht", RowKind.MEAN, "answered contacts",
                      "contacts handled for longer than the KPI's limit", rows, _CONTACT_AXES)


def _callback(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    minutes = float(p["minutes"])
    delay = _seconds("callback_requested_at", "callback_completed_at") / 60
    ok = (delay <= minutes).fill_null(False)
    why = pl.when(pl.col("callback_completed_at").is_null()).then(pl.lit("callback never completed")).otherwise(
        pl.lit("called back after ") + delay.round(1).cast(pl.String) + pl.lit(" min"))
    rows = _contacts(data, sites, pl.col("callback_requested_at").is_not_null(), ok, pl.lit(True), why,
                     extra=[delay.alias("callback_minutes")],
                     extra_times=("callback_requested_at", "callback_completed_at"))
    return MetricRows("ops.callback_within", RowKind.PROPORTION, "callback requests",
                      f"callbacks not completed within {minutes:g} minutes of the request", rows, _CONTACT_AXES)


def _async(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    hours = float(p["hours"])
    ok = (_WAIT <= hours * 3600).fill_null(False)
    why = pl.when(pl.col("answered_at").is_null()).then(pl.lit("never answered")).otherwise(
        pl.lit("first answered after ") + (_WAIT / 3600).round(2).cast(pl.String) + pl.lit(" h"))
    rows = _contacts(data, sites, pl.col("channel").is_in(ASYNC_CHANNELS) & (pl.col("direction") == "inbound"),
                     ok, pl.lit(True), why)
    return MetricRows("ops.async_response_within", RowKind.PROPORTION, "asynchronous inbound contacts",
                      f"contacts not first answered within {hours:g} hours", rows, _CONTACT_AXES)


def _follow_up(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    kept = (pl.col("follow_up_completed_at") <= pl.col("follow_up_due_at")).fill_null(False)
    why = pl.when(pl.col("follow_up_completed_at").is_null()).then(pl.lit("follow-up never completed")).otherwise(
        pl.lit("completed ") + (_seconds("follow_up_due_at", "follow_up_completed_at") / 3600).round(2)
        .cast(pl.String) + pl.lit(" h after its due time"))
    rows = _contacts(data, sites, pl.col("follow_up_due_at").is_not_null(), kept, pl.lit(True), why,
                     extra_times=("follow_up_due_at", "follow_up_completed_at"), frame=data.follow_ups,
                     place="follow_up_due_local")
    return MetricRows("ops.follow_up_kept", RowKind.PROPORTION, "follow-ups due",
                      "follow-ups not completed by their due time", rows, _CONTACT_AXES)


def _fcr(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    if p["variant"] == "flag":
        flag = pl.col("resolved_first_contact")
        rows = _contacts(data, sites, flag.is_not_null(), flag, pl.lit(True),
                         pl.when(flag).then(pl.lit("resolved at first contact")).otherwise(pl.lit("not resolved")),
                         extra=[flag])
        return MetricRows("ops.fcr", RowKind.PROPORTION, "contacts with the resolution flag known",
                          "contacts not resolved at first contact", rows, _CONTACT_AXES)
    window = timedelta(days=float(p["days"]))  # type: ignore[arg-type]
    # The member key orders the contacts here and is dropped before anything leaves this function.
    same = ((pl.col("member_ref") == pl.col("member_ref").shift(1))
            & (pl.col("queue") == pl.col("queue").shift(1)) & pl.col("member_ref").is_not_null())
    repeat = (same & ((pl.col("arrived_at") - pl.col("arrived_at").shift(1)) <= window)).fill_null(False)
    marked = (_lazy(data.interactions).with_row_index("_order")
              .sort("member_ref", "queue", "arrived_at", "_order", nulls_last=True)
              .with_columns(repeat.alias("_repeat"),
                            pl.when(repeat).then(pl.col("interaction_id").shift(1)).alias("repeat_of"))
              .drop("member_ref"))
    rows = _contacts(data, sites, pl.lit(True), ~pl.col("_repeat"), pl.lit(True),
                     pl.when(pl.col("_repeat")).then(pl.lit(f"repeat within {float(p['days']):g} days on the same queue"))
                     .otherwise(pl.lit("no repeat")), extra=[pl.col("repeat_of")], frame=marked)
    return MetricRows("ops.fcr", RowKind.PROPORTION, "contacts",
                      f"contacts repeating an earlier one of the same member on the same queue within "
                      f"{float(p['days']):g} days", rows, _CONTACT_AXES)


# ------------------------------------------------------------------------------------------ evaluations

_EVAL_AXES = frozenset({Axis.AGENT, Axis.DAY})


def _with_contact(frame: pl.LazyFrame, data: PeriodData, agent: bool) -> pl.LazyFrame:
    """`frame` with its contact's queue (and agent, for surveys) added by interaction_id, looked up
    over the whole export (a survey of last month's contact still finds it; first row of an id)."""
    columns = ["interaction_id", "queue"] + (["agent_id"] if agent else [])
    wanted = frame.select("interaction_id").drop_nulls().unique()
    # Narrowed to this frame's contacts before the unique: the export may hold millions.
    lookup = (data.contact_queues.lazy().select(columns).join(wanted, on="interaction_id", how="semi")
              .unique("interaction_id", keep="first", maintain_order=True))
    return frame.join(lookup, on="interaction_id", how="left", maintain_order="left")


def _evaluation_columns(data: PeriodData, sites: Sequence[str]) -> list[pl.Expr]:
    return [pl.col("evaluation_id"), pl.col("interaction_id"), pl.col("site_id"), pl.col("queue"),
            pl.col("channel").cast(pl.String), pl.col("agent_id"), pl.col("evaluator_id"),
            local_time("evaluated_at", data, sites).alias("evaluated_local"),
            pl.col("score"), pl.col("critical")]


def _evaluations(data: PeriodData, sites: Sequence[str], frame: pl.DataFrame, num: pl.Expr, den: pl.Expr,
                 against: pl.Expr, extra: Sequence[pl.Expr] = (), value: pl.Expr | None = None) -> pl.DataFrame:
    out = (_with_contact(frame.lazy(), data, agent=False)
           .select(*_evaluation_columns(data, sites), *extra,
                   num.cast(pl.Float64).alias(NUM), den.cast(pl.Float64).alias(DEN), against.alias(AGAINST),
                   (value if value is not None else pl.lit(None, pl.Float64)).alias(VALUE), _agent())
           .with_columns(pl.col("evaluated_local").dt.date().alias(DAY), pl.lit(None, pl.String).alias(SLOT))
           .collect())
    return _finish(out, ["evaluated_local", "evaluation_id"])


def _critical_items(data: PeriodData) -> pl.LazyFrame:
    """evaluation_id -> the criteria it failed critically, comma-separated."""
    return (_lazy(data.qa_items).filter(pl.col("critical_failed").fill_null(False))
            .group_by("evaluation_id").agg(pl.col("criterion_id").unique().sort().str.join(", ")
                                            .alias("critical_failed_criteria")))


def _qa_score(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    frame = scored(data.evaluations).lazy().join(_critical_items(data), on="evaluation_id", how="left",
                                                 maintain_order="left").collect()
    rows = _evaluations(data, sites, frame, pl.lit(0), pl.lit(1), pl.lit(None, pl.Boolean),
                        extra=[pl.col("critical_failed_criteria")], value=pl.col("score"))
    return MetricRows("qa.score", RowKind.MEAN, "scored evaluations",
                      "evaluations scoring below the KPI's minimum", rows, _EVAL_AXES)


def _pass_rate(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    mark = float(p["pass_mark"])
    passed = pl.col("score").round(9) >= mark
    frame = scored(data.evaluations).lazy().join(_critical_items(data), on="evaluation_id", how="left",
                                                 maintain_order="left").collect()
    rows = _evaluations(data, sites, frame, passed, pl.lit(1), ~passed, extra=[pl.col("critical_failed_criteria")])
    return MetricRows("qa.pass_rate", RowKind.PROPORTION, "scored evaluations",
                      f"evaluations scoring below the pass mark {mark:g}", rows, _EVAL_AXES)


def _critical(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    frame = (data.evaluations.lazy().filter(~pl.col("calibration").fill_null(False))
             .join(_critical_items(data), on="evaluation_id", how="left", maintain_order="left").collect())
    rows = _evaluations(data, sites, frame, pl.col("critical"), pl.lit(1), pl.col("critical"),
                        extra=[pl.col("critical_failed_criteria")])
    return MetricRows("qa.critical_error_rate", RowKind.PROPORTION, "evaluations",
                      "evaluations with a critical item failed", rows, _EVAL_AXES)


def _criterion(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    criterion = str(p["criterion"])
    items = (_lazy(data.qa_items).filter((pl.col("criterion_id") == criterion) & pl.col("points_earned").is_not_null())
             .select("evaluation_id", "criterion_id", "points_earned", "points_possible",
                     pl.col("critical_failed").fill_null(False).alias("criterion_critical_failed")))
    evaluations = data.evaluations.lazy().filter(~pl.col("calibration").fill_null(False))
    frame = evaluations.join(items, on="evaluation_id", how="inner", maintain_order="left").collect()
    rows = _evaluations(data, sites, frame, pl.col("points_earned"), pl.col("points_possible"),
                        pl.col("points_earned") < pl.col("points_possible"),
                        extra=[pl.col("criterion_id"), pl.col("points_earned"), pl.col("points_possible"),
                               pl.col("criterion_critical_failed")])
    return MetricRows("qa.criterion_score", RowKind.PROPORTION, f"evaluations where {criterion} applied",
                      f"evaluations that did not earn every point of {criterion}", rows, _EVAL_AXES)


def _agreement(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    tolerance = float(p["tolerance"])
    copies = data.evaluations.filter(pl.col("calibration").fill_null(False) & pl.col("score").is_not_null()
                                     & pl.col("interaction_id").is_not_null())
    frame = copies.with_columns(pl.col("score").mean().over("interaction_id").alias("consensus_score"))
    within = (pl.col("score") - pl.col("consensus_score")).abs().round(9) <= tolerance
    rows = _evaluations(data, sites, frame, within, pl.lit(1), ~within, extra=[pl.col("consensus_score")])
    return MetricRows("qa.evaluator_agreement", RowKind.PROPORTION, "calibration copies",
                      f"calibration copies more than {tolerance:g} points from their contact's consensus",
                      rows, _EVAL_AXES)


def _sample_adequacy(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    rows = _evaluations(data, sites, scored(data.evaluations), pl.lit(1), pl.lit(0), pl.lit(None, pl.Boolean))
    return MetricRows("qa.sample_adequacy", RowKind.NEEDED, "scored evaluations done",
                      "none: the value is the evaluations done against the number needed", rows, frozenset())


def _coverage(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    k = int(p["min_evaluations"])  # type: ignore[call-overload]
    counts = (data.evaluations.lazy().filter(~pl.col("calibration").fill_null(False))
              .group_by("site_id", "agent_id").agg(pl.len().alias("evaluations")))
    frame = (_agent_rows(data, active_agents(data.roster, data.period)).lazy()
             .join(counts, on=["site_id", "agent_id"], how="left", maintain_order="left")
             .with_columns(pl.col("evaluations").fill_null(0)).collect())
    covered = pl.col("evaluations") >= k
    rows = _agents(frame, covered, pl.lit(1), ~covered)
    return MetricRows("qa.coverage", RowKind.PROPORTION, "active agents",
                      f"active agents with fewer than {k} evaluations", rows, frozenset({Axis.AGENT}))


# ------------------------------------------------------------------------------------------ surveys

_SURVEY_AXES = frozenset({Axis.AGENT, Axis.DAY})


def _surveys(data: PeriodData, sites: Sequence[str], column: str, num: pl.Expr, den: pl.Expr,
             against: pl.Expr, value: pl.Expr | None = None, plus: pl.Expr | None = None,
             minus: pl.Expr | None = None, category: pl.Expr | None = None) -> pl.DataFrame:
    no_float = pl.lit(None, pl.Float64)
    out = (_with_contact(data.surveys.lazy().filter(pl.col(column).is_not_null()), data, agent=True)
           .select(pl.col("response_id"), pl.col("interaction_id"), pl.col("site_id"), pl.col("queue"),
                   pl.col("channel").cast(pl.String),
                   pl.col("agent_id"),
                   local_time("submitted_at", data, sites).alias("submitted_local"), pl.col(column),
                   *([category.alias("answer")] if category is not None else []),
                   num.cast(pl.Float64).alias(NUM), den.cast(pl.Float64).alias(DEN), against.alias(AGAINST),
                   (value if value is not None else no_float).cast(pl.Float64).alias(VALUE),
                   (plus if plus is not None else no_float).cast(pl.Float64).alias(PLUS),
                   (minus if minus is not None else no_float).cast(pl.Float64).alias(MINUS), _agent())
           .with_columns(pl.col("submitted_local").dt.date().alias(DAY), pl.lit(None, pl.String).alias(SLOT))
           .collect())
    return _finish(out, ["submitted_local", "response_id"])


def _csat(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    score = pl.col("csat")
    if p["variant"] == "mean":
        rows = _surveys(data, sites, "csat", pl.lit(0), pl.lit(1), pl.lit(None, pl.Boolean), value=score)
        return MetricRows("survey.csat", RowKind.MEAN, "CSAT answers",
                          "answers below the KPI's minimum", rows, _SURVEY_AXES)
    rows = _surveys(data, sites, "csat", score >= 4, pl.lit(1), score <= 3)
    return MetricRows("survey.csat", RowKind.PROPORTION, "CSAT answers", "answers of 1, 2 or 3", rows, _SURVEY_AXES)


def _nps(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    score = pl.col("nps")
    category = pl.when(score >= 9).then(pl.lit("promoter")).when(score <= 6).then(pl.lit("detractor")) \
        .otherwise(pl.lit("passive"))
    rows = _surveys(data, sites, "nps", (score >= 9).cast(pl.Int8) - (score <= 6).cast(pl.Int8), pl.lit(1),
                    score <= 6, plus=score >= 9, minus=score <= 6, category=category)
    return MetricRows("survey.nps", RowKind.NET, "NPS answers", "detractors (answers 0 to 6)", rows, _SURVEY_AXES)


def _ces(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    score, variant = pl.col("ces"), p["variant"]
    if variant == "top3":
        rows = _surveys(data, sites, "ces", score >= 5, pl.lit(1), score <= 4)
        return MetricRows("survey.ces", RowKind.PROPORTION, "CES answers", "answers of 1 to 4", rows, _SURVEY_AXES)
    if variant == "index":
        rows = _surveys(data, sites, "ces", (score >= 6).cast(pl.Int8) - (score <= 3).cast(pl.Int8), pl.lit(1),
                        score <= 3, plus=score >= 6, minus=score <= 3)
        return MetricRows("survey.ces", RowKind.NET, "CES answers", "answers of 1 to 3", rows, _SURVEY_AXES)
    rows = _surveys(data, sites, "ces", pl.lit(0), pl.lit(1), pl.lit(None, pl.Boolean), value=score)
    return MetricRows("survey.ces", RowKind.MEAN, "CES answers", "answers below the KPI's minimum", rows, _SURVEY_AXES)


# ------------------------------------------------------------------------------------------ training and roster

def _agent_rows(data: PeriodData, roster: pl.DataFrame) -> pl.DataFrame:
    return roster.select("site_id", "agent_id", "hire_date", "termination_date", "fte").unique(
        ["site_id", "agent_id"], keep="first", maintain_order=True)


def _agents(frame: pl.DataFrame, num: pl.Expr, den: pl.Expr, against: pl.Expr,
            day: pl.Expr | None = None) -> pl.DataFrame:
    out = frame.with_columns(num.cast(pl.Float64).alias(NUM), den.cast(pl.Float64).alias(DEN),
                             against.alias(AGAINST), pl.lit(None, pl.Float64).alias(VALUE), _agent(),
                             (day if day is not None else pl.lit(None, pl.Date)).alias(DAY),
                             pl.lit(None, pl.String).alias(SLOT))
    return _finish(out, ["site_id", "agent_id"])


def _hours_sum() -> pl.Expr:
    """An agent's hours summed exactly (kpis/exact.py), as the training metrics sum them."""
    return exact_sum(pl.col("hours")).cast(pl.Float64) / SCALE


def _hours_per_agent(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    category = p.get("category")
    records = data.training if category is None else data.training.filter(pl.col("category") == category)
    hours = records.group_by("site_id", "agent_id").agg(_hours_sum().alias("hours"), pl.len().alias("records"))
    active = _agent_rows(data, active_agents(data.roster, data.period)).with_columns(pl.lit(True).alias("active"))
    # Hours of agents not active (or not on the roster) still count in the total, as in the metric.
    frame = (active.join(hours, on=["site_id", "agent_id"], how="full", coalesce=True, maintain_order="left")
             .with_columns(pl.col("active").fill_null(False), pl.col("hours").fill_null(0.0),
                           pl.col("records").fill_null(0)))
    rows = _agents(frame, pl.col("hours"), pl.col("active"), pl.lit(None, pl.Boolean))
    rows = rows.with_columns(pl.when(pl.col("active")).then(pl.col("hours")).alias(VALUE))
    return MetricRows("training.hours_per_agent", RowKind.RATIO, "agents",
                      "active agents with fewer hours than the KPI's minimum", rows, frozenset({Axis.AGENT}), scale=1.0)


def _onboarding(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    days, min_hours = int(p["days"]), float(p["min_hours"])  # type: ignore[call-overload]
    end = data.period.next_first_day
    hires = _agent_rows(data, agents(data.roster).filter(
        (pl.col("hire_date") >= end - timedelta(days=days)) & (pl.col("hire_date") < end)))
    hours = (data.training_to_date.filter(pl.col("category") == "onboarding")
             .group_by("site_id", "agent_id").agg(_hours_sum().alias("onboarding_hours")))
    frame = hires.join(hours, on=["site_id", "agent_id"], how="left", maintain_order="left").with_columns(
        pl.col("onboarding_hours").fill_null(0.0))
    done = pl.col("onboarding_hours").round(9) >= min_hours
    rows = _agents(frame, done, pl.lit(1), ~done)
    return MetricRows("training.onboarding_completion", RowKind.PROPORTION, f"agents hired in the last {days} days",
                      f"new hires with fewer than {min_hours:g} onboarding hours", rows, frozenset({Axis.AGENT}))


def _training_records(data: PeriodData, sites: Sequence[str], frame: pl.DataFrame, num: pl.Expr,
                      against: pl.Expr) -> pl.DataFrame:
    out = frame.lazy().select(
        pl.col("record_id"), pl.col("site_id"), pl.col("agent_id"), pl.col("course_id"), pl.col("category"),
        pl.col("hours"), local_time("completed_at", data, sites).alias("completed_local"), pl.col("paid_by_client"),
        num.cast(pl.Float64).alias(NUM), pl.col("hours").cast(pl.Float64).alias(DEN), against.alias(AGAINST),
        pl.lit(None, pl.Float64).alias(VALUE), _agent(),
    ).with_columns(pl.col("completed_local").dt.date().alias(DAY), pl.lit(None, pl.String).alias(SLOT)).collect()
    return _finish(out, ["completed_local", "record_id"])


def _soft_skills(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    soft = pl.col("category") == "soft_skills"
    rows = _training_records(data, sites, data.training, pl.when(soft).then(pl.col("hours")).otherwise(0.0), ~soft)
    return MetricRows("training.soft_skills_share", RowKind.RATIO, "training records",
                      "training records other than soft skills", rows, frozenset({Axis.AGENT, Axis.DAY}))


def _client_paid(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    paid = pl.col("paid_by_client")
    rows = _training_records(data, sites, data.training.filter(paid.is_not_null()),
                             pl.when(paid).then(pl.col("hours")).otherwise(0.0), ~paid)
    return MetricRows("training.client_paid_share", RowKind.RATIO, "training records with the payer known",
                      "training records not paid by the client", rows, frozenset({Axis.AGENT, Axis.DAY}))


def _month_flags(period: Period) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(employed at the start, employed at the end, separated in the month), as in `workforce`."""
    first, last = period.first_day, period.last_day
    term = pl.col("termination_date")
    return employed_at_start(first), employed_at_end(last), term.is_between(first, last).fill_null(False)


def _attrition(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    roster = _agent_rows(data, agents(data.roster))
    if p["variant"] == "monthly":
        window, scale = [data.period], 100.0
    else:
        months = int(p["months"])  # type: ignore[call-overload]
        window, scale = [data.period.shift(-k) for k in range(months)], 100.0 * 12 / months
    den: pl.Expr = pl.lit(0.0)
    num: pl.Expr = pl.lit(0.0)
    for month in window:
        start, end, exits = _month_flags(month)
        den = den + (start.cast(pl.Float64) + end.cast(pl.Float64)) / 2
        num = num + exits.cast(pl.Float64)
    frame = roster.with_columns((den / len(window)).alias("_d"), num.alias("_n"))
    rows = _agents(frame.filter((pl.col("_d") > 0) | (pl.col("_n") > 0)), pl.col("_n"), pl.col("_d"),
                   pl.col("_n") > 0, day=pl.col("termination_date")).drop("_d", "_n")
    return MetricRows("workforce.attrition", RowKind.RATIO, "agents employed in the window",
                      "agents who left", rows, frozenset(), scale=scale)


def _headcount(data: PeriodData, sites: Sequence[str], p: Mapping[str, object]) -> MetricRows:
    rows = _agents(_agent_rows(data, active_agents(data.roster, data.period)), pl.lit(1), pl.lit(1),
                   pl.lit(None, pl.Boolean))
    return MetricRows("workforce.headcount", RowKind.COUNT, "active agents", "none: every active agent is listed",
                      rows, frozenset())


_BUILDERS = {
    "ops.service_level": _service_level, "ops.abandon_rate": _abandon_rate, "ops.asa": _asa, "ops.aht": _aht,
    "ops.callback_within": _callback, "ops.async_response_within": _async, "ops.follow_up_kept": _follow_up,
    "ops.fcr": _fcr, "qa.score": _qa_score, "qa.pass_rate": _pass_rate, "qa.critical_error_rate": _critical,
    "qa.criterion_score": _criterion, "qa.evaluator_agreement": _agreement, "qa.sample_adequacy": _sample_adequacy,
    "qa.coverage": _coverage, "survey.csat": _csat, "survey.nps": _nps, "survey.ces": _ces,
    "training.hours_per_agent": _hours_per_agent, "training.onboarding_completion": _onboarding,
    "training.soft_skills_share": _soft_skills, "training.client_paid_share": _client_paid,
    "workforce.attrition": _attrition, "workforce.headcount": _headcount,
}

SUPPORTED = frozenset(_BUILDERS)


def metric_rows(metric_id: str, data: PeriodData, site_ids: Sequence[str],
                params: Mapping[str, object] | None = None, channels: Sequence[str] | None = None,
                queues: Sequence[str] | None = None, exclude_queues: Sequence[str] = (),
                exclude_dates: Sequence[date] = ()) -> MetricRows:
    """The rows behind `compute_metric` with the same arguments (see the module docstring);
    ConfigError for an unknown metric or bad parameters, as `compute_metric`."""
    definition = metric(metric_id)
    resolved = definition.resolve_params(params)
    builder = _BUILDERS.get(definition.id)
    if builder is None:  # a metric added to the registry without rows: say so, never guess
        raise NotImplementedError(f"no row-level evidence for metric {metric_id}")
    scoped = restrict(data, tuple(site_ids), None if channels is None else tuple(channels),
                      None if queues is None else tuple(queues), tuple(exclude_queues), tuple(exclude_dates))
    return builder(scoped, tuple(site_ids), resolved)
