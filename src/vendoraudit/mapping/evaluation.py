"""Applying a mapping to a source frame: each canonical column from its rule, conditions,
exclusions, and a failure record for every value given but not read.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from ..tables import POLARS_TYPES as TABLE_DTYPES, ColType
from .model import ColumnRule, Condition, DurationUnit, FormatOptions, Mapping, template_parts
from .readers import (_DT_UTC, _EXPECTS, _SITE, _cleaned, _codes, _full, _iso_shaped, _native, _needs_cleaning,
                      _typed, _usual_shape, duration_seconds, localize, time_of_day_seconds)

@dataclass(frozen=True)
class MappedFrame:
    """A source frame turned canonical.

    `frame`: the table's canonical columns in order, typed. `failures`: one row per cell that
    did not parse (`row` 0-based position, `column`, `value` raw text, `expects`).
    `excluded`: per row, the mapping's exclusion reason or null. `clock_adjusted`: rows whose
    timestamps broke their order by no more than the clock tolerance, set equal (`within_clock_tolerance`).
    """

    frame: pl.DataFrame
    failures: pl.DataFrame
    excluded: pl.Series
    clock_adjusted: int = 0


FAILURE_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "expects": pl.String}


def missing_source_columns(mapping: Mapping, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """(source columns the mapping reads that are absent, required canonical columns with no source)."""
    present = set(columns)
    missing_src = [c for c in mapping.source_columns() if c not in present]
    no_source = [c for c in mapping.spec.required if c not in mapping.columns and c not in present]
    return missing_src, no_source


def apply_mapping(src: pl.DataFrame, mapping: Mapping,
                  site_zones: MappingABC[str, str] | None = None) -> MappedFrame:
    """Turn `src` (source columns, text or typed) into the canonical table of `mapping`.

    Local timestamps are read in `mapping.timezone`, else in the zone `site_zones` gives the
    row's site_id, else UTC. The caller checks `missing_source_columns` first.
    """
    spec = mapping.spec
    n = src.height
    # Text is cleaned once, before the rules read it. Finding the columns with a value to clean
    # costs a quarter of cleaning them all, and most exports have none. A column read as a
    # timestamp or a flag whose values all have the usual shape has none either: that shape is
    # checked instead (one pass, which its fast reading below then skips).
    text = [c for c, dtype in src.schema.items() if dtype == pl.String]
    lanes = _lanes(mapping, src)
    found = src.select(*(_usual_shape(pl.col(c), t).alias(c) for c, t in lanes.items()),
                       *(_needs_cleaning(pl.col(c)).alias(c) for c in text if c not in lanes)).row(0, named=True)
    usual = {c for c in lanes if found[c]}
    if len(usual) < len(lanes):
        found |= src.select(_needs_cleaning(pl.col(c)).alias(c) for c in lanes if c not in usual).row(0, named=True)
    cleaned = [_cleaned(pl.col(c)) for c in text if c not in usual and found[c]]
    work = src.with_columns(*cleaned)
    present = set(src.columns)
    failures: list[pl.DataFrame] = []
    out: dict[str, pl.Series] = {}

    def finish(name: str, value: pl.Series, raw: pl.Series, expects: str) -> None:
        ctype = spec.column(name).type
        # A failure is a value given but not read: there is none when every value was read or
        # none was given (null counts are known without a pass over the column).
        fails = value.null_count() > 0 and raw.null_count() < raw.len()
        if fails and (bad := raw.is_not_null() & value.is_null()).any():
            # Only the failing cells are turned into text: formatting a whole column is costly.
            failures.append(pl.DataFrame({"row": bad.arg_true().cast(pl.Int64),
                                          "value": raw.filter(bad).cast(pl.String)})
                            .select("row", pl.lit(name).alias("column"), "value", pl.lit(expects).alias("expects")))
        out[name] = (value if ctype is ColType.DATETIME else value.cast(spec.column(name).dtype)).alias(name)

    derived = [c for c in spec.columns if mapping.rule_for(c.name).references]
    plain = [c for c in spec.columns if c not in derived]
    # Text and number columns first: local timestamps need the row's site_id for their zone.
    plain.sort(key=lambda c: c.type is ColType.DATETIME)
    for col in plain:
        rule = mapping.rule_for(col.name)
        if col.type is ColType.DATETIME and _SITE not in work.columns:
            site = out.get("site_id", _full(n, None, pl.String))
            work = work.with_columns(site.alias(_SITE))
        if rule.column and not any(c in present for c in rule.column) and col.name not in mapping.columns:
            finish(col.name, _full(n, None, col.dtype), _full(n, None, pl.String), "")
            continue
        if (source := _lane_source(rule, col.type)) in usual and lanes[source] is col.type:
            # The fast reading; a value it leaves (2026-02-30...) sends the column the general way.
            raw = work[source]
            value = _iso_shaped(raw) if col.type is ColType.DATETIME else raw == "true"
            if value.null_count() == raw.null_count():
                finish(col.name, value, raw, _EXPECTS[col.type])
                continue
        value, raw, expects = _evaluate(work, rule, col.type, mapping, site_zones or {})
        finish(col.name, value, raw, expects)
    tolerance = pl.duration(microseconds=int(mapping.clock_tolerance_seconds * 1_000_000))
    for col in _in_dependency_order(derived, mapping):
        rule = mapping.rule_for(col.name)
        frame = work.with_columns(**{f"__c_{k}": v for k, v in out.items() if k in rule.references})
        if rule.add_seconds:
            value, raw, expects = _add_seconds(frame, rule, mapping.format)
        else:
            base = rule.model_copy(update={"not_before": None})
            value, raw, expects = _evaluate(frame, base, col.type, mapping, site_zones or {})
        if rule.not_before:
            # A time earlier than its reference by no more than the clock tolerance is the same
            # moment seen by another clock, not a time past midnight (spec/exports.md).
            ref = frame[f"__c_{rule.not_before}"]
            value = pl.select(pl.when(value < ref - tolerance).then(value + pl.duration(days=1))
                              .otherwise(value)).to_series()
        finish(col.name, value, raw, expects)

    frame = pl.DataFrame([out[c.name] for c in spec.columns])
    frame, adjusted = within_clock_tolerance(frame, mapping.clock_tolerance_seconds)
    excluded = _exclusions(work, mapping)
    failure_frame = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURE_SCHEMA)
    return MappedFrame(frame, failure_frame.cast(FAILURE_SCHEMA), excluded, adjusted)  # type: ignore[arg-type]


def _in_dependency_order(columns: Sequence[Any], mapping: Mapping) -> list[Any]:
    """Derived columns ordered so each comes after the derived columns it references
    (`loading` refuses cycles)."""
    pending = list(columns)
    names = {c.name for c in pending}
    done: list[Any] = []
    while pending:
        ready = [c for c in pending
                 if not any(r in names and r not in {d.name for d in done} for r in mapping.rule_for(c.name).references)]
        if not ready:  # a cycle that escaped the checks: evaluate in table order rather than loop
            ready = pending[:1]
        done += ready
        pending = [c for c in pending if c not in ready]
    return done


# Order rules between timestamps of one row (spec/exports.md): (later, earlier candidates in order).
CLOCK_ORDERS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "interactions": (
        ("answered_at", ("arrived_at",)),
        ("ended_at", ("answered_at", "arrived_at")),
        ("callback_completed_at", ("callback_requested_at",)),
        ("follow_up_completed_at", ("arrived_at",)),
    ),
}


def within_clock_tolerance(frame: pl.DataFrame, tolerance_seconds: Any) -> tuple[pl.DataFrame, int]:
    """Timestamps earlier than the one they follow by no more than the tolerance set equal to it.

    Returns the frame and how many rows were adjusted. An order broken by more is left for
    validation to report.
    """
    orders = [(later, earlier) for table_orders in CLOCK_ORDERS.values() for later, earlier in table_orders
              if later in frame.columns and all(e in frame.columns for e in earlier)]
    if not orders or frame.height == 0 or not tolerance_seconds:
        return frame, 0
    tolerance = pl.duration(microseconds=int(tolerance_seconds * 1_000_000))
    fixes: dict[str, pl.Expr] = {}
    flags: list[pl.Expr] = []
    for later, earlier in orders:
        # `ended_at` follows the answer, or the arrival when there was none; fixed values are used
        # by the rules after them (an answer moved to its arrival, then the end to that answer).
        ref = pl.coalesce(*(fixes.get(e, pl.col(e)) for e in earlier))
        value = fixes.get(later, pl.col(later))
        skewed = (value < ref) & (value >= ref - tolerance)
        flags.append(skewed.fill_null(False))
        fixes[later] = pl.when(skewed).then(ref).otherwise(value)
    flagged = frame.select(pl.any_horizontal(flags).alias("f"))["f"]
    adjusted = int(flagged.sum())
    if adjusted == 0:
        return frame, 0
    return frame.with_columns(**{name: expr.cast(frame.schema[name]) for name, expr in fixes.items()}), adjusted


def _lane_source(rule: ColumnRule, ctype: ColType) -> str | None:
    """The source column of a rule that reads one column, as it is, into a timestamp or a flag."""
    names = rule.column or []
    if ctype in (ColType.DATETIME, ColType.BOOL) and rule.model_fields_set == {"column"} and len(names) == 1:
        return names[0]
    return None


def _lanes(mapping: Mapping, src: pl.DataFrame) -> dict[str, ColType]:
    """Text columns of `src` that such rules read, with the type they are read as (one type only)."""
    lanes: dict[str, ColType] = {}
    mixed: set[str] = set()
    for col in mapping.spec.columns:
        name = _lane_source(mapping.rule_for(col.name), col.type)
        if name is not None and src.schema.get(name) == pl.String and lanes.setdefault(name, col.type) is not col.type:
            mixed.add(name)
    return {c: t for c, t in lanes.items() if c not in mixed}


def _text(frame: pl.DataFrame, name: str, none_values: Sequence[str] = ()) -> pl.Series:
    """A source column as stripped text; empty and 'none' values become null.

    Text columns of `frame` are already cleaned by `apply_mapping`; typed ones are cleaned here.
    """
    s = frame[name]
    if s.dtype != pl.String:
        s = pl.select(_cleaned(pl.lit(s.cast(pl.String)))).to_series()
    if none_values:
        s = pl.select(pl.when(~s.is_in(none_values)).then(s)).to_series()
    return s.alias(name)


def _first_present(frame: pl.DataFrame, names: Sequence[str], none_values: Sequence[str]) -> pl.Series:
    texts = [_text(frame, c, none_values) for c in names]
    return texts[0] if len(texts) == 1 else pl.select(pl.coalesce(texts)).to_series()


def _condition(frame: pl.DataFrame, cond: Condition) -> pl.Series:
    """Where `cond` holds (never null: an empty value is not in any list, and is 'not present')."""
    if cond.all_ is not None:
        return pl.select(pl.all_horizontal([_condition(frame, c) for c in cond.all_])).to_series()
    if cond.any_ is not None:
        return pl.select(pl.any_horizontal([_condition(frame, c) for c in cond.any_])).to_series()
    if cond.not_ is not None:
        return ~_condition(frame, cond.not_)
    s = _text(frame, cond.column or "")
    if cond.in_ is not None:
        return s.is_in(cond.in_).fill_null(False)
    if cond.not_in is not None:
        return (~s.is_in(cond.not_in)).fill_null(True)
    return s.is_not_null() if cond.present else s.is_null()


def _joined(frame: pl.DataFrame, rule: ColumnRule) -> pl.Series:
    """The text of a `template` or `concat` rule; empty when any column it names is empty (a key
    made of two columns is no key without one of them)."""
    if rule.template is not None:
        parts = [pl.lit(_text(frame, piece, rule.none_values)) if is_column else pl.lit(piece)
                 for piece, is_column in template_parts(rule.template)]
        return pl.select(pl.concat_str(parts)).to_series()
    columns = [pl.lit(_text(frame, c, rule.none_values)) for c in rule.concat or []]
    return pl.select(pl.concat_str(columns, separator=rule.separator)).to_series()


def _evaluate(frame: pl.DataFrame, rule: ColumnRule, ctype: ColType, mapping: Mapping,
              site_zones: MappingABC[str, str]) -> tuple[pl.Series, pl.Series, str]:
    """(typed value, raw text that should have given a value, what was expected)."""
    n = frame.height
    if rule.test is not None:
        value = _condition(frame, rule.test)
        raw = _full(n, None, pl.String)
        expects = ""
    elif rule.sum is not None:
        secs, raw = _durations(frame, rule.sum, rule.unit or DurationUnit.SECONDS, rule.none_values, mapping.format)
        value = secs.round(0).cast(pl.Int64) if ctype is ColType.INT else secs
        expects = f"a number{f' ({rule.unit})' if rule.unit else ''}"
    elif "value" in rule.model_fields_set:
        const = rule.value
        if const is None:
            return _full(n, None, TABLE_DTYPES[ctype]), _full(n, None, pl.String), ""
        raw = _full(n, str(const).lower() if isinstance(const, bool) else str(const), pl.String)
        value, expects = _typed(raw, ctype, None, None, mapping, site_zones, frame)
    elif rule.date:
        date_text = _text(frame, rule.date, rule.none_values)
        time_text = _first_present(frame, rule.time, rule.none_values) if rule.time else None
        value, raw, expects = _date_time(date_text, time_text, rule, mapping, site_zones, frame)
    else:
        names = rule.column or []
        if rule.template is not None or rule.concat is not None:
            raw = _joined(frame, rule)
            if rule.codes is not None:
                value, raw, expects = _codes(raw, rule, ctype)
            else:
                value, expects = _typed(raw, ctype, rule.format, _value_unit(rule, ctype), mapping, site_zones, frame)
        elif ctype is not ColType.STR and len(names) == 1 and frame[names[0]].dtype != pl.String \
                and not rule.codes and not rule.none_values:
            value, raw, expects = _native(frame[names[0]], ctype, rule, mapping, site_zones, frame)
        else:
            raw = _first_present(frame, names, rule.none_values)
            if rule.codes is not None:
                value, raw, expects = _codes(raw, rule, ctype)
            else:
                value, expects = _typed(raw, ctype, rule.format, _value_unit(rule, ctype), mapping, site_zones, frame)
    if rule.plus and ctype is ColType.DATETIME:
        secs, text = _durations(frame, rule.plus, rule.unit or DurationUnit.SECONDS, rule.none_values,
                                mapping.format)
        # A duration given but unreadable leaves no timestamp, and is what the row reports.
        bad = pl.select(pl.lit(text).is_not_null() & pl.lit(secs).is_null() & pl.lit(value).is_not_null()).to_series()
        value = _plus(value, secs.fill_null(0.0) if not bad.any() else
                      pl.select(pl.when(~bad).then(pl.lit(secs).fill_null(0.0))).to_series())
        if bad.any():
            raw = pl.select(pl.when(bad).then(pl.lit(text)).otherwise(pl.lit(raw))).to_series()
    if rule.when is not None:
        keep = _condition(frame, rule.when)
        value = pl.select(pl.when(keep).then(value)).to_series()
        raw = pl.select(pl.when(keep).then(raw)).to_series()
    return value, raw, expects


def _value_unit(rule: ColumnRule, ctype: ColType) -> DurationUnit | None:
    """The unit of the value itself: on a timestamp, `unit` is the unit of its `plus` durations."""
    return None if ctype is ColType.DATETIME else rule.unit


def _date_time(date_text: pl.Series, time_text: pl.Series | None, rule: ColumnRule, mapping: Mapping,
               site_zones: MappingABC[str, str], frame: pl.DataFrame) -> tuple[pl.Series, pl.Series, str]:
    """A date column plus an optional time-of-day column, read as local time."""
    if rule.format:
        day = date_text.str.to_date(rule.format, strict=False)
    else:
        day = _typed(date_text, ColType.DATE, None, None, mapping, site_zones, frame)[0]
    expects = f"a date like {rule.format or '%Y-%m-%d'}"
    if time_text is None:
        naive = day.cast(pl.Datetime("us"))
        return localize(naive, mapping, site_zones, frame), date_text, expects
    if rule.time_format:
        t = time_text.str.to_time(rule.time_format, strict=False)
        secs = (t.cast(pl.Int64) / 1_000_000_000).cast(pl.Float64)
    else:
        secs = time_of_day_seconds(time_text, mapping.format)
    naive = pl.select(day.cast(pl.Datetime("us")) + pl.duration(microseconds=(secs * 1e6).round(0).cast(pl.Int64))
                      ).to_series()
    # No time means no timestamp (0:00:00 as "none" arrives here as null).
    raw = pl.select(pl.when(time_text.is_not_null()).then(pl.concat_str([date_text, time_text], separator=" ",
                                                                          ignore_nulls=True))).to_series()
    return localize(naive, mapping, site_zones, frame), raw, expects + " and a time of day like " + (
        rule.time_format or "H:MM:SS")


def _durations(frame: pl.DataFrame, names: Sequence[str], unit: DurationUnit,
               none_values: Sequence[str], fmt: FormatOptions | None = None) -> tuple[pl.Series, pl.Series]:
    """The seconds of source durations added up (an empty one counts as 0; all empty: null; one
    given but unreadable: null) and the text that was given (to report when it could not be read)."""
    texts, seconds = [], []
    for name in names:
        text = _text(frame, name, none_values)
        src = frame[name]
        texts.append(text)
        seconds.append(duration_seconds(src if src.dtype.is_numeric() else text, unit, fmt))
    given = pl.any_horizontal([pl.lit(t).is_not_null() for t in texts])
    unreadable = pl.any_horizontal([pl.lit(t).is_not_null() & pl.lit(s).is_null() for t, s in zip(texts, seconds)])
    total = pl.select(pl.when(given & ~unreadable).then(
        pl.sum_horizontal([pl.lit(s).fill_null(0.0) for s in seconds]))).to_series()
    text = texts[0] if len(texts) == 1 else pl.select(pl.when(given).then(
        pl.concat_str([pl.lit(t).fill_null("") for t in texts], separator=" + "))).to_series()
    return total.cast(pl.Float64), text


def _plus(value: pl.Series, seconds: pl.Series) -> pl.Series:
    """Timestamps plus seconds (null where either is null)."""
    return pl.select(pl.lit(value) + pl.duration(microseconds=(pl.lit(seconds) * 1e6).round(0).cast(pl.Int64))
                     ).to_series().cast(_DT_UTC)


def _add_seconds(frame: pl.DataFrame, rule: ColumnRule, fmt: FormatOptions | None = None
                 ) -> tuple[pl.Series, pl.Series, str]:
    """`to` plus the durations of the `add_seconds` columns (see `_durations`)."""
    base = frame[f"__c_{rule.to}"]
    unit = rule.unit or DurationUnit.SECONDS
    seconds, text = _durations(frame, rule.add_seconds or [], unit, rule.none_values, fmt)
    value = _plus(base, seconds)
    # What was given and should have made a value: reported when the sum could not be made.
    raw = pl.select(pl.when(pl.lit(base).is_not_null()).then(pl.lit(text))).to_series()
    if rule.when is not None:
        keep = _condition(frame, rule.when)
        value = pl.select(pl.when(keep).then(value)).to_series()
        raw = pl.select(pl.when(keep).then(raw)).to_series()
    return value, raw, f"a duration ({unit})"


def _exclusions(frame: pl.DataFrame, mapping: Mapping) -> pl.Series:
    """Per row, the reason the mapping sets it aside (the first that applies), else null."""
    reasons: list[tuple[pl.Expr | pl.Series, str]] = [(_condition(frame, ex), ex.reason) for ex in mapping.exclude]
    if mapping.one_row_per:
        key = pl.struct([pl.col(c) for c in mapping.one_row_per]) if len(mapping.one_row_per) > 1 \
            else pl.col(mapping.one_row_per[0])
        repeat = frame.select(~key.is_first_distinct()).to_series()
        reasons.append((repeat, f"repeats the {' + '.join(mapping.one_row_per)} of an earlier row (one "
                                f"{mapping.table} record per {' + '.join(mapping.one_row_per)})"))
    if not reasons:
        return _full(frame.height, None, pl.String).alias("excluded")
    expr: Any = pl
    for test, reason in reasons:
        expr = expr.when(pl.lit(test)).then(pl.lit(reason))
    return pl.select(expr.otherwise(pl.lit(None, dtype=pl.String))).to_series().alias("excluded")
