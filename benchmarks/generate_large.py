#!/usr/bin/env python3
"""Seeded generator of a large export set (issue 9): millions of contacts, about 20 sites, 8 contracts.

Every column is a pure function of the row number and a fixed seed (polars `hash`, no Python loop
over rows), so one scale gives the same data every run of the same polars version. At the default
scale (10M interactions) the set holds 1M QA evaluations with 8 items each, 1.5M surveys, 30k roster
rows and 300k training records; every table scales with `--interactions`. All timestamps fall inside
October 2026 in every site's local time (UTC 06:00 on the 1st to 15:00 on the 31st, for sites between
UTC-6 and UTC+8), so the audit of 2026-10 sees clean, in-period data.

Writes, under OUT (never inside the repository):
  OUT/contracts/*.yaml             8 contracts derived from the repository's contracts/ (more sites)
  OUT/<n>/csv/2026-10/*.csv        interactions one file per site, the other tables one file each
  OUT/<n>/parquet/2026-10/*.parquet the same rows as Parquet
where <n> is the scale label (1M, 3M, 10M, ...).

Usage: python benchmarks/generate_large.py [--interactions 10000000] [--out /tmp/vendoraudit-bench]
       [--formats csv parquet]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path("/tmp/vendoraudit-bench")
PERIOD = "2026-10"
SEED = 20261001
WINDOW_START = datetime(2026, 10, 1, 6, 0, tzinfo=timezone.utc)
WINDOW_US = (30 * 86_400 + 9 * 3_600) * 1_000_000  # to 2026-10-31 15:00 UTC
ISO = "%Y-%m-%dT%H:%M:%S%:z"

# (contract template in contracts/, vendor id, vendor name, contract id, [(site id, time zone)])
CONTRACTS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("northwind.yaml", "NORTHWIND", "Northwind Health Member Services", "NORTHWIND-MSS-2026",
     (("NW-BOS", "America/New_York"), ("NW-CHI", "America/Chicago"), ("NW-ATL", "America/New_York"))),
    ("acme.yaml", "ACME", "Acme Contact Solutions", "ACME-MSA-2026",
     (("ACME-MNL", "Asia/Manila"), ("ACME-CEB", "Asia/Manila"), ("ACME-BLR", "Asia/Kolkata"))),
    ("brightpath.yaml", "BRIGHTPATH", "BrightPath Services", "BRIGHTPATH-2026",
     (("BP-DAL", "America/Chicago"), ("BP-ATL", "America/New_York"), ("BP-HOU", "America/Chicago"))),
    ("callco.yaml", "CALLCO", "CallCo Americas", "CALLCO-2026",
     (("CC-BOG", "America/Bogota"), ("CC-MDE", "America/Bogota"), ("CC-LIM", "America/Lima"))),
    ("acme.yaml", "SUNRISE", "Sunrise Care Contact", "SUNRISE-MSA-2026",
     (("SR-CEB", "Asia/Manila"), ("SR-DVO", "Asia/Manila"))),
    ("brightpath.yaml", "HARBOR", "Harbor Member Care", "HARBOR-2026",
     (("HB-MIA", "America/New_York"), ("HB-TPA", "America/New_York"))),
    ("callco.yaml", "ORBIT", "Orbit Nearshore", "ORBIT-2026",
     (("OR-MEX", "America/Mexico_City"), ("OR-GDL", "America/Mexico_City"))),
    ("acme.yaml", "KESTREL", "Kestrel Health BPO", "KESTREL-MSA-2026",
     (("KS-HYD", "Asia/Kolkata"), ("KS-PUN", "Asia/Kolkata"))),
)
SITES: tuple[str, ...] = tuple(s for *_, sites in CONTRACTS for s, _tz in sites)

CHANNEL_SHARES = (("phone", 0.56), ("chat", 0.15), ("email", 0.12), ("whatsapp", 0.08), ("sms", 0.05),
                  ("portal", 0.04))
QUEUES = ("appointments", "claims", "pharmacy", "benefits", "billing", "eligibility")
CRITERIA = (("greet_by_name", 10.0), ("verify_identity", 15.0), ("empathy", 15.0), ("active_listening", 10.0),
            ("accurate_information", 15.0), ("ownership", 15.0), ("follow_up_offered", 10.0),
            ("brand_close", 10.0))
COMMENTS = ("Quick and friendly.", "Had to call twice about my claim.", "Agent explained my benefits well.",
            "Long wait on hold.", "Very helpful with my prescription refill.")


def scale_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


# --------------------------------------------------------------------------------------------
# Seeded pseudo-random columns: hash of (row number, stream), no numpy
# --------------------------------------------------------------------------------------------

def _uniform(idx: pl.Expr, stream: int) -> pl.Expr:
    """Uniform [0, 1) from 53 bits of a seeded hash of the row number."""
    return (idx.hash(SEED + stream) % (1 << 53)).cast(pl.Float64) / float(1 << 53)


def _below(idx: pl.Expr, stream: int, high: int) -> pl.Expr:
    """Integers in [0, high)."""
    return (idx.hash(SEED + stream) % high).cast(pl.Int64)


def _pick(u: pl.Expr, shares: tuple[tuple[str, float], ...]) -> pl.Expr:
    """A categorical draw from cumulative shares of uniform `u`."""
    expr: pl.Expr | pl.Then | None = None
    cum = 0.0
    for value, share in shares[:-1]:
        cum += share
        expr = (pl.when(u < cum) if expr is None else expr.when(u < cum)).then(pl.lit(value))  # type: ignore[union-attr]
    return expr.otherwise(pl.lit(shares[-1][0]))  # type: ignore[union-attr]


def _site(idx: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(SITES)).gather(_below(idx, 1, len(SITES)))


def _id(prefix: str, idx: pl.Expr, width: int = 10) -> pl.Expr:
    return pl.concat_str(pl.lit(prefix), idx.cast(pl.String).str.zfill(width))


def _agent(site: pl.Expr, k: pl.Expr) -> pl.Expr:
    return pl.concat_str(site, pl.lit("-"), k.cast(pl.String).str.zfill(5))


def _at(u: pl.Expr) -> pl.Expr:
    """A timestamp in the window, whole seconds (CSV and Parquet then hold identical values)."""
    secs = (u * (WINDOW_US // 1_000_000)).cast(pl.Int64)
    return pl.lit(WINDOW_START).dt.cast_time_unit("us") + pl.duration(seconds=secs)


def _secs(x: pl.Expr) -> pl.Expr:
    return pl.duration(seconds=x.round(0).cast(pl.Int64))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def interactions(n: int, agents_per_site: int) -> pl.DataFrame:
    i = pl.col("i")
    channel = _pick(_uniform(i, 2), CHANNEL_SHARES)
    sync = channel.is_in(["phone", "chat"])
    inbound = _uniform(i, 3) >= 0.05
    abandoned = sync & inbound & (_uniform(i, 4) < 0.06)
    # Waits: sync contacts seconds (mean 12 s), async ones an hour on average.
    wait = pl.when(sync).then(-(1 - _uniform(i, 5)).log() * 12.0).otherwise(-(1 - _uniform(i, 5)).log() * 3600.0)
    handle = 120.0 + _uniform(i, 6) * 600.0
    callback = (pl.col("channel") == "phone") & pl.col("inbound") & (_uniform(i, 7) < 0.04)
    follow = ~pl.col("abandoned") & (_uniform(i, 8) < 0.08)
    arrived = pl.col("arrived_at")
    base = pl.int_range(0, n, dtype=pl.Int64, eager=True).alias("i").to_frame().lazy()
    frame = base.with_columns(
        _id("IX", i).alias("interaction_id"),
        _site(i).alias("site_id"),
        channel.alias("channel"),
        inbound.alias("inbound"),
        abandoned.alias("abandoned"),
        wait.round(0).alias("_wait"),
        handle.round(0).alias("_handle"),
        _at(_uniform(i, 9)).alias("arrived_at"),
    ).with_columns(
        pl.when(pl.col("inbound")).then(pl.lit("inbound")).otherwise(pl.lit("outbound")).alias("direction"),
        pl.lit(pl.Series(QUEUES)).gather(_below(i, 10, len(QUEUES))).alias("queue"),
        _id("M", _below(i, 11, max(n // 3, 1)), 8).alias("member_ref"),
        pl.when(~pl.col("abandoned")).then(_agent(pl.col("site_id"), _below(i, 12, agents_per_site)))
        .alias("agent_id"),
        pl.when(~pl.col("abandoned")).then(arrived + _secs(pl.col("_wait"))).alias("answered_at"),
    ).with_columns(
        pl.when(pl.col("abandoned")).then(arrived + _secs(pl.col("_wait")))
        .otherwise(pl.col("answered_at") + _secs(pl.col("_handle"))).alias("ended_at"),
        pl.when(~pl.col("abandoned")).then(pl.col("_handle")).alias("handle_seconds"),
        pl.when(~pl.col("abandoned")).then(_uniform(i, 13) < 0.8).alias("resolved_first_contact"),
        pl.when(callback).then(arrived + _secs(pl.col("_wait"))).alias("callback_requested_at"),
        pl.when(callback).then(arrived + _secs(pl.col("_wait") + 60 - (1 - _uniform(i, 14)).log() * 240.0))
        .alias("callback_completed_at"),
        pl.when(follow).then(arrived + pl.duration(days=2)).alias("follow_up_due_at"),
        pl.when(follow & (_uniform(i, 15) < 0.9)).then(arrived + pl.duration(hours=20)).alias("follow_up_completed_at"),
    )
    return frame.select(_columns("interactions")).collect()


def qa_evaluations(m: int, n: int, agents_per_site: int) -> pl.DataFrame:
    i = pl.col("i")
    j = _below(i, 20, n)  # the reviewed contact: its site and channel come from its own row formula
    frame = pl.int_range(0, m, dtype=pl.Int64, eager=True).alias("i").to_frame().lazy().with_columns(
        _id("QE", i).alias("evaluation_id"),
        _id("IX", j).alias("interaction_id"),
        _site(j).alias("site_id"),
        _pick(_uniform(j, 2), CHANNEL_SHARES).alias("channel"),
        (_uniform(i, 21) < 0.02).alias("calibration"),
        _at(_uniform(i, 22)).alias("evaluated_at"),
    ).with_columns(
        _agent(pl.col("site_id"), _below(i, 23, agents_per_site)).alias("agent_id"),
        pl.concat_str(pl.col("site_id"), pl.lit("-QA"), _below(i, 24, 12).cast(pl.String)).alias("evaluator_id"),
    )
    return frame.select(_columns("qa_evaluations")).collect()


def qa_items(m: int) -> pl.DataFrame:
    i = pl.col("i")
    k = i % len(CRITERIA)
    possible = pl.lit(pl.Series([p for _c, p in CRITERIA])).gather(k)
    u = _uniform(i, 30)
    critical = (pl.col("criterion_id") == "verify_identity") & (u < 0.005)
    frame = pl.int_range(0, m * len(CRITERIA), dtype=pl.Int64, eager=True).alias("i").to_frame().lazy().with_columns(
        _id("QE", i // len(CRITERIA)).alias("evaluation_id"),
        pl.lit(pl.Series([c for c, _p in CRITERIA])).gather(k).alias("criterion_id"),
        possible.alias("points_possible"),
    ).with_columns(
        pl.when(critical | (u < 0.08)).then(0.0).when(u < 0.10).then(None).otherwise(pl.col("points_possible"))
        .alias("points_earned"),
        critical.alias("critical_failed"),
    )
    return frame.select(_columns("qa_items")).collect()


def surveys(s: int, n: int) -> pl.DataFrame:
    i = pl.col("i")
    j = _below(i, 40, n)
    u1, u2, u3 = _uniform(i, 41), _uniform(i, 42), _uniform(i, 43)
    frame = pl.int_range(0, s, dtype=pl.Int64, eager=True).alias("i").to_frame().lazy().with_columns(
        _id("SV", i).alias("response_id"),
        _id("IX", j).alias("interaction_id"),
        _site(j).alias("site_id"),
        _pick(_uniform(j, 2), CHANNEL_SHARES).alias("channel"),
        _at(_uniform(i, 44)).alias("submitted_at"),
        # Skewed to the top like real surveys; 5% of each score left blank.
        pl.when(u1 >= 0.95).then(None).otherwise(5 - (u1 * u1 * 5).floor().cast(pl.Int64)).alias("csat"),
        pl.when(u2 >= 0.95).then(None).otherwise(10 - (u2 * u2 * 11).floor().cast(pl.Int64)).alias("nps"),
        pl.when(u3 >= 0.95).then(None).otherwise(7 - (u3 * u3 * 7).floor().cast(pl.Int64)).alias("ces"),
        pl.when(_uniform(i, 45) < 0.2).then(pl.lit(pl.Series(COMMENTS)).gather(_below(i, 46, len(COMMENTS))))
        .alias("comment"),
    )
    return frame.select(_columns("surveys")).collect()


def roster(agents_per_site: int) -> pl.DataFrame:
    r = agents_per_site * len(SITES)
    i = pl.col("i")
    hire_days = (date(2026, 10, 20) - date(2019, 1, 1)).days
    u = _uniform(i, 51)
    frame = pl.int_range(0, r, dtype=pl.Int64, eager=True).alias("i").to_frame().lazy().with_columns(
        pl.lit(pl.Series(SITES)).gather(i // agents_per_site).alias("site_id"),
        _pick(u, (("agent", 0.90), ("team_lead", 0.05), ("qa_analyst", 0.03), ("trainer", 0.02))).alias("role"),
        (pl.lit(date(2019, 1, 1)) + pl.duration(days=_below(i, 52, hire_days))).alias("hire_date"),
        pl.when(_uniform(i, 54) < 0.1).then(0.5).when(_uniform(i, 54) < 0.2).then(0.75).otherwise(1.0).alias("fte"),
    ).with_columns(
        _agent(pl.col("site_id"), i % agents_per_site).alias("agent_id"),
        pl.when(_uniform(i, 53) < 0.03)
        .then(pl.max_horizontal(pl.col("hire_date"), pl.lit(date(2026, 10, 1)) + pl.duration(days=_below(i, 55, 30))))
        .alias("termination_date"),
    )
    return frame.select(_columns("roster")).collect()


def training(t: int, people: pl.DataFrame) -> pl.DataFrame:
    i = pl.col("i")
    who = people.select("agent_id", "site_id")
    picks = pl.int_range(0, t, dtype=pl.Int64, eager=True).alias("i").to_frame().with_columns(
        _below(i, 60, people.height).alias("k"))
    frame = pl.concat([picks, who[picks["k"]]], how="horizontal").lazy().with_columns(
        _id("TR", i).alias("record_id"),
        _pick(_uniform(i, 61), (("onboarding", 0.2), ("product", 0.3), ("systems", 0.2), ("soft_skills", 0.2),
                                ("compliance", 0.1))).alias("category"),
        ((1 + _below(i, 62, 16)).cast(pl.Float64) * 0.5).alias("hours"),
        _at(_uniform(i, 63)).alias("completed_at"),
        pl.when(_uniform(i, 64) < 0.05).then(None).otherwise(_uniform(i, 65) < 0.5).alias("paid_by_client"),
    ).with_columns(pl.concat_str(pl.col("category").str.slice(0, 3).str.to_uppercase(), pl.lit("-"),
                                 _below(i, 66, 40).cast(pl.String)).alias("course_id"))
    return frame.select(_columns("training")).collect()


def _columns(table: str) -> list[str]:
    from vendoraudit.tables import TABLES

    return list(TABLES[table].names)


def build(n: int) -> dict[str, pl.DataFrame]:
    """All six tables for `n` interactions (the other tables in proportion)."""
    agents_per_site = max(30_000 * n // 10_000_000 // len(SITES), 5)
    evals = max(n // 10, 1)
    people = roster(agents_per_site)
    return {
        "interactions": interactions(n, agents_per_site),
        "qa_evaluations": qa_evaluations(evals, n, agents_per_site),
        "qa_items": qa_items(evals),
        "surveys": surveys(max(n * 3 // 20, 1), n),
        "roster": people,
        "training": training(max(n * 3 // 100, 1), people),
    }


def write_tables(tables: dict[str, pl.DataFrame], folder: Path, fmt: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if name == "interactions":  # one file per site, as sites send them
            for (site,), part in frame.group_by("site_id", maintain_order=True):
                _write(part, folder / f"interactions_{site}.{fmt}", fmt)
        else:
            _write(frame, folder / f"{name}.{fmt}", fmt)


def _write(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        frame.write_csv(path, datetime_format=ISO, date_format="%Y-%m-%d")
    else:
        frame.write_parquet(path)


# --------------------------------------------------------------------------------------------
# Contracts: the repository's four, re-sited and copied under new vendors
# --------------------------------------------------------------------------------------------

def contract_text(template: str, vendor_id: str, vendor_name: str, contract_id: str,
                  sites: tuple[tuple[str, str], ...]) -> str:
    text = (REPO / "contracts" / template).read_text(encoding="utf-8")
    text = re.sub(r"^contract_id: .*$", f"contract_id: {contract_id}", text, count=1, flags=re.M)
    text = re.sub(r"^(vendor:\n  id: ).*\n  name: .*$", rf"\g<1>{vendor_id}\n  name: {vendor_name}", text,
                  count=1, flags=re.M)
    block = "sites:\n" + "".join(f"  - id: {s}\n    name: {vendor_name} {s}\n    timezone: {tz}\n" for s, tz in sites)
    text, count = re.subn(r"^sites:\n(?:  .*\n|\s*\n(?=  ))*", block, text, count=1, flags=re.M)
    if count != 1:
        raise SystemExit(f"contracts/{template}: no sites block to replace")
    return text.replace("# yaml-language-server: $schema=./contract.schema.json\n", "")


def write_contracts(out: Path) -> Path:
    folder = out / "contracts"
    folder.mkdir(parents=True, exist_ok=True)
    for template, vendor_id, name, contract_id, sites in CONTRACTS:
        (folder / f"{vendor_id.lower()}.yaml").write_text(
            contract_text(template, vendor_id, name, contract_id, sites), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", "-n", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"], choices=["csv", "parquet"])
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit(f"{out}: inside the repository; write the benchmark data elsewhere")
    write_contracts(out)
    t0 = time.perf_counter()
    tables = build(args.interactions)
    t1 = time.perf_counter()
    rows = ", ".join(f"{k} {v.height:,}" for k, v in tables.items())
    print(f"built {rows} in {t1 - t0:.1f} s", file=sys.stderr)
    label = scale_label(args.interactions)
    for fmt in args.formats:
        t = time.perf_counter()
        write_tables(tables, out / label / fmt / PERIOD, fmt)
        print(f"wrote {out / label / fmt / PERIOD} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
