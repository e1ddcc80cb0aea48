#!/usr/bin/env python3
"""CSV reading of the interactions: the project's reader against pyarrow's typed reader (issue 23).

On the interactions CSV files of one benchmark export set (generate_large.py --formats csv), each in
a fresh process under `/usr/bin/time` (wall time, peak RSS):
- `reader`: `exports.read_file` on every interactions file, as validation reads them: polars reads
  all-text columns, the identity mapping parses the seven timestamp columns (ISO 8601 with offsets),
  numbers and booleans, and records any value that does not parse with its row (plus the file hash);
- `text`: polars `read_csv` with every column as text, the reader's first step alone;
- `pyarrow`: `pyarrow.csv.read_csv` with each column's canonical type (timestamps as
  `timestamp("us", "UTC")`), then `pl.from_arrow`: typed columns but no located errors (a value that
  does not parse fails the whole file);
- `text+parse`: `text`, then the reader's own timestamp parsing (`_iso_offset`) of the seven columns;
- `reader+arrow`: `reader` with pyarrow's ISO 8601 cast in place of the reader's fast timestamp
  reading (`evaluation._iso_shaped`), which only sees columns whose every value has the strict
  `2026-10-08T10:35:53+00:00` shape (checked before, in one pass with the other columns): there the
  two give the same instants, and a column pyarrow cannot read whole goes the reader's way. This is
  the use of pyarrow that keeps the reader's answers and located errors (pyarrow on its own also
  takes `T10+02:00` and a basic `T103553`, and fails a file on one bad value).
pyarrow is not a dependency of the project: put it on PYTHONPATH for the pyarrow measurements.

Usage: python benchmarks/csv_read_bench.py [--data /tmp/vendoraudit-bench] [--scale 3M] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
MODES = ("reader", "text", "pyarrow", "text+parse", "reader+arrow")
STAMPS = ("arrived_at", "answered_at", "ended_at", "callback_requested_at", "callback_completed_at",
          "follow_up_due_at", "follow_up_completed_at")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("interactions*.csv"))


def measure(mode: str, folder: Path) -> dict[str, float]:
    """Read every interactions file of `folder` one way; rows and seconds."""
    import polars as pl

    files = _files(folder)
    t0 = time.perf_counter()
    rows = 0
    if mode == "reader+arrow":
        _arrow_timestamps()
    if mode in ("reader", "reader+arrow"):
        from vendoraudit.exports import discover, read_file

        for f in discover(folder).files:
            if f.table == "interactions":
                read = read_file(f)
                rows += read.frame.height
                if read.failures.height:
                    raise SystemExit(f"{f.path}: {read.failures.height} values did not parse")
    elif mode == "text":
        for path in files:
            rows += pl.read_csv(path, infer_schema=False).height
    elif mode == "text+parse":
        from vendoraudit.mapping.readers import _iso_offset

        for path in files:
            text = pl.read_csv(path, infer_schema=False)
            for column in STAMPS:
                _iso_offset(text[column])
            rows += text.height
    else:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        from vendoraudit.tables import TABLES

        types = {}
        for name, dtype in TABLES["interactions"].polars_schema.items():
            if isinstance(dtype, pl.Datetime):
                types[name] = pa.timestamp("us", tz="UTC")
            elif dtype == pl.Float64:
                types[name] = pa.float64()
            elif dtype in (pl.Int64, pl.Int32):
                types[name] = pa.int64()
            elif dtype == pl.Boolean:
                types[name] = pa.bool_()
            else:
                types[name] = pa.string()
        options = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
        for path in files:
            frame = pl.from_arrow(pacsv.read_csv(path, convert_options=options))
            rows += frame.height
    return {"rows": rows, "seconds": time.perf_counter() - t0}


def _arrow_timestamps() -> None:
    """Put pyarrow's ISO 8601 cast in the reader's fast timestamp reading (see the docstring)."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.compute as pc

    from vendoraudit.mapping import evaluation

    own = evaluation._iso_shaped
    utc = pa.timestamp("us", tz="UTC")

    def iso_shaped(text: pl.Series) -> pl.Series:
        # Every value already has the reader's `_ISO_OFFSET` shape (`_usual_shape` checked it).
        try:
            return pl.from_arrow(pc.cast(text.to_arrow(), utc))
        except pa.ArrowInvalid:  # a date that does not exist (2026-02-30): the reader's way
            return own(text)

    evaluation._iso_shaped = iso_shaped


def spawn(mode: str, folder: Path) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("r") as tf:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, PYTHON, __file__, "_" + mode,
                               str(folder)], capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"{mode} failed:\n{proc.stderr[-2000:]}")
        wall, user, system, peak_kb = tf.read().split()[-4:]
    found = json.loads(proc.stdout)
    return {**found, "wall_s": float(wall), "cpu_s": float(user) + float(system), "peak_mb": int(peak_kb) / 1024}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):
        print(json.dumps(measure(argv[0][1:], Path(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/vendoraudit-bench"))
    parser.add_argument("--scale", default="3M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    args = parser.parse_args(argv)
    folder = args.data / args.scale / "csv" / "2026-10"
    size = sum(p.stat().st_size for p in _files(folder))
    print(f"{len(_files(folder))} interactions files, {size / 1e9:.2f} GB", file=sys.stderr)
    tries: dict[str, list[dict[str, float]]] = {m: [] for m in args.modes}
    for _ in range(args.repeat):
        for mode in args.modes:  # in turn, so a slow minute of the machine hits every mode alike
            tries[mode].append(spawn(mode, folder))
    print("| mode | rows | read s (median) | tries s | process CPU s (median try) | peak MB (median try) |")
    print("|---|---|---|---|---|---|")
    for mode, found in tries.items():
        median = statistics.median(t["seconds"] for t in found)
        at = min(found, key=lambda t: abs(t["seconds"] - median))
        shown = " / ".join(f"{t['seconds']:.2f}" for t in found)
        print(f"| {mode} | {at['rows']:,} | {median:.2f} | {shown} | {at['cpu_s']:.1f} | {at['peak_mb']:,.0f} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
