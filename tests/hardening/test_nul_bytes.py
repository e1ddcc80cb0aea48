"""A NUL byte anywhere in a CSV (not only in the first 4 KB looked at to sniff it) is a located
error naming the file, line and byte, quoting no data; in any encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from vendoraudit.errors import InputError
from vendoraudit.exports import ExportFile, FileFormat, read_file
from vendoraudit.mapping import identity_mapping

from .conftest import assert_one_line_error, invoke
from .test_line_endings import CANARY, _csv, _records


@pytest.mark.parametrize("where", ["in-header", "first-row", "after-4-kb", "after-64-kb", "after-1-mb", "last-byte",
                                   "in-quoted-value"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_nul_byte_anywhere_is_a_located_error(tmp_path: Path, where: str, encoding: str) -> None:
    records = _records({"after-1-mb": 9000}.get(where, 700), ["claims", "billing", "pharmacy"])
    text = _csv(records, ["\n"])
    lines = text.splitlines(keepends=True)
    at = {"in-header": 0, "first-row": 1, "after-4-kb": 40, "after-64-kb": 600, "after-1-mb": 8500,
          "last-byte": len(lines) - 1, "in-quoted-value": 650}[where]
    if where == "last-byte":
        lines[at] = lines[at] + "\x00"
    elif where == "in-quoted-value":
        lines[at] = lines[at].replace(f"{CANARY}-", f'"{CANARY}\x00-', 1).replace(",AC-01", '",AC-01', 1)
    else:
        lines[at] = lines[at].replace(",", ",\x00", 1)
    path = tmp_path / "interactions.csv"
    path.write_bytes("".join(lines).encode(encoding))
    if encoding == "cp1252":
        path.write_bytes(path.read_bytes().replace(b"claims", b"reclamaci\xf3n"))
    ran = invoke(["validate", str(tmp_path)])
    line = assert_one_line_error(ran, 4, "NUL byte")
    expected_line = at + 1 + (1 if where == "last-byte" else 0)
    assert f"on line {expected_line} " in line and "interactions.csv" in line
    assert CANARY not in ran.output
    with pytest.raises(InputError, match="NUL byte"):
        read_file(ExportFile(path, path.name, "interactions", FileFormat.CSV, identity_mapping("interactions"),
                             False))
