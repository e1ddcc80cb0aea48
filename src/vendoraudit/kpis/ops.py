"""Contact-handling metrics: service level, abandon rate, ASA, AHT, callbacks, async response,
follow-ups kept and first-contact resolution.

Conventions: a contact is answered when it is not abandoned and has an answered_at; its wait is
answered_at - arrived_at. An abandoned contact's wait is ended_at - arrived_at; with no ended_at
its wait is unknown, so it counts as abandoned after any threshold and never as a short abandon.
"Within T" means wait <= T. Service level uses synchronous (phone, chat) inbound contacts and
async response email, whatsapp, sms and portal inbound contacts, as the spec says; abandon rate
and ASA use every synchronous contact (the spec names no direction for them).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from ..results import MetricResult, Unit
from ..tables import ASYNC_CHANNELS, SYNC_CHANNELS
from .shapes import mean_of, params_of, proportion

# Interactions may come lazy (a scoped view of the period's frame): each metric collects only
# the columns it reads.
Frame = pl.DataFrame | pl.LazyFrame

SERVICE_LEVEL_VARIANTS = ("3", "1", "2", "4", "5")


def _seconds(start: str, end: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds() / 1_000_000


def _inbound(interactions: Frame, channels: tuple[str, ...]) -> pl.LazyFrame:
    return _on(interactions, channels).filter(pl.col("direction") == "inbound")


def _on(interactions: Frame, channels: tuple[str, ...]) -> pl.LazyFrame:
    return interactions.lazy().filter(pl.col("channel").is_in(channels))


def _one_row(query: pl.LazyFrame) -> dict[str, int]:
    """The single row of an aggregate query, nulls (no rows) as 0."""
    return {k: int(v or 0) for k, v in query.collect().row(0, named=True).items()}


_ABANDONED = pl.col("abandoned").fill_null(False)
_ANSWERED = ~_ABANDONED & pl.col("answered_at").is_not_null()
_WAIT = _seconds("arrived_at", "answered_at")
_ABANDON_WAIT = _seconds("arrived_at", "ended_at")


def service_level(interactions: Frame, threshold_seconds: float = 20, variant: str = "3",
                  short_abandon_seconds: float = 5) -> MetricResult:
    """Share of synchronous inbound contacts handled within T seconds, by ICMI variant 1..5.

    1 (answered <= T + abandoned <= T) / (answered + abandoned); 2 answered <= T / answered;
    3 answered <= T / (answered + abandoned); 4 answered <= T / (answered + abandoned after T);
    5 (answered <= T + abandoned <= short threshold) / (answered + abandoned).
    """
    t = float(threshold_seconds)
    c = _one_row(_inbound(interactions, SYNC_CHANNELS).select(
        _ANSWERED.sum().alias("ans"),
        (_ANSWERED & (_WAIT <= t)).sum().alias("ans_in"),
        _ABANDONED.sum().alias("ab"),
        (_ABANDONED & (_ABANDON_WAIT <= t).fill_null(False)).sum().alias("ab_in"),
        (_ABANDONED & (_ABANDON_WAIT <= float(short_abandon_seconds)).fill_null(False)).sum().alias("ab_short"),
    ))
    ans, ans_in, ab, ab_in, ab_short = (c[k] for k in ("ans", "ans_in", "ab", "ab_in", "ab_short"))
    used: dict[str, object] = {"threshold_seconds": threshold_seconds}
    if variant == "1":
        num, den = ans_in + ab_in, ans + ab
    elif variant == "2":
        num, den = ans_in, ans
    elif variant == "4":
        num, den = ans_in, ans + (ab - ab_in)
    elif variant == "5":
        num, den = ans_in + ab_short, ans + ab
        used["short_abandon_seconds"] = short_abandon_seconds
    else:
        num, den = ans_in, ans + ab
    return proportion("ops.service_level", num, den, variant=variant, params=params_of(used))


def abandon_rate(interactions: Frame, short_abandon_seconds: float = 5) -> MetricResult:
    """abandoned / (answered + abandoned) of synchronous contacts, short abandons
    (wait <= the threshold) left out of both."""
    s = float(short_abandon_seconds)
    c = _one_row(_on(interactions, SYNC_CHANNELS).select(
        _ANSWERED.sum().alias("ans"),
        (_ABANDONED & ~(_ABANDON_WAIT <= s).fill_null(False)).sum().alias("ab"),
    ))
    ans, ab = c["ans"], c["ab"]
    return proportion("ops.abandon_rate", ab, ans + ab,
                      params=params_of({"short_abandon_seconds": short_abandon_seconds}))


def asa(interactions: Frame) -> MetricResult:
    """Mean wait (answered_at - arrived_at, seconds) of answered synchronous contacts."""
    waits = _on(interactions, SYNC_CHANNELS).filter(_ANSWERED).select(_WAIT.alias("w")).collect().get_column("w")
    return mean_of("ops.asa", waits, unit=Unit.SECONDS)


def aht(interactions: Frame) -> MetricResult:
    """Mean handle_seconds of answered contacts (every channel and direction; null handle times left out)."""
    handle = interactions.lazy().filter(_ANSWERED).select("handle_seconds").collect().get_column("handle_seconds")
    return mean_of("ops.aht", handle.cast(pl.Float64), unit=Unit.SECONDS)


def callback_within(interactions: Frame, minutes: float = 10) -> MetricResult:
    """Callbacks completed within `minutes` of the request / callbacks requested (contacts of the
    period with a callback_requested_at). A request with no completion is missed."""
    window = float(minutes) * 60
    c = _one_row(interactions.lazy().filter(pl.col("callback_requested_at").is_not_null()).select(
        pl.len().alias("req"),
        (_seconds("callback_requested_at", "callback_completed_at") <= window).fill_null(False).sum().alias("ok"),
    ))
    return proportion("ops.callback_within", c["ok"], c["req"],
                      params=params_of({"minutes": minutes}))


def async_response_within(interactions: Frame, hours: float = 4) -> MetricResult:
    """Asynchronous inbound contacts first answered within `hours` / all of them received
    (unanswered ones count as missed)."""
    window = float(hours) * 3600
    c = _one_row(_inbound(interactions, ASYNC_CHANNELS).select(
        pl.len().alias("all"),
        (_WAIT <= window).fill_null(False).sum().alias("ok"),
    ))
    return proportion("ops.async_response_within", c["ok"], c["all"],
                      params=params_of({"hours": hours}))


def follow_up_kept(follow_ups: Frame) -> MetricResult:
    """Follow-ups completed by their due time / follow-ups due in the period (rows are placed in the
    period by follow_up_due_at; an uncompleted follow-up is not kept)."""
    c = _one_row(follow_ups.lazy().filter(pl.col("follow_up_due_at").is_not_null()).select(
        pl.len().alias("due"),
        (pl.col("follow_up_completed_at") <= pl.col("follow_up_due_at")).fill_null(False).sum().alias("kept"),
    ))
    return proportion("ops.follow_up_kept", c["kept"], c["due"])


def fcr(interactions: Frame, variant: str = "flag", days: float = 7) -> MetricResult:
    """First-contact resolution in percent.

    flag: resolved_first_contact true / flag known.
    repeat: 1 - repeats / contacts (every contact in scope, any channel and direction); a contact
    is a repeat when the same member_ref contacted the same queue at most `days` days before it
    (each pair of consecutive contacts within the window counts once; no member_ref, no repeat).
    """
    metric_id = "ops.fcr"
    if variant == "flag":
        flags = (interactions.lazy().select("resolved_first_contact").collect()
                 .get_column("resolved_first_contact").drop_nulls())
        return proportion(metric_id, int(flags.sum()), flags.len(), variant=variant)
    window = timedelta(days=float(days))
    n = interactions.lazy().select(pl.len()).collect().item()
    contacts = (interactions.lazy().filter(pl.col("member_ref").is_not_null())
                .select("member_ref", "queue", "arrived_at")
                .sort("member_ref", "queue", "arrived_at").collect())
    same = ((pl.col("member_ref") == pl.col("member_ref").shift(1))
            & (pl.col("queue") == pl.col("queue").shift(1)))
    repeats = contacts.select(
        (same & ((pl.col("arrived_at") - pl.col("arrived_at").shift(1)) <= window)).fill_null(False).sum()
    ).item() if contacts.height else 0
    return proportion(metric_id, n - int(repeats or 0), n, variant=variant, params=params_of({"days": days}))
