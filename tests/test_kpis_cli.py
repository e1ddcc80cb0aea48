"""`vendoraudit kpis` on a tiny export folder written in a temporary directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vendoraudit.cli import app

INTERACTIONS = """interaction_id,site_id,channel,direction,queue,member_ref,agent_id,arrived_at,answered_at,ended_at,\
handle_seconds,abandoned,resolved_first_contact,callback_requested_at,callback_completed_at,follow_up_due_at,\
follow_up_completed_at
i1,HOME,phone,inbound,claims,MEMBER-SECRET-1,a1,2026-10-05T10:00:00Z,2026-10-05T10:00:10Z,2026-10-05T10:05:00Z,290,false,true,,,,
i2,VEN,phone,inbound,claims,MEMBER-SECRET-2,a2,2026-10-05T10:00:00Z,2026-10-05T10:00:30Z,2026-10-05T10:05:00Z,270,false,false,,,,
i3,VEN,chat,inbound,billing,MEMBER-SECRET-3,a2,2026-11-01T03:30:00Z,2026-11-01T03:30:05Z,2026-11-01T03:35:00Z,295,false,true,,,,
"""
SURVEYS = """response_id,interaction_id,site_id,channel,submitted_at,csat,nps,ces,comment
r1,i1,HOME,phone,2026-10-05T11:00:00Z,5,10,7,COMMENT-SECRET about my diagnosis
r2,i2,VEN,phone,2026-10-05T11:00:00Z,2,3,2,
r3,i3,VEN,chat,2026-10-05T11:00:00Z,4,9,6,
"""
ROSTER = """agent_id,site_id,role,hire_date,termination_date,fte
a1,HOME,agent,2020-01-01,,1.0
a2,VEN,agent,2026-09-10,,1.0
"""
TRAINING_OCT = """record_id,agent_id,site_id,course_id,category,hours,completed_at,paid_by_client
t1,a2,VEN,ONB,onboarding,10,2026-10-02T12:00:00Z,true
"""
TRAINING_SEP = """record_id,agent_id,site_id,course_id,category,hours,completed_at,paid_by_client
t0,a2,VEN,ONB,onboarding,15,2026-09-12T12:00:00Z,true
t00,a2,VEN,ONB,onboarding,15,2026-09-13T12:00:00Z,true
"""


@pytest.fixture()
def exports(tmp_path: Path) -> Path:
    october, september = tmp_path / "2026-10", tmp_path / "2026-09"
    october.mkdir()
    september.mkdir()
    for name, text in (("interactions", INTERACTIONS), ("surveys", SURVEYS), ("roster", ROSTER),
                       ("training", TRAINING_OCT)):
        (october / f"{name}.csv").write_text(text, encoding="utf-8")
    (september / "training.csv").write_text(TRAINING_SEP, encoding="utf-8")
    return october


def _run(*args: str):
    return CliRunner().invoke(app, ["kpis", *args])


def test_text_output_with_baseline_and_time_zone(exports: Path):
    res = _run(str(exports), "--period", "2026-10", "--in-house", "HOME", "--tz", "VEN=America/New_York",
               "--metric", "ops.service_level", "--metric", "training.onboarding_completion")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    # i3 arrived 23:30 on 31 Oct in New York: it is October's, so VEN has 2 contacts (one within 20 s)
    assert any(line.split()[:3] == ["VEN", "50.00", "[9.45,"] for line in lines), res.output
    assert any(line.strip().startswith("*HOME") for line in lines)
    # onboarding: 15 + 15 h in September's folder + 10 h in October's reach 40 h
    onboarding = lines[lines.index(next(x for x in lines if x.startswith("training.onboarding_completion"))) + 2]
    assert onboarding.split()[:2] == ["VEN", "100.00"]
    assert "Brand promise: VEN (VEN) vs in-house (HOME)" in res.output


def test_json_equals_library_values_and_hides_personal_data(exports: Path):
    res = _run(str(exports), "--period", "2026-10", "--in-house", "HOME", "--json", "--by", "vendor")
    assert res.exit_code == 0, res.output
    assert "SECRET" not in res.output
    report = json.loads(res.output)
    csat = next(m for m in report["metrics"] if m["metric_id"] == "survey.csat")
    rows = {r["key"]: r["result"] for r in csat["rows"]}
    assert rows["VEN"]["value"] == 50.0 and rows["VEN"]["denominator"] == 2 and rows["VEN"]["unit"] == "percent"
    assert rows["HOME"]["interval"]["method"] == "wilson"
    assert report["in_house_sites"] == ["HOME"]
    assert report["brand_consistency"][0]["vendor_id"] == "VEN"


def test_by_channel_rows_within_each_vendor(exports: Path):
    res = _run(str(exports), "--period", "2026-10", "--tz", "VEN=America/New_York", "--by", "channel",
               "--metric", "survey.csat")
    assert res.exit_code == 0, res.output
    keys = [line.split()[:2] for line in res.output.splitlines() if line.startswith("   ")]
    assert ["VEN", "chat"] in keys and ["VEN", "phone"] in keys and ["HOME", "phone"] in keys


@pytest.mark.parametrize("args, code, fragment", [
    (["--metric", "ops.nope"], 3, "unknown metric 'ops.nope'"),
    (["--tz", "VEN=Mars/Base"], 3, "unknown time zone 'Mars/Base'"),
    (["--tz", "VEN"], 3, "--tz expects SITE=ZONE"),
])
def test_errors_are_one_line_with_exit_code(exports: Path, args, code, fragment):
    res = _run(str(exports), "--period", "2026-10", *args)
    assert res.exit_code == code
    assert fragment in res.output and "Traceback" not in res.output


def test_bad_period_is_a_usage_error(exports: Path):
    assert _run(str(exports), "--period", "October").exit_code == 2


def test_help_has_an_example():
    res = CliRunner().invoke(app, ["kpis", "--help"])
    assert res.exit_code == 0 and "Example: vendoraudit kpis" in res.output


@pytest.mark.parametrize("by", ["agent", "day", "interval"])
def test_by_agent_day_interval_sum_back_to_the_site(exports: Path, by: str):
    res = _run(str(exports), "--period", "2026-10", "--tz", "VEN=America/New_York", "--by", by, "--json",
               "--metric", "ops.service_level", "--metric", "survey.csat", "--metric", "workforce.headcount")
    assert res.exit_code == 0, res.output
    assert "SECRET" not in res.output
    sites = json.loads(_run(str(exports), "--period", "2026-10", "--tz", "VEN=America/New_York", "--json",
                            "--metric", "ops.service_level", "--metric", "survey.csat").output)
    report = json.loads(res.output)
    for metric in ("ops.service_level", "survey.csat"):
        if by == "interval" and metric == "survey.csat":
            continue  # surveys have no half-hour
        whole = {r["key"]: r["result"] for r in next(m for m in sites["metrics"] if m["metric_id"] == metric)["rows"]}
        parts = next(m for m in report["metrics"] if m["metric_id"] == metric)["rows"]
        for site, result in whole.items():
            mine = [r["result"] for r in parts if r["key"].startswith(f"{site} ")]
            assert sum(r["numerator"] for r in mine) == result["numerator"]
            assert sum(r["denominator"] for r in mine) == result["denominator"]
            assert sum(r["n"] for r in mine) == result["n"]
    headcount = next(m for m in report["metrics"] if m["metric_id"] == "workforce.headcount")
    assert headcount["rows"] == []


def test_by_interval_text_uses_the_site_local_half_hour(exports: Path):
    res = _run(str(exports), "--period", "2026-10", "--tz", "VEN=America/New_York", "--by", "interval",
               "--metric", "ops.service_level", "--metric", "workforce.headcount")
    assert res.exit_code == 0, res.output
    keys = [line.split()[:2] for line in res.output.splitlines() if line.startswith("   ")]
    # i2 arrived 10:00 UTC = 06:00 in New York; i3 at 03:30 UTC on 1 Nov = 23:30 on 31 Oct.
    assert ["VEN", "06:00"] in keys and ["VEN", "23:30"] in keys and ["HOME", "10:00"] in keys
    assert "(no breakdown by interval for this metric)" in res.output


def test_an_unknown_breakdown_is_a_usage_error(exports: Path):
    res = _run(str(exports), "--period", "2026-10", "--by", "week")
    assert res.exit_code == 2 and "Traceback" not in res.output
