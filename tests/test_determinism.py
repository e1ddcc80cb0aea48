"""Determinism as a property: the same inputs give the same bytes in every output, whatever the run,
the thread count, the working folder or the machine's time zone (a vendor manager re-running a
month to answer a dispute must get the very same files)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from vendoraudit.kpis.period import period_data
from vendoraudit.kpis.registry import METRICS
from vendoraudit.kpis.scope import compute_metric
from vendoraudit.contract.loader import load_contracts
from vendoraudit.periods import Period
from vendoraudit.report_json import to_jsonable
from vendoraudit.validate import load_exports

ROOT = Path(__file__).resolve().parents[1]
OCT = Period(2026, 10)
HISTORY = "history.sqlite"  # the results history records when it was written: the one exception


def _run(args: list[str], cwd: Path, threads: int, tz: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VENDORAUDIT_", "POLARS_"))}
    env.update({"CI": "true", "POLARS_MAX_THREADS": str(threads), "TZ": tz,
                "PYTHONPATH": str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")})
    return subprocess.run([sys.executable, "-m", "vendoraudit", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != HISTORY}


def test_audit_outputs_are_the_same_bytes_across_threads_folders_and_time_zones(tmp_path: Path) -> None:
    # Run 1 from the repository with relative paths, one thread, UTC; run 2 from another folder with
    # absolute paths, two threads, a machine clock 13 hours ahead.
    first = _run(["audit", "--exports", "sample_exports", "--contracts", "contracts", "--period", "2026-10",
                  "--out", str(tmp_path / "a"), "--quiet"], ROOT, 1, "UTC")
    assert first.returncode == 0, first.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    second = _run(["audit", "--exports", str(ROOT / "sample_exports"), "--contracts", str(ROOT / "contracts"),
                   "--period", "2026-10", "--out", str(tmp_path / "b"), "--quiet"], elsewhere, 2, "Pacific/Auckland")
    assert second.returncode == 0, second.stderr
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) >= 9 and sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []
    assert (tmp_path / "a" / HISTORY).is_file() and (tmp_path / "b" / HISTORY).is_file()
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in a.items()}
    assert digests["2026-10/manifest.json"]  # the manifest itself is among the identical files


def test_kpis_json_is_the_same_bytes_across_threads(tmp_path: Path) -> None:
    args = ["kpis", "sample_exports/2026-10", "--period", "2026-10", "--contracts", "contracts", "--json"]
    one = _run(args, ROOT, 1, "UTC")
    two = _run(args, ROOT, 2, "America/Bogota")
    assert one.returncode == 0, one.stderr
    assert one.stdout == two.stdout and '"training.hours_per_agent"' in one.stdout


@pytest.fixture(scope="module")
def tables() -> tuple[dict[str, pl.DataFrame], object]:
    contracts = load_contracts(ROOT / "contracts")
    sites = contracts.site_directory(OCT)
    return load_exports(ROOT / "sample_exports" / "2026-10", (), OCT, sites).tables, sites


def _chunked(frame: pl.DataFrame) -> pl.DataFrame:
    """The same rows in three chunks, as a read with more threads may give them."""
    third = max(frame.height // 3, 1)
    return pl.concat([frame.slice(0, third), frame.slice(third, third), frame.slice(2 * third)], rechunk=False)


def _shuffled(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The rows in another order, in several chunks."""
    return _chunked(frame.sample(fraction=1.0, shuffle=True, seed=seed))


# Tables whose rows are summed in groups (an evaluation's items, an agent's hours, a criterion's
# points): any order of their rows gives the same digits. The others keep their (file) order and
# are only re-chunked: their means are sums over one contiguous array.
GROUPED = ("qa_items", "training", "roster")


def test_every_metric_is_the_same_whatever_the_order_or_chunks_of_the_rows(tables) -> None:
    # Float sums reach the outputs (means, sds, intervals, training hours, criterion points): how
    # the rows were read or grouped must not show in a single digit. Every metric, every site.
    frames, sites = tables
    original = period_data(frames, OCT, sites)
    moved = period_data({name: _shuffled(frame, 7) if name in GROUPED else _chunked(frame)
                         for name, frame in frames.items()}, OCT, sites)
    params = {"qa.criterion_score": {"criterion": "empathy"}}
    compared = 0
    for metric_id in METRICS:
        for site in original.site_ids:
            a = compute_metric(metric_id, original, [site], params.get(metric_id))
            b = compute_metric(metric_id, moved, [site], params.get(metric_id))
            assert to_jsonable(a) == to_jsonable(b), (metric_id, site)
            compared += a.value is not None
    assert compared > 60
