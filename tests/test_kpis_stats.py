"""Interval, test and rounding helpers of the KPI stage against spec/metrics.md's worked examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vendoraudit.kpis.stats import (mean_interval, nps_difference_test, nps_interval, nps_variance,
                                    round_half_up, sample_size, student_t_two_sided_p,
                                    two_proportion_test, welch_test, wilson)


@pytest.mark.parametrize("x, n, low, high", [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_spec_examples(x, n, low, high):
    lo, hi = wilson(x, n)
    assert round(lo, 4) == low and round(hi, 4) == high


def test_wilson_empty_is_none():
    assert wilson(0, 0) is None


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_wilson_contains_the_proportion(x, n):
    x = min(x, n)
    lo, hi = wilson(x, n)
    assert 0.0 <= lo <= x / n + 1e-12 and x / n - 1e-12 <= hi <= 1.0


def test_nps_examples():
    assert math.sqrt(nps_variance(50, 20, 100)) == pytest.approx(7.8102, abs=1e-4)
    lo, hi = nps_interval(50, 20, 100)
    assert (round(lo, 3), round(hi, 3)) == (14.692, 45.308)
    assert math.sqrt(nps_variance(300, 100, 600)) == pytest.approx(3.0429, abs=1e-4)
    assert nps_variance(0, 0, 0) is None


def test_mean_interval_uses_sample_sd():
    lo, hi = mean_interval(2.0, 1.0, 3)  # values 1, 2, 3: s = 1
    assert hi - 2.0 == pytest.approx(1.96 / math.sqrt(3))
    assert lo == pytest.approx(2.0 - 1.96 / math.sqrt(3))
    assert mean_interval(2.0, None, 1) is None


def test_sample_size_example():
    assert sample_size(1000, 0.05) == 278
    assert sample_size(0, 0.05) == 0
    assert sample_size(1, 0.05) == 1


@pytest.mark.parametrize("x, expected", [
    (1.5, 2), (2.5, 3), (0.5, 1), (1.49, 1), (9.5, 10), (-0.5, 0), (-1.2, -1),
    (1.4999999999, 2),  # a float meant as 1.5
    (10 * (1.124 - 1.405) / (0 - 1.405) - 0.5, 2),  # spec's "tie 1.5 in floats"
])
def test_round_half_up(x, expected):
    assert round_half_up(x) == expected


def test_two_proportion_test_by_hand():
    # pooled 0.45, se = sqrt(0.45 * 0.55 * 0.02) = 0.0703562; z = 0.1 / se = 1.42134
    res = two_proportion_test(50, 100, 40, 100)
    assert res.statistic == pytest.approx(1.42134, abs=1e-5)
    assert res.p_value == pytest.approx(0.15522, abs=1e-4)
    assert not res.significant
    assert two_proportion_test(90, 100, 60, 100).significant
    assert two_proportion_test(1, 0, 1, 1) is None
    assert two_proportion_test(10, 10, 5, 5).p_value == 1.0


def test_student_t_critical_values():
    assert student_t_two_sided_p(2.228139, 10) == pytest.approx(0.05, abs=1e-5)
    assert student_t_two_sided_p(12.7062, 1) == pytest.approx(0.05, abs=1e-4)
    assert student_t_two_sided_p(0.0, 5) == pytest.approx(1.0)


def test_welch_by_hand():
    # v1 = 1/100, v2 = 1.44/80 = 0.018; t = -0.3 / sqrt(0.028) = -1.79284
    res = welch_test(5.0, 1.0, 100, 5.3, 1.2, 80)
    assert res.statistic == pytest.approx(-1.79284, abs=1e-5)
    assert 0.07 < res.p_value < 0.08
    assert welch_test(5.0, 1.0, 1, 5.0, 1.0, 10) is None


def test_nps_difference():
    res = nps_difference_test(30.0, 61.0, 10.0, 39.0)  # z = 20 / 10 = 2
    assert res.statistic == pytest.approx(2.0)
    assert res.p_value == pytest.approx(0.0455, abs=1e-4)
    assert res.significant
