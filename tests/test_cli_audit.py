"""`vendoraudit audit` end to end: outputs, determinism, finalised periods, locks, exit codes, cron output."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vendoraudit.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[1]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def audit(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the CLI as cron would: no terminal, CI=true, no input."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VENDORAUDIT_")}
    full_env.update({"CI": "true"}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "vendoraudit", "audit", *args], cwd=cwd, env=full_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("audit") / "out"
    run = audit("--period", "2026-10", "--out", str(out))
    assert run.returncode == 0, run.stderr
    return out, run


def test_writes_every_output(first_run):
    out, run = first_run
    folder = out / "2026-10"
    names = {p.name for p in folder.iterdir()}
    vendors = ("NORTHWIND", "ACME", "BRIGHTPATH", "CALLCO")
    assert {f"scorecard-2026-10-{v}-v1.pdf" for v in vendors} <= names
    assert {"portfolio-2026-10.pdf", "vendoraudit-2026-10.xlsx", "vendoraudit-2026-10.json",
            "validation-2026-10.json", "manifest.json"} <= names
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"] == {k: v for k, v in hashes(folder).items() if k != "manifest.json"}
    assert (out / "history.sqlite").is_file()
    assert f"outputs: {folder}" in run.stderr


def test_cron_output_is_plain_log_lines(first_run):
    _, run = first_run
    assert not CONTROL.search(run.stderr + run.stdout)
    lines = run.stderr.strip().splitlines()
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|ERROR) ", line) for line in lines), lines
    assert any("CALLCO: composite" in line and "3 missed" in line for line in lines)


def test_rerun_gives_identical_bytes_and_json_prints_the_library_result(first_run, tmp_path: Path):
    out, _ = first_run
    other = tmp_path / "again"
    run = audit("--period", "2026-10", "--out", str(other), "--json", "--quiet")
    assert run.returncode == 0 and run.stderr == ""
    assert hashes(other / "2026-10") == hashes(out / "2026-10")
    assert run.stdout == (out / "2026-10" / "vendoraudit-2026-10.json").read_text()


def test_finalised_period_needs_force(tmp_path: Path):
    out = tmp_path / "out"
    assert audit("--period", "2026-10", "--out", str(out), "--finalise").returncode == 0
    before = hashes(out / "2026-10")
    again = audit("--period", "2026-10", "--out", str(out))
    assert again.returncode == ExitCode.RUNTIME
    assert "period 2026-10 is finalised" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert hashes(out / "2026-10") == before
    assert audit("--period", "2026-10", "--out", str(out), "--force").returncode == 0


def test_fail_on_breach_exits_5_with_json_logs(tmp_path: Path):
    run = audit("--period", "2026-10", "--out", str(tmp_path / "o"), "--fail-on-breach", "--log-format", "json")
    assert run.returncode == ExitCode.BREACH
    records = [json.loads(line) for line in run.stderr.strip().splitlines()]
    assert {r["level"] for r in records} == {"info"}
    assert any(r["message"].startswith("outputs: ") for r in records)


def test_blocking_data_errors_exit_1_and_write_only_the_validation_report(tmp_path: Path):
    out = tmp_path / "out"
    run = audit("--exports", "sample_exports/broken", "--period", "2026-10", "--out", str(out))
    assert run.returncode == ExitCode.DATA_ERRORS, run.stderr
    assert "blocking data problem" in run.stderr and "quarantined" in run.stderr
    # Issue 19: a blocked audit still leaves the report of why, where the outputs go; no money.
    folder = out / "2026-10"
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert "validation-2026-10.json" in written and "blocked.json" in written
    assert any(name.startswith("quarantine/quarantine_") for name in written)
    assert not [n for n in written if n.endswith((".pdf", ".xlsx")) or n.startswith("vendoraudit-")]
    blocked = json.loads((folder / "blocked.json").read_text())
    assert any("quarantined" in line for line in blocked["problems"])


def test_blocked_rerun_leaves_the_published_audit_and_history_as_they_are(tmp_path: Path):
    # The history holds the first run's money: its outputs must stay published beside it.
    out = tmp_path / "out"
    first = audit("--period", "2026-10", "--out", str(out))
    assert first.returncode == ExitCode.OK, first.stderr
    before = hashes(out / "2026-10")
    run = audit("--exports", "sample_exports/broken", "--period", "2026-10", "--out", str(out))
    assert run.returncode == ExitCode.DATA_ERRORS, run.stderr
    assert hashes(out / "2026-10") == before
    assert (out / "2026-10-blocked" / "blocked.json").is_file()
    assert "2026-10-blocked" in run.stderr


def test_contract_errors_exit_3(tmp_path: Path):
    bad = tmp_path / "contracts"
    bad.mkdir()
    (bad / "x.yaml").write_text("contract_id: X\nvendor: {id: X}\n")
    run = audit("--contracts", str(bad), "--period", "2026-10", "--out", str(tmp_path / "o"))
    assert run.returncode == ExitCode.CONFIG
    assert re.search(r"x\.yaml:\d+:\d+: ", run.stderr)


def test_second_run_on_a_locked_folder_stops_clearly(tmp_path: Path, hold_lock):
    out = tmp_path / "out"
    out.mkdir()
    with hold_lock(out):
        run = audit("--period", "2026-10", "--out", str(out))
    assert run.returncode == ExitCode.RUNTIME
    assert "another vendoraudit run holds" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 2  # the settings line, then the one error


def test_bad_period_option_is_a_usage_error_and_in_the_settings_a_configuration_error(tmp_path: Path):
    # Issue 24: a bad --period is exit 2 on every command, naming the accepted forms.
    run = audit("--period", "2026-13", "--out", str(tmp_path / "o"))
    assert run.returncode == ExitCode.USAGE
    assert "'2026-13' is not a period" in run.stderr
    assert "2026-10 (a month), 2026-08..2026-10 (a range) or previous" in run.stderr
    # The same text from vendoraudit.toml is a configuration error, in the same words.
    settings = tmp_path / "vendoraudit.toml"
    settings.write_text('[audit]\nperiod = "2026-13"\n')
    run = audit("--config", str(settings), "--out", str(tmp_path / "o"))
    assert run.returncode == ExitCode.CONFIG
    assert "'2026-13' is not a period" in run.stderr
    assert "2026-10 (a month), 2026-08..2026-10 (a range) or previous" in run.stderr


def test_every_json_file_of_a_run_matches_its_schema(first_run):
    from json_schemas import assert_matches_schema

    out, _run = first_run
    files = sorted((out / "2026-10").glob("*.json"))
    assert {p.name for p in files} >= {"vendoraudit-2026-10.json", "validation-2026-10.json", "manifest.json"}
    for path in files:
        assert_matches_schema(json.loads(path.read_text(encoding="utf-8")))


def test_no_lock_file_is_left_in_the_output_folder(first_run):
    out, _run = first_run
    assert not (out / ".vendoraudit.lock").exists()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
