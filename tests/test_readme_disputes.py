"""The README's Disputes guide, run as written: from CALLCO's missed callbacks to a final, verified v2.

The commands and the dispute file are taken from the README itself; the figures the README quotes
are checked against the run, and the KPI after the dispute against a count of the raw export rows.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
BOGOTA = ZoneInfo("America/Bogota")


def _guide() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("### Disputes: from a miss to a final version")
    return text[start:text.index("\n### ", start + 10)]


def _blocks(guide: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", guide, re.S)


def _vendoraudit(line: str, cwd: Path) -> subprocess.CompletedProcess:
    args = shlex.split(line)
    assert args[0] == "vendoraudit", line
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENDORAUDIT_")} | {"CI": "true"}
    return subprocess.run([sys.executable, "-m", "vendoraudit", *args[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)


def _callbacks_by_hand(excluded: set[date]) -> tuple[int, int]:
    """(completed within 10 minutes, requested) over CC-BOG's October rows, by local arrival day."""
    path = REPO / "sample_exports" / "2026-10" / "interactions_CC-BOG.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        sample = fh.readline()
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";" if sample.count(";") > sample.count(",") else ","))
    within = requested = 0
    for row in rows:
        if not row["callback_requested_at"]:
            continue
        arrived = datetime.fromisoformat(row["arrived_at"]).astimezone(BOGOTA).date()
        if arrived.month != 10 or arrived in excluded:
            continue
        requested += 1
        if row["callback_completed_at"]:
            wait = (datetime.fromisoformat(row["callback_completed_at"])
                    - datetime.fromisoformat(row["callback_requested_at"]))
            within += wait.total_seconds() <= 600
    return within, requested


def _callco(out: Path) -> dict:
    document = json.loads((out / "2026-10" / "vendoraudit-2026-10.json").read_text())
    return next(v for v in document["result"]["vendors"] if v["vendor_id"] == "CALLCO")


def test_the_readme_disputes_example_runs_as_written(tmp_path: Path):
    guide = _guide()
    words = " ".join(guide.split())  # the guide's prose, line breaks aside
    shutil.copytree(REPO / "sample_exports", tmp_path / "sample_exports")
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    first, last = _blocks(guide, "sh")
    (dispute_text,) = _blocks(guide, "yaml")

    for line in first.strip().splitlines():
        ran = _vendoraudit(line, tmp_path)
        assert ran.returncode == 0, (line, ran.stderr)
    v1 = _callco(tmp_path / "audits")
    v1_evidence = (tmp_path / "audits" / "2026-10" / v1["evidence"]["workbook"]).read_bytes()
    assert v1["evidence"]["workbook"] == "evidence-2026-10-CALLCO-v1.xlsx"
    kpi1 = next(k for k in v1["scorecard"]["kpis"] if k["kpi_id"] == "callback_10min")
    credit = Decimal(v1["settlement"]["kpi_credits"]["callback_10min"])
    within, requested = _callbacks_by_hand(set())
    assert (kpi1["result"]["numerator"], kpi1["result"]["denominator"], kpi1["outcome"]) == (within, requested, "missed")
    assert f"{100 * within / requested:.1f}% ({within} of {requested}) against a {kpi1['minimum']:.0f}% minimum" in words
    assert f"${credit:,}" in words

    template = tmp_path / "disputes" / "2026-10" / "CALLCO.yaml"
    assert "kpi: callback_10min" in template.read_text()  # what `dispute new` wrote
    template.write_text(dispute_text, encoding="utf-8")  # as CALLCO and the client filled it in

    outputs = [_vendoraudit(line, tmp_path) for line in last.strip().splitlines()]
    for line, ran in zip(last.strip().splitlines(), outputs):
        assert ran.returncode == 0, (line, ran.stdout, ran.stderr)
    listed = outputs[1].stdout.splitlines()
    assert listed[0] == "2026-10: preliminary; v1; 1 dispute(s), 0 open"
    assert "CALLCO D1  KPI callback_10min  partly accepted  not issued yet" in listed[1]
    assert "verified: every check holds" in outputs[3].stdout
    assert "version 2 (final)" in outputs[3].stdout

    v2 = _callco(tmp_path / "audits")
    kpi2 = next(k for k in v2["scorecard"]["kpis"] if k["kpi_id"] == "callback_10min")
    within2, requested2 = _callbacks_by_hand({date(2026, 10, 23)})
    assert (kpi2["result"]["numerator"], kpi2["result"]["denominator"]) == (within2, requested2)
    assert f"{100 * within2 / requested2:.1f}% ({within2} of {requested2})" in words
    assert f"the {requested - requested2} callbacks requested on the 23rd" in words
    assert kpi2["outcome"] == "missed" and Decimal(v2["settlement"]["kpi_credits"]["callback_10min"]) == credit
    (dispute,) = v2["disputes"]
    assert (dispute["status"], dispute["applied"], Decimal(dispute["money_delta"])) == ("partly_accepted", True, 0)
    assert dispute["granted"] == "exclude 2026-10-23 (site-local days)"
    (changed,) = v2["changes"]["disputes"]
    assert changed["dispute_id"] == "D1" and v2["changes"]["previous_version"] == 1
    document = json.loads((tmp_path / "audits" / "2026-10" / "vendoraudit-2026-10.json").read_text())
    assert document["result"]["issue"] == {"version": 2, "state": "final", "forced": False, "open_disputes": 0}
    assert (tmp_path / "audits" / "2026-10" / "scorecard-2026-10-CALLCO-v1.pdf").is_file()
    # Each version's scorecard names its own evidence, and v1's stays as CALLCO received it.
    assert v2["evidence"]["workbook"] == "evidence-2026-10-CALLCO-v2.xlsx"
    assert (tmp_path / "audits" / "2026-10" / "evidence-2026-10-CALLCO-v1.xlsx").read_bytes() == v1_evidence
