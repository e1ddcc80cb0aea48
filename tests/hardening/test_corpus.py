"""Every bad input of the corpus meets its documented outcome: message, exit code, row accounting."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from .conftest import assert_one_line_error, invoke
from .corpus import CANARY_FILE, CASES, Case

MAX_VALUE_CHARS = 1000  # no issue may carry a value longer than this (a 10 MB field stays in its file)


def test_the_corpus_is_large_and_covers_every_category() -> None:
    counts = Counter(c.category for c in CASES)
    assert len(CASES) >= 40, counts
    assert set(counts) == {"encoding", "structure", "types", "timestamps", "xlsx", "archive", "yaml", "ids",
                           "hostile"}
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case: Case, tmp_path: Path) -> None:
    args = case.build(tmp_path / "exports")
    ran = invoke(args, timeout=30)
    expect = case.expect
    assert "Traceback" not in ran.output
    assert not (tmp_path / CANARY_FILE).exists(), "YAML ran code"
    if expect.exit in (3, 4):
        line = assert_one_line_error(ran, expect.exit, expect.message)
        assert len(line) < 600, "an error line must stay short"
        assert ran.stdout == ""
        return
    assert ran.exit_code == expect.exit, ran.output[-2000:]
    report = json.loads(ran.stdout)
    summary = report["summary"]
    assert summary["balanced"], report["files"]
    for f in report["files"]:
        assert f["rows_read"] == f["rows_used"] + f["rows_quarantined"], f
    if expect.used is not None:
        assert (summary["rows_used"], summary["rows_quarantined"]) == (expect.used, expect.quarantined), \
            [(i["rule"], i["row"], i["column"], i["message"]) for i in report["issues"]]
    rules = {i["rule"] for i in report["issues"] if i["severity"] == "error"}
    assert set(expect.rules) <= rules, rules
    if expect.exit == 0:
        assert not rules, report["issues"]
    if expect.message is not None:
        assert any(expect.message in i["message"] for i in report["issues"]), report["issues"]
    for issue in report["issues"]:
        assert issue["value"] is None or len(issue["value"]) <= MAX_VALUE_CHARS, (issue["rule"], issue["column"])
        assert len(issue["message"]) <= MAX_VALUE_CHARS, issue["rule"]


@pytest.mark.parametrize("declared", [None, 50_000], ids=["honest-sizes", "understated-sizes"])
def test_a_zip_bomb_fails_fast_in_bounded_memory(tmp_path: Path, declared: int | None) -> None:
    """A 2 GiB bomb (2 MB on disk) is refused in seconds; the process never grows past 600 MB.

    (Without the guard the workbook reader inflates the sheet whole: 2 GiB and more.)
    """
    import os
    import subprocess
    import threading
    import time

    from .conftest import VENDORAUDIT
    from .corpus import write, zip_bomb

    write(tmp_path / "exports", "interactions.xlsx", zip_bomb(2 << 30, declared=declared, exact_crc=False))
    started = time.monotonic()
    proc = subprocess.Popen([str(VENDORAUDIT), "validate", str(tmp_path / "exports")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(60, proc.kill)  # a hang fails the test instead of stalling the suite
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory, unlike RUSAGE_CHILDREN
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    elapsed = time.monotonic() - started
    assert proc.returncode == 4 and "Traceback" not in stderr, stderr
    assert len(stderr.splitlines()) == 1 and "interactions.xlsx" in stderr
    assert elapsed < 30, elapsed
    assert usage.ru_maxrss < 600 * 1024, f"peak memory {usage.ru_maxrss // 1024} MB"
