"""The sample exports: the generator is deterministic and the planted story holds.

Levels are measured here with plain polars straight from the files (not through vendoraudit's
readers), so this test says what is in the data independently of the pipeline under test.
"""

from __future__ import annotations

import calendar
import hashlib
import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from vendoraudit.tables import TABLES

SAMPLES = Path(__file__).resolve().parents[1] / "sample_exports"
MONTHS = ("2026-08", "2026-09", "2026-10")
SITES = ("NW-BOS", "ACME-MNL", "BP-DAL", "CC-BOG")
TZ = {"NW-BOS": "America/New_York", "ACME-MNL": "Asia/Manila", "BP-DAL": "America/Chicago", "CC-BOG": "America/Bogota"}
ISO_LOCAL = "%Y-%m-%dT%H:%M:%S%:z"
CSV_SEPARATORS = {"ACME-MNL": ";"}

# World levels (sample_exports/README.md) and how far one month may stray from them.
PLANTED = {
    #                  NW     ACME   BP     CC    tolerance
    "service_level": ((82, 85, 81, 78), 1.5),
    "abandon_rate": ((5, 4, 6, 8), 1.0),
    "callback_10min": ((96, 97, 95.5, 80), 2.5),
    "async_4h": ((95, 96, 93, 92), 1.5),
    "fcr": ((78, 80, 74, 72), 1.5),
    "follow_up_kept": ((94, 95, 90, 88), 3.0),
    "qa_score": ((90, 91, 86, 87), 1.5),
    "empathy": ((92, 93, 68, 88), 2.5),
    "ownership": ((91, 92, 65, 87), 2.5),
    "csat_top2": ((88, 89, 80, 84), 1.0),
    "nps": ((45, 47, 30, 38), 2.0),
    "ces_mean": ((5.6, 5.7, 5.0, 5.3), 0.05),
    "training_hours": ((8, 9, 7.5, 3), 0.3),
    "response_rate": ((12.5, 12.5, 12.5, 12.5), 2.5),
}


def _load_generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parse_times(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Text columns of a CSV/XLSX export cast to the canonical types (datetimes from ISO with offset)."""
    out = []
    for col in TABLES[table].columns:
        dtype = col.dtype
        expr = pl.col(col.name)
        if isinstance(dtype, pl.Datetime):
            expr = expr.cast(pl.String).str.to_datetime(ISO_LOCAL, time_zone="UTC")
        elif isinstance(dtype, pl.Date):
            expr = expr.cast(pl.String).str.to_date("%Y-%m-%d")
        elif isinstance(dtype, pl.Boolean):
            expr = expr.cast(pl.String) == "true"
        else:
            expr = expr.cast(dtype)
        out.append(expr.alias(col.name))
    return frame.select(out)


def read_month(folder: Path) -> dict[str, pl.DataFrame]:
    """The six canonical tables of one generated month, read with plain polars."""
    text = {"infer_schema": False}
    interactions = pl.concat(
        _parse_times(pl.read_csv(folder / f"interactions_{s}.csv", separator=CSV_SEPARATORS.get(s, ","), **text),
                     "interactions")
        for s in SITES
    )
    return {
        "interactions": interactions,
        "qa_evaluations": pl.read_parquet(folder / "qa_evaluations.parquet"),
        "qa_items": pl.read_parquet(folder / "qa_items.parquet"),
        "surveys": _parse_times(pl.read_excel(folder / "surveys.xlsx").cast(pl.String), "surveys"),
        "training": _parse_times(pl.read_csv(folder / "training.csv", **text), "training"),
        "roster": _parse_times(pl.read_csv(folder / "roster.csv", **text), "roster"),
    }


def _pct(cond: pl.Expr) -> pl.Expr:
    return 100 * cond.cast(pl.Float64).mean()


def measure(tables: dict[str, pl.DataFrame], month: str) -> dict[str, dict[str, float]]:
    """Planted levels per site, with the default variants of spec/metrics.md."""
    year, mon = map(int, month.split("-"))
    first = date(year, mon, 1)
    last = date(year, mon, calendar.monthrange(year, mon)[1])
    i = tables["interactions"].with_columns(
        wait=(pl.col("answered_at") - pl.col("arrived_at")).dt.total_seconds(),
        abandon_wait=(pl.col("ended_at") - pl.col("arrived_at")).dt.total_seconds(),
    )
    sync = i.filter(pl.col("channel").is_in(["phone", "chat"]), pl.col("direction") == "inbound")
    answered = pl.col("answered_at").is_not_null() & ~pl.col("abandoned")
    short = pl.col("abandoned") & (pl.col("abandon_wait") < 5)
    service = sync.group_by("site_id").agg(
        service_level=100 * (answered & (pl.col("wait") <= 20)).sum() / (answered | pl.col("abandoned")).sum(),
        abandon_rate=100 * (pl.col("abandoned") & ~short).sum() / ((answered | pl.col("abandoned")) & ~short).sum(),
    )
    callbacks = i.filter(pl.col("callback_requested_at").is_not_null()).group_by("site_id").agg(
        callback_10min=_pct(((pl.col("callback_completed_at") - pl.col("callback_requested_at")).dt.total_seconds()
                             <= 600).fill_null(False)))
    asynchronous = i.filter(~pl.col("channel").is_in(["phone", "chat"]), pl.col("direction") == "inbound").group_by(
        "site_id").agg(async_4h=_pct((pl.col("wait") <= 4 * 3600).fill_null(False)))
    fcr = i.filter(pl.col("resolved_first_contact").is_not_null()).group_by("site_id").agg(
        fcr=_pct(pl.col("resolved_first_contact")))
    follow = i.filter(pl.col("follow_up_due_at").is_not_null()).group_by("site_id").agg(
        follow_up_kept=_pct((pl.col("follow_up_completed_at") <= pl.col("follow_up_due_at")).fill_null(False)))
    contacts = i.group_by("site_id").agg(contacts=pl.len())

    ev = tables["qa_evaluations"].filter(~pl.col("calibration")).select("evaluation_id", "site_id")
    items = tables["qa_items"].join(ev, on="evaluation_id")
    scores = items.group_by("evaluation_id", "site_id").agg(
        score=pl.when(pl.col("critical_failed").any()).then(0.0).otherwise(
            100 * pl.col("points_earned").sum() / pl.col("points_possible").filter(pl.col("points_earned").is_not_null()).sum()))
    qa = scores.group_by("site_id").agg(qa_score=pl.col("score").mean())
    criteria = items.filter(pl.col("points_earned").is_not_null()).group_by("site_id").agg(
        empathy=100 * pl.col("points_earned").filter(pl.col("criterion_id") == "empathy").sum()
        / pl.col("points_possible").filter(pl.col("criterion_id") == "empathy").sum(),
        ownership=100 * pl.col("points_earned").filter(pl.col("criterion_id") == "ownership").sum()
        / pl.col("points_possible").filter(pl.col("criterion_id") == "ownership").sum(),
    )

    s = tables["surveys"]
    surveys = s.group_by("site_id").agg(
        csat_top2=_pct(pl.col("csat").drop_nulls() >= 4),
        nps=100 * ((pl.col("nps").drop_nulls() >= 9).mean() - (pl.col("nps").drop_nulls() <= 6).mean()),
        ces_mean=pl.col("ces").mean(),
        responses=pl.len(),
    )

    r = tables["roster"].filter(pl.col("role") == "agent")
    active = r.filter(pl.col("hire_date") <= last, pl.col("termination_date").is_null() | (pl.col("termination_date") >= first))
    on_day = lambda d: (pl.col("hire_date") <= d) & (pl.col("termination_date").is_null() | (pl.col("termination_date") >= d))  # noqa: E731
    staffing = r.group_by("site_id").agg(
        active=(on_day(last) | ((pl.col("hire_date") <= last) & (pl.col("termination_date") >= first))).sum(),
        attrition=100 * pl.col("termination_date").is_between(first, last).sum()
        / ((on_day(first).sum() + on_day(last).sum()) / 2),
    )
    t = tables["training"].join(active.select("agent_id", "site_id"), on=["agent_id", "site_id"])
    hires = active.filter(pl.col("hire_date") >= first).select("agent_id", "site_id")
    onboarding = (
        hires.join(t.filter(pl.col("category") == "onboarding"), on=["agent_id", "site_id"], how="left")
        .group_by("site_id", "agent_id").agg(pl.col("hours").sum())
        .group_by("site_id").agg(onboarding_min=pl.col("hours").min(), hires=pl.len())
    )
    training = t.group_by("site_id").agg(hours=pl.col("hours").sum()).join(staffing, on="site_id").select(
        "site_id", "attrition", training_hours=pl.col("hours") / pl.col("active"))

    merged = contacts
    for f in (service, callbacks, asynchronous, fcr, follow, qa, criteria, surveys, training, onboarding):
        merged = merged.join(f, on="site_id", how="left")
    merged = merged.with_columns(response_rate=100 * pl.col("responses") / pl.col("contacts"))
    return {row.pop("site_id"): row for row in merged.to_dicts()}


@pytest.fixture(scope="module")
def months() -> dict[str, dict[str, pl.DataFrame]]:
    return {m: read_month(SAMPLES / m) for m in MONTHS}


@pytest.fixture(scope="module")
def levels(months) -> dict[str, dict[str, dict[str, float]]]:
    return {m: measure(tables, m) for m, tables in months.items()}


def test_generator_is_deterministic_and_matches_checked_in_files(tmp_path):
    generator = _load_generator()
    sets = ("2026-10", "broken")  # one month keeps this fast; every month comes from the same code
    written = generator.generate(tmp_path, sets)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    checked_in = sorted(p.relative_to(SAMPLES).as_posix() for s in sets for p in (SAMPLES / s).iterdir() if p.is_file())
    assert names == checked_in
    for name in names:
        assert _sha(tmp_path / name) == _sha(SAMPLES / name), f"{name} differs: rerun sample_exports/generate.py"


def test_three_months_and_size_budget():
    total = 0
    for month in MONTHS:
        files = sorted(p.name for p in (SAMPLES / month).iterdir())
        assert [f for f in files if f.startswith("interactions_")] == sorted(f"interactions_{s}.csv" for s in SITES)
        assert {"qa_evaluations.parquet", "qa_items.parquet", "surveys.xlsx", "training.csv", "roster.csv"} <= set(files)
        total += sum(p.stat().st_size for p in (SAMPLES / month).iterdir())
    assert total < 15 * 1024 * 1024


@pytest.mark.parametrize("metric", sorted(PLANTED))
def test_planted_level_holds_every_month(levels, metric):
    targets, tolerance = PLANTED[metric]
    for month in MONTHS:
        for site, target in zip(SITES, targets):
            got = levels[month][site][metric]
            assert abs(got - target) <= tolerance, f"{month} {site} {metric}: {got:.2f} vs {target}"


def test_story_rankings(levels):
    """The story the contracts tell: BrightPath's brand gaps, CallCo's callbacks and training."""
    for month in MONTHS:
        m = levels[month]
        assert m["BP-DAL"]["empathy"] < 75 and m["BP-DAL"]["ownership"] < 75
        assert min(m[s]["empathy"] for s in ("NW-BOS", "ACME-MNL", "CC-BOG")) > 85
        assert m["CC-BOG"]["callback_10min"] < 90 <= min(m[s]["callback_10min"] for s in SITES if s != "CC-BOG")
        assert m["CC-BOG"]["training_hours"] < 6 <= min(m[s]["training_hours"] for s in SITES if s != "CC-BOG")
        assert m["CC-BOG"]["onboarding_min"] < 40 <= min(m[s]["onboarding_min"] for s in SITES if s != "CC-BOG")
        assert all(m[s]["hires"] >= 1 for s in SITES)
        for site, (low, high) in {"NW-BOS": (1, 4), "ACME-MNL": (2, 4.5), "BP-DAL": (3, 6), "CC-BOG": (5, 7.5)}.items():
            assert low <= m[site]["attrition"] <= high, f"{month} {site} attrition {m[site]['attrition']:.2f}"


@pytest.mark.parametrize("month", MONTHS)
def test_month_edges_and_period_membership(months, month):
    """Contacts sit at both edges of the local month, and every row is inside it in local time."""
    tables = months[month]
    number = int(month[5:])
    days = calendar.monthrange(int(month[:4]), number)[1]
    for site, tz in TZ.items():
        local = tables["interactions"].filter(pl.col("site_id") == site).select(
            pl.col("arrived_at").dt.convert_time_zone(tz).alias("t"), pl.col("arrived_at").alias("utc"))
        assert local["t"].dt.month().unique().to_list() == [number]
        late = local.filter(pl.col("t").dt.day() == days, pl.col("t").dt.hour() == 23, pl.col("t").dt.minute() >= 30)
        early = local.filter(pl.col("t").dt.day() == 1, pl.col("t").dt.hour() == 0)
        assert late.height >= 2 and early.height >= 2
        assert local["t"].dt.date().n_unique() == days  # no empty day
        for table, col in (("qa_evaluations", "evaluated_at"), ("surveys", "submitted_at"), ("training", "completed_at")):
            in_months = tables[table].filter(pl.col("site_id") == site)[col].dt.convert_time_zone(tz).dt.month().unique()
            assert in_months.to_list() == [number], (table, site)
    utc_months = tables["interactions"]["arrived_at"].dt.month().unique().sort().to_list()
    assert utc_months == [number - 1, number, number + 1]  # the edges really cross months in UTC


@pytest.mark.parametrize("month", MONTHS)
def test_internal_consistency(months, month):
    """The spec's row rules hold and every reference resolves, in every sample month."""
    tables = months[month]
    i = tables["interactions"]
    assert i["interaction_id"].is_unique().all()
    assert i.filter(pl.col("abandoned"), pl.col("answered_at").is_not_null() | pl.col("agent_id").is_not_null()).height == 0
    assert i.filter(pl.col("answered_at") < pl.col("arrived_at")).height == 0
    assert i.filter(pl.col("ended_at") < pl.coalesce("answered_at", "arrived_at")).height == 0
    assert i.filter(pl.col("callback_completed_at") < pl.col("callback_requested_at")).height == 0
    assert i.filter(pl.col("follow_up_completed_at") < pl.col("arrived_at")).height == 0
    assert i.filter(pl.col("direction") == "outbound").height / i.height == pytest.approx(0.05, abs=0.005)
    assert i["member_ref"].drop_nulls().str.contains(r"^M[0-9a-f]{8}$").all()
    ev, items = tables["qa_evaluations"], tables["qa_items"]
    assert set(ev["interaction_id"]) <= set(i["interaction_id"])
    assert set(tables["surveys"]["interaction_id"]) <= set(i["interaction_id"])
    assert items.group_by("evaluation_id").len()["len"].unique().to_list() == [8]
    assert items.filter(pl.col("points_earned") > pl.col("points_possible")).height == 0
    assert items.filter(pl.col("points_earned").is_null()).height > 0
    calibration = ev.filter(pl.col("calibration")).group_by("site_id", "interaction_id").agg(
        pl.col("evaluator_id").n_unique())
    assert calibration.group_by("site_id").len()["len"].to_list() == [10] * 4
    assert calibration["evaluator_id"].unique().to_list() == [3]
    per_agent = ev.filter(~pl.col("calibration")).group_by("site_id", "agent_id").len()["len"]
    assert per_agent.max() <= 8 and per_agent.quantile(0.1) >= 5
    roster = tables["roster"]
    for col in ("agent_id", "evaluator_id"):
        assert set(ev[col]) <= set(roster["agent_id"])
    assert set(i["agent_id"].drop_nulls()) <= set(roster["agent_id"])
    assert set(tables["training"]["agent_id"]) <= set(roster["agent_id"])
    assert roster.filter(pl.col("termination_date") < pl.col("hire_date")).height == 0
    assert tables["training"]["hours"].is_between(0, 24, closed="right").all()
    # The invented canary phrase is there, so tests downstream can prove it never leaks.
    assert tables["surveys"]["comment"].str.contains("my diagnosis is private").sum() > 0


def test_broken_set_manifest_points_at_planted_values():
    planted = json.loads((SAMPLES / "broken" / "PLANTED.json").read_text())
    assert planted["period"] == "2026-10"
    problems = planted["problems"]
    files = {p.name for p in (SAMPLES / "broken").iterdir()} - {"PLANTED.json"}
    assert {p["file"] for p in problems} <= files
    assert {t for t in TABLES} == {next(t for t in TABLES if f.startswith(t)) for f in files}
    assert {f"interactions_{s}.csv" for s in SITES} <= files
    rules = " | ".join(p["rule"] for p in problems)
    for kind in ("duplicate id", "bad enum", "out-of-range (csat", "out-of-range (hours", "out-of-range (fte",
                 "null in a required column", "unparseable datetime", "answered_at before arrived_at",
                 "abandoned row with answered_at", "points_earned > points_possible", "unknown evaluation_id",
                 "not on the roster", "outside the period", "termination before hire", "negative handle_seconds"):
        assert kind in rules, kind
    assert {p["severity"] for p in problems} == {"error", "warning"}

    def raw(name: str) -> pl.DataFrame:
        path = SAMPLES / "broken" / name
        if name.endswith(".parquet"):
            return pl.read_parquet(path)
        if name.endswith(".xlsx"):
            return pl.read_excel(path).cast(pl.String)
        return pl.read_csv(path, infer_schema=False, separator=";" if "ACME" in name else ",")

    expected = {"channel": "fax", "csat": "9", "hours": "300.0", "fte": "1.5", "handle_seconds": "-42.0",
                "evaluation_id": "QE-NW2610-9999", "agent_id": "NW-9999", "points_earned": 20.0}
    for p in problems:
        value = raw(p["file"])[p["row"] - 1, p["column"]]
        if p["column"] in expected:
            assert value == expected[p["column"]], p
        if p["rule"] == "null in a required column":
            assert value is None, p
    dup = next(p for p in problems if p["rule"] == "duplicate id")
    frame = raw(dup["file"])
    assert frame[dup["row"] - 1, "interaction_id"] == frame[dup["related_row"] - 1, "interaction_id"]
    assert sum(raw(name).height for name in files) < 1000  # a few hundred rows
