"""Canaries planted in every personal column must not appear in any output, report or log line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vendoraudit.tables import TABLES

from .conftest import Ran, invoke
from .worlds import CANARY, PERIOD, World

NEEDLES = (CANARY, CANARY.lower(), "diagnosed with", "cancer returned")


def _leaks(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


def test_the_world_plants_canaries_in_every_personal_column(world: World) -> None:
    personal = {(t, c.name) for t, spec in TABLES.items() for c in spec.columns if c.personal or c.never_output}
    assert personal == {("interactions", "member_ref"), ("surveys", "comment")}
    planted = b"".join(p.read_bytes() for p in world.period_dir.iterdir())
    assert planted.count(CANARY.encode()) > 3000


def test_no_canary_in_any_published_file(world: World, audited: Ran) -> None:
    folder = world.out / PERIOD
    files = sorted(p for p in world.out.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".pdf", ".xlsx", ".json", ".csv", ".sqlite"} <= kinds, kinds
    assert list((folder / "quarantine").glob("*.csv")), "the planted bad rows must be quarantined"
    for path in files:
        raw = path.read_bytes()
        assert CANARY.encode() not in raw and CANARY.encode("utf-16-le") not in raw, path
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True,
                                  timeout=60).stdout
            assert text.strip(), f"{path.name}: no text extracted"
            assert not _leaks(text), path
        elif path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                for values in sheet.iter_rows(values_only=True):
                    assert not _leaks(" ".join(str(v) for v in values if v is not None)), (path.name, sheet.title)
        elif path.suffix in (".json", ".csv"):
            assert not _leaks(raw.decode("utf-8")), path


def test_quarantined_rows_are_reported_with_masked_values(world: World, audited: Ran) -> None:
    report = json.loads((world.out / PERIOD / f"validation-{PERIOD}.json").read_text())
    masked = [i for i in report["issues"] if i["column"] in ("member_ref", "comment")]
    assert masked and all(i["value"] == "<masked>" for i in masked), masked
    quarantined = sum(f["rows_quarantined"] for f in report["files"])
    assert quarantined >= 10  # 3 bad interactions + 1 repeated key + 3 bad surveys + 3 unmapped comments


def test_no_canary_in_logs_or_stdout(audited: Ran) -> None:
    assert '"level": "info"' in audited.stderr  # the JSON log was written
    assert not _leaks(audited.stdout) and not _leaks(audited.stderr)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_no_canary_in_validate_output_or_quarantine(world: World, tmp_path: Path, as_json: bool) -> None:
    args = ["validate", str(world.period_dir), "--mapping", str(world.mapping), "--period", PERIOD,
            "--contracts", str(world.contracts), "--quarantine-dir", str(tmp_path / "q")]
    ran = invoke(args + (["--json"] if as_json else []), timeout=60)
    # 14 bad rows, below the audit's blocking rule: validate exits 0 as the audit would (issue 24).
    assert ran.exit_code == 0, ran.output[-2000:]
    assert "<masked>" in ran.stdout
    assert not _leaks(ran.output)
    for path in (tmp_path / "q").glob("*.csv"):
        assert not _leaks(path.read_text(encoding="utf-8")), path


def test_no_canary_when_the_audit_stops_on_data_errors(world: World, tmp_path: Path) -> None:
    # Too many bad rows: the audit refuses to compute money and lists the problems on stderr.
    exports = tmp_path / "exports"
    shutil.copytree(world.exports, exports)
    survey = exports / PERIOD / "surveys.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    survey.write_text("\n".join([lines[0]] + [line.replace(",ACME-MNL,", ",ACME-MNL,fax-") for line in lines[1:]])
                      + "\n", encoding="utf-8")
    for fmt in ("text", "json"):
        ran = invoke(["audit", "--exports", str(exports), "--contracts", str(world.contracts), "--period", PERIOD,
                      "--out", str(tmp_path / "out"), "--mapping", str(world.mapping), "--log-format", fmt],
                     timeout=120)
        assert ran.exit_code == 1, ran.output[-2000:]
        assert not _leaks(ran.output)
    # Issue 19: a blocked audit still writes its validation report and quarantine; no canary in them.
    written = [p for p in (tmp_path / "out" / PERIOD).rglob("*") if p.is_file()]
    assert written
    for path in written:
        assert not _leaks(path.read_text(encoding="utf-8")), path
