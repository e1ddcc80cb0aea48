#!/usr/bin/env python3
"""Time and measure a 12-month backtest of the benchmark world (issue 23): 10M contacts a month.

Needs one month written by generate_large.py (Parquet, 2026-10). It makes a year of month folders
2026-01..2026-12 from it by re-stamping (every datetime and date moved by whole days so each month
starts where October did; in a shorter month the rows of the days past its end go back a week, whole
rows at a time, so nothing falls outside a month; training record ids get the month as a suffix so
months do not share them), writes a draft of ACME's contract with other terms, then runs, each in a fresh process
under `/usr/bin/time` (wall time and peak RSS of that process alone):
- `vendoraudit backtest` of one month (2026-10): one month's work and peak memory;
- `vendoraudit backtest` of the twelve months 2026-01..2026-12 (never audited: the actual side is
  computed with the contract in force, so each month prices both sides);
- with `--each-month`, every other month alone too: the year's peak against the largest month's.
It prints one table and writes the figures to OUT/results.json; `--clean` removes the month folders.

Usage: python benchmarks/backtest_bench.py [--data /tmp/vendoraudit-bench] [--scale 10M] [--each-month]
       [--out /tmp/vendoraudit-bench/backtest] [--clean]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SOURCE_MONTH = "2026-10"
# The column that places each table's rows in a month (spec/metrics.md, "Periods and populations").
PERIOD_COLUMNS = ("arrived_at", "submitted_at", "evaluated_at", "completed_at")
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def restamp(source: Path, target: Path, month: str) -> None:
    """Write `source`'s Parquet tables into `target` with every date moved to start at `month`."""
    import polars as pl

    if target.is_dir():
        return
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    year, mon = map(int, month.split("-"))
    first = date(year, mon, 1)
    shift = (first - date(2026, 10, 1)).days
    last = date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)
    # October's rows end at 15:00 UTC on its last day, inside every site's local month; a shorter
    # month's rows from that hour of its last day on go back a week, whole rows at a time (their
    # other timestamps with them), so that every month is whole and nothing falls outside it.
    cutoff = datetime(last.year, last.month, last.day, 15, tzinfo=timezone.utc)
    for path in sorted(source.glob("*.parquet")):
        if shift == 0:
            os.link(path, tmp / path.name)
            continue
        frame = pl.read_parquet(path)
        stamps = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
        moves = [pl.col(c) + pl.duration(days=shift) for c, t in frame.schema.items()
                 if isinstance(t, (pl.Datetime, pl.Date))]
        if path.stem.startswith("training") and "record_id" in frame.columns:
            moves.append(pl.col("record_id") + f"-{month}")
        frame = frame.with_columns(moves)
        anchor = next((c for c in PERIOD_COLUMNS if c in stamps), None)
        if anchor is not None:
            late = pl.col(anchor) >= cutoff
            frame = frame.with_columns(pl.when(late).then(pl.col(c) - pl.duration(days=7)).otherwise(pl.col(c))
                                       for c in stamps)
        frame.write_parquet(tmp / path.name)
    tmp.rename(target)


def draft(contracts: Path, out: Path) -> Path:
    """ACME's benchmark contract with other terms: 12% at risk, a 78% service level, 4-month earn-back."""
    text = (contracts / "acme.yaml").read_text()
    for old, new in (("at_risk_percent: 10", "at_risk_percent: 12"), ("target: 80\n    minimum: 75", "target: 82\n    minimum: 78"),
                     ("earn_back_months: 3", "earn_back_months: 4")):
        if old not in text:
            raise SystemExit(f"{contracts / 'acme.yaml'}: cannot find {old!r} to change")
        text = text.replace(old, new, 1)
    path = out / "draft-acme.yaml"
    path.write_text(text)
    return path


def spawn(args: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Run under /usr/bin/time: (wall seconds, CPU seconds (user + system), peak RSS in MB, stdout)."""
    with tempfile.NamedTemporaryFile("r") as tf:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, *args], cwd=cwd,
                              capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        wall, user, system, peak_kb = tf.read().split()[-4:]
    return float(wall), float(user) + float(system), int(peak_kb) / 1024, proc.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/vendoraudit-bench"))
    parser.add_argument("--scale", default="10M")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--clean", action="store_true", help="remove the month folders afterwards")
    parser.add_argument("--each-month", action="store_true",
                        help="also backtest every month alone: the year's peak against the largest month's")
    args = parser.parse_args(argv)
    out = args.out or args.data / "backtest"
    exports = out / "exports"
    source = args.data / args.scale / "parquet" / SOURCE_MONTH
    contracts = args.data / "contracts"
    if not source.is_dir():
        raise SystemExit(f"{source}: not found; run benchmarks/generate_large.py --formats parquet first")
    exports.mkdir(parents=True, exist_ok=True)
    for month in MONTHS:
        print(f"re-stamping {month}", file=sys.stderr, flush=True)
        restamp(source, exports / month, month)
    contract = draft(contracts, out)
    results = {}
    runs = [("1 month", SOURCE_MONTH), ("12 months", f"{MONTHS[0]}..{MONTHS[-1]}")]
    if args.each_month:
        runs += [(f"{m} alone", m) for m in MONTHS if m != SOURCE_MONTH]
    for label, periods in runs:
        print(f"backtest of {label}", file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
        wall, cpu, peak, stdout = spawn([PYTHON, "-m", "vendoraudit", "backtest", "--contract", str(contract),
                                    "--exports", str(exports), "--periods", periods, "--contracts", str(contracts),
                                    "--json"], cwd=out)
        doc = json.loads(stdout)
        results[label] = {"periods": periods, "wall_s": wall, "cpu_s": cpu, "peak_mb": round(peak),
                          "load_before": round(load, 1), "load_after": round(os.getloadavg()[0], 1),
                          "months": len(doc["periods"]),
                          "draft_net": doc["totals"]["draft"]["net_adjustment"],
                          "actual_net": doc["totals"]["actual"]["net_adjustment"]}
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    one, year = results["1 month"], results["12 months"]
    print("| run | months | wall s | CPU s (user+sys) | wall s per month | peak MB | load avg before/after "
          "| draft net | actual net |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['months']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['wall_s'] / r['months']:.1f} "
              f"| {r['peak_mb']:,} | {r['load_before']} / {r['load_after']} | {r['draft_net']} | {r['actual_net']} |")
    print(f"\n12-month peak / 1-month peak: {year['peak_mb'] / one['peak_mb']:.2f}x")
    alone = [r for label, r in results.items() if label != "12 months"]
    if len(alone) > 1:
        top = max(alone, key=lambda r: r["peak_mb"])
        print(f"12-month peak / the largest single month's ({top['periods']}, {top['peak_mb']:,} MB): "
              f"{year['peak_mb'] / top['peak_mb']:.2f}x")
    if args.clean:
        shutil.rmtree(exports, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
