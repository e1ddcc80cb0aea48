"""Validation: schema value checks, cross-column and cross-table rules, period checks, quarantine, accounting."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from pandera.errors import SchemaErrors

from vendoraudit.periods import Period
from vendoraudit.results import Severity, Site, SiteDirectory
from vendoraudit.schemas import RELATION_RULES, SCHEMAS
from vendoraudit.tables import TABLES
from vendoraudit.exports import discover, read_file
from vendoraudit.validate import MASK, _tables_of, load_exports, write_quarantine

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
OCT = Period(2026, 10)
SITES = SiteDirectory((Site("NW-BOS", "NORTHWIND", "America/New_York", True),))
I_HEAD = "interaction_id,site_id,channel,direction,queue,member_ref,agent_id,arrived_at,answered_at,ended_at,abandoned"


def write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines) + "\n")


def issues_of(result, rule: str) -> list[tuple]:
    return [(i.file, i.row, i.column, i.severity) for i in result.issues if i.rule == rule]


def test_pandera_value_checks_run() -> None:
    """Fails if pandera stops running value checks (the LazyFrame trap of tech-notes)."""
    frame = pl.DataFrame({c.name: pl.Series([], dtype=c.dtype) for c in TABLES["roster"].columns}).vstack(
        pl.DataFrame({"agent_id": ["A"], "site_id": ["S"], "role": ["wizard"], "hire_date": [datetime(2026, 1, 1).date()],
                      "termination_date": [None], "fte": [2.0]}).cast(TABLES["roster"].polars_schema))
    with pytest.raises(SchemaErrors) as info:
        SCHEMAS["roster"].validate(frame, lazy=True)
    assert sorted(info.value.failure_cases["column"].to_list()) == ["fte", "role"]


def test_row_rules_quarantine_and_keep_accounting(tmp_path: Path) -> None:
    write(tmp_path, "interactions_NW-BOS.csv", [
        I_HEAD,
        "I1,NW-BOS,phone,inbound,claims,M1,A1,2026-10-01T09:00:00-04:00,2026-10-01T09:00:20-04:00,2026-10-01T09:05:00-04:00,false",
        "I2,NW-BOS,fax,inbound,claims,M2,A1,2026-10-01T09:00:00-04:00,,,false",
        "I3,NW-BOS,phone,inbound,claims,M3,,2026-10-01T09:00:00-04:00,2026-10-01T08:59:00-04:00,,false",
        "I4,NW-BOS,phone,inbound,claims,M4,,2026-10-01T09:00:00-04:00,2026-10-01T09:00:10-04:00,,true",
        "I1,NW-BOS,phone,inbound,claims,M5,A1,2026-10-01T09:00:00-04:00,,2026-10-01T08:00:00-04:00,false",
        "I6,NW-BOS,phone,,claims,M6,A2,2026-10-01T09:00:00-04:00,,,false",
    ])
    r = load_exports(tmp_path)
    f = "interactions_NW-BOS.csv"
    assert issues_of(r, "allowed_values") == [(f, 2, "channel", Severity.ERROR)]
    assert issues_of(r, "answered_before_arrival") == [(f, 3, "answered_at", Severity.ERROR)]
    assert issues_of(r, "abandoned_answered") == [(f, 4, "answered_at", Severity.ERROR)]
    assert issues_of(r, "duplicate_key") == [(f, 5, "interaction_id", Severity.ERROR)]
    assert issues_of(r, "ended_before_start") == [(f, 5, "ended_at", Severity.ERROR)]
    assert issues_of(r, "missing_value") == [(f, 6, "direction", Severity.ERROR)]
    assert r.tables["interactions"]["interaction_id"].to_list() == ["I1"]
    assert r.quarantine["interactions"]["_source_row"].to_list() == [2, 3, 4, 5, 6]
    dup = next(i for i in r.issues if i.rule == "duplicate_key")
    assert dup.message == "interaction_id repeats the one at interactions_NW-BOS.csv:1"
    reason = r.quarantine["interactions"].filter(pl.col("_source_row") == 5)["_reason"].item()
    assert reason == ("ended_before_start ended_at: breaks: ended_at >= answered_at (or arrived_at when not "
                      "answered); duplicate_key interaction_id: interaction_id repeats the one at "
                      "interactions_NW-BOS.csv:1")
    (report,) = r.files
    assert (report.rows_read, report.rows_used, report.rows_quarantined) == (6, 1, 5)
    assert r.has_errors and r.error_count == 6 and r.warning_count == 0


def test_duplicates_across_files_and_hash_precheck(tmp_path: Path) -> None:
    row = "I1,NW-BOS,phone,inbound,claims,,A1,2026-10-01T09:00:00Z,,,false"
    write(tmp_path, "interactions_a.csv", [I_HEAD, row])
    write(tmp_path, "interactions_b.csv", [I_HEAD, row.replace("I1", "I2"), row])
    r = load_exports(tmp_path)
    assert issues_of(r, "duplicate_key") == [("interactions_b.csv", 2, "interaction_id", Severity.ERROR)]
    assert [f.rows_quarantined for f in r.files] == [0, 1]


def test_a_key_of_two_columns_repeats_only_when_both_do(tmp_path: Path) -> None:
    head = "agent_id,site_id,role,hire_date,termination_date,fte"
    write(tmp_path, "roster.csv", [head, "A1,NW-BOS,agent,2026-01-05,,1.0", "A1,NW-NYC,agent,2026-01-05,,1.0",
                                   "A2,NW-BOS,agent,2026-01-05,,1.0", "A1,NW-BOS,agent,2026-02-01,,0.5"])
    r = load_exports(tmp_path)
    assert issues_of(r, "duplicate_key") == [("roster.csv", 4, "agent_id", Severity.ERROR)]
    write(tmp_path, "roster.csv", [head, "A1,NW-BOS,agent,2026-01-05,,1.0", "A1,NW-NYC,agent,2026-01-05,,1.0"])
    assert issues_of(load_exports(tmp_path), "duplicate_key") == []


def test_tables_of_several_files_are_one_chunk_in_file_order(tmp_path: Path) -> None:
    """Polars copies a many-chunk frame for each filter: the tables must come out contiguous."""
    row = "I{},NW-BOS,phone,inbound,claims,,A1,2026-10-01T09:00:00Z,,,false"
    for f in ("a", "b", "c"):  # polars joins the chunks of tiny frames by itself: 300 rows each
        write(tmp_path, f"interactions_{f}.csv", [I_HEAD, *(row.format(f"{f}{i}") for i in range(300))])
    write(tmp_path, "qa_evaluations.csv", [
        "evaluation_id,interaction_id,site_id,agent_id,evaluator_id,channel,evaluated_at,calibration",
        "E1,Ia0,NW-BOS,A1,Q1,phone,2026-10-02T09:00:00Z,false"])
    r = load_exports(tmp_path, period=OCT, sites=SITES)
    table = r.tables["interactions"]
    assert table["interaction_id"].to_list() == [f"I{f}{i}" for f in "abc" for i in range(300)]
    assert table["_source_row"].to_list() == list(range(1, 301)) * 3
    # What the checks run on (the result may be joined into one chunk later anyway).
    found = discover(tmp_path)
    _, live, _ = _tables_of((read_file(f) for f in found.files), Counter(f.table for f in found.files))
    assert all(n == 1 for t in live.values() for n in t.n_chunks("all"))


def test_a_table_of_one_parquet_file_of_many_row_groups_is_one_chunk(tmp_path: Path) -> None:
    """A single file is made contiguous too (Parquet reads a chunk per row group)."""
    pl.DataFrame({"agent_id": [f"A{i}" for i in range(3000)], "site_id": "NW-BOS", "role": "agent",
                  "hire_date": datetime(2026, 1, 5).date(), "termination_date": None, "fte": 1.0}
                 ).write_parquet(tmp_path / "roster.parquet", row_group_size=1000)
    assert pl.read_parquet(tmp_path / "roster.parquet").n_chunks() > 1
    found = discover(tmp_path)
    _, live, _ = _tables_of((read_file(f) for f in found.files), Counter(f.table for f in found.files))
    assert set(live["roster"].n_chunks("all")) == {1}
    assert live["roster"]["agent_id"].to_list() == [f"A{i}" for i in range(3000)]


def test_cross_table_references(tmp_path: Path) -> None:
    write(tmp_path, "qa_evaluations.csv", [
        "evaluation_id,interaction_id,site_id,agent_id,evaluator_id,channel,evaluated_at,calibration",
        "E1,NOPE,NW-BOS,A1,Q1,phone,2026-10-02T10:00:00Z,false"])
    write(tmp_path, "qa_items.csv", [
        "evaluation_id,criterion_id,points_earned,points_possible,critical_failed",
        "E1,empathy,15,15,false", "E1,ownership,16,15,false", "E9,empathy,10,15,false", "E1,greet,,10,false"])
    write(tmp_path, "roster.csv", ["agent_id,site_id,role,hire_date,termination_date,fte",
                                   "A1,NW-BOS,agent,2026-01-05,,1", "A2,NW-BOS,agent,2026-05-01,2026-04-01,0.5"])
    write(tmp_path, "training.csv", ["record_id,agent_id,site_id,course_id,category,hours,completed_at",
                                     "T1,A1,NW-BOS,c1,product,2,2026-10-03T10:00:00Z",
                                     "T2,A1,ACME-MNL,c1,product,2,2026-10-03T10:00:00Z"])
    r = load_exports(tmp_path)
    assert issues_of(r, "points_exceed_possible") == [("qa_items.csv", 2, "points_earned", Severity.ERROR)]
    assert issues_of(r, "unknown_evaluation") == [("qa_items.csv", 3, "evaluation_id", Severity.ERROR)]
    assert issues_of(r, "unknown_interaction") == [("qa_evaluations.csv", 1, "interaction_id", Severity.WARNING)]
    assert issues_of(r, "termination_before_hire") == [("roster.csv", 2, "termination_date", Severity.ERROR)]
    assert issues_of(r, "unknown_agent") == [("training.csv", 2, "agent_id", Severity.WARNING)]
    assert r.tables["qa_evaluations"].height == 1  # warnings keep the row
    assert r.tables["qa_items"]["criterion_id"].to_list() == ["empathy", "greet"]


def test_references_found_by_runs_of_items(tmp_path: Path) -> None:
    """Items are looked up a run at a time: an orphan run, an id coming back after another run,
    a run of a key with no value (missing, not unknown) and keys of two columns each give the
    rows they would give one by one."""
    write(tmp_path, "qa_evaluations.csv", [
        "evaluation_id,interaction_id,site_id,agent_id,evaluator_id,channel,evaluated_at,calibration",
        "E1,I1,NW-BOS,A1,Q1,phone,2026-10-02T10:00:00Z,false"])
    write(tmp_path, "qa_items.csv", [
        "evaluation_id,criterion_id,points_earned,points_possible,critical_failed",
        "E1,a,1,5,false", "E9,a,1,5,false", "E9,b,1,5,false", "E1,b,1,5,false", ",c,1,5,false",
        ",d,1,5,false", "E9,c,1,5,false", "E8,a,1,5,false"])
    write(tmp_path, "roster.csv", ["agent_id,site_id,role,hire_date,termination_date,fte",
                                   "A1,NW-BOS,agent,2026-01-05,,1"])
    write(tmp_path, "training.csv", ["record_id,agent_id,site_id,course_id,category,hours,completed_at",
                                     "T1,A1,ACME-MNL,c1,product,2,2026-10-03T10:00:00Z",
                                     "T2,A1,ACME-MNL,c2,product,2,2026-10-03T10:00:00Z",
                                     "T3,A1,NW-BOS,c1,product,2,2026-10-03T10:00:00Z",
                                     "T4,A2,NW-BOS,c1,product,2,2026-10-03T10:00:00Z"])
    r = load_exports(tmp_path)
    assert [row for _, row, _, _ in issues_of(r, "unknown_evaluation")] == [2, 3, 7, 8]
    assert [row for _, row, _, _ in issues_of(r, "missing_value")] == [5, 6]
    assert [row for _, row, _, _ in issues_of(r, "unknown_agent")] == [1, 2, 4]
    assert r.tables["qa_items"]["criterion_id"].to_list() == ["a", "b"]


def test_every_declared_relation_rule_is_implemented(tmp_path: Path) -> None:
    """Each rule printed in the export contract has code behind it (an unknown code would raise here)."""
    from vendoraudit import validate

    source = Path(validate.__file__).read_text()
    for rule in RELATION_RULES:
        assert f'"{rule.code}"' in source, rule.code


def test_period_uses_the_site_zone_and_finds_missing_days(tmp_path: Path) -> None:
    rows = [I_HEAD]
    # 2026-09-30 23:30 in Boston is October in UTC but September locally: outside the period.
    rows.append("I0,NW-BOS,phone,inbound,claims,,A1,2026-10-01T03:30:00Z,,,true")
    for day in range(1, 32):
        if day != 15:
            rows.append(f"I{day},NW-BOS,phone,inbound,claims,,A1,2026-10-{day:02d}T12:00:00-04:00,,,true")
    write(tmp_path, "interactions_NW-BOS.csv", rows)
    r = load_exports(tmp_path, period=OCT, sites=SITES)
    assert issues_of(r, "outside_period") == [("interactions_NW-BOS.csv", 1, "arrived_at", Severity.WARNING)]
    assert [i.message for i in r.issues if i.rule == "missing_day"] == [
        "no interactions at site NW-BOS on 2026-10-15 (local time)"]
    assert r.tables["interactions"].height == 31 and not r.has_errors


def test_personal_values_are_masked(tmp_path: Path) -> None:
    # A code map on member_ref makes its value fail to parse, so an issue points at it.
    (tmp_path / "m.yaml").write_text(
        "name: m\ntable: interactions\nfiles: [calls.csv]\n"
        "columns:\n  member_ref: {column: member_ref, codes: {X: x}}\n")
    write(tmp_path, "calls.csv", [I_HEAD, "I1,NW-BOS,phone,inbound,claims,MRN-12345,A1,2026-10-01T09:00:00Z,,,false"])
    r = load_exports(tmp_path, [tmp_path / "m.yaml"])
    (issue,) = [i for i in r.issues if i.column == "member_ref"]
    assert issue.value == MASK
    assert "MRN-12345" not in json.dumps(r.to_dict())
    assert "MRN-12345" not in r.quarantine["interactions"]["_reason"].item()


def test_write_quarantine_leaves_out_never_output_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    exports = tmp_path / "in"
    exports.mkdir()
    write(exports, "surveys.csv", ["response_id,interaction_id,site_id,channel,submitted_at,csat,comment",
                                   "S1,I1,NW-BOS,phone,2026-10-01T10:00:00Z,9,my diagnosis is private",
                                   "S2,I1,NW-BOS,phone,2026-10-01T10:00:00Z,5,fine"])
    r = load_exports(exports)
    (path,) = write_quarantine(r, out)
    text = path.read_text()
    assert path.name == "quarantine_surveys.csv"
    assert "diagnosis" not in text and "comment" not in text.splitlines()[0]
    back = pl.read_csv(path)
    assert back["response_id"].to_list() == ["S1"]
    assert back["_reason"].to_list() == ["range csat: must be >= 1 and <= 5"]


def test_every_table_is_present_with_its_schema(tmp_path: Path) -> None:
    r = load_exports(tmp_path)
    assert set(r.tables) == set(TABLES) and set(r.quarantine) == set(TABLES)
    for name, spec in TABLES.items():
        assert dict(r.tables[name].schema) == {**spec.polars_schema, "_source_file": pl.Categorical,
                                               "_source_row": pl.Int64}
    assert r.issues == () and r.files == ()


@pytest.mark.skipif(not (SAMPLES / "2026-10").is_dir(), reason="sample exports not generated")
def test_sample_month_is_clean() -> None:
    from vendoraudit.contract.loader import load_contracts

    sites = load_contracts(ROOT / "contracts").site_directory(OCT)
    r = load_exports(SAMPLES / "2026-10", period=OCT, sites=sites)
    assert not r.has_errors, [i for i in r.issues if i.severity is Severity.ERROR][:5]
    assert r.is_balanced and sum(f.rows_read for f in r.files) > 30000


@pytest.mark.skipif(not (SAMPLES / "broken" / "PLANTED.json").is_file(), reason="broken set not generated")
def test_broken_set_lists_every_planted_problem() -> None:
    planted = json.loads((SAMPLES / "broken" / "PLANTED.json").read_text())
    r = load_exports(SAMPLES / "broken", period=Period.parse(planted["period"]))
    found = {(i.file, i.row, i.column, str(i.severity)) for i in r.issues}
    for p in planted["problems"]:
        assert (p["file"], p["row"], p["column"], p["severity"]) in found, p
    assert r.has_errors and r.is_balanced


def test_training_history_before_the_period_is_not_flagged(tmp_path: Path) -> None:
    write(tmp_path, "training.csv", ["record_id,agent_id,site_id,course_id,category,hours,completed_at",
                                     "T1,A1,NW-BOS,c1,onboarding,8,2026-08-10T14:00:00Z",
                                     "T2,A1,NW-BOS,c1,product,2,2026-10-10T14:00:00Z",
                                     "T3,A1,NW-BOS,c1,product,2,2026-11-01T05:00:00Z"])
    r = load_exports(tmp_path, period=OCT, sites=SITES)
    assert issues_of(r, "outside_period") == [("training.csv", 3, "completed_at", Severity.WARNING)]


def test_training_hours_up_to_240_and_long_courses_warned(tmp_path: Path) -> None:
    # spec/exports.md: hours > 0 and <= 240 (a multi-day onboarding programme may be one record);
    # over 24 in a record that is not onboarding is a warning, and the row is kept.
    write(tmp_path, "roster.csv", ["agent_id,site_id,role,hire_date,termination_date,fte",
                                   "A1,NW-BOS,agent,2026-01-05,,1"])
    write(tmp_path, "training.csv", ["record_id,agent_id,site_id,course_id,category,hours,completed_at",
                                     "T1,A1,NW-BOS,c1,onboarding,240,2026-10-03T10:00:00Z",
                                     "T2,A1,NW-BOS,c1,onboarding,80,2026-10-03T10:00:00Z",
                                     "T3,A1,NW-BOS,c1,product,24,2026-10-03T10:00:00Z",
                                     "T4,A1,NW-BOS,c1,product,24.5,2026-10-03T10:00:00Z",
                                     "T5,A1,NW-BOS,c1,onboarding,240.5,2026-10-03T10:00:00Z",
                                     "T6,A1,NW-BOS,c1,compliance,0,2026-10-03T10:00:00Z"])
    r = load_exports(tmp_path)
    assert issues_of(r, "long_course") == [("training.csv", 4, "hours", Severity.WARNING)]
    errors = sorted((i.row, i.column) for i in r.issues if i.severity is Severity.ERROR and i.file == "training.csv")
    assert errors == [(5, "hours"), (6, "hours")]
    assert r.tables["training"].get_column("record_id").to_list() == ["T1", "T2", "T3", "T4"]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", '=HYPERLINK("http://x","y")'])
def test_quarantine_csv_neutralises_formula_leading_cells(tmp_path: Path, cell: str) -> None:
    exports = tmp_path / "in"
    exports.mkdir()
    # a bad fte quarantines both rows; the agent id and the role carry the formula-like text
    quoted = '"' + cell.replace('"', '""') + '"'
    (exports / "roster.csv").write_text(
        "agent_id,site_id,role,hire_date,termination_date,fte\n"
        f"{quoted},NW-BOS,agent,2026-01-05,,7\n"
        f"A2,NW-BOS,{quoted},2026-01-05,,7\n", newline="")
    r = load_exports(exports)
    (path,) = write_quarantine(r, tmp_path / "q")
    back = pl.read_csv(path, infer_schema=False)
    assert back["agent_id"].to_list() == ["'" + cell, "A2"]  # quote-prefixed as the workbook does
    assert back["role"].to_list() == ["agent", "'" + cell]
    for row in back.iter_rows():
        for c in row:
            assert c is None or not c.startswith(("=", "+", "-", "@", "\t", "\r")), c


def test_neutralised_quotes_every_trigger_in_text_columns_only() -> None:
    from vendoraudit.formula_text import neutralised

    frame = pl.DataFrame({"t": ["=1", "+1", "-1", "@A", "\tx", "\rx", "ok", " =1", "1-2", None],
                          "c": pl.Series(["=c"] * 10, dtype=pl.Categorical), "n": [-1.0] * 10})
    out = neutralised(frame)
    assert out["t"].to_list() == ["'=1", "'+1", "'-1", "'@A", "'\tx", "'\rx", "ok", " =1", "1-2", None]
    assert out["c"].to_list() == ["'=c"] * 10 and out["n"].to_list() == [-1.0] * 10  # numbers stay numbers


def test_quarantine_csv_neutralises_a_formula_file_name(tmp_path: Path) -> None:
    exports = tmp_path / "in"
    exports.mkdir()
    (exports / "roster-=1+1.csv").write_text(
        "agent_id,site_id,role,hire_date,termination_date,fte\n"
        "A1,NW-BOS,agent,2026-01-05,,7\n", newline="")
    (path,) = write_quarantine(load_exports(exports), tmp_path / "q")
    back = pl.read_csv(path, infer_schema=False)
    assert back["_source_file"].to_list() == ["roster-=1+1.csv"]  # not at the start of the cell: as it is
