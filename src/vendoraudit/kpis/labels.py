"""Labels that carry a metric's definition: "Service level (60 s, variant 3)", never a bare title.

The same title computed two ways (a contract's 60 s service level and the 20 s default of an
informative section) must never share one name in a document, so a label is built from the
parameters and variant a result was actually computed with (`MetricResult.params`, `.variant`).
"""

from __future__ import annotations

from ..results import MetricResult
from .registry import METRICS

# How each parameter reads in a label; `{}` is its value as the result records it.
_PARAM_TEXT = {
    "threshold_seconds": "{} s",
    "short_abandon_seconds": "short abandons {} s",
    "minutes": "{} min",
    "hours": "{} h",
    "days": "{} days",
    "min_hours": "{} h",
    "pass_mark": "pass mark {}",
    "margin": "margin {} points",
    "tolerance": "tolerance {} points",
    "min_evaluations": "k = {}",
    "months": "{} months",
    "criterion": "{}",
    "category": "{}",
}
# Variant names as people read them.
_VARIANT_TEXT = {"top2": "top-2-box", "top3": "top-3-box"}


def definition_text(metric_id: str, params: tuple[tuple[str, str], ...], variant: str) -> str:
    """The parameters and variant a result was computed with, in words ('' when it has none)."""
    parts = [_PARAM_TEXT.get(name, f"{name} {{}}").format(value) for name, value in params]
    definition = METRICS.get(metric_id)
    if definition is not None and len(definition.variants) > 1:
        shown = _VARIANT_TEXT.get(variant, variant)
        parts.append(f"variant {shown}" if shown.isdigit() else shown)
    return ", ".join(parts)


def result_definition(result: MetricResult) -> str:
    """`definition_text` of a result."""
    return definition_text(result.metric_id, result.params, result.variant)


def metric_label(result: MetricResult, title: str | None = None) -> str:
    """`title` (the registry's title by default) with the result's definition in brackets."""
    definition = METRICS.get(result.metric_id)
    name = title if title is not None else (definition.title if definition else result.metric_id)
    text = result_definition(result)
    return f"{name} ({text})" if text else name
