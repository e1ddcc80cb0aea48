"""What a mapping costs: reading a 1M-row interactions CSV through a mapping against reading the
same rows written with the canonical names.

Both files hold the same contacts (benchmarks/generate_large.py's interactions, one site's worth
of columns for all rows). The mapped file uses a contact-center export's own names and codes
(channel VOICE/CHAT/EMAIL/..., direction INBOUND/OUTBOUND, abandoned Y/N, a key made of a line
and a call id) and the mapping renames, maps the codes and builds the key; the canonical file is
read through the implicit identity mapping. Each read is `exports.read_file` (parse, hash, map)
in a fresh process under /usr/bin/time, alternating, `--repeat` times; the medians of each (wall
and CPU seconds of the read; CPU time is the steadier figure on a busy machine) and their ratios
are printed.

    .venv/bin/python benchmarks/mapping_bench.py -n 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MAPPING = """\
name: bench-source
table: interactions
files: ["source_calls.csv"]
columns:
  interaction_id: {template: "{Line}-{Call Id}"}
  site_id: Site
  channel: {column: Media, codes: {VOICE: phone, CHAT: chat, EMAIL: email, SMS: sms, WHATSAPP: whatsapp, PORTAL: portal}}
  direction: {column: Initiation, codes: {INBOUND: inbound, OUTBOUND: outbound}}
  queue: Queue Name
  member_ref: Member Key
  agent_id: Agent Login
  arrived_at: Enqueued
  answered_at: Connected To Agent
  ended_at: Disconnected
  handle_seconds: Handle Time
  abandoned: {column: Abandoned, codes: {"Y": true, "N": false}}
  resolved_first_contact: {column: Resolved, codes: {"Y": true, "N": false}}
  callback_requested_at: Callback Requested
  callback_completed_at: Callback Completed
  follow_up_due_at: Follow Up Due
  follow_up_completed_at: Follow Up Done
"""
RENAMES = {"site_id": "Site", "queue": "Queue Name", "member_ref": "Member Key", "agent_id": "Agent Login",
           "arrived_at": "Enqueued", "answered_at": "Connected To Agent", "ended_at": "Disconnected",
           "handle_seconds": "Handle Time", "callback_requested_at": "Callback Requested",
           "callback_completed_at": "Callback Completed", "follow_up_due_at": "Follow Up Due",
           "follow_up_completed_at": "Follow Up Done"}
ISO = "%Y-%m-%dT%H:%M:%S%:z"


def make(folder: Path, n: int) -> None:
    """The two files of the same `n` contacts, and the mapping."""
    from generate_large import interactions

    folder.mkdir(parents=True, exist_ok=True)
    frame = interactions(n, 50)
    frame.write_csv(folder / "interactions_canonical.csv", datetime_format=ISO)
    yn = {True: "Y", False: "N"}
    source = frame.select(
        # The export numbers calls per line: the key is the line and the call id together.
        pl.format("L{}", pl.int_range(pl.len()) % 16).alias("Line"),
        (pl.int_range(pl.len()) // 16).cast(pl.String).alias("Call Id"),
        pl.col("channel").str.to_uppercase().str.replace("PHONE", "VOICE").alias("Media"),
        pl.col("direction").str.to_uppercase().alias("Initiation"),
        pl.col("abandoned").replace_strict(yn, return_dtype=pl.String).alias("Abandoned"),
        pl.col("resolved_first_contact").replace_strict(yn, default=None, return_dtype=pl.String).alias("Resolved"),
        *(pl.col(c).alias(new) for c, new in RENAMES.items()))
    source.write_csv(folder / "source_calls.csv", datetime_format=ISO)
    (folder / "bench-source.yaml").write_text(MAPPING)


def read_once(folder: Path, which: str) -> dict[str, float]:
    """Read one file as `read_file` does in an audit; the seconds it took and the rows."""
    from vendoraudit.exports import ExportFile, FileFormat, read_file
    from vendoraudit.mapping import identity_mapping, load_mapping

    if which == "canonical":
        source = ExportFile(folder / "interactions_canonical.csv", "interactions_canonical.csv", "interactions",
                            FileFormat.CSV, identity_mapping("interactions"), False)
    else:
        mapping = load_mapping(folder / "bench-source.yaml")
        source = ExportFile(folder / "source_calls.csv", "source_calls.csv", "interactions", FileFormat.CSV,
                            mapping, True)
    start, cpu = time.perf_counter(), time.process_time()
    read = read_file(source, {})
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert read.failures.height == 0, read.failures.head()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": read.rows_read}


def _spawn(folder: Path, which: str) -> dict[str, float]:
    cmd = ["/usr/bin/time", "-f", "%e %M", sys.executable, __file__, "--one", which, "--data", str(folder)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    wall, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return {**figures, "process_s": float(wall), "peak_mb": int(peak_kb) / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/vendoraudit-bench/mapping"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--one", choices=["canonical", "mapped"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(read_once(args.data, args.one)))
        return 0
    if not (args.data / "source_calls.csv").is_file():
        make(args.data, args.n)
    tries: dict[str, list[dict[str, float]]] = {"canonical": [], "mapped": []}
    for _ in range(args.repeat):
        for which in tries:
            tries[which].append(_spawn(args.data, which))
    med = {w: statistics.median(t["seconds"] for t in ts) for w, ts in tries.items()}
    cpu = {w: statistics.median(t["cpu_seconds"] for t in ts) for w, ts in tries.items()}
    peak = {w: statistics.median(t["peak_mb"] for t in ts) for w, ts in tries.items()}
    rows = tries["mapped"][0]["rows"]
    print(f"{rows:,} rows, {args.repeat} tries each, alternating; read_file seconds (median):")
    for which in tries:
        each = ", ".join(f"{t['seconds']:.2f}" for t in tries[which])
        print(f"  {which:<9} {med[which]:.2f} s  (tries {each}; CPU {cpu[which]:.2f} s; peak {peak[which]:,.0f} MB)")
    print(f"  mapped / canonical: {med['mapped'] / med['canonical']:.2f}x wall, {cpu['mapped'] / cpu['canonical']:.2f}x CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
