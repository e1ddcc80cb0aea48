"""Small statistics for metric intervals and gap tests (pure Python, no SciPy).

Proportions use the Wilson score interval, NPS the variance formula of spec/metrics.md,
means mean +- z * s / sqrt(n) with the sample standard deviation (n - 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

Z95 = 1.96


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves upwards, after first rounding `x` to 9 decimals.

    The 9-decimal step makes binary floats such as 1.4999999999 (meant as 1.5) round to 2.
    """
    if not math.isfinite(x):
        raise ValueError(f"cannot round {x!r}")
    cleaned = Decimal(repr(round(x, 9)))
    return int((cleaned + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval (low, high) for successes / n, as proportions 0..1; None when n is 0."""
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    return max(0.0, centre - half), min(1.0, centre + half)


def nps_variance(promoters: int, detractors: int, n: int) -> float | None:
    """Variance of NPS (in points^2): 100^2 * (p + d - (p - d)^2) / n; None when n is 0."""
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    return 100.0**2 * (p + d - (p - d) ** 2) / n


def nps_interval(promoters: int, detractors: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95% interval of NPS = NPS +- z * sqrt(Var), in points; None when n is 0."""
    var = nps_variance(promoters, detractors, n)
    if var is None:
        return None
    nps = 100.0 * (promoters - detractors) / n
    half = z * math.sqrt(var)
    return nps - half, nps + half


def mean_interval(mean: float, sd: float | None, n: int, z: float = Z95) -> tuple[float, float] | None:
    """mean +- z * s / sqrt(n) with s the sample sd (n - 1); None when n < 2 (s undefined)."""
    if n < 2 or sd is None or not math.isfinite(sd):
        return None
    half = z * sd / math.sqrt(n)
    return mean - half, mean + half


def normal_two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


@dataclass(frozen=True)
class Significance:
    """A two-sided test of equality: statistic, p-value, and whether it rejects at 5%."""

    statistic: float
    p_value: float
    method: str

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> Significance | None:
    """Pooled two-proportion z test of x1/n1 == x2/n2; None when a side is empty or the pool is 0 or 1."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        # Both sides all-success or all-failure: identical proportions, nothing to reject.
        return Significance(0.0, 1.0, "two-proportion-z")
    z = (x1 / n1 - x2 / n2) / math.sqrt(var)
    return Significance(z, normal_two_sided_p(z), "two-proportion-z")


def nps_difference_test(nps1: float, var1: float, nps2: float, var2: float) -> Significance | None:
    """z test of NPS1 == NPS2 with the NPS variance formula: z = (NPS1 - NPS2) / sqrt(Var1 + Var2)."""
    total = var1 + var2
    if total <= 0:
        return Significance(0.0, 1.0 if nps1 == nps2 else 0.0, "nps-variance-z")
    z = (nps1 - nps2) / math.sqrt(total)
    return Significance(z, normal_two_sided_p(z), "nps-variance-z")


def welch_test(m1: float, s1: float, n1: int, m2: float, s2: float, n2: int) -> Significance | None:
    """Welch's unequal-variance t test of mean1 == mean2 (two-sided, Welch-Satterthwaite df)."""
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    se2 = v1 + v2
    if se2 <= 0:
        return Significance(0.0, 1.0 if m1 == m2 else 0.0, "welch-t")
    t = (m1 - m2) / math.sqrt(se2)
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return Significance(t, student_t_two_sided_p(t, df), "welch-t")


def student_t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t: I_{df/(df+t^2)}(df/2, 1/2)."""
    if math.isinf(df):
        return normal_two_sided_p(t)
    return _betainc(df / 2.0, 0.5, df / (df + t * t))


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes 6.4)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def sample_size(population: int, margin: float, p: float = 0.5, z: float = Z95) -> int:
    """Evaluations needed for +-margin (a proportion, 0.05 = 5 points) at 95% over `population` contacts.

    n0 = z^2 p (1 - p) / e^2, n = ceil(n0 / (1 + (n0 - 1) / N)); 0 when the population is empty.
    """
    if population <= 0:
        return 0
    if margin <= 0:
        raise ValueError("margin must be positive")
    n0 = z * z * p * (1 - p) / (margin * margin)
    # Rounded to 9 decimals first so that float noise cannot push an exact integer up by one.
    return math.ceil(round(n0 / (1 + (n0 - 1) / population), 9))
