"""Runs of equal keys (key_runs): what the QA item lookups rely on."""

import polars as pl

from vendoraudit.key_runs import RUN, hashes_distinct, key_hash, key_runs


def test_runs_of_one_column_keep_row_order_and_nulls() -> None:
    frame = pl.DataFrame({"k": ["a", "a", None, None, "b", "a"]})
    runs = key_runs(frame, ["k"])
    assert runs.run.to_list() == [0, 0, 1, 1, 2, 3]
    assert runs.heads.columns == [RUN, "k"]
    assert runs.heads.rows() == [(0, "a"), (1, None), (2, "b"), (3, "a")]


def test_runs_of_two_columns_break_when_either_changes() -> None:
    frame = pl.DataFrame({"a": ["x", "x", "x", "y"], "b": [1, 1, 2, 2]})
    runs = key_runs(frame, ["a", "b"])
    assert runs.run.to_list() == [0, 0, 1, 2]
    assert runs.heads.rows() == [(0, "x", 1), (1, "x", 2), (2, "y", 2)]


def test_no_rows_no_runs() -> None:
    runs = key_runs(pl.DataFrame(schema={"a": pl.String, "b": pl.Int64}), ["a", "b"])
    assert runs.run.len() == 0 and runs.heads.schema == {RUN: pl.UInt32, "a": pl.String, "b": pl.Int64}


def test_runs_follow_keys_row_for_row_only() -> None:
    runs = key_runs(pl.DataFrame({"k": ["a", "a", "b", None, None]}), ["k"])
    assert runs.follow(pl.DataFrame({"k": ["a", "b", None]}))
    assert not runs.follow(pl.DataFrame({"k": ["b", "a", None]}))
    assert not runs.follow(pl.DataFrame({"k": ["a", "b", None, "c"]}))
    assert not runs.follow(pl.DataFrame({"other": ["a", "b", None]}))


def test_distinct_hashes_prove_distinct_keys_of_one_or_two_columns():
    frame = pl.DataFrame({"a": ["x", "x", "y", "y"], "b": [1, 2, 1, 2]})
    assert hashes_distinct(frame, ["a", "b"])  # each column repeats, the pairs do not
    assert not hashes_distinct(frame, ["a"])
    assert not hashes_distinct(pl.concat([frame, frame.head(1)]), ["a", "b"])
    # equal keys hash equal; the mix is not symmetric in the columns
    pairs = pl.DataFrame({"a": ["x", "y"], "b": ["y", "x"]})
    assert hashes_distinct(pairs, ["a", "b"])
    assert frame.select(key_hash(["a", "b"])).to_series().n_unique() == 4
