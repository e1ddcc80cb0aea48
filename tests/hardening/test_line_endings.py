"""Record breaks of every kind: LF, CRLF, CR alone (old Mac), mixed files, and line-like characters
(U+2028, NEL, vertical tab, form feed) inside values.

Each file reads to exactly the rows written, with the values written, or fails with a located
error that quotes no data (a member reference read as a header name would reach a cron log).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from vendoraudit.errors import InputError
from vendoraudit.exports import ExportFile, FileFormat, _scan, read_file
from vendoraudit.mapping import identity_mapping
from vendoraudit.validate import load_exports

from .conftest import assert_one_line_error, invoke
from .corpus import HEADER, row
from .worlds import CANARY

QUEUES = ["claims", "two\nlines", "cr\rinside", "crlf\r\ninside", "line\u2028separator", "next\x85line",
          "vertical\x0btab", "form\x0cfeed", "para\u2029graph", 'say "hi", bye']


def _records(n: int, queues: list[str] = QUEUES) -> list[dict[str, str]]:
    return [row(i, queue=queues[i % len(queues)], member_ref=f"{CANARY}-{i}") for i in range(1, n + 1)]


def _csv(records: list[dict[str, str]], breaks: list[str], delimiter: str = ",") -> str:
    """The records written by Python's csv module, the record break of row k being breaks[k % len].

    The writer quotes values holding a character of its line terminator only, so it writes with
    a terminator holding CR and LF (and a marker), which is then replaced by the break wanted.
    """
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n\x01").writerows(
        [list(HEADER)] + [[r[c] for c in HEADER] for r in records])
    lines = out.getvalue().split("\r\n\x01")[:-1]
    return "".join(line + breaks[k % len(breaks)] for k, line in enumerate(lines))


def _read(folder: Path) -> list[dict[str, object]]:
    result = load_exports(folder)
    assert result.is_balanced
    frame = result.tables["interactions"].sort("_source_row")
    return frame.select("interaction_id", "queue", "member_ref").to_dicts()


def _expected(records: list[dict[str, str]]) -> list[dict[str, object]]:
    return [{"interaction_id": r["interaction_id"], "queue": r["queue"], "member_ref": r["member_ref"]}
            for r in records]


@pytest.mark.parametrize("breaks", [["\n"], ["\r\n"], ["\r"], ["\r", "\n"], ["\r\n", "\r"], ["\n", "\r\n", "\r"]],
                         ids=["lf", "crlf", "cr", "cr-lf", "crlf-cr", "all-three"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_every_record_break_reads_the_rows_written(tmp_path: Path, breaks: list[str], encoding: str) -> None:
    queues = QUEUES if encoding != "cp1252" else [q for q in QUEUES if "\u2028" not in q and "\u2029" not in q
                                                    and "\x85" not in q]
    records = _records(12, queues)
    (tmp_path / "interactions.csv").write_bytes(_csv(records, breaks).encode(encoding))
    assert _read(tmp_path) == _expected(records)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_cr_only_file_with_any_delimiter(tmp_path: Path, delimiter: str) -> None:
    records = _records(5)
    (tmp_path / "interactions.csv").write_text(_csv(records, ["\r"], delimiter), encoding="utf-8", newline="")
    assert _read(tmp_path) == _expected(records)


@pytest.mark.parametrize("lone_cr", ["\r", "\r\r\n"], ids=["cr", "cr-crlf"])
def test_lone_crs_far_into_a_file_are_found(tmp_path: Path, lone_cr: str) -> None:
    # LF for the first 200 KB (past the part read to sniff the file), then CR alone.
    records = _records(3000)
    lf = _csv(records[:2000], ["\n"])
    cr = _csv(records[2000:], [lone_cr])
    text = lf + cr.split(lone_cr, 1)[1]  # the second part without its header
    assert len(lf) > 128 * 1024
    (tmp_path / "interactions.csv").write_text(text, encoding="utf-8", newline="")
    got = _read(tmp_path)
    assert len(got) == 3000 or lone_cr == "\r\r\n"
    if lone_cr == "\r":
        assert got == _expected(records)


def test_a_crlf_across_the_scan_chunks_is_not_a_lone_cr(tmp_path: Path) -> None:
    from vendoraudit import exports

    path = tmp_path / "interactions.csv"
    body = _csv(_records(1), ["\r\n"]).encode()
    pad = exports._CHUNK - len(body) - 1
    data = body + b"x" * pad + b"\r\n" + body
    assert data[exports._CHUNK - 1:exports._CHUNK + 1] == b"\r\n"
    path.write_bytes(data)
    source = ExportFile(path, path.name, "interactions", FileFormat.CSV, identity_mapping("interactions"), False)
    assert not _scan(source).lone_cr
    path.write_bytes(data.replace(b"x\r\n", b"x\r!"))
    assert _scan(source).lone_cr


def test_an_unquoted_cr_inside_a_value_breaks_the_record_and_is_reported(tmp_path: Path) -> None:
    # A lone CR is a record break (as Python's csv module reads it too): the row splits in two,
    # both halves fail their rules, and every row is accounted for.
    text = _csv(_records(3, ["claims"]), ["\n"]).replace(f"{CANARY}-2,", f"{CANARY}-2\rX,")
    (tmp_path / "interactions.csv").write_text(text, encoding="utf-8", newline="")
    result = load_exports(tmp_path)
    assert result.is_balanced
    assert [(f.rows_read, f.rows_used, f.rows_quarantined) for f in result.files] == [(4, 2, 2)]
    assert {i.row for i in result.issues} == {2, 3}
    assert all(CANARY not in (i.value or "") for i in result.issues)


def test_a_cr_only_file_is_not_one_long_header_with_data_in_the_error(tmp_path: Path) -> None:
    # The issue's file: before, its whole content was the header, and a repeated member reference
    # was printed as a "duplicate column name" on stderr.
    records = [row(i, member_ref=f"{CANARY}-SAME") for i in range(1, 4)]
    (tmp_path / "interactions.csv").write_text(_csv(records, ["\r"]), encoding="utf-8", newline="")
    ran = invoke(["validate", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    assert "read       3" in ran.stdout and CANARY not in ran.output


@pytest.mark.parametrize("shape", ["headerless", "headerless-cr", "skipped-header"])
def test_a_header_error_never_quotes_data(tmp_path: Path, shape: str) -> None:
    # The first row is data with one member reference twice: read as a header, its names repeat.
    first = row(1, member_ref=f"{CANARY}-TWICE", agent_id=f"{CANARY}-TWICE")
    lines = _csv([first, row(2)], ["\r" if shape == "headerless-cr" else "\n"]).splitlines(keepends=True)
    folder = tmp_path / "exports"
    folder.mkdir()
    args = ["validate", str(folder)]
    if shape == "skipped-header":
        (folder / "calls.csv").write_text("".join(lines), encoding="utf-8", newline="")
        mapping = tmp_path / "m.yaml"
        mapping.write_text("name: m\ntable: interactions\nfiles: [calls*.csv]\nformat: {skip_rows: 1}\n")
        args += ["--mapping", str(mapping)]
    else:
        (folder / "interactions.csv").write_text("".join(lines[1:]), encoding="utf-8", newline="")
    ran = invoke(args)
    line = assert_one_line_error(ran, 4, "duplicate column name")
    assert CANARY not in ran.output and "columns 6 and 7" in line


@pytest.mark.parametrize("value", [f'"{CANARY}"AB', f'"{CANARY} x"y z', f'"{CANARY}""q"x'])
@pytest.mark.parametrize("column", ["member_ref", "queue"])
def test_a_parse_error_never_quotes_data(tmp_path: Path, value: str, column: str) -> None:
    # A quoted value with text after its closing quote: polars' message quotes the value; ours must not.
    rows = [row(1), row(2, **{column: value}), row(3)]
    text = ",".join(HEADER) + "\n" + "".join(",".join(r.values()) + "\n" for r in rows)
    (tmp_path / "interactions.csv").write_text(text, encoding="utf-8")
    ran = invoke(["validate", str(tmp_path)])
    line = assert_one_line_error(ran, 4, "cannot parse as CSV")
    assert CANARY not in ran.output and "column" in line
