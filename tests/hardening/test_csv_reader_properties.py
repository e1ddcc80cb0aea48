"""Property: any table Python's csv module writes reads back to the same rows, or to located errors.

Random tables with hostile text in every text column (delimiters, quotes, every kind of line
break, NULs, BOMs, formula prefixes, very long fields), written with a random delimiter, record
break and encoding. Whatever comes back, every row is accounted for (read = used + quarantined);
when the rows differ from those written, the differences are errors located at file and row; a
file that cannot be read is an InputError naming it, quoting none of the values.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from vendoraudit.errors import InputError
from vendoraudit.exports import ExportFile, FileFormat, read_file
from vendoraudit.mapping import identity_mapping
from vendoraudit.validate import validate_reads

from .corpus import HEADER, row

HOSTILE = [",", ";", "\t", '"', "'", "\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x00",
           "\ufeff", "=", "+", "-", "@", " ", "\u00a0", "a", "Z", "7", "é", "€", "\U0001f600", "|", "\\"]
TEXT_COLUMNS = ("queue", "member_ref", "agent_id")
# Whitespace polars strips (Rust's White_Space): what the reader's cleaning removes around values.
STRIPPED = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000"

values = st.one_of(
    st.lists(st.sampled_from(HOSTILE), max_size=12).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "\u00e9", '"', ","]), st.integers(10_000, 120_000)),
)
tables = st.lists(st.tuples(values, values, values), min_size=1, max_size=12)


def _cleaned(value: str) -> str | None:
    stripped = value.strip(STRIPPED)
    return stripped or None


def _write(path: Path, records: list[dict[str, str]], delimiter: str, breaks: str, encoding: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=breaks)
    writer.writerow(HEADER)
    writer.writerows([[r[c] for c in HEADER] for r in records])
    path.write_bytes(out.getvalue().encode(encoding))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables, st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]),
       st.sampled_from(["utf-8", "utf-8-sig"]))
def test_a_table_reads_back_or_fails_located(table: list[tuple[str, str, str]], delimiter: str, breaks: str,
                                             encoding: str) -> None:
    records = [row(k, interaction_id=f"I{k}", **dict(zip(TEXT_COLUMNS, texts))) for k, texts in enumerate(table, 1)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "interactions.csv"
        _write(path, records, delimiter, breaks, encoding)
        source = ExportFile(path, path.name, "interactions", FileFormat.CSV, identity_mapping("interactions"), False)
        try:
            read = read_file(source)
        except InputError as exc:
            message = str(exc)
            assert str(path) in message  # located: the file (and its line where there is one)
            personal = [r["member_ref"] for r in records if len(r["member_ref"].strip(STRIPPED)) >= 3]
            assert not any(v.strip(STRIPPED) in message for v in personal), message
            return
        assert not any("\x00" in v for r in records for v in r.values()), "a NUL must not be read as data"
        result = validate_reads([read])
    report = result.files[0]
    assert report.rows_read == report.rows_used + report.rows_quarantined  # read = used + quarantined
    assert result.is_balanced
    got = pl.concat([result.tables["interactions"], result.quarantine["interactions"].drop("_reason")],
                    how="vertical_relaxed").sort("_source_row")
    expected = [{"interaction_id": r["interaction_id"], **{c: _cleaned(r[c]) for c in TEXT_COLUMNS}} for r in records]
    back = got.select("interaction_id", *TEXT_COLUMNS).to_dicts()
    if back != expected:
        # Rows that did not come back as written are errors located at their file and row.
        errors = [i for i in result.issues if i.severity == "error"]
        assert errors and all(i.file == "interactions.csv" and i.row is not None for i in errors), \
            (back[:3], expected[:3])
        # and a row that reads back whole is used as written, never changed silently
        used = result.tables["interactions"].select("interaction_id", *TEXT_COLUMNS).to_dicts()
        assert all(u in expected for u in used), [u for u in used if u not in expected][:2]
    else:
        assert report.rows_read == len(records)
