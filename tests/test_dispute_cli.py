"""`vendoraudit dispute new/check/list` and `audit --disputes`: clear answers, exit codes, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import dispute_world as w
from vendoraudit.cli import app
from vendoraudit.cli.exit_codes import ExitCode

runner = CliRunner()


@pytest.fixture
def world(tmp_path: Path) -> w.SkyWorld:
    return w.build(tmp_path)


def _run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def _common(world: w.SkyWorld) -> list[str]:
    return ["--contracts", str(world.contracts), "--disputes", str(world.disputes), "--out", str(world.out)]


def test_new_writes_a_template_that_check_refuses_until_filled_in(world):
    made = _run("dispute", "new", "--vendor", "SKY", "--kpi", "service_level", "--period", "2026-10", *_common(world))
    assert made.exit_code == 0, made.output
    path = world.disputes / "2026-10" / "SKY.yaml"
    assert f"wrote dispute D1 (SKY, KPI service_level, 2026-10) to {path}" in made.output
    again = _run("dispute", "new", "--vendor", "SKY", "--kpi", "qa_score", "--period", "2026-10", *_common(world))
    assert again.exit_code == 0 and "wrote dispute D2" in again.output
    check = _run("dispute", "check", str(world.disputes), "--contracts", str(world.contracts))
    assert check.exit_code == ExitCode.CONFIG
    assert "disputes[0].claim: String should have at least 1 character" in check.output
    assert "disputes[1].claim" in check.output  # both disputes, at once
    text = path.read_text().replace('claim: ""', "claim: IVR down").replace("remedy: {}", "remedy: {exclude_dates: [2026-10-14]}")
    path.write_text(text)
    ok = _run("dispute", "check", str(world.disputes), "--contracts", str(world.contracts),
              "--exports", str(world.exports))
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == f"ok: {path} (SKY 2026-10: 2 open)"


def test_new_for_an_unknown_kpi_or_vendor_is_a_clear_error(world):
    bad = _run("dispute", "new", "--vendor", "SKY", "--kpi", "servce_level", "--period", "2026-10", *_common(world))
    assert bad.exit_code == ExitCode.CONFIG
    assert "unknown KPI 'servce_level': not a KPI of SKY's contract in force in 2026-10 (did you mean " \
           "'service_level'?)" in bad.output
    ghost = _run("dispute", "new", "--vendor", "GHOST", "--kpi", "x", "--period", "2026-10", *_common(world))
    assert ghost.exit_code == ExitCode.CONFIG and "no contract of vendor 'GHOST' is in force in 2026-10" in ghost.output
    assert not world.disputes.exists()


def test_check_names_ids_missing_from_the_exports(world):
    w.dispute_file(world, "  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_contacts: [C01-0, ZZ-1]}\n")
    result = _run("dispute", "check", "--contracts", str(world.contracts), "--exports", str(world.exports),
                  str(world.disputes))
    assert result.exit_code == ExitCode.CONFIG
    assert "SKY.yaml:7:40: disputes[0].remedy.exclude_contacts[1]: no contact 'ZZ-1' among SKY's contacts " \
           "of 2026-10" in result.output


def test_check_reads_the_exports_through_the_mappings_attached_beside_the_contracts(world):
    """SKY's calls sent under another name and heading, claimed by a mapping in CONTRACTS/mappings/:
    `check --exports` finds the contact a remedy names there, as the audit would."""
    folder = world.exports / w.PERIOD
    source = folder / "interactions_SKY-CHI.csv"
    head, rest = source.read_text().split("\n", 1)
    (folder / "sky_calls.csv").write_text(head.replace("interaction_id", "Call ID") + "\n" + rest)
    source.unlink()
    (world.contracts / "mappings").mkdir()
    (world.contracts / "mappings" / "sky.yaml").write_text(
        "name: sky-calls\ntable: interactions\nfiles: ['sky_calls*.csv']\nsites: [SKY-CHI]\n"
        "columns:\n  interaction_id: Call ID\n")
    w.dispute_file(world, "  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_contacts: [C01-0]}\n")
    args = ["dispute", "check", "--contracts", str(world.contracts), "--exports", str(world.exports), str(world.disputes)]
    ok = _run(*args)
    assert ok.exit_code == 0, ok.output
    (world.contracts / "mappings" / "sky.yaml").unlink()
    missing = _run(*args)
    assert missing.exit_code == ExitCode.CONFIG and "no contact 'C01-0' among SKY's contacts" in missing.output


def test_audit_list_and_a_dispute_on_a_final_period(world):
    w.dispute_file(world, "  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n")
    audit = ["audit", "--exports", str(world.exports), "--period", "2026-10", "--quiet", *_common(world)]
    refused = _run(*audit, "--finalise")
    assert refused.exit_code == ExitCode.CONFIG and "cannot be finalised: 1 dispute(s) await a decision" in refused.output
    assert _run(*audit).exit_code == 0
    listed = _run("dispute", "list", "--period", "2026-10", *_common(world))
    assert listed.output.splitlines()[0] == "2026-10: disputed; v1; 1 dispute(s), 1 open"
    assert "SKY D1  KPI service_level  open  issued in v1" in listed.output
    path = world.disputes / "2026-10" / "SKY.yaml"
    path.write_text(path.read_text() + "    decision: {outcome: rejected, reason: no outage on record, "
                                       "decided_by: P. Lee, decided_on: 2026-11-05}\n")
    assert _run(*audit, "--finalise").exit_code == 0
    listed = _run("dispute", "list", "--period", "2026-10", *_common(world))
    assert listed.output.splitlines()[0] == "2026-10: final; v2; 1 dispute(s), 0 open"
    assert "finalised: v2 is final" in listed.output
    # a new dispute on the final period: refused by `new`, reported by `check`, refused by the audit
    late = _run("dispute", "new", "--vendor", "SKY", "--kpi", "qa_score", "--period", "2026-10", *_common(world))
    assert late.exit_code == ExitCode.RUNTIME
    assert "period 2026-10 is final (v2): a dispute can no longer change it" in late.output
    path.write_text(path.read_text() + "  - id: D2\n    kpi: qa_score\n    claim: y\n    remedy: {exclude_evaluations: [EV-3]}\n")
    check = _run("dispute", "check", str(world.disputes), *_common(world)[:2], "--out", str(world.out))
    assert check.exit_code == ExitCode.CONFIG
    assert "SKY.yaml:9:9: disputes: 2026-10 is final (v2); dispute D2 (SKY, KPI qa_score) is not part of the final " \
           "version as written" in check.output
    again = _run(*audit)
    assert again.exit_code == ExitCode.RUNTIME and "period 2026-10 is finalised" in again.output
