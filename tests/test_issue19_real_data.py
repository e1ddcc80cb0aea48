"""Issue 19: real exports audit on the first try. One test (or more) per problem the issue lists,
each failing before the change, plus the mapping language v2 on tiny frames."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from vendoraudit.audit import AuditInputs, blocking_problems, exports_dir_for, read_exports
from vendoraudit.data_quality import export_summary
from vendoraudit.cli import app
from vendoraudit.config import load_settings
from vendoraudit.contract.loader import load_contracts
from vendoraudit.errors import ConfigError, InputError
from vendoraudit.mapping import Mapping, apply_mapping, load_mapping
from vendoraudit.periods import Period
from vendoraudit.results import Site, SiteDirectory
from vendoraudit.validate import load_exports

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "contracts" / "mappings"
REAL = ROOT / "tests" / "fixtures" / "real_world"
UTC = timezone.utc
I_HEAD = "interaction_id,site_id,channel,direction,queue,member_ref,agent_id,arrived_at,answered_at,ended_at,abandoned"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def mapping(columns: dict, **top: object) -> Mapping:
    return Mapping.model_validate({"name": "t", "table": "interactions", "files": ["x*"], "timezone": "UTC",
                                   "columns": columns, **top})


BASE = {"site_id": {"value": "S"}, "channel": {"value": "phone"}, "direction": {"value": "inbound"},
        "queue": {"value": "q"}, "abandoned": {"value": False}, "interaction_id": "id"}


def frame(**cols: list[object]) -> pl.DataFrame:
    return pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in cols.items()})


# --- the language ----------------------------------------------------------------------------

def test_template_and_concat_build_keys_of_several_columns() -> None:
    m = mapping({**BASE, "interaction_id": {"template": "{line}-{id} {{x}}"},
                 "queue": {"concat": ["a", "b"], "separator": "/"}, "arrived_at": "at"})
    src = frame(line=["L1", "L2", None], id=["7", "7", "8"], a=["x", "y", "z"], b=["p", None, "q"],
                at=["2026-10-01T10:00:00Z"] * 3)
    out = apply_mapping(src, m).frame
    assert out["interaction_id"].to_list() == ["L1-7 {x}", "L2-7 {x}", None]
    assert out["queue"].to_list() == ["x/p", None, "z/q"]


def test_a_template_names_its_columns_and_refuses_stray_braces(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: x\ntable: interactions\nfiles: [a*]\ncolumns:\n  interaction_id: {template: \"{a\"}\n")
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert info.value.problems[0].startswith(f"{path}:5:19: columns.interaction_id: template '{{a'")


def test_compound_conditions_in_when_and_exclude() -> None:
    m = mapping({**BASE, "arrived_at": "at",
                 "agent_id": {"column": "agent", "when": {"any": [{"column": "o", "in": ["AGENT"]},
                                                                   {"not": {"column": "q", "present": False}}]}}},
                exclude=[{"all": [{"column": "o", "in": ["HANG"]}, {"not": {"column": "q", "present": True}}],
                          "reason": "ivr"}])
    src = frame(id=["1", "2", "3", "4"], at=["2026-10-01T10:00:00Z"] * 4, agent=["a", "b", "c", "d"],
                o=["AGENT", "HANG", "HANG", "X"], q=[None, None, "5", None])
    r = apply_mapping(src, m)
    assert r.frame["agent_id"].to_list() == ["a", None, "c", None]
    assert r.excluded.to_list() == [None, "ivr", None, None]


def test_a_compound_condition_is_one_of_all_any_not(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: x\ntable: interactions\nfiles: [a*]\nexclude:\n"
                    "  - {all: [{column: a, in: [x]}], any: [{column: b, present: true}], reason: r}\n")
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert "exactly one of 'all', 'any', 'not'" in info.value.problems[0]
    assert info.value.problems[0].startswith(f"{path}:5:")


def test_durations_chain_from_any_timestamp() -> None:
    m = mapping({**BASE, "arrived_at": "at",
                 "ended_at": {"add_seconds": ["talk", "wrap"], "to": "answered_at"},
                 "answered_at": {"add_seconds": "wait", "to": "arrived_at"}})
    src = frame(id=["1", "2", "3"], at=["2026-10-01T10:00:00Z"] * 3, wait=["10", "20", None],
                talk=["100", "50", "5"], wrap=["30", None, "5"])
    out = apply_mapping(src, m).frame
    assert out["answered_at"].to_list() == [utc(2026, 10, 1, 10, 0, 10), utc(2026, 10, 1, 10, 0, 20), None]
    assert out["ended_at"].to_list() == [utc(2026, 10, 1, 10, 2, 20), utc(2026, 10, 1, 10, 1, 10), None]


def test_a_cycle_of_durations_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: x\ntable: interactions\nfiles: [a*]\ncolumns:\n"
                    "  answered_at: {add_seconds: w, to: ended_at}\n"
                    "  ended_at: {add_seconds: t, to: answered_at}\n")
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert any(p.startswith(f"{path}:5:") and "cycle" in p for p in info.value.problems)


def test_clock_tolerance_takes_close_times_as_equal_and_counts_them() -> None:
    m = mapping({**BASE, "arrived_at": "at", "answered_at": "ans", "ended_at": "end"})
    src = frame(id=["1", "2", "3"], at=["2026-10-01T10:00:02Z"] * 3,
                ans=["2026-10-01T10:00:01Z", "2026-10-01T09:59:59Z", "2026-10-01T10:00:10Z"],
                end=["2026-10-01T10:00:00Z", "2026-10-01T10:05:00Z", "2026-10-01T10:05:00Z"])
    r = apply_mapping(src, m)
    # Row 1: answer 1 s early -> the arrival; its end 2 s before that answer -> the answer too.
    assert r.frame["answered_at"].to_list() == [utc(2026, 10, 1, 10, 0, 2), utc(2026, 10, 1, 9, 59, 59),
                                                utc(2026, 10, 1, 10, 0, 10)]
    assert r.frame["ended_at"][0] == utc(2026, 10, 1, 10, 0, 2)
    assert r.clock_adjusted == 1  # row 2 is 3 s off: an error for validation, not adjusted
    assert apply_mapping(src, mapping(m.model_dump(by_alias=True, exclude_unset=True)["columns"], clock_tolerance_seconds=0)
                         ).clock_adjusted == 0


def test_not_before_does_not_add_a_day_within_the_tolerance() -> None:
    m = mapping({**BASE, "arrived_at": {"date": "d", "time": "q", "format": "%y%m%d"},
                 "answered_at": {"date": "d", "time": "s", "format": "%y%m%d", "not_before": "arrived_at"}})
    src = frame(id=["1", "2"], d=["990101", "990101"], q=["9:10:20", "23:59:00"], s=["9:10:19", "0:00:40"])
    out = apply_mapping(src, m).frame
    assert out["answered_at"].to_list() == [utc(1999, 1, 1, 9, 10, 20), utc(1999, 1, 2, 0, 0, 40)]


def test_skew_beyond_the_tolerance_shows_both_times(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text("\n".join([
        I_HEAD, "I1,S,phone,inbound,q,,,2026-10-01T10:00:05Z,2026-10-01T10:00:00Z,,false",
        "I2,S,phone,inbound,q,,,2026-10-01T10:00:05Z,2026-10-01T10:00:04Z,,false"]) + "\n")
    r = load_exports(tmp_path)
    (issue,) = [i for i in r.issues if i.rule == "answered_before_arrival"]
    assert issue.row == 1 and issue.value == "2026-10-01T10:00:00Z (before arrived_at 2026-10-01T10:00:05Z)"
    (warning,) = [i for i in r.issues if i.rule == "clock_tolerance"]
    assert warning.message.startswith("1 row(s) had a time up to 2 s before the time it follows")
    assert r.files[0].rows_clock_adjusted == 1


# --- the ACD log: composite key, clock skew, IVR hang-ups ---------------------------------------

@pytest.fixture(scope="module")
def acd(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("acd")
    shutil.copy(REAL / "acd_log_sample.txt", folder / "acd_log_sample.txt")
    return load_exports(folder, [MAPPINGS / "acd-log-interactions.yaml"])


def test_acd_call_ids_repeat_across_lines_and_the_key_is_both(acd) -> None:
    raw = pl.read_csv(REAL / "acd_log_sample.txt", separator="\t", infer_schema=False)
    assert raw["call_id"].n_unique() < raw.height  # the log repeats call ids on other lines
    assert not [i for i in acd.issues if i.rule == "duplicate_key"]
    ids = acd.tables["interactions"]["interaction_id"].to_list()
    assert "AA0101-33116" in ids and "AA0105-33116" in ids


def test_acd_clock_skew_is_tolerated_not_a_day_later(acd) -> None:
    assert not acd.has_errors
    row = acd.tables["interactions"].filter(pl.col("interaction_id") == "AA0105-33116").row(0, named=True)
    assert row["answered_at"] == row["arrived_at"]  # 1 s behind: the same moment, not tomorrow
    report = acd.files[0]
    assert report.rows_clock_adjusted > 0
    assert len([i for i in acd.issues if i.rule == "clock_tolerance"]) == 1


def test_acd_ivr_hang_ups_are_not_interactions(acd) -> None:
    raw = pl.read_csv(REAL / "acd_log_sample.txt", separator="\t", infer_schema=False)
    never_queued = raw.filter((pl.col("outcome") == "HANG") & (pl.col("q_start") == "0:00:00"))
    kept = acd.tables["interactions"]["interaction_id"]
    assert never_queued.height and not kept.is_in(
        (never_queued["vru+line"] + "-" + never_queued["call_id"]).implode()).any()


def test_workbook_calls_end_after_their_talk(tmp_path: Path) -> None:
    shutil.copy(REAL / "call_center_workbook.xlsx", tmp_path / "call_center_workbook.xlsx")
    r = load_exports(tmp_path, [MAPPINGS / "call-center-workbook-interactions.yaml"])
    first = r.tables["interactions"].row(0, named=True)
    assert first["ended_at"] == utc(2021, 1, 1, 14, 17, 10)  # 14:14:47 answered + 0:02:23 talk
    unanswered = r.tables["interactions"].row(2, named=True)
    assert unanswered["ended_at"] is None


# --- exclusions are not errors; the threshold is a setting -------------------------------------

def test_deliberate_exclusions_never_block_the_audit(tmp_path: Path) -> None:
    shutil.copy(REAL / "call_center_workbook.xlsx", tmp_path / "call_center_workbook.xlsx")
    r = load_exports(tmp_path, sorted(MAPPINGS.glob("call-center-workbook-*.yaml")))
    surveys = next(f for f in r.files if f.table == "surveys")
    assert surveys.rows_excluded / surveys.rows_read > 0.02
    sites = SiteDirectory((Site("HELPDESK-1", "HD", "America/New_York", False),))
    assert blocking_problems(r, sites, Period(2021, 1)) == []


def test_errors_past_the_threshold_block_and_the_threshold_is_a_setting(tmp_path: Path) -> None:
    rows = [I_HEAD] + [f"I{k},S,phone,inbound,q,,,2026-10-01T10:00:00Z,,,true" for k in range(97)]
    rows += [f"B{k},S,fax,inbound,q,,,2026-10-01T10:00:00Z,,,true" for k in range(3)]
    (tmp_path / "interactions.csv").write_text("\n".join(rows) + "\n")
    r = load_exports(tmp_path)
    sites = SiteDirectory((Site("S", "V", "UTC", False),))
    assert blocking_problems(r, sites, Period(2026, 10)) == [
        "interactions: 3 of 100 rows quarantined for errors (3.0%, more than 2%; rows set aside by a mapping "
        "on purpose are not counted)"]
    assert blocking_problems(r, sites, Period(2026, 10), max_quarantined_percent=5) == []
    config = tmp_path / "va.toml"
    config.write_text("[audit]\nmax_quarantined_percent = 5\n")
    assert load_settings(config, env={}).max_quarantined_percent == 5.0
    assert load_settings(None, env={}).max_quarantined_percent == 2.0
    config.write_text("[audit]\nmax_quarantined_percent = 120\n")
    with pytest.raises(ConfigError, match="max_quarantined_percent"):
        load_settings(config, env={})


# --- two mappings on one file; a multi-month file ---------------------------------------------

def test_two_mappings_on_one_file_file_their_issues_under_their_own_table(tmp_path: Path) -> None:
    shutil.copy(REAL / "call_center_workbook.xlsx", tmp_path / "call_center_workbook.xlsx")
    sites = SiteDirectory((Site("HELPDESK-1", "HD", "America/New_York", False),))
    # Audited as December 2020, every call and rating of the January workbook is of another month.
    r = load_exports(tmp_path, sorted(MAPPINGS.glob("call-center-workbook-*.yaml")), Period(2020, 12), sites)
    counts = {(c.table, c.rule): c.count for c in export_summary(r).issue_counts
              if c.file == "call_center_workbook.xlsx"}
    issues = {(i.table, i.rule) for i in r.issues if i.file == "call_center_workbook.xlsx"}
    assert ("surveys", "excluded_by_mapping") in counts and ("interactions", "excluded_by_mapping") not in counts
    assert counts[("interactions", "outside_period")] == counts[("surveys", "outside_period")] == 1
    assert set(counts) == issues
    for (table, rule), n in counts.items():
        assert n == len([i for i in r.issues if (i.table, i.rule) == (table, rule)
                         and i.file == "call_center_workbook.xlsx"])


def test_a_three_month_file_gives_one_line_per_month(tmp_path: Path) -> None:
    rows = [I_HEAD]
    for month, n in ((9, 40), (10, 50), (11, 30)):
        rows += [f"I{month}-{k},S,phone,inbound,q,,,2026-{month:02d}-{1 + k % 28:02d}T12:00:00Z,,,true"
                 for k in range(n)]
    (tmp_path / "interactions_q.csv").write_text("\n".join(rows) + "\n")
    sites = SiteDirectory((Site("S", "V", "UTC", False),))
    r = load_exports(tmp_path, period=Period(2026, 10), sites=sites)
    lines = [i for i in r.issues if i.rule == "outside_period"]
    assert [(i.row, i.message.split(" (")[0]) for i in lines] == [
        (1, "40 row(s) of 2026-09 from this one on"), (91, "30 row(s) of 2026-11 from this one on")]
    assert r.files[0].rows_other_period == 70 and not r.has_errors and r.is_balanced


# --- commands: the same options, nothing read is an error --------------------------------------

def _acd_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "2026-10"
    folder.mkdir()
    shutil.copy(REAL / "acd_log_sample.txt", folder / "acd_log_sample.txt")
    return folder


def test_kpis_takes_mapping_and_a_folder_nothing_is_read_from_is_exit_4(tmp_path: Path) -> None:
    folder = _acd_folder(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["kpis", str(folder), "--period", "1999-01", "--metric", "ops.abandon_rate"])
    assert res.exit_code == 4
    assert "no export file was read" in res.output and "acd_log_sample.txt" in res.output
    res = runner.invoke(app, ["kpis", str(folder), "--period", "1999-01", "--metric", "ops.abandon_rate",
                              "--mapping", str(MAPPINGS / "acd-log-interactions.yaml"),
                              "--tz", "BANK-TLV=Asia/Jerusalem", "--json"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["validate", str(folder), "--tz", "BANK-TLV=Asia/Jerusalem", "--in-house", "BANK-TLV"])
    assert res.exit_code == 4 and "no mapping claims it" in res.output


def test_attached_mappings_are_found_beside_the_contracts(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    (contracts / "mappings").mkdir(parents=True)
    shutil.copy(ROOT / "contracts" / "northwind.yaml", contracts / "northwind.yaml")
    text = (MAPPINGS / "acd-log-interactions.yaml").read_text().replace("BANK-TLV", "NW-BOS")
    (contracts / "mappings" / "acd.yaml").write_text(text)
    (contracts / "mappings" / "other.yaml").write_text((MAPPINGS / "call-center-workbook-surveys.yaml").read_text())
    folder = _acd_folder(tmp_path)
    res = CliRunner().invoke(app, ["validate", str(folder), "--contracts", str(contracts), "--json"])
    assert res.exit_code == 0, res.output
    assert '"mapping": "acd-log-interactions"' in res.output and "call-center-workbook" not in res.output


# --- the audit: root cause first, reports of a blocked run, missing month ----------------------

def test_a_blocked_audit_names_the_unclaimed_file_first(tmp_path: Path) -> None:
    contracts = load_contracts(ROOT / "contracts")
    folder = tmp_path / "2026-10"
    shutil.copytree(ROOT / "sample_exports" / "2026-10", folder)
    (folder / "interactions_CC-BOG.csv").rename(folder / "callco_calls.csv")
    validated = read_exports(AuditInputs(folder, contracts), Period(2026, 10))
    problems = blocking_problems(validated, contracts.site_directory(Period(2026, 10)), Period(2026, 10))
    assert problems[0].startswith("no mapping claims file callco_calls.csv")
    assert problems[1] == "site CC-BOG (CALLCO) sent no interactions for 2026-10"


def test_a_month_without_its_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "interactions_loose.csv").write_text(I_HEAD + "\n")
    assert exports_dir_for(tmp_path, Period(2026, 10)) == tmp_path / "2026-10"
    with pytest.raises(InputError, match=r"2026-11: no folder for 2026-11"):
        exports_dir_for(tmp_path, Period(2026, 11))
    with pytest.raises(InputError, match=r"2026-10 is the folder of 2026-10"):
        exports_dir_for(tmp_path / "2026-10", Period(2026, 11))
    loose = tmp_path / "loose"
    loose.mkdir()
    assert exports_dir_for(loose, Period(2026, 11)) == loose  # a folder of loose files is the month's


# --- mapping preview ------------------------------------------------------------------------

def test_mapping_preview_shows_canonical_rows_counts_and_masks_personal_values(tmp_path: Path) -> None:
    from vendoraudit.mapping_preview import preview_mapping

    path = tmp_path / "acd_log_sample.txt"
    shutil.copy(REAL / "acd_log_sample.txt", path)
    raw = pl.read_csv(path, separator="\t", infer_schema=False)
    p = preview_mapping(path, load_mapping(MAPPINGS / "acd-log-interactions.yaml"), rows=3)
    cols = {c.column: c for c in p.columns}
    records = raw.height - sum(n for _, n in p.excluded)
    assert p.rows_read == raw.height and dict(p.excluded)["phantom call (not a real contact)"] == \
        raw.filter(pl.col("outcome") == "PHANTOM").height
    assert (cols["interaction_id"].parsed, cols["interaction_id"].failed) == (records, 0)
    assert cols["member_ref"].parsed + cols["member_ref"].empty == records
    assert len(p.rows) == 3 and p.rows[0][0] == "AA0101-33116"
    member = [c.column for c in p.columns].index("member_ref")
    assert p.rows[0][member] == "<masked>"


def test_mapping_preview_command_reports_failures_with_examples(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("id,when,secret\n1,2026-10-01 10:00,MEMBER-SECRET-1\n2,not a date,M2\n")
    (tmp_path / "m.yaml").write_text(
        "name: m\ntable: interactions\nfiles: [calls.csv]\ncolumns:\n  interaction_id: id\n"
        "  arrived_at: when\n  member_ref: secret\n  site_id: {value: S}\n")
    res = CliRunner().invoke(app, ["mapping", "preview", str(tmp_path / "calls.csv"), "--mapping",
                                   str(tmp_path / "m.yaml"), "--rows", "2"])
    assert res.exit_code == 0, res.output
    assert "failed: not a date (expected a datetime" in res.output
    assert "MEMBER-SECRET" not in res.output and "<masked>" in res.output
    line = next(x for x in res.output.splitlines() if x.startswith("arrived_at"))
    assert line.split()[1:4] == ["1", "0", "1"]


# --- sums, flags, durations on a timestamp, one record over several rows, rows under the header ---

def test_sum_test_and_plus() -> None:
    m = mapping({**BASE, "arrived_at": {"column": "start", "plus": "ivr", "unit": "h:mm:ss"},
                 "handle_seconds": {"sum": ["talk", "acw"], "unit": "h:mm:ss"},
                 "abandoned": {"test": {"column": "agent", "present": False}}})
    src = frame(id=["1", "2", "3"], start=["2026-10-01T10:00:00Z"] * 3, ivr=["0:00:30", None, "x"],
                talk=["0:04:00", None, "0:01:00"], acw=["0:00:30", None, "bad"], agent=["a", None, "c"])
    r = apply_mapping(src, m)
    assert r.frame["arrived_at"].to_list() == [utc(2026, 10, 1, 10, 0, 30), utc(2026, 10, 1, 10), None]
    assert r.frame["handle_seconds"].to_list() == [270.0, None, None]
    assert r.frame["abandoned"].to_list() == [False, True, False]
    assert sorted(r.failures.select("row", "column").rows()) == [(2, "arrived_at"), (2, "handle_seconds")]


def test_one_row_per_record_sets_the_repeats_aside() -> None:
    m = Mapping.model_validate({
        "name": "qa", "table": "qa_evaluations", "files": ["x*"], "timezone": "UTC", "one_row_per": ["grade"],
        "columns": {"evaluation_id": "grade", "site_id": {"value": "S"}, "agent_id": "agent",
                    "evaluator_id": "grader", "channel": {"value": "phone"}, "evaluated_at": "at",
                    "calibration": {"value": False}}})
    src = frame(grade=["G1", "G1", "G2", "G1"], agent=["a"] * 4, grader=["g"] * 4, at=["2026-10-01T10:00:00Z"] * 4)
    assert apply_mapping(src, m).excluded.to_list() == [
        None, "repeats the grade of an earlier row (one qa_evaluations record per grade)", None,
        "repeats the grade of an earlier row (one qa_evaluations record per grade)"]


def test_rows_between_the_header_and_the_data_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("ResponseId,csat\nResponse ID,How satisfied?\n{\"ImportId\":\"r\"},{}\n"
                                    "R_1,5\nR_2,4\n")
    m = Mapping.model_validate({"name": "s", "table": "surveys", "files": ["x.csv"], "timezone": "UTC",
                                "format": {"skip_rows_after_header": 2},
                                "columns": {"response_id": "ResponseId", "site_id": {"value": "S"},
                                            "channel": {"value": "phone"},
                                            "submitted_at": {"value": "2026-10-01T00:00:00Z"}}})
    from vendoraudit.exports import discover, read_file

    (found,) = discover(tmp_path, (m,)).files
    read = read_file(found)
    assert read.frame.select("response_id", "csat", "_source_row").rows() == [("R_1", 5, 3), ("R_2", 4, 4)]


def test_the_audit_reads_a_site_through_its_attached_mapping(tmp_path: Path) -> None:
    contracts_dir = tmp_path / "contracts"
    (contracts_dir / "mappings").mkdir(parents=True)
    shutil.copy(ROOT / "contracts" / "northwind.yaml", contracts_dir / "northwind.yaml")
    text = (MAPPINGS / "genesys-cloud-interactions.yaml").read_text()
    (contracts_dir / "mappings" / "genesys.yaml").write_text(text.replace("EXAMPLE-GENESYS", "NW-BOS"))
    folder = tmp_path / "2026-10"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "vendor_exports" / "genesys_interactions_2026-10.csv", folder)
    inputs = AuditInputs(folder, load_contracts(contracts_dir), contracts_dir=contracts_dir)
    validated = read_exports(inputs, Period(2026, 10))
    (report,) = validated.files
    assert report.mapping == "genesys-cloud-interactions" and report.rows_used > 300
    assert blocking_problems(validated, inputs.sites(Period(2026, 10)), Period(2026, 10)) == []
    # Without the attachment (no contracts folder given) nothing claims the file.
    with pytest.raises(InputError, match="no mapping claims it"):
        read_exports(AuditInputs(folder, load_contracts(contracts_dir)), Period(2026, 10))


def test_a_site_whose_rows_were_all_quarantined_is_named_as_the_cause(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text("\n".join([
        I_HEAD, "I1,S,fax,inbound,q,,,2026-10-01T10:00:00Z,,,true", "I2,S,fax,inbound,q,,,2026-10-02T10:00:00Z,,,true"])
        + "\n")
    r = load_exports(tmp_path, period=Period(2026, 10))
    sites = SiteDirectory((Site("S", "V", "UTC", False),))
    problems = blocking_problems(r, sites, Period(2026, 10))
    assert problems[0].startswith("file interactions.csv: all 2 interaction(s) of site S were quarantined or set "
                                  "aside (the first: allowed_values channel")
    assert problems[1] == "site S (V) sent no interactions for 2026-10"
