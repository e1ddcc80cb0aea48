"""Evidence at scale: how long building and writing the evidence books takes after an audit.

Usage: .venv/bin/python benchmarks/evidence_bench.py EXPORT_DIR CONTRACTS_DIR [--period 2026-10] [--rows 10000]
(e.g. the export sets of generate_large.py: /tmp/vendoraudit-bench/10M/parquet/2026-10 with its contracts).
Prints the audit's time, then for each stage (build = rows -> frames, write = workbooks + CSVs) the
wall time and the rows listed, sheets, CSVs written and bytes. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from vendoraudit.audit import AuditInputs, audit_period
from vendoraudit.contract.loader import load_contracts
from vendoraudit.evidence import build_evidence
from vendoraudit.periods import Period
from vendoraudit.render_evidence import write_evidence


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", type=Path)
    parser.add_argument("contracts", type=Path)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per evidence sheet")
    args = parser.parse_args()
    period = Period.parse(args.period)
    start = time.perf_counter()
    run = audit_period(AuditInputs(args.exports, load_contracts(args.contracts)), period)
    audited = time.perf_counter()
    books = build_evidence(run.result, run.data, args.rows)
    built = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        files = write_evidence(books, Path(folder))
        written = time.perf_counter()
        size = sum(f.stat().st_size for f in files)
    sheets = [s for b in books for s in b.sheets]
    listed = sum(s.rows.height for s in sheets)
    print(f"audit (read, validate, KPIs, money): {audited - start:.1f} s")
    print(f"evidence build: {built - audited:.1f} s; {len(books)} books, {len(sheets)} sheets, "
          f"{listed:,} rows listed, largest {max((s.rows.height for s in sheets), default=0):,}")
    print(f"evidence write: {written - built:.1f} s; {len(files)} files "
          f"({sum(f.suffix == '.csv' for f in files)} CSV), {size / 1e6:.1f} MB")
    print(f"all reproduced: {all(s.reproduced for s in sheets)}")


if __name__ == "__main__":
    main()
