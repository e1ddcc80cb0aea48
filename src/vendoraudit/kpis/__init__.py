"""The KPI stage: one pure polars function per metric, the registry, period scoping, breakdowns and
brand-promise consistency. It reads validated tables and returns MetricResult values; no contracts."""

from __future__ import annotations

from .brand import ConsistencyResult, GapResult, brand_consistency
from .period import PeriodData, period_data
from .registry import METRICS, MetricDef, ParamSpec, metric
from .scope import breakdown, compute_metric
from .stats import round_half_up

__all__ = [
    "METRICS", "ConsistencyResult", "GapResult", "MetricDef", "ParamSpec", "PeriodData", "brand_consistency",
    "breakdown", "compute_metric", "metric", "period_data", "round_half_up",
]
