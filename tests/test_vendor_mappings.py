"""The shipped mappings of real systems, each on a realistic export of that system
(tests/fixtures/vendor_exports, made by make_vendor_exports.py).

With only `files`, `site_id` and `timezone` edited, each export goes through validation to an
audit that is not blocked, rows quarantined beyond the mapping's deliberate exclusions are at
most 1%, and the KPIs equal a computation made here from the raw file with plain polars (none
of the library's reading, mapping or metric code).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from vendoraudit.audit import blocking_problems
from vendoraudit.kpis.period import period_data
from vendoraudit.kpis.scope import compute_metric
from vendoraudit.periods import Period
from vendoraudit.results import Site, SiteDirectory
from vendoraudit.validate import load_exports

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "contracts" / "mappings"
EXPORTS = ROOT / "tests" / "fixtures" / "vendor_exports"
OCT = Period(2026, 10)
SITE = "TEST-1"
I_HEAD = "interaction_id,site_id,channel,direction,queue,agent_id,arrived_at,answered_at,ended_at,handle_seconds,abandoned"


@dataclass(frozen=True)
class Vendor:
    mappings: tuple[str, ...]
    file: str
    zone: str


VENDORS = {
    "amazon_connect": Vendor(("amazon-connect-contacts",), "amazon_connect_contact_search_2026-10.csv", "America/New_York"),
    "genesys": Vendor(("genesys-cloud-interactions",), "genesys_interactions_2026-10.csv", "America/Chicago"),
    "nice_cxone": Vendor(("nice-cxone-call-detail",), "CallDetail_2026-10.csv", "Etc/GMT+7"),
    "five9": Vendor(("five9-call-log",), "Five9 Call Log 2026-10.csv", "America/Los_Angeles"),
    "twilio": Vendor(("twilio-flex-tasks",), "twilio_tasks_2026-10.csv", "America/Denver"),
    "qualtrics": Vendor(("qualtrics-responses",), "qualtrics_member_survey_2026-10.csv", "America/Denver"),
    "medallia": Vendor(("medallia-responses",), "medallia_responses_2026-10.csv", "America/Phoenix"),
    "cornerstone": Vendor(("cornerstone-transcript",), "Transcript_Report_2026-10.csv", "America/Chicago"),
    "maestroqa": Vendor(("maestroqa-evaluations", "maestroqa-items"), "maestroqa_answers_2026-10.csv", "UTC"),
}


def edited(name: str, folder: Path) -> Path:
    """The shipped mapping with only its site (and time zone, kept as is) edited, as a user would."""
    text = (MAPPINGS / f"{name}.yaml").read_text(encoding="utf-8")
    new = re.sub(r"site_id: \{value: [^}]+\}", f"site_id: {{value: {SITE}}}", text)
    new = re.sub(r"^sites: \[[^]]*\]", f"sites: [{SITE}]", new, flags=re.M)
    changed = [b for a, b in zip(text.splitlines(), new.splitlines()) if a != b]
    assert changed and all(re.match(r"\s*(site_id|sites|timezone|files):", line) for line in changed), changed
    path = folder / f"{name}.yaml"
    path.write_text(new, encoding="utf-8")
    return path


def raw(vendor: Vendor, skip: int = 0) -> pl.DataFrame:
    return pl.read_csv(EXPORTS / vendor.file, infer_schema=False).slice(skip)


def hms(col: str) -> pl.Expr:
    parts = pl.col(col).str.split(":")
    return (parts.list.get(0).cast(pl.Int64) * 3600 + parts.list.get(1).cast(pl.Int64) * 60
            + parts.list.get(2).cast(pl.Int64)).cast(pl.Float64)


def secs(end: pl.Expr, start: pl.Expr) -> pl.Expr:
    return (end - start).dt.total_seconds(fractional=True)


# --- the raw files read here, independently: one frame of (sync, inbound, answered, abandoned,
# wait, abandon_wait, handle) per kept contact --------------------------------------------------

def contacts(key: str) -> pl.DataFrame:
    v = VENDORS[key]
    df = raw(v)
    if key == "amazon_connect":
        t = {c: pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ") for c in
             ("Initiation timestamp", "Enqueue timestamp", "Agent connected timestamp", "Disconnect timestamp")}
        method = pl.col("Initiation method")
        arrived = pl.coalesce(t["Enqueue timestamp"], t["Initiation timestamp"])
        df = df.filter(~method.is_in(["TRANSFER", "QUEUE_TRANSFER"]) & (pl.col("Channel") != "TASK")
                       & ~((method == "INBOUND") & pl.col("Enqueue timestamp").is_null()))
        return df.select(
            pl.col("Channel").is_in(["VOICE", "CHAT"]).alias("sync"), (method == "INBOUND").alias("inbound"),
            pl.col("Agent connected timestamp").is_not_null().alias("answered"),
            (pl.col("Agent connected timestamp").is_null() & (method == "INBOUND")).alias("abandoned"),
            secs(t["Agent connected timestamp"], arrived).alias("wait"),
            secs(t["Disconnect timestamp"], arrived).alias("abandon_wait"),
            pl.sum_horizontal(pl.col("Agent interaction duration", "Customer hold duration",
                                     "After contact work duration").cast(pl.Float64))
            .alias("handle"),
        ).with_columns(pl.when(pl.col("answered")).then(pl.col("handle")).alias("handle"))
    if key == "genesys":
        fmt = "%m/%d/%Y %I:%M:%S %p"
        df = df.filter(~((pl.col("Direction") == "Inbound") & pl.col("Queue").is_null()))
        abandoned = pl.col("Abandoned") == "YES"
        return df.select(
            pl.col("Media Type").is_in(["voice", "callback", "message"]).alias("sync"),
            (pl.col("Direction") == "Inbound").alias("inbound"), (~abandoned).alias("answered"),
            abandoned.alias("abandoned"), (hms("Total Queue") + hms("Total Alert")).alias("wait"),
            secs(pl.col("End Date").str.to_datetime(fmt), pl.col("Date").str.to_datetime(fmt)).alias("abandon_wait"),
            hms("Total Handle").alias("handle"))
    if key == "nice_cxone":
        df = df.filter(pl.col("SLA") != "-1").with_columns(pl.col("InQueue", "Agent_Time", "PostQueue").cast(pl.Float64))
        abandoned = pl.col("Abandon") == "Y"
        return df.select(
            pl.col("Media_Name").is_in(["Call", "Chat"]).alias("sync"), pl.lit(True).alias("inbound"),
            (~abandoned).alias("answered"), abandoned.alias("abandoned"), pl.col("InQueue").alias("wait"),
            (pl.col("InQueue") + pl.col("Agent_Time")).alias("abandon_wait"),
            pl.when(~abandoned).then(pl.col("Agent_Time") + pl.col("PostQueue")).alias("handle"))
    if key == "five9":
        kind = pl.col("CALL TYPE")
        df = df.filter((kind != "Internal") & ~((kind == "Inbound") & pl.col("SKILL").is_null()))
        abandoned = pl.col("ABANDONED") == "1"
        answered = ~abandoned & pl.col("AGENT").is_not_null()
        return df.select(
            pl.lit(True).alias("sync"), (kind == "Inbound").alias("inbound"), answered.alias("answered"),
            abandoned.alias("abandoned"), (hms("QUEUE WAIT TIME") + hms("RING TIME")).alias("wait"),
            (hms("QUEUE WAIT TIME") + hms("RING TIME") + hms("TALK TIME") + hms("HOLD TIME")).alias("abandon_wait"),
            pl.when(pl.col("AGENT").is_not_null()).then(hms("HANDLE TIME")).alias("handle"))
    if key == "twilio":
        t = {c: pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%SZ") for c in
             ("date_created", "reservation_accepted", "date_completed")}
        df = df.filter(pl.col("task_channel_unique_name") != "default")
        abandoned = pl.col("assignment_status") == "canceled"
        return df.select(
            pl.col("task_channel_unique_name").is_in(["voice", "chat"]).alias("sync"),
            (pl.col("direction") == "inbound").alias("inbound"),
            (~abandoned & pl.col("reservation_accepted").is_not_null()).alias("answered"),
            abandoned.alias("abandoned"), secs(t["reservation_accepted"], t["date_created"]).alias("wait"),
            secs(t["date_completed"], t["date_created"]).alias("abandon_wait"),
            pl.when(pl.col("reservation_accepted").is_not_null())
            .then(pl.col("talk_time").cast(pl.Float64) + pl.col("wrapup_time").cast(pl.Float64)).alias("handle"))
    raise KeyError(key)


def expected_ops(c: pl.DataFrame) -> dict[str, float]:
    """Service level (variant 3, 20 s), abandon rate (5 s short abandons out), ASA and AHT."""
    sync, inbound = c.filter(pl.col("sync")), c.filter(pl.col("sync") & pl.col("inbound"))
    answered_in = inbound.filter(pl.col("answered") & (pl.col("wait") <= 20)).height
    sl = 100 * answered_in / (inbound["answered"].sum() + inbound["abandoned"].sum())
    long_abandons = sync.filter(pl.col("abandoned") & ~(pl.col("abandon_wait") <= 5).fill_null(False)).height
    abandon = 100 * long_abandons / (sync["answered"].sum() + long_abandons)
    asa = sync.filter(pl.col("answered"))["wait"].mean()
    aht = c.filter(pl.col("answered"))["handle"].drop_nulls().mean()
    return {"ops.service_level": sl, "ops.abandon_rate": abandon, "ops.asa": asa, "ops.aht": aht}


def expected_surveys(key: str) -> dict[str, float]:
    v = VENDORS[key]
    if key == "qualtrics":
        df = raw(v, skip=2).filter((pl.col("Status") == "0") & (pl.col("Finished") == "True"))
        csat, nps, ces = "Q1", "Q2", "Q3"
    else:
        df = raw(v).filter(pl.any_horizontal(pl.col("Likelihood to Recommend", "Overall Satisfaction",
                                                    "Ease of Getting Help").is_not_null()))
        csat, nps, ces = "Overall Satisfaction", "Likelihood to Recommend", "Ease of Getting Help"
    s = df.select(pl.col(csat, nps, ces).cast(pl.Int64))
    c, n, e = s[csat].drop_nulls(), s[nps].drop_nulls(), s[ces].drop_nulls()
    return {"survey.csat": 100 * (c >= 4).sum() / c.len(),
            "survey.nps": 100 * ((n >= 9).sum() - (n <= 6).sum()) / n.len(),
            "survey.ces": e.mean()}


def expected_training() -> dict[str, float]:
    df = raw(VENDORS["cornerstone"]).filter(pl.col("Transcript Status") == "Completed") \
        .with_columns(pl.col("Training Hours").cast(pl.Float64))
    soft = df.filter(pl.col("Subject") == "Customer Experience")["Training Hours"].sum()
    return {"training.soft_skills_share": 100 * soft / df["Training Hours"].sum()}


def expected_qa() -> dict[str, float]:
    df = raw(VENDORS["maestroqa"]).filter(pl.col("Calibration") == "FALSE")
    applicable = pl.col("Score") != "N/A"
    scores = df.group_by("Grade ID").agg(
        (pl.col("Auto Fail") == "TRUE").any().alias("failed"),
        pl.col("Score").filter(applicable).cast(pl.Float64).sum().alias("earned"),
        pl.col("Max Score").filter(applicable).cast(pl.Float64).sum().alias("possible"))
    value = scores.select(pl.when(pl.col("failed")).then(0.0).otherwise(100 * pl.col("earned") / pl.col("possible")))
    return {"qa.score": value.to_series().mean()}


def kept_rows(key: str) -> int:
    """Rows of the raw file that are records of the mapped table (not deliberately set aside)."""
    if key in ("amazon_connect", "genesys", "nice_cxone", "five9", "twilio"):
        return contacts(key).height
    if key in ("qualtrics", "medallia"):
        return {"qualtrics": lambda: raw(VENDORS[key], 2).filter((pl.col("Status") == "0")
                                                                 & (pl.col("Finished") == "True")).height,
                "medallia": lambda: raw(VENDORS[key]).filter(pl.any_horizontal(pl.col(
                    "Likelihood to Recommend", "Overall Satisfaction", "Ease of Getting Help").is_not_null())).height}[key]()
    if key == "cornerstone":
        return raw(VENDORS[key]).filter(pl.col("Transcript Status") == "Completed").height
    return raw(VENDORS[key])["Grade ID"].n_unique() + raw(VENDORS[key]).height


@pytest.fixture(scope="module", params=sorted(VENDORS))
def audited(request, tmp_path_factory: pytest.TempPathFactory):
    key = request.param
    vendor = VENDORS[key]
    folder = tmp_path_factory.mktemp(key)
    exports, maps = folder / "2026-10", folder / "mappings"
    exports.mkdir()
    maps.mkdir()
    shutil.copy(EXPORTS / vendor.file, exports / vendor.file)
    paths = [edited(name, maps) for name in vendor.mappings]
    if key in ("qualtrics", "medallia", "cornerstone", "maestroqa"):
        # The site's contacts come from another source; the audit needs them to go on.
        rows = [f"C{d},{SITE},phone,inbound,q,a,2026-10-{d:02d}T15:00:00Z,2026-10-{d:02d}T15:00:10Z,"
                f"2026-10-{d:02d}T15:05:00Z,290,false" for d in range(1, 32)]
        (exports / "interactions_other.csv").write_text("\n".join([I_HEAD, *rows]) + "\n")
    sites = SiteDirectory((Site(SITE, "VENDOR", vendor.zone, False),))
    validated = load_exports(exports, paths, OCT, sites, require_files=True)
    return key, validated, sites


def test_the_export_audits_unblocked(audited) -> None:
    key, validated, sites = audited
    assert blocking_problems(validated, sites, OCT) == []
    assert validated.is_balanced


def test_at_most_one_percent_quarantined_beyond_the_exclusions(audited) -> None:
    key, validated, _ = audited
    mine = [f for f in validated.files if f.path == VENDORS[key].file]
    read = sum(f.rows_read - f.rows_excluded for f in mine)
    errors = sum(f.rows_quarantined - f.rows_excluded for f in mine)
    assert read == kept_rows(key)
    assert errors <= 0.01 * read, [i for i in validated.issues if i.severity.value == "error"][:5]


def test_the_kpis_equal_a_computation_from_the_raw_file(audited) -> None:
    key, validated, sites = audited
    data = period_data(validated.tables, OCT, sites)
    if key in ("amazon_connect", "genesys", "nice_cxone", "five9", "twilio"):
        expected = expected_ops(contacts(key))
    elif key in ("qualtrics", "medallia"):
        expected = expected_surveys(key)
    elif key == "cornerstone":
        expected = expected_training()
    else:
        expected = expected_qa()
    for metric_id, value in expected.items():
        got = compute_metric(metric_id, data, [SITE]).value
        assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (key, metric_id)
