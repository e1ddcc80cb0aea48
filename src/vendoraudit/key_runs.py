"""Keys of rows: runs of equal keys, and a cheap proof that keys are distinct.

Exports list the rows of one key together (a QA evaluation's items follow one another), so a
lookup by key (which evaluation an item belongs to, whether that evaluation exists) can be made
once per run and handed to every row of the run, instead of hashing every row's key. Rows in any
other order give the same answers, with more runs.

Whether keys repeat is asked of millions of rows (unique keys in validation, evaluation ids in
the KPIs): distinct hashes prove distinct keys at about a twentieth of the exact search's cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

RUN = "_run"


@dataclass(frozen=True)
class KeyRuns:
    """`run`: each row's run number (UInt32, from 0 in row order); `heads`: one row per run, its
    key values and its number (`RUN`), in run order."""

    run: pl.Series
    heads: pl.DataFrame

    def follow(self, keys: pl.DataFrame) -> bool:
        """Whether the runs' keys are `keys` row for row (same column names; nulls equal): one run
        per row of `keys`, in its order, so run k belongs to row k (a parent table's rows whose
        children are listed in the parent's order)."""
        return self.heads.drop(RUN).equals(keys)


def key_runs(frame: pl.DataFrame, columns: Sequence[str]) -> KeyRuns:
    """The runs of equal `columns` in `frame` (nulls are equal to one another here)."""
    key = pl.struct(columns) if len(columns) > 1 else pl.col(columns[0])
    run = frame.select(key.rle_id().alias(RUN)).to_series()
    values = frame.select(key.rle().alias(RUN)).unnest(RUN).get_column("value")
    heads = values.struct.unnest() if len(columns) > 1 else values.alias(columns[0]).to_frame()
    return KeyRuns(run, heads.with_row_index(RUN))


# Odd: multiplying by it (mod 2^64) loses no bits. Equal keys give equal mixed hashes whatever the
# mix; a collision of different keys only costs the exact test.
_MIX = 0x9E3779B97F4A7C15


def key_hash(columns: Sequence[str]) -> pl.Expr:
    """A row's hash of its `columns`: equal keys hash equal (the columns' own hashes mixed: 2x
    faster than a struct's hash)."""
    mixed = pl.col(columns[0]).hash()
    for c in columns[1:]:
        mixed = (mixed * _MIX) ^ pl.col(c).hash()
    return mixed


def hashes_distinct(frame: pl.DataFrame, columns: Sequence[str]) -> bool:
    """Whether no two rows of `frame` share a key hash, which proves their keys distinct (False
    says only that the exact test is needed)."""
    return frame.select(pl.len() - key_hash(columns).n_unique()).item() == 0
