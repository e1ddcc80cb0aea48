"""Reading source values into canonical types: text or typed cells to numbers, flags, dates,
UTC timestamps (local times in the site's zone) and durations in seconds.

Vectorised polars on whole columns; a value that does not parse becomes null, and the caller
(`evaluation`) turns a null where text was given into a failure record.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from ..tables import POLARS_TYPES as TABLE_DTYPES, ColType
from .model import ColumnRule, DurationUnit, FormatOptions, Mapping, Unmatched
from .numbers import read_numbers

_SITE = "__site"
_DT_UTC = pl.Datetime("us", "UTC")
# ISO 8601 to the second or to the minute (`2026-10-08T10:35+02:00`), as the naive forms below.
_AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z", "%Y-%m-%d %H:%M%#z")
_NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")
# ISO 8601 to the second with a +hh:mm offset, as nearly every export writes it (see `_iso_offset`).
_ISO_OFFSET = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
_CLOCK = r"^(?:\d{4}-\d{2}-\d{2}[ T])?(\d{1,4}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_EXPECTS = {
    ColType.STR: "text",
    ColType.INT: "a whole number",
    ColType.FLOAT: "a number",
    ColType.BOOL: "true/false",
    ColType.DATE: "a date (YYYY-MM-DD)",
    ColType.DATETIME: "a datetime (ISO 8601, with an offset or in the site's time zone)",
}


def _full(n: int, value: Any, dtype: Any) -> pl.Series:
    """A column of `n` copies of `value` (built by polars, not from a Python list)."""
    return pl.select(pl.repeat(value, n, dtype=dtype)).to_series()


def _usual_shape(text: pl.Expr, ctype: ColType) -> pl.Expr:
    """Whether every value has the shape nearly every export writes (`2026-10-08T10:35:53+00:00`,
    `true`/`false`): such text has no blanks to clean, and the fast reading takes it whole."""
    if ctype is ColType.DATETIME:
        return text.str.contains(_ISO_OFFSET).all()
    return ((text == "true") | (text == "false")).all()


def padded_or_empty(text: pl.Expr) -> pl.Expr:
    """True where `_cleaned` changes the value: blanks around it, or empty (stripping changes a
    value exactly when it shortens it; comparing lengths is cheaper than comparing text)."""
    return (text.str.strip_chars().str.len_bytes() != text.str.len_bytes()) | (text == "")


def _needs_cleaning(text: pl.Expr) -> pl.Expr:
    """Whether `_cleaned` would change any value of the column."""
    return padded_or_empty(text).any()


def _cleaned(text: pl.Expr) -> pl.Expr:
    """Text without surrounding blanks; an empty value is null."""
    stripped = text.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _codes(raw: pl.Series, rule: ColumnRule, ctype: ColType) -> tuple[pl.Series, pl.Series, str]:
    codes = rule.codes or {}
    dtype = TABLE_DTYPES[ctype]
    listed = pl.Series(list(codes), dtype=pl.String)
    mapped = raw.replace_strict(
        {k: (float(v) if isinstance(v, Decimal) else v) for k, v in codes.items()},
        default=raw if rule.unmatched is Unmatched.KEEP else None, return_dtype=dtype)
    # A code mapped to null, or an unmatched code under 'null', is deliberate: not a failure.
    deliberate = raw.is_in([k for k, v in codes.items() if v is None]).fill_null(False)
    if rule.unmatched is Unmatched.NULL:
        deliberate = deliberate | ~raw.is_in(listed).fill_null(True)
    raw = pl.select(pl.when(deliberate).then(None).otherwise(raw)).to_series()
    shown = ", ".join(list(codes)[:8]) + (", ..." if len(codes) > 8 else "")
    return mapped, raw, f"one of the codes {shown}"


def _typed(raw: pl.Series, ctype: ColType, fmt: str | None, unit: DurationUnit | None, mapping: Mapping,
           site_zones: MappingABC[str, str], frame: pl.DataFrame) -> tuple[pl.Series, str]:
    """Parse text `raw` into the canonical type."""
    if ctype is ColType.STR:
        return raw, _EXPECTS[ctype]
    if unit is not None:
        secs = duration_seconds(raw, unit, mapping.format)
        return (secs.round(0).cast(pl.Int64) if ctype is ColType.INT else secs), f"a duration ({unit})"
    if ctype is ColType.INT:
        f = _number(raw, mapping.format)
        whole = f == f.floor()
        return (f if whole.all() else pl.select(pl.when(whole).then(f)).to_series()).cast(pl.Int64), _EXPECTS[ctype]
    if ctype is ColType.FLOAT:
        return _number(raw, mapping.format), _EXPECTS[ctype]
    if ctype is ColType.BOOL:
        if pl.select(_usual_shape(pl.lit(raw), ctype)).item():  # as nearly every export writes them
            return raw == "true", _EXPECTS[ctype]
        low = raw.str.to_lowercase()
        value = pl.select(pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
                          .otherwise(None)).to_series()
        return value.cast(pl.Boolean), _EXPECTS[ctype]
    if ctype is ColType.DATE:
        if fmt:
            return raw.str.to_date(fmt, strict=False), f"a date like {fmt}"
        return _first_parse(raw, [lambda s: s.str.to_date("%Y-%m-%d", strict=False),
                                  lambda s: s.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False).dt.date()],
                            pl.Date), _EXPECTS[ctype]
    return _datetime_text(raw, fmt, mapping, site_zones, frame), (
        f"a datetime like {fmt}" if fmt else _EXPECTS[ctype])


def _native(s: pl.Series, ctype: ColType, rule: ColumnRule, mapping: Mapping,
            site_zones: MappingABC[str, str], frame: pl.DataFrame) -> tuple[pl.Series, pl.Series, str]:
    """A typed source column (Parquet, say) cast to the canonical type."""
    raw = s  # typed: cast to text only for the cells reported (see `finish`)
    if rule.unit is not None and s.dtype.is_numeric() and ctype is not ColType.DATETIME:
        return duration_seconds(s.cast(pl.Float64), rule.unit), raw, f"a duration ({rule.unit})"
    if ctype is ColType.DATETIME and isinstance(s.dtype, (pl.Datetime, pl.Date)):
        if isinstance(s.dtype, pl.Date):
            s = s.cast(pl.Datetime("us"))
        if s.dtype.time_zone is None:  # type: ignore[union-attr]
            return localize(s.cast(pl.Datetime("us")), mapping, site_zones, frame), raw, _EXPECTS[ctype]
        return s.dt.convert_time_zone("UTC").cast(_DT_UTC), raw, _EXPECTS[ctype]
    if ctype is ColType.DATE and isinstance(s.dtype, pl.Datetime):
        return s.dt.date(), raw, _EXPECTS[ctype]
    if ctype is ColType.INT and s.dtype.is_float():
        return pl.select(pl.when(s == s.floor()).then(s)).to_series().cast(pl.Int64), raw, _EXPECTS[ctype]
    if ctype is ColType.FLOAT and s.dtype.is_numeric():
        f = s.cast(pl.Float64)
        # NaN and infinities are no value; the column is copied only when it holds one
        if not f.is_finite().all():
            f = pl.select(pl.when(f.is_finite()).then(f)).to_series()
        return f, raw, _EXPECTS[ctype]
    value = s.cast(TABLE_DTYPES[ctype], strict=False)
    if value.dtype == s.dtype or s.dtype.is_numeric() or s.dtype == pl.Boolean:
        return value, raw, _EXPECTS[ctype]
    # Anything else (a Date where an int is wanted, ...) goes through the text reading.
    value, expects = _typed(s.cast(pl.String, strict=False).str.strip_chars(), ctype, rule.format,
                          None if ctype is ColType.DATETIME else rule.unit, mapping, site_zones, frame)
    return value, raw, expects


def _number(raw: pl.Series, fmt: FormatOptions | None = None) -> pl.Series:
    """Numbers from text, in the mapping's stated format or the one the column reads in (see `numbers`)."""
    return read_numbers(raw, fmt.decimal if fmt else None, fmt.thousands if fmt else None)


def _first_parse(raw: pl.Series, parsers: Sequence[Any], dtype: Any) -> pl.Series:
    """Try parsers in order; each later one only sees the values still unparsed."""
    result = _full(raw.len(), None, dtype)
    pending = raw
    for parse in parsers:
        if pending.null_count() == pending.len():
            break
        parsed = parse(pending)
        result = pl.select(pl.coalesce(result, parsed.cast(dtype))).to_series()
        pending = pl.select(pl.when(result.is_null()).then(pending)).to_series()
    return result


def _datetime_text(raw: pl.Series, fmt: str | None, mapping: Mapping, site_zones: MappingABC[str, str],
                   frame: pl.DataFrame) -> pl.Series:
    """ISO 8601 (or `fmt`) text to UTC; text without an offset is local time of the site."""
    if fmt:
        aware = "%z" in fmt or "%#z" in fmt or "%:z" in fmt
        aware_formats, naive_formats = ((fmt,), ()) if aware else ((), (fmt,))
    else:
        aware_formats, naive_formats = _AWARE_FORMATS, _NAIVE_FORMATS
    aware_parsers = [lambda s, f=f: s.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                     for f in aware_formats]
    if not fmt:
        fast = _iso_offset(raw)
        if fast.null_count() == raw.null_count():  # every value read: the general formats have nothing left
            return fast
        aware_parsers.insert(0, lambda s: fast)  # `_first_parse` hands its first parser all of `raw`
    result = _first_parse(raw, aware_parsers, _DT_UTC)
    pending = pl.select(pl.when(result.is_null()).then(raw)).to_series()
    if naive_formats and pending.null_count() < pending.len():
        naive = _first_parse(pending, [lambda s, f=f: s.str.to_datetime(f, strict=False, time_unit="us")
                                       for f in naive_formats], pl.Datetime("us"))
        result = pl.select(pl.coalesce(result, localize(naive, mapping, site_zones, frame))).to_series()
    return result


def _iso_offset(raw: pl.Series) -> pl.Series:
    """Text of the `_ISO_OFFSET` shape to UTC as its local part minus its offset (other text: null).

    The same instants as parsing with `%z`, in about a third of the time; the text it leaves goes
    on to the general formats.
    """
    shaped = raw.str.contains(_ISO_OFFSET)
    return _iso_shaped(raw if shaped.all() else pl.select(pl.when(shaped).then(raw)).to_series())


def _iso_shaped(text: pl.Series) -> pl.Series:
    """`_iso_offset` of text whose values all have the `_ISO_OFFSET` shape (or are null)."""
    if 2 * text.null_count() > text.len():
        # Mostly empty (callbacks, follow-ups): read the values only and put them back in place.
        given = text.is_not_null()
        return _full(text.len(), None, _DT_UTC).scatter(given.arg_true(), _iso_shaped(text.filter(given)))
    # No cache: timestamps are nearly all distinct, and caching them doubles the parsing time.
    local = text.str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us", cache=False)
    if local.null_count() == local.len():
        return local.dt.replace_time_zone("UTC")
    # A file usually writes one offset throughout: then it is subtracted once, not parsed per value.
    offset = text[int(text.is_not_null().arg_max() or 0)][19:]
    if text.str.ends_with(offset).all():
        minutes = (int(offset[1:3]) * 60 + int(offset[4:6])) * (-1 if offset[0] == "-" else 1)
        if minutes == 0:
            return local.dt.replace_time_zone("UTC")
        return pl.select((local - pl.duration(minutes=minutes)).dt.replace_time_zone("UTC")).to_series()
    minutes = text.str.slice(20, 2).cast(pl.Int64) * 60 + text.str.slice(23, 2).cast(pl.Int64)
    sign = pl.when(text.str.slice(19, 1) == "-").then(-1).otherwise(1)
    return pl.select((local - pl.duration(minutes=minutes * sign)).dt.replace_time_zone("UTC")).to_series()


def time_of_day_seconds(text: pl.Series, fmt: FormatOptions | None = None) -> pl.Series:
    """Seconds after midnight from `H:MM[:SS[.f]]` (an Excel rendering `1899-12-31 09:12:58` too)
    or an Excel fraction of a day (0.5 = 12:00)."""
    secs = _clock_seconds(text)
    frac = _number(text, fmt)
    from_frac = pl.select(pl.when((frac >= 0) & (frac < 1)).then(frac * 86400.0)).to_series()
    value = pl.select(pl.coalesce(secs, from_frac)).to_series()
    return pl.select(pl.when(value < 86400.0).then(value)).to_series()


def duration_seconds(source: pl.Series, unit: DurationUnit, fmt: FormatOptions | None = None) -> pl.Series:
    """A duration in seconds from numbers or text in `unit` (numbers in `fmt`'s format); negative or
    unreadable -> null."""
    if source.dtype.is_numeric():
        f = source.cast(pl.Float64)
    elif unit is DurationUnit.HMS:
        f = _clock_seconds(source)
    elif unit is DurationUnit.EXCEL_DAYS:
        # A number is a fraction of a day; Excel renders a formatted time as a datetime from
        # its day zero (1899-12-31), or as plain h:mm:ss text.
        as_dt = source.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us")
        since_zero = pl.select((as_dt - pl.datetime(1899, 12, 31)).dt.total_microseconds() / 1e6).to_series()
        f = pl.select(pl.coalesce(_number(source, fmt) * 86400.0, since_zero, _clock_seconds(source))).to_series()
    else:
        f = _number(source, fmt)
    factor = {DurationUnit.MINUTES: 60.0, DurationUnit.HOURS: 3600.0}.get(unit, 1.0)
    if source.dtype.is_numeric() and unit is DurationUnit.EXCEL_DAYS:
        factor = 86400.0
    f = f * factor
    return pl.select(pl.when(f.is_finite() & (f >= 0)).then(f)).to_series().cast(pl.Float64)


def _clock_seconds(text: pl.Series) -> pl.Series:
    parts = text.str.extract_groups(_CLOCK)
    h = parts.struct.field("1").cast(pl.Float64)
    m = parts.struct.field("2").cast(pl.Float64)
    s = parts.struct.field("3").cast(pl.Float64).fill_null(0.0)
    return pl.select(pl.when(h.is_not_null()).then(h * 3600 + m * 60 + s)).to_series()


def localize(naive: pl.Series, mapping: Mapping, site_zones: MappingABC[str, str],
             frame: pl.DataFrame) -> pl.Series:
    """Local wall-clock times to UTC: the mapping's zone, else the row's site zone, else UTC.

    Ambiguous times (the repeated hour in autumn) take the earlier instant; times that do not
    exist (the skipped hour in spring) become null, which the caller reports as unreadable.
    """
    def to_utc(tz: str) -> pl.Series:
        return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null") \
            .dt.convert_time_zone("UTC").cast(_DT_UTC)

    if mapping.timezone:
        return to_utc(mapping.timezone)
    if not site_zones or _SITE not in frame.columns:
        return naive.dt.replace_time_zone("UTC").cast(_DT_UTC)
    site = frame[_SITE]
    by_zone: dict[str, list[str]] = {}
    for s in site.drop_nulls().unique().to_list():
        by_zone.setdefault(site_zones.get(s, "UTC"), []).append(s)
    if set(by_zone) <= {"UTC"}:
        return naive.dt.replace_time_zone("UTC").cast(_DT_UTC)
    expr: Any = pl
    for tz, sites in by_zone.items():
        expr = expr.when(site.is_in(sites)).then(to_utc(tz))
    return pl.select(expr.otherwise(naive.dt.replace_time_zone("UTC"))).to_series().cast(_DT_UTC)
