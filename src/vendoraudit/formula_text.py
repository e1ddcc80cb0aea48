"""Text a spreadsheet would run as a formula, and how outputs keep it inert.

Excel, LibreOffice and Google Sheets treat a cell typed (or read from a CSV) as starting with `=`,
`+`, `-`, `@`, a tab or a carriage return as a formula or command: a file from an export could
then run `=HYPERLINK(...)` or worse on a finance desktop. The workbook stores such text as text
with the quote-prefix flag; a CSV has no cell types, so it gets the same quote written out
(`'=1+1`), which every spreadsheet reads as "text follows" and shows without running.
"""

from __future__ import annotations

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PATTERN = "^[=+\\-@\t\r]"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read typed text as a formula or command."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every formula-like text cell quote-prefixed; text-like columns (categoricals,
    enums) become plain text, numbers, dates and booleans are left as they are."""
    text_types = (pl.String, pl.Categorical, pl.Enum)
    fixes = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, text_types) or dtype in text_types:
            col = pl.col(name).cast(pl.String)
            fixes.append(pl.when(col.str.contains(_PATTERN)).then(pl.lit(QUOTE) + col).otherwise(col).alias(name))
    return frame.with_columns(fixes) if fixes else frame
