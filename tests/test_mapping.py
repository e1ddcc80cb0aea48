"""Column mappings: located config errors, each operation on tiny frames, and the two real-world shapes."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, strategies as st

from vendoraudit.errors import ConfigError, InputError
from vendoraudit.mapping import (DurationUnit, Mapping, apply_mapping, duration_seconds, load_mapping, load_mappings,
                                 time_of_day_seconds)
from vendoraudit.mapping.readers import (_AWARE_FORMATS, _ISO_OFFSET, _cleaned, _datetime_text, _first_parse,
                                         _iso_offset, _needs_cleaning)
from vendoraudit.validate import load_exports

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "contracts" / "mappings").glob("*.yaml"))
REAL = ROOT / "tests" / "fixtures" / "real_world"
UTC = timezone.utc


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def mapping(**columns: object) -> Mapping:
    return Mapping.model_validate({"name": "t", "table": "interactions", "files": ["x*"], "columns": columns})


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- loading -------------------------------------------------------------------------------

def test_shipped_mappings_load() -> None:
    loaded = load_mappings(SHIPPED)
    assert {m.name for m in loaded} == {"acd-log-interactions", "call-center-workbook-interactions",
                                        "call-center-workbook-surveys", "amazon-connect-contacts",
                                        "genesys-cloud-interactions", "nice-cxone-call-detail", "five9-call-log",
                                        "twilio-flex-tasks", "qualtrics-responses", "medallia-responses",
                                        "cornerstone-transcript", "maestroqa-evaluations", "maestroqa-items"}


def test_unknown_key_is_located_and_lists_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntable: interactions\nfiles: [a*]\nformat:\n  delimter: ';'\n")
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert info.value.problems == (
        f"{path}:5:3: format.delimter: unknown key 'delimter'; did you mean 'delimiter'? known keys: delimiter, "
        "encoding, quote, sheet, "
        "excel_table, skip_rows, skip_rows_after_header, decimal, thousands",)


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([
        "name: x",
        "table: interactions",
        "files: [a*]",
        "timezone: Mars/Olympus",
        "columns:",
        "  queue_name: topic",
        "  abandoned: {column: outcome, codes: {AGENT: no-bool}}",
        "  answered_at: {add_seconds: soa, to: queue}",
        "",
    ]))
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    problems = info.value.problems
    assert problems[0] == f"{path}:4:11: timezone: unknown time zone 'Mars/Olympus' (use an IANA name like Asia/Manila)"
    assert problems[1].startswith(f"{path}:6:3: columns.queue_name: 'queue_name' is not a column of interactions")
    assert problems[2] == f"{path}:7:47: columns.abandoned.codes.AGENT: 'no-bool' is not a bool value for abandoned"
    assert problems[3] == f"{path}:8:39: columns.answered_at.to: 'queue' is not a datetime column of interactions"
    assert len(problems) == 4


def test_a_rule_takes_exactly_one_operation(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntable: interactions\nfiles: [a*]\ncolumns:\n  site_id: {column: s, value: X}\n")
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert info.value.problems == (f"{path}:5:12: columns.site_id: give exactly one of 'column', 'value', "
                                   "'template', 'concat', 'sum', 'test', 'date', 'add_seconds' (got column, value)",)


def test_problems_of_several_files_come_together(tmp_path: Path) -> None:
    a = write(tmp_path, "name: x\ntable: nope\nfiles: [a*]\n", "a.yaml")
    b = write(tmp_path, "name: x\ntable: roster\n", "b.yaml")
    with pytest.raises(ConfigError) as info:
        load_mappings([a, b])
    assert [p.split(":")[0] for p in info.value.problems] == [str(a), str(b)]


# --- operations ----------------------------------------------------------------------------

def test_codes_when_none_values_and_unknown_code() -> None:
    src = pl.DataFrame({"outcome": ["AGENT", "HANG", "BUSY", "AGENT"], "server": ["ANA", "NO_SERVER", "X", "NO_SERVER"]})
    m = mapping(abandoned={"column": "outcome", "codes": {"AGENT": False, "HANG": True}},
                agent_id={"column": "server", "none_values": ["NO_SERVER"], "when": {"column": "outcome", "in": ["AGENT"]}})
    out = apply_mapping(src, m)
    assert out.frame["abandoned"].to_list() == [False, True, None, False]
    assert out.frame["agent_id"].to_list() == ["ANA", None, None, None]
    assert out.failures.rows() == [(2, "abandoned", "BUSY", "one of the codes AGENT, HANG")]


def test_unmatched_keep_passes_text_through() -> None:
    src = pl.DataFrame({"type": ["PS", "ZZ"]})
    out = apply_mapping(src, mapping(queue={"column": "type", "codes": {"PS": "regular"}, "unmatched": "keep"}))
    assert out.frame["queue"].to_list() == ["regular", "ZZ"]
    assert out.failures.height == 0


def test_date_plus_time_columns_in_the_mapping_zone() -> None:
    src = pl.DataFrame({"date": ["990101", "990101", "990101"], "q_start": ["7:05:09", "0:00:00", "23:59:00"],
                        "vru_exit": ["7:05:00", "6:00:00", "0:00:00"]})
    m = Mapping.model_validate({"name": "t", "table": "interactions", "files": ["x"], "timezone": "Asia/Jerusalem",
                                "columns": {"arrived_at": {"date": "date", "format": "%y%m%d",
                                                           "time": ["q_start", "vru_exit"],
                                                           "none_values": ["0:00:00"]}}})
    out = apply_mapping(src, m)
    # Israel is UTC+2 in January; the second row has no queue time and falls back to vru_exit.
    assert out.frame["arrived_at"].to_list() == [utc(1999, 1, 1, 5, 5, 9), utc(1999, 1, 1, 4), utc(1999, 1, 1, 21, 59)]


def test_not_before_adds_a_day_after_midnight() -> None:
    src = pl.DataFrame({"date": ["2026-10-01"], "t0": ["23:59:30"], "t1": ["0:00:20"]})
    m = mapping(arrived_at={"date": "date", "time": "t0"},
                answered_at={"date": "date", "time": "t1", "not_before": "arrived_at"})
    out = apply_mapping(src, m)
    assert out.frame["answered_at"].item() == utc(2026, 10, 2, 0, 0, 20)


def test_add_seconds_to_another_timestamp() -> None:
    src = pl.DataFrame({"at": ["2026-10-01T10:00:00Z", "2026-10-01T11:00:00Z"], "soa": ["15", ""]})
    out = apply_mapping(src, mapping(arrived_at="at", answered_at={"add_seconds": "soa", "to": "arrived_at"}))
    assert out.frame["answered_at"].to_list() == [utc(2026, 10, 1, 10, 0, 15), None]
    assert out.failures.height == 0


def test_local_text_uses_the_site_zone_and_offsets_win() -> None:
    src = pl.DataFrame({"site_id": ["ACME-MNL", "NW-BOS", "NW-BOS"],
                        "at": ["2026-10-01 08:00:00", "2026-10-01T08:00:00", "2026-10-01T08:00:00+00:00"]})
    out = apply_mapping(src, mapping(arrived_at="at"), {"ACME-MNL": "Asia/Manila", "NW-BOS": "America/New_York"})
    assert out.frame["arrived_at"].to_list() == [utc(2026, 10, 1, 0), utc(2026, 10, 1, 12), utc(2026, 10, 1, 8)]


def test_iso_to_the_minute_reads_with_an_offset_as_without() -> None:
    """ISO 8601 to the minute is read with an offset as it is without one (local time of the site);
    an hour alone, or seconds out of range, stay unreadable and are reported."""
    src = pl.DataFrame({"site_id": ["ACME-MNL"] * 5,
                        "at": ["2026-10-01T08:00+02:00", "2026-10-01 08:00Z", "2026-10-01T08:00",
                               "2026-10-01T08+02:00", "2026-10-01T08:00:61+02:00"]})
    out = apply_mapping(src, mapping(arrived_at="at"), {"ACME-MNL": "Asia/Manila"})
    assert out.frame["arrived_at"].to_list() == [utc(2026, 10, 1, 6), utc(2026, 10, 1, 8), utc(2026, 10, 1, 0),
                                                 None, None]
    assert out.failures["row"].to_list() == [3, 4]


def test_time_that_does_not_exist_locally_is_unreadable() -> None:
    src = pl.DataFrame({"at": ["2026-03-08 02:30:00"]})  # skipped by the spring DST change in New York
    m = Mapping.model_validate({"name": "t", "table": "interactions", "files": ["x"], "timezone": "America/New_York",
                                "columns": {"arrived_at": "at"}})
    out = apply_mapping(src, m)
    assert out.frame["arrived_at"].item() is None
    assert out.failures["column"].to_list() == ["arrived_at"]


def test_durations_in_each_unit() -> None:
    text = pl.Series(["0:02:23", "1:00:00", "bad", None])
    assert duration_seconds(text, DurationUnit.HMS).to_list() == [143.0, 3600.0, None, None]
    excel = pl.Series(["1899-12-31 00:02:23", "0.5", "1900-01-01 12:00:05"])
    assert duration_seconds(excel, DurationUnit.EXCEL_DAYS).to_list() == [143.0, 43200.0, 129605.0]
    assert duration_seconds(pl.Series(["2", "-1"]), DurationUnit.MINUTES).to_list() == [120.0, None]
    assert duration_seconds(pl.Series([0.25]), DurationUnit.EXCEL_DAYS).to_list() == [21600.0]


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_time_of_day_reads_h_mm_ss(h: int, m: int, s: int) -> None:
    text = pl.Series([f"{h}:{m:02d}:{s:02d}", f"1899-12-31 {h:02d}:{m:02d}:{s:02d}"])
    assert time_of_day_seconds(text).to_list() == [h * 3600 + m * 60 + s] * 2


def test_typed_cells_parse_and_report() -> None:
    src = pl.DataFrame({"h": ["3,5", "12", "x"], "r": ["Yes", "no", "maybe"]})
    out = apply_mapping(src, mapping(handle_seconds="h", resolved_first_contact="r"))
    assert out.frame["handle_seconds"].to_list() == [3.5, 12.0, None]
    assert out.frame["resolved_first_contact"].to_list() == [True, False, None]
    assert sorted(out.failures["column"].to_list()) == ["handle_seconds", "resolved_first_contact"]


def test_text_is_stripped_and_blank_is_null_only_where_needed() -> None:
    src = pl.DataFrame({"q": [" billing ", "", "  ", "tech"], "a": ["A1", "A2", "A3", "A4"],
                        "r": ["\tyes", "no ", "", None]})
    out = apply_mapping(src, mapping(queue="q", agent_id="a", resolved_first_contact="r"))
    assert out.frame["queue"].to_list() == ["billing", None, None, "tech"]
    assert out.frame["agent_id"].to_list() == ["A1", "A2", "A3", "A4"]
    assert out.frame["resolved_first_contact"].to_list() == [True, False, None, None]
    assert out.failures.height == 0


ISO_TEXTS = st.builds(
    lambda y, mo, d, h, mi, s, sign, oh, om, shape: shape.format(
        f"{y:04d}-{mo:02d}-{d:02d}", f"{h:02d}:{mi:02d}:{s:02d}", f"{sign}{oh:02d}", f"{om:02d}"),
    st.sampled_from([0, 1, 1970, 2024, 2026, 9999]), st.integers(0, 13), st.integers(0, 32),
    st.integers(0, 24), st.integers(0, 60), st.integers(0, 61), st.sampled_from("+-"),
    st.sampled_from([0, 5, 14, 23, 24, 99]), st.sampled_from([0, 30, 45, 59, 60]),
    st.sampled_from(["{}T{}{}:{}", "{}T{}{}:{}", "{} {}{}:{}", "{}T{}.25{}:{}", "{}T{}{}{}", "{}T{}Z{}{}",
                     " {}T{}{}:{}", "{}T{}{}:{}x"]))


@given(st.lists(ISO_TEXTS, min_size=1, max_size=40))
def test_iso_with_offset_reads_as_the_general_formats_do(texts: list[str]) -> None:
    """The fast reading of `...T10:35:53+02:00` gives the instants `%z` parsing gives, and leaves the rest."""
    raw = pl.Series(texts, dtype=pl.String)
    general = _first_parse(raw, [lambda s, f=f: s.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                                 for f in _AWARE_FORMATS], pl.Datetime("us", "UTC"))
    fast = _iso_offset(raw)
    read = fast.is_not_null()
    # Compared as microseconds: year 0 is a valid ISO year but not a Python datetime.
    assert fast.filter(read).dt.epoch("us").to_list() == general.filter(read).dt.epoch("us").to_list()
    both = _datetime_text(raw, None, mapping(), {}, pl.DataFrame())
    assert both.dt.epoch("us").to_list() == general.dt.epoch("us").to_list()


def iso_value_by_value(raw: pl.Series) -> pl.Series:
    """The ISO-offset reading done value by value, each with its own offset (the test's oracle)."""
    text = pl.select(pl.when(raw.str.contains(_ISO_OFFSET)).then(raw)).to_series()
    local = text.str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
    minutes = text.str.slice(20, 2).cast(pl.Int64) * 60 + text.str.slice(23, 2).cast(pl.Int64)
    sign = pl.when(text.str.slice(19, 1) == "-").then(-1).otherwise(1)
    return pl.select((local - pl.duration(minutes=minutes * sign)).dt.replace_time_zone("UTC")).to_series()


@given(st.lists(st.one_of(ISO_TEXTS, st.none()), min_size=1, max_size=30), st.integers(0, 60), st.booleans())
def test_iso_with_offset_mostly_empty_or_of_one_offset(texts: list[str | None], blanks: int, one: bool) -> None:
    """Columns mostly empty (read value by value, then put back) and columns of one offset
    (subtracted once) read as every value read by itself would."""
    if one:
        texts = [t if t is None else re.sub(r"[+-][0-9]{2}:[0-9]{2}$", "-03:30", t) for t in texts]
    raw = pl.Series(texts + [None] * blanks, dtype=pl.String)
    fast = _iso_offset(raw)
    assert fast.dtype == pl.Datetime("us", "UTC")
    assert fast.dt.epoch("us").to_list() == iso_value_by_value(raw).dt.epoch("us").to_list()


def test_a_column_is_cleaned_exactly_when_cleaning_changes_it() -> None:
    """A column needs cleaning exactly when cleaning changes a value: any white space at either end."""
    chars = [chr(c) for c in range(0x3001) if not 0xD800 <= c <= 0xDFFF]
    values = pl.DataFrame({"v": [v for c in chars for v in (c, f"x{c}", f"{c}x", f"x{c}x")]})
    changed = values.select(_cleaned(pl.col("v")).ne_missing(pl.col("v"))).to_series()
    needs = values.with_row_index().group_by("index").agg(_needs_cleaning(pl.col("v"))).sort("index")["v"]
    assert needs.to_list() == changed.to_list()
    assert changed.sum() == 3 * 25  # Unicode's white space (25 characters, the last U+3000), alone or at an end


def test_usual_shapes_read_fast_and_anything_else_the_general_way() -> None:
    src = pl.DataFrame({"a": ["2026-10-08T10:35:53+00:00", "2026-02-30T10:00:00+00:00", None],
                        "b": ["2026-10-08T10:35:53+02:00", " 2026-10-08T10:35:53+02:00", "2026-10-08T10:35:53Z"],
                        "r": ["true", "false", None], "x": ["TRUE", "false", "no"]})
    out = apply_mapping(src, mapping(arrived_at="a", answered_at="b", abandoned="r", resolved_first_contact="x"))
    assert out.frame["arrived_at"].to_list() == [utc(2026, 10, 8, 10, 35, 53), None, None]
    assert out.frame["answered_at"].to_list() == [utc(2026, 10, 8, 8, 35, 53)] * 2 + [utc(2026, 10, 8, 10, 35, 53)]
    assert out.frame["abandoned"].to_list() == [True, False, None]
    assert out.frame["resolved_first_contact"].to_list() == [True, False, False]
    assert out.failures.rows() == [(1, "arrived_at", "2026-02-30T10:00:00+00:00",
                                    "a datetime (ISO 8601, with an offset or in the site's time zone)")]


def test_iso_with_offset_takes_the_usual_export_shape() -> None:
    raw = pl.Series(["2026-10-08T10:35:53+00:00", "2026-01-01T01:00:00+05:30", "2026-12-31T23:30:00-01:00",
                     "2026-02-30T10:00:00+00:00", "2026-10-08 10:35:53+00:00"])
    assert _iso_offset(raw).to_list() == [utc(2026, 10, 8, 10, 35, 53), utc(2025, 12, 31, 19, 30),
                                          utc(2027, 1, 1, 0, 30), None, None]


# --- the two real-world shapes -------------------------------------------------------------

@pytest.fixture(scope="module")
def real_world(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("real")
    for f in ("call_center_workbook.xlsx", "acd_log_sample.txt"):
        shutil.copy(REAL / f, folder / f)
    return load_exports(folder, SHIPPED)


def test_acd_log_reads_into_interactions(real_world) -> None:
    acd = real_world.tables["interactions"].filter(pl.col("_source_file") == "acd_log_sample.txt")
    first = acd.row(0, named=True)
    # 990101 0:00:36 in Israel (UTC+2) is 1998-12-31 22:00:36 UTC.
    # A call id is unique only on its VRU line: the key is both.
    assert (first["interaction_id"], first["queue"], first["agent_id"], first["abandoned"]) == (
        "AA0101-33116", "regular", "MICHAL", False)
    assert (first["arrived_at"], first["answered_at"], first["ended_at"]) == (
        utc(1998, 12, 31, 22, 0, 36), utc(1998, 12, 31, 22, 3, 9), utc(1998, 12, 31, 22, 6, 12))
    assert first["handle_seconds"] == 183.0 and first["member_ref"] == "9664491"
    hang = acd.row(1, named=True)
    assert (hang["abandoned"], hang["agent_id"], hang["answered_at"], hang["member_ref"]) == (True, None, None, None)
    # Hung up in the IVR, never queued: not an interaction (spec/exports.md), set aside with a reason.
    assert "AA0103-33119" not in acd["interaction_id"].to_list()
    q = real_world.quarantine["interactions"]
    assert q.filter(pl.col("interaction_id") == "AA0103-33119")["_reason"].to_list() == [
        "excluded by mapping: hung up in the IVR (never queued)"]
    after_midnight = acd.filter(pl.col("interaction_id") == "AA0104-33120").row(0, named=True)
    assert after_midnight["arrived_at"] == utc(1999, 1, 1, 21, 59)
    assert after_midnight["answered_at"] == utc(1999, 1, 1, 22, 0, 40)
    assert after_midnight["queue"] == "callback_request"


def test_phantom_calls_are_set_aside_and_counted(real_world) -> None:
    report = next(f for f in real_world.files if f.path == "acd_log_sample.txt")
    raw = pl.read_csv(REAL / "acd_log_sample.txt", separator="\t", infer_schema=False)
    phantoms = raw.filter(pl.col("outcome") == "PHANTOM").height
    in_ivr = raw.filter((pl.col("outcome") == "HANG") & (pl.col("q_start") == "0:00:00")).height
    assert phantoms > 0 and in_ivr > 0
    assert (report.rows_read, report.rows_excluded, report.rows_quarantined) == (
        300, phantoms + in_ivr, phantoms + in_ivr)
    assert report.rows_used == 300 - phantoms - in_ivr
    q = real_world.quarantine["interactions"]
    assert "AA0102-33118" in q["interaction_id"].to_list()
    assert set(q["_reason"]) == {"excluded by mapping: phantom call (not a real contact)",
                                 "excluded by mapping: hung up in the IVR (never queued)"}
    warnings = {i.message for i in real_world.issues
                if i.rule == "excluded_by_mapping" and i.file == "acd_log_sample.txt"}
    assert warnings == {f"{in_ivr} row(s) set aside by the mapping: hung up in the IVR (never queued)",
                        f"{phantoms} row(s) set aside by the mapping: phantom call (not a real contact)"}


def test_workbook_reads_into_interactions_and_surveys(real_world) -> None:
    calls = real_world.tables["interactions"].filter(pl.col("_source_file") == "call_center_workbook.xlsx")
    assert calls.height == 300
    one, two, three = calls.head(3).iter_rows(named=True)
    # 2021-01-01 09:12:58 in New York (UTC-5); answered 109 s later; talk 0:02:23 as an Excel time.
    assert (one["arrived_at"], one["answered_at"], one["handle_seconds"]) == (
        utc(2021, 1, 1, 14, 12, 58), utc(2021, 1, 1, 14, 14, 47), 143.0)
    assert (one["queue"], one["agent_id"], one["resolved_first_contact"], one["abandoned"]) == (
        "contracts", "Diane", True, False)
    assert (two["handle_seconds"], two["resolved_first_contact"]) == (242.0, False)
    assert (three["abandoned"], three["answered_at"], three["agent_id"], three["handle_seconds"]) == (
        True, None, None, None)
    surveys = real_world.tables["surveys"]
    rated = pl.read_excel(REAL / "call_center_workbook.xlsx").filter(pl.col("Satisfaction rating").is_not_null())
    assert surveys.height == rated.height
    assert surveys.head(2).select("response_id", "csat").rows() == [("ID0001", 3), ("ID0002", 3)]
    assert "ID0003" not in surveys["response_id"].to_list()
    assert not real_world.has_errors and real_world.is_balanced


def test_a_file_without_a_mapped_column_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "acd_x.txt").write_text("call_id\toutcome\r\n1\tAGENT\r\n")
    with pytest.raises(InputError, match=r"acd_x.txt: missing column\(s\) vru\+line, type, customer_id, server"):
        load_exports(tmp_path, [ROOT / "contracts/mappings/acd-log-interactions.yaml"])


def test_docs_name_every_mapping_key() -> None:
    from vendoraudit.mapping import ColumnRule, Condition, Exclusion, FormatOptions

    text = (ROOT / "docs" / "mappings.md").read_text()
    for model in (Mapping, ColumnRule, Condition, Exclusion, FormatOptions):
        for name, field in model.model_fields.items():
            assert f"`{field.alias or name}`" in text, f"{model.__name__}.{name} is not documented"
    for unit in DurationUnit:
        assert f"`{unit.value}`" in text
