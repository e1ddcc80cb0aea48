"""Exact sums of float columns: the same total whatever the order, thread count or chunking.

Float addition is not associative, so a float sum's last digits depend on the order polars adds
the values in (threads, chunks of a read, partial sums of the streaming engine): identical inputs
gave different bytes. Here every value is first rounded to 9 decimals and held as an integer count
of 1e-9 (Int128); integer sums are exact in any order, and the total becomes a float only once, at
the end, by one correctly rounded division. Means and sample standard deviations are built from the
count, the sum and the sum of squares the same way (`Moments`), in exact rational arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

DECIMALS = 9
SCALE = 10**DECIMALS
# Squares of values up to this size, summed over 10^8 rows, stay inside Int128 (1.7e38).
_SQUARE_LIMIT = 1e6


def fixed(expr: pl.Expr, scale: int = SCALE) -> pl.Expr:
    """`expr` as an Int128 count of 1/scale (rounded half away from zero; nulls stay null)."""
    return (expr.cast(pl.Float64) * float(scale)).round().cast(pl.Int128)


def exact_sum(expr: pl.Expr) -> pl.Expr:
    """The sum of `expr` in 1e-9 units, exact (an Int128; 0 over no rows): pass it to `unscale`."""
    return fixed(expr).sum()


def unscale(total: int | None, scale: int = SCALE) -> float:
    """A total of 1/scale units as a float (correctly rounded); None (no rows) is 0.0."""
    return 0.0 if total is None else int(total) / scale


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squares of values held as integers of 1/scale: their mean and sample
    standard deviation are exact up to the final rounding to a float. Moments of parts add up."""

    n: int = 0
    total: int = 0
    squares: int = 0
    scale: int = SCALE

    def __add__(self, other: Moments) -> Moments:
        if self.scale != other.scale:
            raise ValueError("moments of different scales")
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares, self.scale)

    @property
    def sum(self) -> float:
        return unscale(self.total, self.scale)

    @property
    def mean(self) -> float | None:
        return None if self.n == 0 else float(Fraction(self.total, self.n * self.scale))

    @property
    def sd(self) -> float | None:
        """The sample standard deviation (n - 1); None below two values."""
        if self.n < 2:
            return None
        var = Fraction(self.n * self.squares - self.total * self.total,
                       self.n * (self.n - 1) * self.scale * self.scale)
        return math.sqrt(max(float(var), 0.0))


def moment_exprs(expr: pl.Expr, prefix: str, scale: int = SCALE) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Aggregations giving `Moments` of the non-null values of `expr`: `{prefix}_n`, `_sum`, `_sq`."""
    q = fixed(expr, scale)
    return (q.count().alias(f"{prefix}_n"), q.sum().alias(f"{prefix}_sum"), (q * q).sum().alias(f"{prefix}_sq"))


def moments_of(frame: pl.DataFrame, prefix: str, scale: int = SCALE) -> Moments:
    """`Moments` from the single row of `moment_exprs`' columns in `frame` (no row: none)."""
    if frame.height == 0:
        return Moments(scale=scale)
    n, total, squares = frame.select(f"{prefix}_n", f"{prefix}_sum", f"{prefix}_sq").row(0)
    return Moments(int(n or 0), int(total or 0), int(squares or 0), scale)


def moments(values: pl.Series) -> Moments:
    """`Moments` of the non-null values of a float series (its order and chunks do not matter).

    Values beyond 1e6 in size are held in coarser units so that their squares cannot overflow."""
    clean = values.drop_nulls().cast(pl.Float64)
    if clean.len() == 0:
        return Moments()
    biggest = float(clean.abs().max())  # type: ignore[arg-type]
    if not math.isfinite(biggest):
        raise ValueError("cannot sum a value that is not finite")
    scale = SCALE
    while scale > 1 and biggest * scale > _SQUARE_LIMIT * SCALE:
        scale //= 10
    return moments_of(clean.to_frame("v").select(*moment_exprs(pl.col("v"), "m", scale)), "m", scale)
