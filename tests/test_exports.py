"""Finding and reading export files: formats, encodings, row numbers, hashes, and one-line input errors."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from vendoraudit.errors import InputError
from vendoraudit.exports import FileFormat, discover, read_file, write_templates
from vendoraudit.mapping import Mapping
from vendoraudit.tables import TABLES

BAD = Path(__file__).resolve().parent / "fixtures" / "bad_exports"
HEADER = "interaction_id,site_id,channel,direction,queue,arrived_at,abandoned"
UTC = timezone.utc


def read_one(folder: Path, zones: dict[str, str] | None = None, mappings: tuple[Mapping, ...] = ()):
    found = discover(folder, mappings)
    assert len(found.files) == 1, found
    return read_file(found.files[0], zones)


def test_discovery_by_stem_and_unclaimed_files(tmp_path: Path) -> None:
    for name in ("interactions_ACME-MNL.csv", "interactions_part2.parquet", "QA_Items.csv", "qa_evaluations.xlsx",
                 "notes.csv", "README.md", ".hidden.csv"):
        (tmp_path / name).write_text("x\n")
    found = discover(tmp_path)
    assert sorted((f.relative, f.table, f.format) for f in found.files) == [
        ("QA_Items.csv", "qa_items", FileFormat.CSV),
        ("interactions_ACME-MNL.csv", "interactions", FileFormat.CSV),
        ("interactions_part2.parquet", "interactions", FileFormat.PARQUET),
        ("qa_evaluations.xlsx", "qa_evaluations", FileFormat.XLSX),
    ]
    assert found.unclaimed == ("notes.csv",)


def test_a_mapping_claims_its_files_for_each_of_its_tables(tmp_path: Path) -> None:
    (tmp_path / "calls.xlsx").write_text("x")
    maps = tuple(Mapping.model_validate({"name": n, "table": t, "files": ["calls*.xlsx"]})
                 for n, t in (("a", "interactions"), ("b", "surveys")))
    found = discover(tmp_path, maps)
    assert [(f.relative, f.table, f.mapped) for f in found.files] == [("calls.xlsx", "interactions", True),
                                                                     ("calls.xlsx", "surveys", True)]
    assert found.unclaimed == ()


def test_semicolon_bom_crlf_csv_with_rows_and_hash(tmp_path: Path) -> None:
    data = ("\ufeff" + HEADER.replace(",", ";") + "\r\n"
            "I1;NW-BOS;phone;inbound;claims;2026-10-01T09:00:00;no\r\n"
            "I2;NW-BOS;chat;inbound;claims;2026-10-01T09:30:00Z;1\r\n").encode("utf-8")
    (tmp_path / "interactions_NW-BOS.csv").write_bytes(data)
    read = read_one(tmp_path, {"NW-BOS": "America/New_York"})
    frame = read.frame
    assert frame["interaction_id"].to_list() == ["I1", "I2"]
    assert frame["arrived_at"].to_list() == [datetime(2026, 10, 1, 13, tzinfo=UTC), datetime(2026, 10, 1, 9, 30, tzinfo=UTC)]
    assert frame["abandoned"].to_list() == [False, True]
    assert frame["_source_row"].to_list() == [1, 2]
    assert frame["_source_file"].to_list() == ["interactions_NW-BOS.csv"] * 2
    assert frame.schema["arrived_at"] == pl.Datetime("us", "UTC")
    assert read.sha256 == hashlib.sha256(data).hexdigest()
    assert read.failures.height == 0


def test_tab_delimited_and_canonical_names_in_any_case(tmp_path: Path) -> None:
    text = HEADER.upper().replace(",", "\t") + "\nI1\tNW-BOS\tphone\tinbound\tclaims\t2026-10-01T09:00:00Z\tfalse\n"
    (tmp_path / "interactions.tsv").write_text(text)
    assert read_one(tmp_path).frame["queue"].to_list() == ["claims"]


def test_cp1252_export_from_excel_is_read(tmp_path: Path) -> None:
    frame = read_one(BAD / "cp1252_ok").frame
    assert frame["queue"].to_list() == ["réclamations"]


def test_unparseable_values_become_failures_not_silent_nulls(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text(
        HEADER + ",handle_seconds\nI1,S,phone,inbound,q,2026-10-01T09:00:00Z,false,12.5\n"
        "I2,S,phone,inbound,q,yesterday,false,abc\n")
    read = read_one(tmp_path)
    assert read.frame.height == 2
    assert sorted(read.failures.rows()) == [
        (2, "arrived_at", "yesterday", "a datetime (ISO 8601, with an offset or in the site's time zone)"),
        (2, "handle_seconds", "abc", "a number"),
    ]


def test_unknown_columns_are_listed(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text(HEADER + ",colour\nI1,S,phone,inbound,q,2026-10-01T09:00:00Z,false,red\n")
    assert read_one(tmp_path).unknown_columns == ("colour",)


def _workbook(path: Path, blank_row: bool = False, table: bool = False) -> None:
    book = Workbook()
    first = book.active
    first.title = "Summary"
    first.append(["nothing here"])
    sheet = book.create_sheet("Data")
    sheet.append(["response_id", "site_id", "channel", "submitted_at", "csat"])
    sheet.append(["S1", "NW-BOS", "phone", datetime(2026, 10, 1, 9, 0), 5])
    if blank_row:
        sheet.append([None] * 5)
    sheet.append(["S2", "NW-BOS", "chat", "2026-10-02T10:00:00-04:00", 4])
    if table:
        sheet.add_table(Table(displayName="Responses", ref=f"A1:E{sheet.max_row}"))
    book.save(path)


def test_xlsx_named_sheet_blank_row_keeps_numbering(tmp_path: Path) -> None:
    _workbook(tmp_path / "surveys.xlsx", blank_row=True)
    m = Mapping.model_validate({"name": "s", "table": "surveys", "files": ["surveys.xlsx"],
                                "format": {"sheet": "Data"}, "timezone": "America/New_York"})
    read = read_one(tmp_path, mappings=(m,))
    assert read.frame["response_id"].to_list() == ["S1", "S2"]
    assert read.frame["_source_row"].to_list() == [1, 3]
    assert read.frame["csat"].to_list() == [5, 4]
    assert read.frame["submitted_at"].to_list() == [datetime(2026, 10, 1, 13, tzinfo=UTC),
                                                    datetime(2026, 10, 2, 14, tzinfo=UTC)]


def test_xlsx_excel_table(tmp_path: Path) -> None:
    _workbook(tmp_path / "surveys.xlsx", table=True)
    m = Mapping.model_validate({"name": "s", "table": "surveys", "files": ["surveys.xlsx"],
                                "format": {"excel_table": "Responses"}})
    assert read_one(tmp_path, mappings=(m,)).frame["response_id"].to_list() == ["S1", "S2"]


def test_xlsx_first_sheet_by_default(tmp_path: Path) -> None:
    _workbook(tmp_path / "surveys.xlsx")
    with pytest.raises(InputError, match=r"surveys.xlsx: missing required column\(s\) response_id, site_id"):
        read_one(tmp_path)


def test_parquet_keeps_native_types_and_localizes_naive_times(tmp_path: Path) -> None:
    pl.DataFrame({
        "evaluation_id": ["E1"], "interaction_id": [None], "site_id": ["ACME-MNL"], "agent_id": ["A"],
        "evaluator_id": ["Q"], "channel": ["phone"], "evaluated_at": [datetime(2026, 10, 1, 8)], "calibration": [False],
    }).write_parquet(tmp_path / "qa_evaluations.parquet")
    frame = read_one(tmp_path, {"ACME-MNL": "Asia/Manila"}).frame
    assert frame["evaluated_at"].to_list() == [datetime(2026, 10, 1, 0, tzinfo=UTC)]
    assert dict(frame.schema) == {**TABLES["qa_evaluations"].polars_schema, "_source_file": pl.Categorical,
                                  "_source_row": pl.Int64, "_excluded": pl.String}


@pytest.mark.parametrize(("case", "message"), [
    ("missing_column", r"interactions_NW-BOS.csv: missing required column\(s\) arrived_at of table interactions$"),
    ("empty_file", r"interactions_NW-BOS.csv: empty file$"),
    ("truncated_csv", r"interactions_NW-BOS.csv: unbalanced quote \(opened near line 3\)"),
    ("utf16", r"interactions_NW-BOS.csv: not CSV text: it is UTF-16 text"),
    ("wrong_encoding", r"interactions_NW-BOS.csv: wrong encoding: neither UTF-8 nor Windows-1252 text "
                       r"\(byte 0x81 on line 3\)"),
    ("fake_xlsx", r"surveys.xlsx: not an XLSX workbook: it is text$"),
    ("fake_parquet", r"qa_items.parquet: not a Parquet file: it is text$"),
])
def test_bad_files_give_one_line_naming_the_file(case: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_one(BAD / case)
    assert "\n" not in str(info.value)
    assert str(BAD / case) in str(info.value)


def test_not_a_folder() -> None:
    with pytest.raises(InputError, match="not a folder of export files"):
        discover(BAD / "nope")


def test_templates_have_the_canonical_headers(tmp_path: Path) -> None:
    written = write_templates(tmp_path, FileFormat.CSV)
    assert len(written) == 6
    assert (tmp_path / "roster.csv").read_text() == "agent_id,site_id,role,hire_date,termination_date,fte\n"
    write_templates(tmp_path / "x", FileFormat.XLSX)
    assert pl.read_excel(tmp_path / "x" / "surveys.xlsx").columns == list(TABLES["surveys"].names)


def test_blank_csv_lines_are_skipped_but_rows_keep_their_numbers(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text(
        HEADER + "\nI1,S,phone,inbound,q,2026-10-01T09:00:00Z,false\n\n"
        "I2,S,phone,inbound,q,2026-10-01T09:00:00Z,false\n")
    frame = read_one(tmp_path).frame
    assert frame["_source_row"].to_list() == [1, 3]


@pytest.mark.parametrize("text", [
    'interaction_id,site_id\n"IX1,A\n',  # a required column is missing too
    'a,a\n"x,y\n',  # and a column name is given twice
    "interaction_id,site_id,channel\nIX1,A,b,c,d\n\"IX2,B,c\n",  # and a row is ragged
])
def test_an_unbalanced_quote_is_the_error_whatever_the_parsing_found(tmp_path: Path, text: str) -> None:
    """The quotes are counted beside the parsing; their error still comes before the parser's."""
    (tmp_path / "interactions.csv").write_text(text)
    with pytest.raises(InputError, match=r"interactions.csv: unbalanced quote \(opened near line \d\)"):
        read_one(tmp_path)
