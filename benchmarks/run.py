#!/usr/bin/env python3
"""Time and measure the audit against a bare polars reference (issue 9).

For each scale (folders written by generate_large.py) and format (csv, parquet) it runs, each in a
fresh subprocess under `/usr/bin/time` (wall time and peak RSS of that process alone):
- `reference`: plain polars reading the same files with explicit dtypes and computing the same
  aggregates (service level, abandon, ASA, AHT, callbacks, FCR, async response, follow-ups kept,
  CSAT/NPS/CES, QA scores, QA criterion scores, training hours per agent) by site and channel, with
  no validation or reporting: the floor;
- `checked`: the reference plus plain polars counting what validation checks (`bare_checks`):
  the floor of any audit that validates its input;
- `stages`: the library stage by stage in one process: read+validate (`load_exports`), KPIs
  (`period_data` and every metric the audit computes), scoring+money (the rest of `run_audit`),
  JSON+quarantine, workbook, PDFs; each stage's time and the process's peak RSS after it;
- `cli` (optional, `--cli`): `vendoraudit audit ...` end to end, outputs and history included.
It also times `vendoraudit --help` and one scorecard PDF once warm, prints one table, and writes
every figure to OUT/results.json.

Usage: python benchmarks/run.py [--data /tmp/vendoraudit-bench] [--scales 1M 3M 10M]
       [--formats csv parquet] [--cli] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
CLI = str(Path(PYTHON).with_name("vendoraudit"))
PERIOD = "2026-10"


# --------------------------------------------------------------------------------------------
# Measurements, each run by `run.py _<name> ...` in its own process
# --------------------------------------------------------------------------------------------

def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _files(folder: Path, table: str) -> list[str]:
    from vendoraudit.tables import TABLES

    by_length = sorted(TABLES, key=len, reverse=True)
    return sorted(str(p) for p in folder.iterdir()
                  if next((t for t in by_length if p.stem.startswith(t)), None) == table)


def measure_reference(folder: Path, contracts: Path, checks: bool = False) -> dict[str, Any]:
    """The floor: read with explicit dtypes, filter to each site's local month, aggregate. No checks.

    With `checks`, plain polars also counts what validation looks for (see `bare_checks`) before
    aggregating: the floor of any audit that validates at all.
    """
    import polars as pl

    from vendoraudit.contract.loader import load_contracts
    from vendoraudit.periods import Period
    from vendoraudit.tables import ASYNC_CHANNELS, SYNC_CHANNELS, TABLES

    period = Period.parse(PERIOD)
    sites = load_contracts(contracts).site_directory(period)
    t0 = time.perf_counter()
    frames: dict[str, pl.DataFrame] = {}
    for table, spec in TABLES.items():
        paths = _files(folder, table)
        if paths[0].endswith(".csv"):
            frames[table] = pl.scan_csv(paths, schema=spec.polars_schema).collect()
        else:
            frames[table] = pl.scan_parquet(paths).collect()
    t_read = time.perf_counter() - t0
    bounds = pl.DataFrame([(s.site_id, *period.bounds_utc(s.timezone)) for s in sites.sites],
                          schema={"site_id": pl.String, "start": pl.Datetime("us", "UTC"),
                                  "end": pl.Datetime("us", "UTC")}, orient="row").lazy()

    t_checks = time.perf_counter()
    found = bare_checks(frames, bounds, period) if checks else 0
    t_checks = time.perf_counter() - t_checks

    def within(name: str, column: str) -> pl.LazyFrame:
        return (frames[name].lazy().join(bounds, on="site_id")
                .filter((pl.col(column) >= pl.col("start")) & (pl.col(column) < pl.col("end"))))

    c = pl.col

    def seconds(start: str, end: str) -> pl.Expr:  # as the library counts them (to the microsecond)
        return (c(end) - c(start)).dt.total_microseconds() / 1_000_000

    wait = seconds("arrived_at", "answered_at")
    sync = c("channel").is_in(list(SYNC_CHANNELS)) & (c("direction") == "inbound")
    async_ = c("channel").is_in(list(ASYNC_CHANNELS)) & (c("direction") == "inbound")
    offered = sync & ~(c("abandoned") & (seconds("arrived_at", "ended_at") < 5))
    ops = within("interactions", "arrived_at").group_by("site_id", "channel").agg(
        (offered & ~c("abandoned") & (wait <= 20)).sum().alias("sl_in"),
        offered.sum().alias("offered"),
        (offered & c("abandoned")).sum().alias("abandoned"),
        wait.filter(sync & ~c("abandoned")).mean().alias("asa"),
        c("handle_seconds").mean().alias("aht"),
        c("callback_requested_at").is_not_null().sum().alias("callbacks"),
        (seconds("callback_requested_at", "callback_completed_at") <= 600).sum().alias("callbacks_in_time"),
        c("resolved_first_contact").mean().alias("fcr"),
        async_.sum().alias("async"),
        (async_ & (wait <= 4 * 3600)).sum().alias("async_in_time"),
    ).collect()
    follow_ups = within("interactions", "follow_up_due_at").group_by("site_id", "channel").agg(
        pl.len().alias("due"), (c("follow_up_completed_at") <= c("follow_up_due_at")).sum().alias("kept")).collect()
    surveys = within("surveys", "submitted_at").group_by("site_id", "channel").agg(
        (c("csat") >= 4).sum() / c("csat").count(),
        ((c("nps") >= 9).sum() - (c("nps") <= 6).sum()) / c("nps").count(),
        c("ces").mean(),
    ).collect()
    evaluations = within("qa_evaluations", "evaluated_at").filter(~c("calibration")).select(
        "evaluation_id", "site_id", "channel").collect().lazy()  # read by two queries: placed once
    per_eval = frames["qa_items"].lazy().join(evaluations, on="evaluation_id").group_by(
        "evaluation_id", "site_id", "channel").agg(
        pl.when(c("critical_failed").any()).then(0.0)
        .otherwise(100 * c("points_earned").sum()
                   / c("points_possible").filter(c("points_earned").is_not_null()).sum()).alias("score"))
    qa = per_eval.group_by("site_id", "channel").agg(c("score").mean(), pl.len()).collect()
    criteria = frames["qa_items"].lazy().filter(c("points_earned").is_not_null()).join(
        evaluations, on="evaluation_id").group_by("site_id", "channel", "criterion_id").agg(
        c("points_earned").sum() / c("points_possible").sum(), pl.len()).collect()
    agents = frames["roster"].lazy().filter(
        (c("role") == "agent") & (c("hire_date") <= period.last_day)
        & (c("termination_date").is_null() | (c("termination_date") >= period.first_day)))
    hours = within("training", "completed_at").join(agents.select("agent_id", "site_id"), on=["agent_id", "site_id"]) \
        .group_by("site_id").agg(c("hours").sum())
    training = hours.join(agents.group_by("site_id").agg(pl.len().alias("agents")), on="site_id") \
        .select("site_id", c("hours") / c("agents")).collect()
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "read_seconds": t_read, "checks_seconds": t_checks, "problems_counted": found,
            "data_bytes": sum(f.estimated_size() for f in frames.values()),
            "rows": {k: v.height for k, v in frames.items()},
            "groups": sum(f.height for f in (ops, follow_ups, surveys, qa, criteria, training)),
            "peak_mb": _peak_mb()}


def bare_checks(frames: dict[str, Any], bounds: Any, period: Any) -> int:
    """How many values break a rule, counted in plain polars: one query per table for the value
    rules (required values, allowed values, ranges, blanks to strip, cross-column rules, repeated
    keys), anti-joins for references between tables, and the rows outside their site's month and
    site-days without contacts. Nothing located, reported or set aside: the least work that looks
    at every value the audit's validation looks at."""
    import polars as pl

    from vendoraudit.key_runs import key_hash
    from vendoraudit.mapping import padded_or_empty
    from vendoraudit.schemas import UNIQUE_KEYS, VALUE_RULES
    from vendoraudit.tables import TABLES
    from vendoraudit.validate import ROW_RULES

    c = pl.col

    def breaks(name: str, column: str) -> list[pl.Expr]:
        spec = TABLES[name].column(column)
        out = [] if spec.nullable else [c(column).is_null()]
        if spec.dtype == pl.String:
            out.append(padded_or_empty(c(column)))
        for rule in VALUE_RULES.get(name, {}).get(column, ()):
            if rule.values is not None:
                out.append(~c(column).is_in(list(rule.values)))
            if rule.low is not None:
                out.append(c(column) < rule.low if rule.low_inclusive else c(column) <= rule.low)
            if rule.high is not None:
                out.append(c(column) > rule.high if rule.high_inclusive else c(column) >= rule.high)
        return out

    queries = []
    for name, frame in frames.items():
        exprs = [e for column in frame.columns for e in breaks(name, column)]
        exprs += [broken for broken, _ in ROW_RULES.get(name, {}).values()]
        # distinct key hashes, the audit's own pre-check: 2x faster than counting distinct keys
        repeated = pl.len() - key_hash(UNIQUE_KEYS[name]).n_unique()
        queries.append(frame.lazy().select(pl.sum_horizontal(e.sum() for e in exprs) + repeated))

    def unmatched(child: str, parent: str, key: list[str]) -> pl.LazyFrame:
        return frames[child].lazy().select(key).join(frames[parent].lazy().select(key), on=key,
                                                     how="anti").select(pl.len())

    queries += [unmatched("qa_items", "qa_evaluations", ["evaluation_id"]),
                unmatched("qa_evaluations", "interactions", ["interaction_id"]),
                unmatched("training", "roster", ["agent_id", "site_id"])]
    for name, column in (("interactions", "arrived_at"), ("qa_evaluations", "evaluated_at"),
                         ("surveys", "submitted_at"), ("training", "completed_at")):
        placed = frames[name].lazy().select("site_id", column).join(bounds, on="site_id", how="left")
        queries.append(placed.select((c("start").is_null() | (c(column) < c("start"))
                                      | (c(column) >= c("end"))).sum()))
    days = period.last_day.day
    queries.append(frames["interactions"].lazy().select("site_id", "arrived_at").join(bounds, on="site_id")
                   .group_by("site_id").agg(((c("arrived_at") - c("start")).dt.total_days().n_unique()))
                   .select((days - c("arrived_at")).clip(0).sum()))
    return sum(int(f.item()) for f in pl.collect_all(queries))


def measure_stages(folder: Path, contracts: Path, out: Path, stop_after: str = "") -> dict[str, Any]:
    """The library, stage by stage, in this process; each stage's time and the peak RSS after it."""
    import polars as pl

    from vendoraudit import audit as audit_mod
    from vendoraudit.contract.loader import load_contracts
    from vendoraudit.periods import Period
    from vendoraudit.validate import load_exports

    period = Period(2026, 10)
    stages: list[dict[str, Any]] = []

    def done(name: str, seconds: float, note: str = "") -> None:
        stages.append({"stage": name, "seconds": seconds, "peak_mb": _peak_mb(), "note": note})

    contract_set = load_contracts(contracts)
    sites = contract_set.site_directory(period)
    t = time.perf_counter()
    validated = load_exports(folder, (), period, sites)
    done("read+validate", time.perf_counter() - t, f"{len(validated.issues)} issues")
    data_bytes = sum(f.estimated_size() for f in validated.tables.values())
    if stop_after == "validate":
        return {"stages": stages, "data_bytes": data_bytes}

    # KPI time = time inside the KPI stage's entry points as the audit calls them; the rest of
    # run_audit (scoring, money, data quality, assembling the result) is scoring+money.
    kpi_seconds = [0.0]

    def timed(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                kpi_seconds[0] += time.perf_counter() - t0
        return wrapper

    for name in ("period_data", "compute_metric", "breakdown", "brand_consistency"):
        setattr(audit_mod, name, timed(getattr(audit_mod, name)))
    t = time.perf_counter()
    result, _ = audit_mod.run_audit(audit_mod.AuditInputs(folder, contract_set), period, validated=validated)
    total = time.perf_counter() - t
    done("KPIs", kpi_seconds[0])
    done("scoring+money", total - kpi_seconds[0])

    from vendoraudit.report_json import dumps
    from vendoraudit.validate import write_quarantine

    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    (out / "result.json").write_text(dumps(result, "vendoraudit.audit"))
    (out / "validation.json").write_text(json.dumps(validated.to_dict()))
    write_quarantine(validated, out / "quarantine")
    done("JSON+quarantine", time.perf_counter() - t)
    t = time.perf_counter()
    try:
        from vendoraudit.render_excel import write_workbook

        write_workbook(result, out / "audit.xlsx")
        done("workbook", time.perf_counter() - t)
    except Exception as exc:  # noqa: BLE001 - renderers are still being built: report, don't stop
        done("workbook", float("nan"), f"failed: {type(exc).__name__}: {str(exc)[:80]}")
    t = time.perf_counter()
    try:
        from vendoraudit.deliver import _contract_bytes
        from vendoraudit.render_pdf import write_pdfs

        write_pdfs(result, out, paper="A4", contracts=_contract_bytes(result))
        done("PDFs", time.perf_counter() - t, f"{len(list(out.glob('*.pdf')))} PDFs")
    except Exception as exc:  # noqa: BLE001
        done("PDFs", float("nan"), f"failed: {type(exc).__name__}: {str(exc)[:80]}")
    del pl
    return {"stages": stages, "data_bytes": data_bytes}


def measure_pdf_warm(contracts: Path, exports: Path) -> dict[str, Any]:
    """One vendor's scorecard PDF from the sample world: the first render (cold) and the median,
    least and most of 7 more (warm); then the median and least of 7 warm renders with the two
    earlier sample months in a results history (the trend page drawn)."""
    from vendoraudit.audit import AuditInputs, run_audit
    from vendoraudit.contract.loader import load_contracts
    from vendoraudit.periods import Period

    result, _ = run_audit(AuditInputs(exports, load_contracts(contracts)), Period(2026, 10))
    from vendoraudit import render_pdf

    vendor = result.outsourced[0]
    contract = Path(vendor.contract.path).read_bytes()
    times, cpu = [], []
    for _ in range(8):  # this machine's speed drifts by a third over minutes: 7 warm renders
        t, c = time.perf_counter(), time.process_time()
        data = render_pdf.render_scorecard(result, vendor.vendor_id, contract=contract)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    # CPU seconds beside wall: on a shared, busy machine the wall time mostly measures the queue
    out = {"cold_seconds": times[0], "warm_seconds": statistics.median(times[1:]),
           "warm_min_seconds": min(times[1:]), "warm_max_seconds": max(times[1:]),
           "warm_cpu_seconds": statistics.median(cpu[1:]), "warm_cpu_min_seconds": min(cpu[1:]), "bytes": len(data)}
    # the same scorecard with the earlier sample months in a results history: its trend page drawn
    from vendoraudit.history import History

    with tempfile.TemporaryDirectory() as tmp, History(Path(tmp) / "history.sqlite") as history:
        for month in (8, 9):
            earlier, _ = run_audit(AuditInputs(exports.parent / f"2026-{month:02d}", load_contracts(contracts)),
                                   Period(2026, month), history=history)
            history.record(earlier.period, [v.scorecard for v in earlier.vendors],
                           [v.settlement for v in earlier.vendors if v.settlement is not None])
        result, _ = run_audit(AuditInputs(exports, load_contracts(contracts)), Period(2026, 10), history=history)
    times, cpu = [], []
    for _ in range(8):
        t, c = time.perf_counter(), time.process_time()
        render_pdf.render_scorecard(result, vendor.vendor_id, contract=contract)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    out.update(history_warm_seconds=statistics.median(times[1:]), history_warm_min_seconds=min(times[1:]),
               history_warm_cpu_seconds=statistics.median(cpu[1:]), history_warm_cpu_min_seconds=min(cpu[1:]))
    return out


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------

def _spawn(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a process under /usr/bin/time: (wall seconds, its peak RSS in MB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name, *args], cwd=cwd,
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        wall, rss = tf.read().strip().splitlines()[-1].split()
    if proc.returncode not in (0, 5):
        raise RuntimeError(f"{' '.join(args[:4])} ... exit {proc.returncode}: {proc.stderr.strip()[-600:]}")
    return float(wall), int(rss) / 1024, proc.stdout


def _self(mode: str, *args: str) -> dict[str, Any]:
    wall, rss, out = _spawn([PYTHON, __file__, mode, *args])
    found = json.loads(out.strip().splitlines()[-1])
    found.update(wall_seconds=wall, process_peak_mb=rss)
    return found


def help_time(repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([CLI, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_cli(folder: Path, contracts: Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix="vab-cli-"))
    try:
        wall, rss, _ = _spawn([CLI, "audit", "--exports", str(folder), "--contracts", str(contracts),
                               "--period", PERIOD, "--out", str(out), "--quiet"], cwd=out)
        return {"wall_seconds": wall, "process_peak_mb": rss}
    except RuntimeError as exc:
        return {"wall_seconds": float("nan"), "process_peak_mb": float("nan"), "note": str(exc)[:300]}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def orchestrate(args: argparse.Namespace) -> int:
    data: Path = args.data
    contracts = data / "contracts"
    results: dict[str, Any] = {"runs": [], "help_seconds": help_time()}
    print(f"vendoraudit --help: {results['help_seconds']:.3f} s (median of 7)", flush=True)
    for scale in args.scales:
        for fmt in args.formats:
            folder = data / scale / fmt / PERIOD
            if not folder.is_dir():
                print(f"skip {folder}: not generated", file=sys.stderr)
                continue
            # Repeats alternate the measurements, so a drift of the machine's speed reaches each.
            tries: dict[str, list[dict[str, Any]]] = {"reference": [], "checked": [], "audit": [], "cli": []}
            for _ in range(args.repeat):
                tries["reference"].append(_self("_reference", str(folder), str(contracts)))
                tries["checked"].append(_self("_checked", str(folder), str(contracts)))
                scratch = Path(tempfile.mkdtemp(prefix="vab-out-"))
                try:
                    tries["audit"].append(_self("_stages", str(folder), str(contracts), str(scratch)))
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                if args.cli:
                    tries["cli"].append(run_cli(folder, contracts))
            run: dict[str, Any] = {"scale": scale, "format": fmt, "repeats": args.repeat,
                                   "all": {k: v for k, v in tries.items() if v}}
            run |= {kind: _median_try(found, kind) for kind, found in tries.items() if found}
            results["runs"].append(run)
            _print_run(run)
    try:
        results["pdf_warm"] = _self("_pdf", str(REPO / "contracts"), str(REPO / "sample_exports" / PERIOD))
    except (RuntimeError, json.JSONDecodeError, IndexError) as exc:
        results["pdf_warm"] = {"note": str(exc)[-300:]}
    print(f"one scorecard PDF: {results['pdf_warm']}")
    print()
    print(table(results))
    (data / "results.json").write_text(json.dumps(results, indent=2))
    return 0


def _median_try(tries: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The try with the median time (the lower middle one of an even count): all its figures
    come from one process."""
    def seconds(found: dict[str, Any]) -> float:
        if kind == "audit":
            return sum(s["seconds"] for s in found["stages"] if s["stage"] in ("read+validate", "KPIs"))
        return found["wall_seconds" if kind == "cli" else "seconds"]

    return sorted(tries, key=seconds)[(len(tries) - 1) // 2]


def _print_run(run: dict[str, Any]) -> None:
    ref, aud = run["reference"], run["audit"]
    print(f"{run['scale']:>4} {run['format']:<7} reference {ref['seconds']:.2f} s ({ref['process_peak_mb']:.0f} MB); "
          f"with checks {run['checked']['seconds']:.2f} s ({run['checked']['checks_seconds']:.2f} s of checks); "
          + "; ".join(f"{s['stage']} {s['seconds']:.2f} s ({s['peak_mb']:.0f} MB){' ' + s['note'] if s['note'] else ''}"
                      for s in aud["stages"])
          + (f"; cli {run['cli']['wall_seconds']:.1f} s ({run['cli']['process_peak_mb']:.0f} MB)" if "cli" in run else ""),
          flush=True)


def table(results: dict[str, Any]) -> str:
    """The figures as a Markdown table (what benchmarks/README.md shows)."""
    head = ("| scale | format | data MB | ref s | ref peak MB | read+validate s | KPIs s | scoring+money s | "
            "JSON s | workbook s | PDFs s | (r+v+KPIs)/ref time | ref+checks s | (r+v+KPIs)/(ref+checks) | audit peak MB | peak/ref peak | peak/data | CLI s | CLI peak MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for run in results["runs"]:
        ref, aud = run["reference"], run["audit"]
        st = {s["stage"]: s for s in aud["stages"]}
        rvk = st["read+validate"]["seconds"] + st["KPIs"]["seconds"]
        peak = aud["process_peak_mb"]
        data_mb = ref["data_bytes"] / 2**20
        cli = run.get("cli", {})
        checked = run["checked"]["seconds"]

        def secs(name: str) -> str:
            s = st.get(name)
            return "-" if s is None else (f"{s['seconds']:.2f}" if s["seconds"] == s["seconds"] else "failed")

        lines.append(
            f"| {run['scale']} | {run['format']} | {data_mb:,.0f} | {ref['seconds']:.2f} | {ref['process_peak_mb']:,.0f} | "
            f"{secs('read+validate')} | {secs('KPIs')} | {secs('scoring+money')} | {secs('JSON+quarantine')} | "
            f"{secs('workbook')} | {secs('PDFs')} | {rvk / ref['seconds']:.2f}x | {checked:.2f} | "
            f"{rvk / checked:.2f}x | {peak:,.0f} | "
            f"{peak / ref['process_peak_mb']:.2f}x | {peak / data_mb:.2f}x | "
            f"{cli.get('wall_seconds', float('nan')):.1f} | {cli.get('process_peak_mb', float('nan')):,.0f} |")
    lines.append("")
    repeats = max((run.get("repeats", 1) for run in results["runs"]), default=1)
    if repeats > 1:
        lines.append(f"Each row: the median of {repeats} tries of each measurement, run alternately.")
    lines.append(f"`vendoraudit --help`: {results['help_seconds']:.3f} s (median of 7)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_reference", "_checked"):
        print(json.dumps(measure_reference(Path(argv[1]), Path(argv[2]), checks=argv[0] == "_checked")))
        return 0
    if argv and argv[0] == "_stages":
        print(json.dumps(measure_stages(Path(argv[1]), Path(argv[2]), Path(argv[3]), *(argv[4:5]))))
        return 0
    if argv and argv[0] == "_pdf":
        print(json.dumps(measure_pdf_warm(Path(argv[1]), Path(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/vendoraudit-bench"))
    parser.add_argument("--scales", nargs="+", default=["1M", "3M", "10M"])
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"])
    parser.add_argument("--cli", action="store_true", help="also time `vendoraudit audit` end to end")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each set N times, alternating; the tables show the median try")
    return orchestrate(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
