"""Numbers with thousands separators are never guessed.

`1,200` is 1.2 with a decimal comma and 1200 with a thousands comma (and `1.200` the other way).
A column is read in the one convention that reads all its values; a column whose values read
both ways is an error for that column (file and column named, exit 4) unless its mapping states
the number format (`format: {decimal, thousands}`). Before, `1,200` silently became 1.2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vendoraudit.errors import ConfigError, InputError
from vendoraudit.validate import load_exports

from .conftest import assert_one_line_error, invoke
from .corpus import SURVEY_HEADER, csv_text, row

AMBIGUOUS = [["40", '"1,200"'], ["40", "1.200"], ['"1,200"'], ['"-1,500"', "20"], ['"12,345"', "0"],
             ["", '"2,000"', "abc"], ["40", '"999,999"']]
RESOLVED = [
    (["35.5", '"1,200"'], [35.5, 1200.0]),  # a decimal point elsewhere: the comma groups thousands
    (['"3,5"', '"1,200"'], [3.5, 1.2]),  # a decimal comma elsewhere: it is a decimal comma
    (['"1,234,567"', "2"], [1234567.0, 2.0]),  # two commas: only thousands
    (["1.234.567", "2"], [1234567.0, 2.0]),
    (['"1.234,5"', '"1,200"'], [1234.5, 1.2]),
    (['"1,234.5"', "1.200"], [1234.5, 1.2]),
    (['"0,75"', "0.750"], [0.75, 0.75]),  # a group never starts with 0: both read one way
    (['"3,5"', "3.5", "40"], [3.5, 3.5, 40.0]),  # no value reads two ways: each its only reading
]


def _interactions(folder: Path, values: list[str], name: str = "interactions.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    records = [row(i, handle_seconds=v) for i, v in enumerate(values, start=1)]
    path = folder / name
    path.write_text(csv_text(records), encoding="utf-8")
    return path


@pytest.mark.parametrize("values", AMBIGUOUS, ids=[" ".join(v) for v in AMBIGUOUS])
def test_a_column_that_reads_two_ways_is_an_error_for_that_column(tmp_path: Path, values: list[str]) -> None:
    _interactions(tmp_path, values)
    with pytest.raises(InputError, match="interactions.csv: column 'handle_seconds': numbers such as .* read two ways"):
        load_exports(tmp_path)
    ran = invoke(["validate", str(tmp_path), "--json"])
    assert "state the number format" in assert_one_line_error(ran, 4, "handle_seconds")


@pytest.mark.parametrize(("values", "expected"), RESOLVED, ids=[" ".join(v) for v, _ in RESOLVED])
def test_a_column_that_reads_one_way_is_read_that_way(tmp_path: Path, values: list[str],
                                                      expected: list[float]) -> None:
    _interactions(tmp_path, values)
    result = load_exports(tmp_path)
    assert not result.has_errors, result.issues
    assert result.tables["interactions"].sort("_source_row")["handle_seconds"].to_list() == expected


def test_other_number_columns_are_read_the_same_way(tmp_path: Path) -> None:
    base = {"site_id": "ACME-MNL", "channel": "phone", "submitted_at": "2026-10-02T10:00:00+08:00",
            "nps": "9", "ces": "6", "comment": "fine", "interaction_id": ""}
    recs = [{**base, "response_id": "R1", "csat": '"1,000"'}, {**base, "response_id": "R2", "csat": "4"}]
    (tmp_path / "surveys.csv").write_text(csv_text(recs, SURVEY_HEADER), encoding="utf-8")
    with pytest.raises(InputError, match="column 'csat'"):
        load_exports(tmp_path)


STATED = [
    ("{decimal: ',', thousands: '.'}", ["1.200", '"3,5"', '"1.234,5"'], [1200.0, 3.5, 1234.5], []),
    ("{decimal: '.', thousands: ','}", ['"1,200"', "3.5", '"1,234.5"'], [1200.0, 3.5, 1234.5], []),
    ("{decimal: ','}", ['"1,200"', '"3,5"', "40"], [1.2, 3.5, 40.0], []),
    ("{thousands: ','}", ['"1,200"', "3.5"], [1200.0, 3.5], []),
    ("{decimal: ',', thousands: ' '}", ['"1 200,5"', "12"], [1200.5, 12.0], []),
    ("{decimal: ',', thousands: \"'\"}", ["1'200", '"0,5"'], [1200.0, 0.5], []),
    # Numbers not written in the stated format are unreadable values of their rows, not guesses.
    ("{decimal: ',', thousands: '.'}", ["1.200", '"1,200.5"', "3.5"], [1200.0], [2, 3]),
]


@pytest.mark.parametrize(("fmt", "values", "expected", "bad_rows"), STATED, ids=[s[0] for s in STATED])
def test_a_stated_number_format_is_read_strictly(tmp_path: Path, fmt: str, values: list[str], expected: list[float],
                                                 bad_rows: list[int]) -> None:
    folder = tmp_path / "exports"
    _interactions(folder, values, "calls.csv")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(f"name: calls\ntable: interactions\nfiles: [calls*.csv]\nformat: {fmt}\n", encoding="utf-8")
    result = load_exports(folder, [mapping])
    assert result.is_balanced
    assert result.tables["interactions"]["handle_seconds"].to_list() == expected
    assert sorted(i.row for i in result.issues if i.rule == "unreadable_value") == bad_rows


def test_a_stated_format_applies_to_durations_in_other_units(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    _interactions(folder, ['"1,5"', '"2,25"', "1.000"], "calls.csv")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("name: calls\ntable: interactions\nfiles: [calls*.csv]\n"
                       "format: {decimal: ',', thousands: '.'}\n"
                       "columns:\n  handle_seconds: {column: handle_seconds, unit: minutes}\n", encoding="utf-8")
    got = load_exports(folder, [mapping]).tables["interactions"]["handle_seconds"].to_list()
    assert got == [90.0, 135.0, 60000.0]


@pytest.mark.parametrize("fmt", ["{decimal: ',', thousands: ','}", "{decimal: ';'}", "{thousands: '_'}"])
def test_an_impossible_number_format_is_a_mapping_error(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "exports"
    _interactions(folder, ["40"], "calls.csv")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(f"name: calls\ntable: interactions\nfiles: [calls*.csv]\nformat: {fmt}\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_exports(folder, [mapping])
