"""`vendoraudit verify`: a genuine scorecard holds; a changed byte, tampered results or junk do not."""

from __future__ import annotations

import dataclasses
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dispute_world as w
from vendoraudit.audit import AuditInputs, run_audit
from vendoraudit.cli import app
from vendoraudit.contract.loader import load_contracts
from vendoraudit.deliver import deliver
from vendoraudit.history import History
from vendoraudit.periods import Period
from vendoraudit.verify import verify_scorecard

runner = CliRunner()


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> tuple[w.SkyWorld, object, Path]:
    """The SKY world audited and delivered once: (world, result, folder)."""
    world = w.build(tmp_path_factory.mktemp("verify"))
    contracts = load_contracts(world.contracts)
    with History(world.out / "history.sqlite") as history:
        result, validated = run_audit(AuditInputs(world.exports / w.PERIOD, contracts), Period(2026, 10), history)
        deliver(result, validated, world.out, history)
    return world, result, world.out / w.PERIOD


def _verify(*args: str):
    ran = runner.invoke(app, ["verify", *args])
    assert "Traceback" not in ran.output
    return ran


def test_a_genuine_scorecard_is_verified(issued):
    _, result, folder = issued
    pdf = folder / "scorecard-2026-10-SKY-v1.pdf"
    ran = _verify(str(pdf))
    assert ran.exit_code == 0, ran.output
    lines = ran.output.splitlines()
    assert lines[0] == f"{pdf}: SKY, 2026-10, version 1 (preliminary)"
    assert "  ok      money: 2 money lines and the totals reproduced to the cent" in lines
    assert "  ok      outcomes: 2 KPI outcomes and points reproduced" in lines
    assert lines[-1] == "  verified: every check holds"
    report = verify_scorecard(pdf)
    assert report.ok and report.integrity_checked and (report.version, report.state) == (1, "preliminary")


def test_a_single_changed_byte_is_caught_by_the_manifest(issued, tmp_path):
    _, _, folder = issued
    copy = tmp_path / "2026-10"
    shutil.copytree(folder, copy)
    pdf = copy / "scorecard-2026-10-SKY-v1.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    ran = _verify(str(pdf))
    assert ran.exit_code == 1
    assert "FAILED  manifest: SHA-256" in ran.output and "the file was changed after it was written" in ran.output
    assert "NOT verified: 1 check(s) failed (manifest)" in ran.output
    # the same file sent back alone is checked against the issuing folder's manifest
    alone = tmp_path / "returned.pdf"
    shutil.copy(folder / "scorecard-2026-10-SKY-v1.pdf", alone)
    assert _verify(str(alone), "--manifest", str(folder / "manifest.json")).exit_code == 1  # not listed by name
    renamed = tmp_path / "back" / "scorecard-2026-10-SKY-v1.pdf"
    renamed.parent.mkdir()
    renamed.write_bytes(bytes(data))
    assert _verify(str(renamed), "--manifest", str(folder / "manifest.json")).exit_code == 1
    renamed.write_bytes((folder / "scorecard-2026-10-SKY-v1.pdf").read_bytes())
    assert _verify(str(renamed), "--manifest", str(folder / "manifest.json")).exit_code == 0


def _render(result, vendor, path: Path, world: w.SkyWorld) -> Path:
    from vendoraudit.render_pdf import render_scorecard

    tampered = dataclasses.replace(result, vendors=(vendor,))
    path.write_bytes(render_scorecard(tampered, "SKY", contract=(world.contracts / "sky.yaml").read_bytes()))
    return path


def test_tampered_attached_results_are_rejected(issued, tmp_path):
    world, result, _ = issued
    sky = result.vendor("SKY")
    # a credit line lowered in the attached results (and so on the cover): the contract prices it otherwise
    first = sky.settlement.lines[0]
    lines = (dataclasses.replace(first, amount=first.amount + Decimal("500.00")),) + sky.settlement.lines[1:]
    settlement = dataclasses.replace(sky.settlement, lines=lines, credits_total=sky.settlement.credits_total + 500,
                                     net_adjustment=sky.settlement.net_adjustment + 500)
    pdf = _render(result, dataclasses.replace(sky, settlement=settlement), tmp_path / "money.pdf", world)
    ran = _verify(str(pdf))
    assert ran.exit_code == 1
    assert "FAILED  money: money line 1: service_credit service_level -1500.00 attached, service_credit " \
           "service_level -2000.00 from the contract" in ran.output
    assert "net_adjustment -3000.00 attached, -3500.00 from the contract" in ran.output
    # a missed KPI declared met, its value left as measured
    kpis = tuple(dataclasses.replace(k, outcome=type(k.outcome)("met")) if k.kpi_id == "service_level" else k
                 for k in sky.scorecard.kpis)
    card = dataclasses.replace(sky.scorecard, kpis=kpis)
    pdf = _render(result, dataclasses.replace(sky, scorecard=card), tmp_path / "outcome.pdf", world)
    ran = _verify(str(pdf))
    assert ran.exit_code == 1
    assert "KPI service_level: outcome met attached, missed from its result and the contract" in ran.output


def test_what_is_not_a_scorecard_gets_a_clear_answer(issued, tmp_path):
    _, _, folder = issued
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\nnot really\n")
    ran = _verify(str(junk))
    assert ran.exit_code == 1 and "FAILED  readable PDF: not a readable PDF" in ran.output
    missing = _verify(str(tmp_path / "nope.pdf"))
    assert missing.exit_code == 1 and "FAILED  readable file: cannot read" in missing.output
    portfolio = _verify(str(folder / "portfolio-2026-10.pdf"))
    assert portfolio.exit_code == 1
    assert "FAILED  attachments: expected one scorecard JSON and one contract attached" in portfolio.output


def test_json_output_lists_every_check(issued):
    _, _, folder = issued
    ran = _verify(str(folder / "scorecard-2026-10-SKY-v1.pdf"), "--json")
    document = json.loads(ran.output)
    assert document["kind"] == "vendoraudit.verification"
    (one,) = document["result"]
    assert one["ok"] is True and one["version"] == 1 and one["state"] == "preliminary"
    assert {c["name"] for c in one["checks"]} >= {"manifest", "outcomes", "money", "cover version"}
