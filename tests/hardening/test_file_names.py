"""File names are names: glob characters in an export file's (or folder's) name are never expanded.

polars reads a path with `[`, `*` or `?` as a pattern unless told not to; then another file is
read in the named file's place and the row accounting invents and loses rows. Every file here
has its own row count and decoys that the name, read as a pattern, would match.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from vendoraudit.validate import load_exports

from .corpus import HEADER, csv_text, row

# (a name with glob characters, decoy names that the name would match as a pattern)
NAMES = [
    ("interactions_[1].csv", ["interactions_1.csv"]),
    ("interactions_[!x].csv", ["interactions_a.csv"]),
    ("interactions_*.csv", ["interactions_b.csv", "interactions_cc.csv"]),
    ("interactions_?.csv", ["interactions_d.csv"]),
    ("interactions_[a-c]?*.csv", ["interactions_ab.csv"]),
    ("interactions_{x,y}.csv", ["interactions_x.csv"]),
    ("interactions_**.csv", ["interactions_e.csv"]),
]


def _write(path: Path, first: int, count: int) -> None:
    records = [row(i) for i in range(first, first + count)]
    if path.suffix == ".csv":
        path.write_text(csv_text(records), encoding="utf-8")
    elif path.suffix == ".parquet":
        pl.DataFrame(records, schema=list(HEADER)).write_parquet(path)
    else:
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(list(HEADER))
        for r in records:
            book.active.append([r[c] for c in HEADER])
        book.save(path)


def _rows_by_file(folder: Path) -> dict[str, tuple[int, int, int]]:
    result = load_exports(folder)
    assert result.is_balanced
    return {f.path: (f.rows_read, f.rows_used, f.rows_quarantined) for f in result.files}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
@pytest.mark.parametrize(("name", "decoys"), NAMES, ids=[n for n, _ in NAMES])
def test_a_name_with_glob_characters_reads_that_file_only(tmp_path: Path, name: str, decoys: list[str],
                                                          suffix: str) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    name = name.removesuffix(".csv") + suffix
    expected: dict[str, tuple[int, int, int]] = {}
    first = 1
    for count, file in enumerate([name, *(d.removesuffix(".csv") + suffix for d in decoys)], start=2):
        _write(folder / file, first, count)  # 2, 3, 4... rows: a file read twice or swapped shows
        expected[file] = (count, count, 0)
        first += count
    assert _rows_by_file(folder) == expected


def test_a_folder_with_glob_characters_in_its_name(tmp_path: Path) -> None:
    # The decoy folder matches the real folder's name as a pattern.
    for folder_name, count in (("2026-10[1]", 2), ("2026-101", 5)):
        folder = tmp_path / folder_name
        folder.mkdir()
        _write(folder / "interactions.csv", 1, count)
    assert _rows_by_file(tmp_path / "2026-10[1]") == {"interactions.csv": (2, 2, 0)}


def test_a_mapping_glob_claims_bracketed_names_literally(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    _write(folder / "calls[north].csv", 1, 2)
    _write(folder / "callsn.csv", 10, 3)  # what 'calls[north].csv' matches as a pattern
    mapping = tmp_path / "calls.yaml"
    mapping.write_text("name: calls\ntable: interactions\nfiles: ['calls*.csv']\n", encoding="utf-8")
    result = load_exports(folder, [mapping])
    assert {f.path: f.rows_read for f in result.files} == {"calls[north].csv": 2, "callsn.csv": 3}
    assert result.is_balanced and sum(f.rows_used for f in result.files) == 5
