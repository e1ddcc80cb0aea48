"""`vendoraudit validate`, `schema`, `template`: exit codes, one-line errors, JSON = library result, docs in sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vendoraudit.cli import app
from vendoraudit.report_json import JsonKind, json_document
from vendoraudit.schemas import contract_markdown
from vendoraudit.tables import TABLES
from vendoraudit.validate import load_exports

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "fixtures" / "bad_exports"
SAMPLES = ROOT / "sample_exports"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(("case", "needle"), [
    ("missing_column", "missing required column(s) arrived_at"),
    ("empty_file", "empty file"),
    ("truncated_csv", "unbalanced quote"),
    ("utf16", "UTF-16"),
    ("wrong_encoding", "wrong encoding"),
    ("fake_xlsx", "not an XLSX workbook"),
    ("fake_parquet", "not a Parquet file"),
])
def test_unreadable_input_is_one_line_and_exit_4(case: str, needle: str) -> None:
    result = run("validate", BAD / case)
    assert result.exit_code == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vendoraudit: error: ") and needle in lines[0]
    assert "Traceback" not in result.output


def test_bad_mapping_is_exit_3_with_located_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntable: interactions\nfiles: [a*]\ncolumns:\n  nope: a\n")
    result = run("validate", BAD / "cp1252_ok", "--mapping", bad)
    assert result.exit_code == 3
    assert f"  {bad}:5:3: columns.nope: 'nope' is not a column of interactions" in result.stderr


def test_bad_period_is_a_usage_error() -> None:
    assert run("validate", BAD / "cp1252_ok", "--period", "October").exit_code == 2


def test_clean_folder_exits_0_and_json_is_the_library_result() -> None:
    result = run("validate", BAD / "cp1252_ok", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json_document(JsonKind.VALIDATE, {**load_exports(BAD / "cp1252_ok").to_dict(),
                                                                          "blocking": []})


def test_data_errors_exit_1_with_summary_and_quarantine(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "roster.csv").write_text("agent_id,site_id,role,hire_date,termination_date,fte\n"
                                                "A1,S,agent,2026-01-01,,1\nA2,S,agent,2026-01-01,,7\n")
    result = run("validate", tmp_path / "in", "--quarantine-dir", tmp_path / "q")
    assert result.exit_code == 1
    assert "rows read 2, used 1, quarantined 1 (every row accounted for)" in result.stdout
    assert "  error range (1): must be > 0 and <= 1\n    roster.csv:2:fte = 7.0" in result.stdout
    assert (tmp_path / "q" / "quarantine_roster.csv").is_file()


@pytest.mark.skipif(not (SAMPLES / "2026-10").is_dir(), reason="sample exports not generated")
def test_sample_month_exits_0() -> None:
    result = run("validate", SAMPLES / "2026-10", "--period", "2026-10", "--contracts", ROOT / "contracts")
    assert result.exit_code == 0, result.output[-2000:]


@pytest.mark.skipif(not (SAMPLES / "broken").is_dir(), reason="broken set not generated")
def test_broken_set_exits_1() -> None:
    result = run("validate", SAMPLES / "broken", "--period", "2026-10", "--contracts", ROOT / "contracts")
    assert result.exit_code == 1
    assert "result: data errors (exit 1)" in result.stdout


def test_schema_markdown_is_the_checked_in_contract() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "docs" / "export-contract.md").read_text() == contract_markdown()


def test_schema_json_of_one_table_and_unknown_table() -> None:
    data = json.loads(run("schema", "roster", "--format", "json").stdout)
    assert [c["name"] for c in data["roster"]["columns"]] == list(TABLES["roster"].names)
    assert data["roster"]["unique"] == ["agent_id", "site_id"]
    assert run("schema", "nope").exit_code == 2


def test_templates_round_trip_through_validate(tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx"):
        out = tmp_path / fmt
        assert run("template", out, "--format", fmt).exit_code == 0
        assert sorted(p.stem for p in out.iterdir()) == sorted(TABLES)
        result = run("validate", out, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["summary"]["rows_read"] == 0


@pytest.mark.parametrize("command", ["validate", "schema", "template"])
def test_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and f"Example: vendoraudit {command}" in result.stdout
