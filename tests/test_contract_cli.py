"""`vendoraudit contract check|schema`: exit codes, one line per file, every problem on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vendoraudit.cli import app
from vendoraudit.contract.schema import contract_schema

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_check_samples_exit_0_with_one_line_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["contract", "check", "contracts/"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ok: contracts/acme.yaml (ACME, 14 KPIs)",
        "ok: contracts/brightpath.yaml (BRIGHTPATH, 14 KPIs)",
        "ok: contracts/callco.yaml (CALLCO, 14 KPIs)",
        "ok: contracts/northwind.yaml (NORTHWIND, 16 KPIs)",
    ]


def test_check_invalid_exits_3_with_every_problem_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "tests" / "contracts_broken")
    result = runner.invoke(app, ["contract", "check", "unknown_key.yaml", "empty.yaml", "../../contracts/acme.yaml"])
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "vendoraudit: error: 3 problems in contracts"
    # Sorted by file, then line and column.
    assert [line.strip() for line in lines[1:]] == [
        "empty.yaml:1:1: the file is empty; expected a contract (a mapping of keys)",
        "unknown_key.yaml:13:5: kpis[0].target: required key is missing",
        "unknown_key.yaml:17:5: kpis[0].tagret: unknown key 'tagret'; did you mean 'target'? known keys: id, "
        "title, metric, params, filters, category, direction, target, minimum, weight, min_sample, scoring, "
        "credit_allocation, bonus_allocation, statistical_allowance, clause, domain",
    ]
    assert "Traceback" not in result.output


def test_check_without_paths_is_a_usage_error() -> None:
    assert runner.invoke(app, ["contract", "check"]).exit_code == 2


def test_schema_prints_the_json_schema() -> None:
    result = runner.invoke(app, ["contract", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(contract_schema()))
    assert result.stdout == (REPO / "contracts" / "contract.schema.json").read_text()


@pytest.mark.parametrize("command", ["check", "schema"])
def test_help_has_an_example(command: str) -> None:
    result = runner.invoke(app, ["contract", command, "--help"])
    assert result.exit_code == 0
    assert "Example: vendoraudit contract " + command in result.stdout
