"""Which typed source columns (Parquet's) can feed which canonical columns, checked before mapping.

CSV and XLSX arrive as text and are parsed value by value. A Parquet column arrives typed, and a
type that does not fit (a list or struct where text belongs, bytes, a date where a timestamp
belongs, a duration, a flag where a number belongs) was either cast silently into a wrong value
or crashed the cast. Here each column a mapping reads is checked against the type of the
canonical column it feeds: a type that fits is read, a type that does not is an InputError
naming the file, the column, its type and what was needed (exit 4).
"""

from __future__ import annotations

import polars as pl

from .errors import InputError
from .mapping import Mapping
from .tables import ColType

# Types that read as text one value at a time (what a code map, a date plus time, a duration
# added to a timestamp or a condition reads).
_TEXT_LIKE = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Date, pl.Datetime, pl.Time, pl.Decimal, pl.Null)


def _fits(dtype: pl.DataType, ctype: ColType) -> bool:
    """Whether a column of `dtype` can be read, as it is, into a canonical column of type `ctype`."""
    if isinstance(dtype, (pl.String, pl.Null)):
        return True  # text is parsed value by value; a column of nulls is a column of missing values
    if ctype is ColType.STR:
        # ids written as whole numbers are the same ids as text; a float id (1.0, 1e20) is not
        return isinstance(dtype, (pl.Categorical, pl.Enum)) or dtype.is_integer()
    if ctype in (ColType.INT, ColType.FLOAT):
        return dtype.is_integer() or dtype.is_float() or isinstance(dtype, pl.Decimal)
    if ctype is ColType.BOOL:
        return isinstance(dtype, pl.Boolean) or dtype.is_integer()  # 0/1 flags are read as text: 2 fails
    if ctype is ColType.DATE:
        return isinstance(dtype, (pl.Date, pl.Datetime))
    return isinstance(dtype, pl.Datetime)  # a date has no time of day: it is not a timestamp


def _text_like(dtype: pl.DataType) -> bool:
    return isinstance(dtype, _TEXT_LIKE) or dtype.is_numeric()


_NEEDS = {
    ColType.STR: "text (or whole numbers)",
    ColType.INT: "whole numbers (or text)",
    ColType.FLOAT: "numbers (or text)",
    ColType.BOOL: "true/false (or 0/1, or text)",
    ColType.DATE: "dates (or text)",
    ColType.DATETIME: "timestamps with a time of day (or text)",
}


def checked_types(src: pl.DataFrame, mapping: Mapping, name: str) -> pl.DataFrame:
    """`src` ready for `apply_mapping`; InputError for a column whose type cannot feed its column.

    Whole-number flags are turned into text, so 0 and 1 are read and any other number is reported
    row by row (a cast would have made 2 true).
    """
    spec = mapping.spec
    as_text: list[str] = []
    for col in spec.columns:
        rule = mapping.rule_for(col.name)
        plain = bool(rule.column) and rule.codes is None and not rule.none_values and rule.unit is None
        for source in rule.source_columns():
            dtype = src.schema.get(source)
            if dtype is None or isinstance(dtype, pl.String):
                continue
            if plain and source in (rule.column or []):
                if not _fits(dtype, col.type):
                    raise InputError(f"{name}: column {source!r} holds {_shown(dtype)}, but {spec.name}.{col.name} "
                                     f"needs {_NEEDS[col.type]}")
                if col.type is ColType.BOOL and dtype.is_integer():
                    as_text.append(source)
            elif not _text_like(dtype):  # numbers are text-like: a duration reads them too
                raise InputError(f"{name}: column {source!r} holds {_shown(dtype)}, which cannot be read as "
                                 f"{'text' if not rule.unit else 'a duration'} for {spec.name}.{col.name}")
    for cond in mapping.exclude:
        dtype = src.schema.get(cond.column)
        if dtype is not None and not _text_like(dtype):
            raise InputError(f"{name}: column {cond.column!r} holds {_shown(dtype)}, which cannot be read as text "
                             "for an exclusion")
    return src.with_columns(pl.col(c).cast(pl.String) for c in dict.fromkeys(as_text)) if as_text else src


def _shown(dtype: pl.DataType) -> str:
    """A type in words a data owner recognises, with polars' name for the exact type."""
    kinds = ((pl.List, "lists"), (pl.Array, "arrays"), (pl.Struct, "structs (nested records)"),
             (pl.Binary, "bytes"), (pl.Date, "dates without a time"), (pl.Time, "times of day without a date"),
             (pl.Duration, "durations"), (pl.Boolean, "true/false flags"), (pl.Datetime, "timestamps"),
             (pl.Object, "objects"))
    for kind, words in kinds:
        if isinstance(dtype, kind):
            return f"{words} ({dtype})"
    if dtype.is_float():
        return f"decimal numbers ({dtype})"
    return f"values of type {dtype}"
