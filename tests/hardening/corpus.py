"""The bad-input corpus: each case writes a small export set (or YAML file) and says what must happen.

A case's `build(folder)` writes its files under `folder` and returns the command-line arguments
that exercise them; `expect` is the documented outcome: exit code, a phrase of the message, and
the row accounting (rows used, rows quarantined) where rows are read at all. Files are generated
here, never checked in, so every case shows exactly what it feeds the tool.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

# A minimal interactions export: every required column and a few optional ones.
HEADER = ("interaction_id", "site_id", "channel", "direction", "queue", "member_ref", "agent_id",
          "arrived_at", "answered_at", "ended_at", "handle_seconds", "abandoned")
SURVEY_HEADER = ("response_id", "interaction_id", "site_id", "channel", "submitted_at", "csat", "nps", "ces",
                 "comment")
ZIP_BOMB_BYTES = 300 * 1024 * 1024  # what the disguised XLSX inflates to: far past any sane ratio


def row(i: int, **over: str) -> dict[str, str]:
    """One valid interaction (answered phone call on 1 Oct 2026 in Manila), with overrides."""
    base = {
        "interaction_id": f"I{i:04d}", "site_id": "ACME-MNL", "channel": "phone", "direction": "inbound",
        "queue": "claims", "member_ref": f"M{i:04d}", "agent_id": "AC-01",
        "arrived_at": f"2026-10-01T08:{i % 60:02d}:00+08:00", "answered_at": f"2026-10-01T08:{i % 60:02d}:10+08:00",
        "ended_at": f"2026-10-01T08:{i % 60:02d}:50+08:00", "handle_seconds": "40", "abandoned": "false",
    }
    base.update(over)
    return base


def rows(n: int, start: int = 1) -> list[dict[str, str]]:
    return [row(i) for i in range(start, start + n)]


def csv_text(records: Sequence[dict[str, str]], header: Sequence[str] = HEADER, sep: str = ",",
             newline: str = "\n") -> str:
    """Records as CSV text; values are written as given (cases that need quoting quote themselves)."""
    lines = [sep.join(header)] + [sep.join(r.get(c, "") for c in header) for r in records]
    return newline.join(lines) + newline


def write(folder: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def validate_args(exports: Path, *extra: str) -> list[str]:
    return ["validate", str(exports), "--json", *extra]


@dataclass(frozen=True)
class Expect:
    """The documented outcome of a case.

    `message`: a phrase of the one-line error (exit 3/4) or of an issue message in the report.
    `used`/`quarantined`: the row accounting summed over files (None: nothing is read).
    `rules`: issue rules the report must hold.
    """

    exit: int
    message: str | None = None
    used: int | None = None
    quarantined: int | None = None
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    build: Callable[[Path], list[str]]
    expect: Expect

    def __str__(self) -> str:
        return self.id


CASES: list[Case] = []


def case(category: str, expect: Expect) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    """Register the decorated builder as a corpus case named after it."""
    def register(build: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES.append(Case(build.__name__, category, build, expect))
        return build
    return register


# --------------------------------------------------------------------------------------------
# Encodings and byte-order marks
# --------------------------------------------------------------------------------------------

@case("encoding", Expect(0, used=3, quarantined=0))
def utf8_bom(d: Path) -> list[str]:
    write(d, "interactions.csv", "\ufeff" + csv_text(rows(3)))
    return validate_args(d)


@case("encoding", Expect(4, "UTF-16"))
def utf16_le_bom(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text(rows(3)), encoding="utf-16")  # Python writes a LE BOM
    return validate_args(d)


@case("encoding", Expect(4, "UTF-16"))
def utf16_be_bom(d: Path) -> list[str]:
    write(d, "interactions.csv", "\ufeff" + csv_text(rows(3)), encoding="utf-16-be")
    return validate_args(d)


@case("encoding", Expect(0, used=2, quarantined=0))
def cp1252_from_excel(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([row(1, queue="facturación"), row(2)]), encoding="cp1252")
    return validate_args(d)


@case("encoding", Expect(4, "mixed encodings"))
def mixed_utf8_and_cp1252(d: Path) -> list[str]:
    text = csv_text([row(1, queue="facturación"), row(2, queue="pharmacy")])
    cp1252_line = csv_text([row(3, queue="señal")]).splitlines(keepends=True)[1].encode("cp1252")
    write(d, "interactions.csv", text.encode("utf-8") + cp1252_line)
    return validate_args(d)


@case("encoding", Expect(4, "wrong encoding"))
def neither_utf8_nor_cp1252(d: Path) -> list[str]:
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid as UTF-8 start bytes.
    write(d, "interactions.csv", csv_text(rows(2)).encode() + b"I9,ACME-MNL,phone,inbound,\x81\x8d\n")
    return validate_args(d)


@case("encoding", Expect(4, "not UTF-8 text, as its mapping says"))
def mapping_says_utf8_file_is_cp1252(d: Path) -> list[str]:
    write(d, "calls.csv", csv_text([row(1, queue="facturación")]), encoding="cp1252")
    m = write(d.parent / "maps", "m.yaml", "name: strict\ntable: interactions\nfiles: [calls*.csv]\n"
              "format: {encoding: utf-8}\n")
    return validate_args(d, "--mapping", str(m))


@case("encoding", Expect(4, "binary data"))
def binary_garbage_named_csv(d: Path) -> list[str]:
    write(d, "interactions.csv", bytes(range(256)) * 4)
    return validate_args(d)


# --------------------------------------------------------------------------------------------
# Structure: ragged rows, quotes, sizes, headers
# --------------------------------------------------------------------------------------------

@case("structure", Expect(1, used=3, quarantined=1, rules=("ragged_row",)))
def ragged_row_too_many_fields(d: Path) -> list[str]:
    text = csv_text(rows(4))
    lines = text.splitlines()
    lines[2] += ",extra,fields"
    write(d, "interactions.csv", "\n".join(lines) + "\n")
    return validate_args(d)


@case("structure", Expect(1, used=3, quarantined=1, rules=("missing_value",)))
def ragged_row_too_few_fields(d: Path) -> list[str]:
    text = csv_text(rows(4))
    lines = text.splitlines()
    lines[3] = ",".join(lines[3].split(",")[:5])
    write(d, "interactions.csv", "\n".join(lines) + "\n")
    return validate_args(d)


@case("structure", Expect(4, "unbalanced quote"))
def unbalanced_quote(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text(rows(2)) + 'I9,ACME-MNL,phone,inbound,"claims\n')
    return validate_args(d)


@case("structure", Expect(0, used=3, quarantined=0))
def quoted_delimiters_and_newlines(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([row(1, queue='"claims, urgent"'), row(2, queue='"two\nlines"'), row(3)]))
    return validate_args(d)


@case("structure", Expect(1, used=2, quarantined=1, rules=("allowed_values",)))
def ten_megabyte_field(d: Path) -> list[str]:
    # A 10 MB channel value: not one of the channels; the report must not copy 10 MB around.
    write(d, "interactions.csv", csv_text([row(1), row(2, channel="x" * 10_000_000), row(3)]))
    return validate_args(d)


@case("structure", Expect(0, used=2, quarantined=0))
def ten_megabyte_personal_field(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([row(1, member_ref="M" * 10_000_000), row(2)]))
    return validate_args(d)


@case("structure", Expect(4, "empty file"))
def empty_file(d: Path) -> list[str]:
    write(d, "interactions.csv", b"")
    return validate_args(d)


@case("structure", Expect(4, "empty file"))
def whitespace_only_file(d: Path) -> list[str]:
    write(d, "interactions.csv", "\n\n   \r\n")
    return validate_args(d)


@case("structure", Expect(0, used=0, quarantined=0))
def header_only(d: Path) -> list[str]:
    write(d, "interactions.csv", ",".join(HEADER) + "\n")
    return validate_args(d)


@case("structure", Expect(4, "duplicate"))
def duplicated_header(d: Path) -> list[str]:
    header = (*HEADER, "queue")
    write(d, "interactions.csv", csv_text([{**r} for r in rows(2)], header=header))
    return validate_args(d)


@case("structure", Expect(4, "missing required column(s) interaction_id"))
def renamed_header(d: Path) -> list[str]:
    header = ("Interaction ID", *HEADER[1:])
    recs = [{("Interaction ID" if k == "interaction_id" else k): v for k, v in r.items()} for r in rows(2)]
    write(d, "interactions.csv", csv_text(recs, header=header))
    return validate_args(d)


@case("structure", Expect(0, used=2, quarantined=0))
def header_in_other_letter_case_and_padded(d: Path) -> list[str]:
    header = tuple(f" {h.upper()} " for h in HEADER)
    recs = [{f" {k.upper()} ": v for k, v in r.items()} for r in rows(2)]
    write(d, "interactions.csv", csv_text(recs, header=header))
    return validate_args(d)


@case("structure", Expect(0, used=3, quarantined=0))
def blank_lines_crlf_and_semicolons(d: Path) -> list[str]:
    text = csv_text(rows(3), sep=";", newline="\r\n")
    lines = text.split("\r\n")
    lines.insert(2, ";;;;")
    lines.insert(3, "")
    write(d, "interactions.csv", "\r\n".join(lines))
    return validate_args(d)


@case("structure", Expect(1, used=2, quarantined=1, rules=("duplicate_key",)))
def duplicate_key_across_files(d: Path) -> list[str]:
    write(d, "interactions_a.csv", csv_text(rows(2)))
    write(d, "interactions_b.csv", csv_text([row(2)]))
    return validate_args(d)


# --------------------------------------------------------------------------------------------
# Types, NaN and infinities
# --------------------------------------------------------------------------------------------

@case("types", Expect(1, used=1, quarantined=4, rules=("unreadable_value",)))
def wrong_types(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([
        row(1), row(2, handle_seconds="forty"), row(3, abandoned="maybe"), row(4, arrived_at="yesterday"),
        row(5, answered_at="2026-13-01T08:00:00Z")]))
    return validate_args(d)


@case("types", Expect(1, used=1, quarantined=5, rules=("unreadable_value",)))
def nan_and_infinities_in_text(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([row(1)] + [row(i, handle_seconds=v) for i, v in
                                          enumerate(("NaN", "inf", "-Infinity", "1e309", "nan"), start=2)]))
    return validate_args(d)


@case("types", Expect(1, used=1, quarantined=3, rules=("unreadable_value",)))
def nan_and_infinities_in_parquet(d: Path) -> list[str]:
    frame = pl.DataFrame([row(i) for i in range(1, 5)]).with_columns(
        pl.Series("handle_seconds", [40.0, float("nan"), float("inf"), float("-inf")]))
    d.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(d / "interactions.parquet")
    return validate_args(d)


@case("types", Expect(1, used=1, quarantined=3))
def out_of_range_values(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([row(1), row(2, handle_seconds="-5"), row(3, channel="fax"),
                                           row(4, direction="sideways")]))
    return validate_args(d)


@case("types", Expect(1, used=2, quarantined=3))
def survey_scores_out_of_scale_and_fractional(d: Path) -> list[str]:
    base = {"site_id": "ACME-MNL", "channel": "phone", "submitted_at": "2026-10-02T10:00:00+08:00",
            "csat": "5", "nps": "9", "ces": "6", "comment": "fine"}
    recs = [{**base, "response_id": "R1"}, {**base, "response_id": "R2", "csat": "4.0"},
            {**base, "response_id": "R3", "csat": "4.5"}, {**base, "response_id": "R4", "nps": "11"},
            {**base, "response_id": "R5", "ces": "0"}]
    write(d, "surveys.csv", csv_text(recs, header=SURVEY_HEADER))
    return validate_args(d)


# --------------------------------------------------------------------------------------------
# Timestamps: offsets and daylight saving
# --------------------------------------------------------------------------------------------

@case("timestamps", Expect(0, used=4, quarantined=0))
def mixed_offsets(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([
        row(1, arrived_at="2026-10-01T08:00:00+08:00", answered_at="", ended_at=""),
        row(2, arrived_at="2026-10-01T00:00:00Z", answered_at="", ended_at=""),
        row(3, arrived_at="2026-09-30T19:00:00-05:00", answered_at="", ended_at=""),
        row(4, arrived_at="2026-10-01 05:30:00+0530", answered_at="", ended_at="")]))
    return validate_args(d)


_NY_MAPPING = "name: ny-calls\ntable: interactions\nfiles: [calls*.csv]\ntimezone: America/New_York\n"


@case("timestamps", Expect(1, used=2, quarantined=1, rules=("unreadable_value",)))
def daylight_saving_gap(d: Path) -> list[str]:
    # 2:30 on 8 March 2026 does not exist in New York (clocks jump from 2:00 to 3:00).
    plain = {"answered_at": "", "ended_at": "", "handle_seconds": "", "site_id": "NW-BOS"}
    write(d, "calls.csv", csv_text([row(1, arrived_at="2026-03-08T01:30:00", **plain),
                                    row(2, arrived_at="2026-03-08T02:30:00", **plain),
                                    row(3, arrived_at="2026-03-08T03:30:00", **plain)]))
    m = write(d.parent / "maps", "ny.yaml", _NY_MAPPING)
    return validate_args(d, "--mapping", str(m))


@case("timestamps", Expect(0, used=2, quarantined=0))
def daylight_saving_repeated_hour(d: Path) -> list[str]:
    plain = {"answered_at": "", "ended_at": "", "handle_seconds": "", "site_id": "NW-BOS"}
    write(d, "calls.csv", csv_text([row(1, arrived_at="2026-11-01T01:30:00", **plain),
                                    row(2, arrived_at="2026-11-01T01:45:00-05:00", **plain)]))
    m = write(d.parent / "maps", "ny.yaml", _NY_MAPPING)
    return validate_args(d, "--mapping", str(m))


@case("timestamps", Expect(1, used=1, quarantined=1, rules=("answered_before_arrival",)))
def offsets_that_reverse_the_order(d: Path) -> list[str]:
    # Same wall clock, different offsets: answered 3 hours before arrival once both are UTC.
    write(d, "interactions.csv", csv_text([
        row(1), row(2, arrived_at="2026-10-01T08:00:00+05:00", answered_at="2026-10-01T08:00:10+08:00",
                    ended_at="2026-10-01T08:30:00+05:00")]))
    return validate_args(d)


# --------------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------------

def _book(sheets: dict[str, list[list[object]]]):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, data in sheets.items():
        ws = book.create_sheet(title)
        for line in data:
            ws.append(line)
    return book


def _sheet_rows(records: Sequence[dict[str, str]], header: Sequence[str] = HEADER) -> list[list[object]]:
    return [list(header)] + [[r.get(c, "") or None for c in header] for r in records]


@case("xlsx", Expect(1, used=1, quarantined=2, rules=("missing_value",)))
def xlsx_merged_cells(d: Path) -> list[str]:
    book = _book({"calls": _sheet_rows(rows(3))})
    ws = book["calls"]
    ws.merge_cells("B3:B4")  # site_id of rows 2 and 3 merged: only the first keeps its value
    ws.merge_cells("C2:D2")  # channel and direction of row 1 merged: direction is lost
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "interactions.xlsx")
    return validate_args(d)


@case("xlsx", Expect(0, used=2, quarantined=0))
def xlsx_several_sheets_first_is_data(d: Path) -> list[str]:
    book = _book({"data": _sheet_rows(rows(2)), "notes": [["this sheet is", "ignored"], ["=1/0", None]]})
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "interactions.xlsx")
    return validate_args(d)


@case("xlsx", Expect(4, "missing required column(s)"))
def xlsx_several_sheets_first_is_notes(d: Path) -> list[str]:
    book = _book({"README": [["Export of October"]], "data": _sheet_rows(rows(2))})
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "interactions.xlsx")
    return validate_args(d)


@case("xlsx", Expect(0, used=2, quarantined=0))
def xlsx_sheet_named_by_mapping(d: Path) -> list[str]:
    book = _book({"README": [["Export of October"]], "data": _sheet_rows(rows(2))})
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "calls.xlsx")
    m = write(d.parent / "maps", "m.yaml", "name: wb\ntable: interactions\nfiles: [calls*.xlsx]\n"
              "format: {sheet: data}\n")
    return validate_args(d, "--mapping", str(m))


@case("xlsx", Expect(4, "cannot read the workbook"))
def xlsx_sheet_named_by_mapping_is_missing(d: Path) -> list[str]:
    book = _book({"data": _sheet_rows(rows(2))})
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "calls.xlsx")
    m = write(d.parent / "maps", "m.yaml", "name: wb\ntable: interactions\nfiles: [calls*.xlsx]\n"
              "format: {sheet: Octobre}\n")
    return validate_args(d, "--mapping", str(m))


@case("xlsx", Expect(1, used=2, quarantined=1, rules=("missing_value",)))
def xlsx_formulas_without_cached_values(d: Path) -> list[str]:
    # openpyxl stores formulas without a computed value: a reader sees no number, never runs them.
    records = _sheet_rows(rows(3))
    records[2][HEADER.index("handle_seconds")] = "=20+20"
    records[3][HEADER.index("queue")] = '=HYPERLINK("http://example.invalid","claims")'
    book = _book({"calls": records})
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "interactions.xlsx")
    return validate_args(d)


@case("xlsx", Expect(0, used=3, quarantined=0))
def xlsx_dates_as_text_and_as_dates(d: Path) -> list[str]:
    from datetime import datetime

    records = _sheet_rows([row(1, answered_at="", ended_at=""), row(2, answered_at="", ended_at=""),
                           row(3, answered_at="", ended_at="")])
    col = HEADER.index("arrived_at")
    records[1][col] = "2026-10-01T08:00:00+08:00"  # text, as typed
    records[2][col] = datetime(2026, 10, 1, 9, 0)  # a real Excel date (local time: no zone)
    records[3][col] = "2026-10-01 10:00"  # text without seconds
    book = _book({"calls": records})
    d.mkdir(parents=True, exist_ok=True)
    book.save(d / "interactions.xlsx")
    return validate_args(d)


@case("xlsx", Expect(4, "cannot read the workbook"))
def xlsx_truncated(d: Path) -> list[str]:
    buf = io.BytesIO()
    _book({"calls": _sheet_rows(rows(3))}).save(buf)
    write(d, "interactions.xlsx", buf.getvalue()[: len(buf.getvalue()) // 2])
    return validate_args(d)


@case("archive", Expect(4, "zip bomb"))
def zip_bomb_disguised_as_xlsx(d: Path) -> list[str]:
    write(d, "interactions.xlsx", zip_bomb(ZIP_BOMB_BYTES))
    return validate_args(d)


@case("archive", Expect(4, "cannot read the workbook"))
def zip_bomb_with_understated_sizes(d: Path) -> list[str]:
    # The directory claims a small sheet; a reader trusting it would still inflate 300 MB.
    write(d, "interactions.xlsx", zip_bomb(ZIP_BOMB_BYTES, declared=50_000))
    return validate_args(d)


@case("archive", Expect(4, "zip bomb"))
def zip_with_overstated_sizes(d: Path) -> list[str]:
    write(d, "interactions.xlsx", zip_bomb(1 << 20, declared=4_000_000_000))
    return validate_args(d)


@case("archive", Expect(4, "not an XLSX workbook"))
def csv_named_xlsx(d: Path) -> list[str]:
    write(d, "interactions.xlsx", csv_text(rows(2)))
    return validate_args(d)


@case("archive", Expect(4, "not a Parquet file"))
def csv_named_parquet(d: Path) -> list[str]:
    write(d, "interactions.parquet", csv_text(rows(2)))
    return validate_args(d)


@case("archive", Expect(4, "cannot read as Parquet"))
def parquet_truncated(d: Path) -> list[str]:
    buf = io.BytesIO()
    pl.DataFrame(rows(50)).write_parquet(buf)
    data = buf.getvalue()
    write(d, "interactions.parquet", data[: len(data) // 2] + b"PAR1")
    return validate_args(d)


def zip_bomb(size: int, declared: int | None = None, exact_crc: bool = True) -> bytes:
    """A valid small workbook whose sheet is padded with `size` bytes of spaces (about 1000:1).

    The padding is one deflated block repeated (each flushed in full, so the blocks are identical):
    building a 300 MB bomb takes a fraction of a second. `declared` replaces the size the ZIP
    directory states (a lie, either way). Without `exact_crc` the CRC is left wrong (cheap for
    gigabytes; only a reader that inflates everything would notice).
    """
    from openpyxl import Workbook

    buf = io.BytesIO()
    book = Workbook()
    book.active.append(list(HEADER))
    book.save(buf)
    members = []
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                members.append((info.filename, 0, data, zlib.crc32(data), len(data)))
                continue
            head, tail = data.split(b"</sheetData>")
            chunk = b" " * (1 << 20)
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
            block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
            end = b"</sheetData>" + tail
            n = size // len(chunk)
            body = first + block * n + comp.compress(end) + comp.flush()
            crc = zlib.crc32(head)
            for _ in range(n if exact_crc else 0):
                crc = zlib.crc32(chunk, crc)
            crc = zlib.crc32(end, crc)
            usize = len(head) + n * len(chunk) + len(end)
            members.append((info.filename, 8, body, crc, usize if declared is None else declared))
    return _zip(members)


def _zip(members: Sequence[tuple[str, int, bytes, int, int]]) -> bytes:
    """A ZIP archive from (name, method, stored bytes, CRC-32, uncompressed size) written as given."""
    out, central = bytearray(), bytearray()
    for name, method, body, crc, usize in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(body), usize, len(raw), 0)
        out += raw + body
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(body), usize,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


# --------------------------------------------------------------------------------------------
# YAML: alias bombs, tags, nesting (mappings and contracts)
# --------------------------------------------------------------------------------------------

ALIAS_BOMB = "".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)])
DEEP = "[" * 5000 + "]" * 5000
CANARY_FILE = "pwned-by-yaml"


def _mapping_case(d: Path, text: str) -> list[str]:
    write(d, "calls.csv", csv_text(rows(1)))
    m = write(d.parent / "maps", "m.yaml", text)
    return validate_args(d, "--mapping", str(m))


def _contract_case(d: Path, text: str) -> list[str]:
    c = write(d.parent / "contracts", "hostile.yaml", text)
    return ["contract", "check", str(c)]


@case("yaml", Expect(3, "too large once aliases are expanded"))
def mapping_alias_bomb(d: Path) -> list[str]:
    return _mapping_case(d, "name: bomb\ntable: interactions\nfiles: [calls*.csv]\n" + ALIAS_BOMB)


@case("yaml", Expect(3, "too large once aliases are expanded"))
def contract_alias_bomb(d: Path) -> list[str]:
    return _contract_case(d, ALIAS_BOMB)


@case("yaml", Expect(3, "is not allowed"))
def mapping_python_tag(d: Path) -> list[str]:
    target = d.parent / CANARY_FILE
    return _mapping_case(d, f"name: !!python/object/apply:os.system [\"touch {target}\"]\n"
                            "table: interactions\nfiles: [calls*.csv]\n")


@case("yaml", Expect(3, "is not allowed"))
def contract_python_tag(d: Path) -> list[str]:
    target = d.parent / CANARY_FILE
    return _contract_case(d, f"contract_id: !!python/object/new:subprocess.check_output [[touch, {target}]]\n")


@case("yaml", Expect(3, "is not allowed"))
def contract_custom_include_tag(d: Path) -> list[str]:
    return _contract_case(d, "vendor: !include /etc/passwd\n")


@case("yaml", Expect(3, "merge keys"))
def contract_merge_key(d: Path) -> list[str]:
    return _contract_case(d, "base: &b {id: X}\nvendor:\n  <<: *b\n")


@case("yaml", Expect(3, "nesting deeper than"))
def mapping_deep_nesting(d: Path) -> list[str]:
    return _mapping_case(d, f"name: deep\ntable: interactions\nfiles: [calls*.csv]\nextra: {DEEP}\n")


@case("yaml", Expect(3, "nesting deeper than"))
def contract_deep_nesting(d: Path) -> list[str]:
    return _contract_case(d, "a:\n" + "".join("  " * i + f"  k{i}:\n" for i in range(200)) + "  " * 201 + "x\n")


@case("yaml", Expect(3, "larger than"))
def contract_too_large(d: Path) -> list[str]:
    return _contract_case(d, "notes: |\n" + "  padding line of text\n" * 60_000)


# --------------------------------------------------------------------------------------------
# Ids that would name files: path separators and '..'
# --------------------------------------------------------------------------------------------

def _contract_with(vendor_id: str = "ACME", site_id: str = "ACME-MNL", vendor_name: str = "Acme") -> str:
    from .worlds import contract_text

    return contract_text(vendor_id=vendor_id, site_id=site_id, vendor_name=vendor_name)


@case("ids", Expect(3, "is not a valid id"))
def contract_vendor_id_parent_dir(d: Path) -> list[str]:
    return _contract_case(d, _contract_with(vendor_id="../../etc"))


@case("ids", Expect(3, "is not a valid id"))
def contract_vendor_id_slash(d: Path) -> list[str]:
    return _contract_case(d, _contract_with(vendor_id="ACME/../../x"))


@case("ids", Expect(3, "is not a valid id"))
def contract_vendor_id_backslash(d: Path) -> list[str]:
    return _contract_case(d, _contract_with(vendor_id="ACME\\..\\x"))


@case("ids", Expect(3, "is not a valid id"))
def contract_vendor_id_dotdot(d: Path) -> list[str]:
    return _contract_case(d, _contract_with(vendor_id=".."))


@case("ids", Expect(3, "is not a valid id"))
def contract_site_id_path(d: Path) -> list[str]:
    return _contract_case(d, _contract_with(site_id="/tmp/x"))


@case("ids", Expect(3, "name"))
def mapping_name_path(d: Path) -> list[str]:
    return _mapping_case(d, "name: ../../x\ntable: interactions\nfiles: [calls*.csv]\n")


@case("ids", Expect(0, used=3, quarantined=0))
def export_site_ids_with_path_parts(d: Path) -> list[str]:
    # Site ids in exports are data: kept as text, matched against the contracts, never a path.
    write(d, "interactions.csv", csv_text([row(1, site_id="../../etc/passwd"), row(2, site_id="a/b\\c"),
                                           row(3, site_id="..")]))
    return validate_args(d)


@case("ids", Expect(3, "relative to the export folder"))
def mapping_glob_escaping_the_folder(d: Path) -> list[str]:
    # A mapping's globs are relative to the export folder: '../' patterns claim nothing outside it.
    write(d.parent, "interactions_outside.csv", csv_text(rows(2)))
    d.mkdir(parents=True, exist_ok=True)
    m = write(d.parent / "maps", "m.yaml", "name: escape\ntable: interactions\nfiles: ['../*.csv', '/etc/*']\n")
    return validate_args(d, "--mapping", str(m))


# --------------------------------------------------------------------------------------------
# Hostile content in the data: kept as data
# --------------------------------------------------------------------------------------------

@case("hostile", Expect(0, used=3, quarantined=0))
def formula_and_markup_in_text_columns(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([
        row(1, queue='"=HYPERLINK(""http://example.invalid"",""x"")"'),
        row(2, queue="<script>alert(1)</script>", agent_id="+cmd|' /C calc'!A0"),
        row(3, queue="@SUM(1+1)", agent_id="-2+3")]))
    return validate_args(d)


@case("hostile", Expect(1, used=1, quarantined=1, rules=("allowed_values",)))
def control_characters_in_values(d: Path) -> list[str]:
    write(d, "interactions.csv", csv_text([row(1), row(2, channel="phone\x1b[2J\x07")]))
    return validate_args(d)
