"""--log-format json: every line carries period, vendor, step, duration and counts; a run ends with a
data-quality line per period (rows read, used, quarantined, issues), also when it succeeds with
quarantined rows and when it stops on blocking data errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

from typer.testing import CliRunner

import dispute_world as w
from vendoraudit.cli import app
from vendoraudit.cli.exit_codes import ExitCode
from vendoraudit.cli.feedback import Feedback, LogFormat, step_name

KEYS = {"time", "level", "message", "period", "vendor", "step", "duration_s", "counts"}


def _records(text: str) -> list[dict]:
    records = [json.loads(line) for line in text.strip().splitlines()]
    for r in records:
        assert KEYS <= set(r), r
        assert isinstance(r["duration_s"], (int, float)) and r["duration_s"] >= 0
        assert isinstance(r["counts"], dict) and all(isinstance(v, int) for v in r["counts"].values())
    return records


def test_steps_are_logged_when_they_end_with_their_counts():
    stream = io.StringIO()
    feedback = Feedback(stream, interactive=False, quiet=False, log_format=LogFormat.JSON)
    with feedback.stage("2026-10") as step:
        step("reading and validating exports")
        step.count(rows_read=10, rows_used=9)
        step("rendering PDF scorecards")
    records = _records(stream.getvalue())
    assert [(r["step"], r["period"], r["counts"]) for r in records] == [
        ("validate", "2026-10", {"rows_read": 10, "rows_used": 9}), ("pdf", "2026-10", {})]
    assert step_name("recording the period in the results history") == "history"
    assert step_name("Something else entirely") == "something_else"


def _bad_rows(world: w.SkyWorld, count: int) -> None:
    path = world.exports / w.PERIOD / "interactions_SKY-CHI.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i in range(1, count + 1):
        lines[i] = lines[i].replace(",phone,", ",fax,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _audit(world: w.SkyWorld, *extra: str):
    return CliRunner().invoke(app, ["audit", "--exports", str(world.exports), "--contracts", str(world.contracts),
                                    "--period", w.PERIOD, "--out", str(world.out), *extra])


def test_a_successful_run_with_quarantined_rows_logs_every_field_and_its_data_quality(tmp_path: Path):
    world = w.build(tmp_path / "world")
    _bad_rows(world, 1)  # 1 of 344: quarantined, not blocking
    ran = _audit(world, "--log-format", "json")
    assert ran.exit_code == ExitCode.OK, ran.output[-2000:]
    records = _records(ran.stderr)
    steps = [r["step"] for r in records]
    assert {"settings", "validate", "compute", "json", "workbook", "pdf", "history", "published", "vendor",
            "data_quality"} <= set(steps)
    assert steps[-1] == "data_quality"  # the end of the run
    assert all(r["period"] == w.PERIOD for r in records if r["step"] != "settings")
    vendor = next(r for r in records if r["step"] == "vendor")
    assert vendor["vendor"] == "SKY" and sum(vendor["counts"].values()) == 2  # two KPIs' outcomes
    quality = [r for r in records if r["step"] == "data_quality"]
    assert len(quality) == 1
    counts = quality[0]["counts"]
    assert counts["rows_quarantined"] == 1 and counts["errors"] >= 1
    assert counts["rows_read"] == counts["rows_used"] + counts["rows_quarantined"]
    assert "quarantined 1" in quality[0]["message"]
    validate = next(r for r in records if r["step"] == "validate")
    assert validate["counts"]["rows_quarantined"] == 1


def test_a_run_stopped_by_blocking_errors_still_logs_its_data_quality(tmp_path: Path):
    world = w.build(tmp_path / "world")
    _bad_rows(world, 20)
    ran = _audit(world, "--log-format", "json")
    assert ran.exit_code == ExitCode.DATA_ERRORS
    records = _records(ran.stderr)
    quality = [r for r in records if r["step"] == "data_quality"]
    assert len(quality) == 1 and quality[0]["counts"]["rows_quarantined"] == 20
    assert records[-1]["step"] == "error" and records[-1]["level"] == "error"


def test_text_logs_carry_the_same_data_quality_line(tmp_path: Path):
    world = w.build(tmp_path / "world")
    _bad_rows(world, 20)
    ran = _audit(world)
    assert ran.exit_code == ExitCode.DATA_ERRORS
    import re

    found = re.search(r"INFO  2026-10: data quality: rows read (\d+), used (\d+), quarantined 20; issues: ",
                      ran.stderr)
    assert found and int(found.group(1)) == int(found.group(2)) + 20, ran.stderr
