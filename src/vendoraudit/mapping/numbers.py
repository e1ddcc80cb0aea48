"""Numbers written as text: decimal and thousands separators, read per column, never guessed.

`1,200` is 1.2 with a decimal comma and 1200 with a thousands comma; `1.200` the other way round.
Without a stated format a column is read in the one convention (decimal point with comma
grouping, or decimal comma with point grouping) that reads all its values; when both do and some
value reads differently in each (or neither reads them all), the column is ambiguous: an
`AmbiguousNumbers` error for that column, never a guess. A column with no value read differently
keeps each value's only reading (so `3.5` and `3,5` are both 3.5, as before). A mapping's
`format: {decimal: ",", thousands: "."}` states the convention, and then only numbers written in it
are read (anything else is an unreadable value of its row).
"""

from __future__ import annotations

import polars as pl

from ..errors import InputError

# Whole number parts grouped by threes: 1,234 or 1.234.567 (a group never starts a number with 0).
_GROUPED = r"[1-9][0-9]{{0,2}}(?:{sep}[0-9]{{3}})+"
_POINT_GROUPED = r"^[+-]?" + _GROUPED.format(sep=",") + r"(?:\.[0-9]*)?$"
_COMMA_DECIMAL = r"^[+-]?(?:[0-9]+|" + _GROUPED.format(sep=r"\.") + r")?(?:,[0-9]+)?$"
_DOTS_AS_GROUPS = r"^[+-]?" + _GROUPED.format(sep=r"\.") + r"$"
THOUSANDS = (",", ".", " ", "'", "\u00a0", "\u202f")


class AmbiguousNumbers(InputError):
    """A column whose numbers read two ways (the caller adds the file's name)."""

    def __init__(self, column: str, example: str, point: float, comma: float) -> None:
        super().__init__(
            f"column {column!r}: numbers such as {example} read two ways ({_plain(point)} with a decimal point, "
            f"{_plain(comma)} with a decimal comma) and no other value of the column tells which: state the "
            "number format in the file's mapping (format: {decimal: ',', thousands: '.'} or "
            "{decimal: '.', thousands: ','})")
        self.column = column


def _plain(value: float) -> str:
    return f"{value:,.10g}".replace(",", "\u2009") if abs(value) >= 10_000 else f"{value:.10g}"


def _finite(f: pl.Series) -> pl.Series:
    return f if f.is_finite().all() else pl.select(pl.when(f.is_finite()).then(f)).to_series()


def read_numbers(raw: pl.Series, decimal: str | None = None, thousands: str | None = None) -> pl.Series:
    """Float64 values of the text `raw`; null where a value is not a number (or not finite).

    `decimal`/`thousands`: the mapping's stated format (None: read as the module docstring says).
    Raises AmbiguousNumbers for a column that reads two ways.
    """
    if decimal is not None or thousands is not None:
        return _stated(raw, decimal, thousands)
    # The whole-column checks skip the per-value work when no value needs it (most columns).
    has_comma = raw.str.contains(",", literal=True).any()
    if not has_comma and not (raw.str.contains(".", literal=True).any()
                              and raw.str.contains(_DOTS_AS_GROUPS).any()):
        return _finite(raw.cast(pl.Float64, strict=False))
    point = _finite(pl.select(
        pl.when(pl.lit(raw).str.contains(_POINT_GROUPED)).then(pl.lit(raw).str.replace_all(",", "", literal=True))
        .when(~pl.lit(raw).str.contains(",", literal=True)).then(pl.lit(raw))).to_series().cast(pl.Float64,
                                                                                                 strict=False))
    comma = _finite(pl.select(
        pl.when(pl.lit(raw).str.contains(_COMMA_DECIMAL) & pl.lit(raw).str.contains("[0-9]"))
        .then(pl.lit(raw).str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
    ).to_series().cast(pl.Float64, strict=False))
    disputed = (point != comma).fill_null(False)
    if not disputed.any():
        return pl.select(pl.coalesce(point, comma)).to_series()
    read = point.is_not_null() | comma.is_not_null()
    point_reads_all = (point.is_not_null() | ~read).all()
    comma_reads_all = (comma.is_not_null() | ~read).all()
    if point_reads_all != comma_reads_all:
        return point if point_reads_all else comma
    at = int(disputed.arg_max() or 0)
    raise AmbiguousNumbers(raw.name, raw[at], point[at], comma[at])


def _stated(raw: pl.Series, decimal: str | None, thousands: str | None) -> pl.Series:
    """Numbers in the stated format only: optional sign, digits (grouped by threes with `thousands`
    when given), optional `decimal` and digits."""
    decimal = decimal or ("," if thousands == "." else ".")
    esc = {s: ("\\" + s if s in ".^$*+?()[]{}|\\" else s) for s in (decimal, thousands or "")}
    whole = r"[0-9]+"
    if thousands:
        whole = r"(?:[0-9]+|" + _GROUPED.format(sep=esc[thousands]) + ")"
    pattern = r"^[+-]?(?:" + whole + r"(?:" + esc[decimal] + r"[0-9]*)?|" + esc[decimal] + r"[0-9]+)$"
    text = pl.lit(raw)
    if thousands:
        text = text.str.replace_all(thousands, "", literal=True)
    value = pl.select(pl.when(pl.lit(raw).str.contains(pattern)).then(text.str.replace(decimal, ".", literal=True)))
    return _finite(value.to_series().cast(pl.Float64, strict=False))
