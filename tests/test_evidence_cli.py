"""`vendoraudit audit` writes the evidence: one workbook per vendor with a missed or at-risk KPI, CSVs
beyond the cap, all in the manifest, named on the scorecard, with no member data."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from zipfile import ZipFile

import polars as pl
import pytest
from openpyxl import load_workbook

from test_cli_audit import ROOT, audit

CANARY_MEMBER, CANARY_COMMENT = "=MEMBER-CANARY-99", "COMMENT-CANARY my diagnosis"


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory: pytest.TempPathFactory):
    """The sample exports with canaries in every member_ref and comment, audited with a 20-row cap."""
    base = tmp_path_factory.mktemp("evidence")
    exports = base / "exports"
    shutil.copytree(ROOT / "sample_exports", exports, ignore=shutil.ignore_patterns("broken", "*.py", "*.md"))
    folder = exports / "2026-10"
    for path in folder.glob("interactions_*.csv"):
        first = path.read_text(encoding="utf-8-sig").splitlines()[0]
        frame = pl.read_csv(path, separator=";" if ";" in first else ",", infer_schema=False, encoding="utf8-lossy")
        frame = frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})
        frame.with_columns(pl.lit(CANARY_MEMBER).alias("member_ref")).write_csv(path)
    wb = load_workbook(folder / "surveys.xlsx")
    ws = wb.active
    column = [c.value for c in ws[1]].index("comment") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=column, value=CANARY_COMMENT)
    wb.save(folder / "surveys.xlsx")
    out = base / "out"
    run = audit("--exports", str(exports), "--contracts", str(ROOT / "contracts"), "--period", "2026-10",
                "--out", str(out), "--evidence-rows", "20")
    assert run.returncode == 0, run.stderr
    return out / "2026-10", run


def test_evidence_files_are_published_with_the_others(canary_run):
    folder, _ = canary_run
    names = {p.name for p in folder.iterdir()}
    assert {"evidence-2026-10-BRIGHTPATH-v1.xlsx", "evidence-2026-10-CALLCO-v1.xlsx"} <= names
    assert "evidence-2026-10-BRIGHTPATH-empathy-v1.csv" in names  # 183 rows beyond the 20-row cap
    manifest = json.loads((folder / "manifest.json").read_text())["files"]
    for name in names:
        if name.startswith("evidence-"):
            assert manifest[name] == hashlib.sha256((folder / name).read_bytes()).hexdigest()


def test_json_and_scorecard_name_the_evidence(canary_run):
    folder, _ = canary_run
    document = json.loads((folder / "vendoraudit-2026-10.json").read_text())
    vendors = {v["vendor_id"]: v for v in document["result"]["vendors"]}
    callco = vendors["CALLCO"]["evidence"]
    assert callco["workbook"] == "evidence-2026-10-CALLCO-v1.xlsx"
    missed = {k["kpi_id"] for k in vendors["CALLCO"]["scorecard"]["kpis"] if k["outcome"] == "missed"}
    assert missed <= {s["kpi_id"] for s in callco["sheets"]}
    assert vendors["ACME"]["evidence"] is None or all(s["reason"] == "at_risk" for s in vendors["ACME"]["evidence"]["sheets"])
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(folder / "scorecard-2026-10-CALLCO-v1.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "evidence-2026-10-" in text and "callback_10min" in text


def test_no_member_data_and_only_the_vendors_sites(canary_run):
    folder, _ = canary_run
    document = json.loads((folder / "vendoraudit-2026-10.json").read_text())
    sites = {v["vendor_id"]: {s["site_id"] for s in v["sites"]} for v in document["result"]["vendors"]}
    evidence = sorted(folder.glob("evidence-*"))
    assert evidence
    for path in evidence:
        vendor = re.match(r"evidence-2026-10-([A-Z]+)", path.name).group(1)
        if path.suffix == ".xlsx":
            with ZipFile(path) as z:
                text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
            wb = load_workbook(path, read_only=True)
            seen = set()
            for ws in wb.worksheets[1:]:
                rows = list(ws.iter_rows(values_only=True))
                header = rows[7]
                for k, name in enumerate(header):
                    if name == "site_id":
                        seen |= {r[k] for r in rows[8:] if k < len(r) and r[k] is not None}
            assert seen <= sites[vendor], path.name
        else:
            text = path.read_text(encoding="utf-8")
            assert set(pl.read_csv(path).get_column("site_id").to_list()) <= sites[vendor]
        assert "CANARY" not in text, path.name


def test_a_bad_cap_is_a_clear_configuration_error(tmp_path):
    run = audit("--period", "2026-10", "--out", str(tmp_path / "out"), "--evidence-rows", "0")
    assert run.returncode == 3
    assert "rows_per_evidence_sheet must be a whole number of rows, at least 1" in run.stderr
    assert "Traceback" not in run.stderr
    run = audit("--period", "2026-10", "--out", str(tmp_path / "out"), env={"VENDORAUDIT_ROWS_PER_EVIDENCE_SHEET": "lots"})
    assert run.returncode == 3 and "rows_per_evidence_sheet" in run.stderr and "Traceback" not in run.stderr
