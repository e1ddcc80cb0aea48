"""The range every number of a contract must lie in, checked on the whole model before any other rule.

YAML and pydantic let through numbers no contract means and the audit cannot compute with: 1e400
(Decimal's quantize fails), infinities (a float field takes 'inf'), 10^30 FTE rates, amounts with
400 decimal places. Every numeric value of the contract (each field, each list item, each KPI
parameter, amendments included) is walked here, whatever field holds it, so a field added to the
model later is covered too: it must be finite, at most MAX_MAGNITUDE in size (a KPI's parameters
MAX_PARAMETER) and, for exact
decimals, have at most MAX_DECIMALS decimal places. The model's own bounds (>= 0, <= 100, ...)
still apply on top.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ..yamlsource import LocatedDocument
from ..problems import PathT, Problem, format_path
from .model import Contract

MAX_MAGNITUDE = 10**12  # a trillion: beyond any fee, rate, target or count a contract states
MAX_PARAMETER = 10**6  # a metric's minutes, hours or days: larger overflow a timestamp's microseconds
MAX_DECIMALS = 10  # money is rounded to at most 4 places; percentages and weights need a few more


def number_problems(doc: LocatedDocument, model: type[BaseModel] = Contract) -> list[Problem]:
    """A located problem for every number of the document out of range (see the module docstring).

    The YAML data is walked as the model reads it, before and whether or not the model accepts
    the rest, so these problems are reported with the model's own, all at once.
    """
    problems = []
    for path, value in numbers_in(doc.data, model):
        message = out_of_range(value, MAX_PARAMETER if "params" in path else MAX_MAGNITUDE)
        if message:
            problems.append(Problem(doc.locate(path), format_path(path), message))
    return problems


def numbers_in(data: Any, annotation: Any, path: PathT = ()) -> Iterator[tuple[PathT, int | float | Decimal]]:
    """Every value of `data` that the model (`annotation` at `path`) reads as a number, as written:
    '1e-400' in a float field would read 0.0, and a quoted 'NaN' or '1e400' nan or inf."""
    alternatives = _alternatives(annotation)
    if isinstance(data, dict):
        for alt in alternatives:
            if isinstance(alt, type) and issubclass(alt, BaseModel):
                for name, field in alt.model_fields.items():
                    if name in data:
                        yield from numbers_in(data[name], field.annotation, path + (name,))
                return
            if typing.get_origin(alt) is dict:
                for key, item in data.items():
                    yield from numbers_in(item, typing.get_args(alt)[1], path + (key,))
                return
    elif isinstance(data, list):
        for alt in alternatives:
            if typing.get_origin(alt) is list:
                for i, item in enumerate(data):
                    yield from numbers_in(item, typing.get_args(alt)[0], path + (i,))
                return
    elif any(alt in (int, float, Decimal) for alt in alternatives) and not isinstance(data, bool):
        if isinstance(data, (int, float, Decimal)):
            yield path, data
        elif isinstance(data, str) and (number := _as_number(data)) is not None and str not in alternatives:
            yield path, number


def _alternatives(annotation: Any) -> list[Any]:
    """An annotation's alternatives, Optional/Annotated/union taken apart."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _alternatives(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [alt for arg in typing.get_args(annotation) for alt in _alternatives(arg)]
    return [annotation]


def _as_number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().replace("_", ""))
    except ArithmeticError:
        return None


def out_of_range(value: int | float | Decimal, limit: int = MAX_MAGNITUDE) -> str | None:
    """Why `value` cannot be a contract's number (at most `limit` in size), or None when it can."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return f"{value} is not a finite number"
        if abs(value) > limit:
            return f"{_shown(value)} is out of range (at most {limit:,} in size)"
        if value.normalize().as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
            return f"{_shown(value)} has more than {MAX_DECIMALS} decimal places"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    if abs(value) > limit:
        return f"{_shown(value)} is out of range (at most {limit:,} in size)"
    return None


def _shown(value: int | float | Decimal) -> str:
    """The number as written when short, else its first digits and its size (a message stays one line)."""
    text = f"{value:.6E}" if isinstance(value, Decimal) and len(str(value)) > 24 else str(value)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"
