"""A Parquet column of a type that does not fit its canonical column is an input error naming the
file, the column and its type (exit 4): never a traceback, never a silent cast into a wrong value.

Every canonical column of every table is given each unfitting type in turn (the table's other
columns are the sample's first rows); types that fit are read to the values they hold.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from vendoraudit.errors import InputError
from vendoraudit.tables import TABLES, ColType
from vendoraudit.validate import load_exports

from .conftest import assert_one_line_error, invoke
from .worlds import SAMPLE

SOURCES = {"interactions": "interactions_ACME-MNL.csv", "qa_evaluations": "qa_evaluations.parquet",
           "qa_items": "qa_items.parquet", "surveys": "surveys.xlsx", "training": "training.csv",
           "roster": "roster.csv"}


def _sample(table: str) -> pl.DataFrame:
    path = SAMPLE / SOURCES[table]
    if path.suffix == ".parquet":
        return pl.read_parquet(path).head(3)
    if path.suffix == ".xlsx":
        return pl.read_excel(path, engine="calamine", infer_schema_length=0).head(3)
    sep = ";" if path.read_text(encoding="utf-8").split("\n", 1)[0].count(";") > 2 else ","
    return pl.read_csv(path, separator=sep, infer_schema=False).head(3)


def _nested(n: int) -> dict[str, pl.Series]:
    return {
        "list": pl.Series([["a", "b"]] * n),
        "struct": pl.Series([{"x": 1, "y": "z"}] * n),
        "bytes": pl.Series([b"\x00\x01"] * n),
        "array": pl.Series([[1, 2]] * n).cast(pl.Array(pl.Int64, 2)),
        "duration": pl.Series([dt.timedelta(seconds=5)] * n),
    }


def _unfitting(ctype: ColType, n: int) -> dict[str, pl.Series]:
    """Types that do not fit a column of `ctype` beyond the nested ones."""
    date = pl.Series([dt.date(2026, 10, 1)] * n)
    flag = pl.Series([True] * n)
    time = pl.Series([dt.time(8, 0)] * n)
    return {
        ColType.STR: {"float": pl.Series([1.5] * n), "flag": flag, "date": date},
        ColType.INT: {"flag": flag, "date": date},
        ColType.FLOAT: {"flag": flag, "date": date, "time": time},
        ColType.BOOL: {"float": pl.Series([0.5] * n), "date": date},
        ColType.DATE: {"int": pl.Series([20261001] * n), "time": time, "flag": flag},
        ColType.DATETIME: {"date": date, "int": pl.Series([1_790_000_000] * n), "time": time,
                           "float": pl.Series([45200.5] * n)},
    }[ctype]


CASES = [(t, c.name, kind) for t, spec in TABLES.items() for c in spec.columns
         for kind in [*_nested(1), *_unfitting(c.type, 1)]]


@pytest.mark.parametrize(("table", "column", "kind"), CASES, ids=[f"{t}.{c}-{k}" for t, c, k in CASES])
def test_an_unfitting_type_is_an_input_error_naming_the_column(tmp_path: Path, table: str, column: str,
                                                               kind: str) -> None:
    frame = _sample(table)
    n = frame.height
    bad = {**_nested(n), **_unfitting(TABLES[table].column(column).type, n)}[kind]
    frame.with_columns(bad.alias(column)).write_parquet(tmp_path / f"{table}.parquet")
    with pytest.raises(InputError, match=f"{table}.parquet: column '{column}' holds .* {table}.{column} needs"):
        load_exports(tmp_path)


@pytest.mark.parametrize("kind", ["list", "struct", "bytes", "date"])
def test_the_cli_says_so_in_one_line_with_exit_4(tmp_path: Path, kind: str) -> None:
    frame = _sample("interactions")
    column, bad = {"list": ("member_ref", pl.Series([["QXCANARY"]] * 3)),
                   "struct": ("queue", pl.Series([{"q": "claims"}] * 3)),
                   "bytes": ("member_ref", pl.Series([b"QXCANARY"] * 3)),
                   "date": ("arrived_at", pl.Series([dt.date(2026, 10, 1)] * 3))}[kind]
    frame.with_columns(bad.alias(column)).write_parquet(tmp_path / "interactions.parquet")
    ran = invoke(["validate", str(tmp_path), "--json"])
    line = assert_one_line_error(ran, 4, f"column '{column}'")
    assert "QXCANARY" not in ran.output and "interactions.parquet" in line


def test_a_mapping_reading_a_nested_column_as_text_is_refused(tmp_path: Path) -> None:
    frame = _sample("interactions").with_columns(pl.Series("flags", [["x"]] * 3))
    frame.write_parquet(tmp_path / "calls.parquet")
    mapping = tmp_path.parent / f"{tmp_path.name}-m.yaml"
    mapping.write_text("name: m\ntable: interactions\nfiles: [calls*.parquet]\ncolumns:\n"
                       "  queue: {column: flags, codes: {x: claims}}\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'flags' holds lists"):
        load_exports(tmp_path, [mapping])
    mapping.write_text("name: m\ntable: interactions\nfiles: [calls*.parquet]\n"
                       "exclude: [{column: flags, in: [x], reason: test}]\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'flags' holds lists"):
        load_exports(tmp_path, [mapping])


def test_types_that_fit_are_read_to_their_values(tmp_path: Path) -> None:
    frame = _sample("interactions").with_columns(
        pl.Series("interaction_id", [101, 102, 103], dtype=pl.UInt32),
        pl.col("queue").cast(pl.Categorical),
        pl.Series("handle_seconds", ["40.50", "0", "12"]).cast(pl.Decimal(10, 2)),
        pl.Series("abandoned", [0, 1, 0], dtype=pl.Int8),
        pl.Series("arrived_at", [dt.datetime(2026, 10, 1, 8, 0, 0)] * 3).cast(pl.Datetime("ns"))
        .dt.replace_time_zone("Asia/Manila"),
        pl.lit(None).alias("answered_at"), pl.lit(None).alias("ended_at"))
    frame.write_parquet(tmp_path / "interactions.parquet")
    result = load_exports(tmp_path)
    got = result.tables["interactions"]
    assert got["interaction_id"].to_list() == ["101", "102", "103"]
    assert got["handle_seconds"].to_list() == [40.5, 0.0, 12.0]
    assert got["abandoned"].to_list() == [False, True, False]
    assert got["arrived_at"].to_list() == [dt.datetime(2026, 10, 1, 0, 0, tzinfo=dt.timezone.utc)] * 3


def test_a_whole_number_flag_other_than_0_or_1_is_a_row_error(tmp_path: Path) -> None:
    frame = _sample("interactions").with_columns(pl.Series("abandoned", [0, 2, 1], dtype=pl.Int64),
                                                 pl.lit(None).alias("answered_at"), pl.lit(None).alias("ended_at"))
    frame.write_parquet(tmp_path / "interactions.parquet")
    result = load_exports(tmp_path)
    assert [(i.row, i.column, i.rule, i.value) for i in result.issues if i.severity == "error"] == [
        (2, "abandoned", "unreadable_value", "2")]
    assert result.is_balanced and result.files[0].rows_quarantined == 1
