"""Outputs and history change together or not at all (docs/ARCHITECTURE.md, "Publishing").

When the history cannot record the period (another process holds its write lock), nothing is
published. A run killed at each point of publishing (marker written, between the swap's two
renames, swapped but not committed, committed but not cleaned up) leaves outputs and history
that the next run settles into agreement: the published manifest is the one the history holds,
old or new, never a mix.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vendoraudit.deliver import settle_publications
from vendoraudit.history import History
from vendoraudit.periods import Period

from .conftest import Ran, assert_one_line_error, run_cli
from .test_faults import snapshot
from .worlds import PERIOD, REPO, World

CRASH = r'''
import os, sys
from vendoraudit import deliver, publish

point = os.environ["CRASH_AT"]
real_swap_in, real_replace = deliver.swap_in, os.replace

def die():
    os._exit(137)  # as kill -9: no cleanup, no rollback but SQLite's own

if point == "before-swap":
    deliver.swap_in = lambda *a, **k: die()
elif point == "between-renames":
    def replace(src, dst, *a, **k):
        if ".staging-" in str(src):
            die()
        return real_replace(src, dst, *a, **k)
    publish.os.replace = replace
elif point == "swapped-not-committed":
    def swap_in(*a, **k):
        real_swap_in(*a, **k)
        die()
    deliver.swap_in = swap_in
elif point == "committed-not-cleaned":
    deliver.drop_retired = lambda *a, **k: die()

from vendoraudit.cli import main
sys.argv = ["vendoraudit", *sys.argv[1:]]
main()
'''


def _manifest_sha(out: Path) -> str | None:
    path = out / PERIOD / "manifest.json"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _recorded(out: Path) -> str | None:
    with History(out / "history.sqlite") as history:
        return history.published_manifest(Period.parse(PERIOD))


@pytest.fixture()
def changed(world: World, audited: Ran, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the audited output folder, and exports that give other outputs (fewer surveys)."""
    out = tmp_path / "out"
    shutil.copytree(world.out, out)
    exports = tmp_path / "exports"
    shutil.copytree(world.exports, exports)
    survey = exports / PERIOD / "surveys.csv"
    lines = survey.read_text(encoding="utf-8").splitlines(keepends=True)
    survey.write_text("".join(lines[:-20]), encoding="utf-8")
    assert _manifest_sha(out) is not None and _manifest_sha(out) == _recorded(out)
    return out, exports


def _args(world: World, exports: Path, out: Path) -> list[str]:
    return ["audit", "--exports", str(exports), "--contracts", str(world.contracts), "--period", PERIOD,
            "--out", str(out), "--mapping", str(world.mapping)]


def test_a_locked_history_publishes_nothing(world: World, changed: tuple[Path, Path]) -> None:
    out, exports = changed
    before, recorded = snapshot(out / PERIOD), _recorded(out)
    holder = sqlite3.connect(out / "history.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing the history
    try:
        ran = run_cli(_args(world, exports, out), timeout=180)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = assert_one_line_error(ran, 4, "history")
    assert "locked" in line
    assert snapshot(out / PERIOD) == before, "nothing may be published"
    assert _recorded(out) == recorded
    assert not [p.name for p in out.iterdir() if p.name.startswith((".staging-", ".retired-", ".publishing-"))]


@pytest.mark.parametrize("point", ["before-swap", "between-renames", "swapped-not-committed", "committed-not-cleaned"])
def test_a_run_killed_while_publishing_is_settled_consistently(world: World, changed: tuple[Path, Path],
                                                               point: str) -> None:
    out, exports = changed
    old = _manifest_sha(out)
    env = {**os.environ, "CRASH_AT": point, "NO_COLOR": "1", "CI": "1"}
    done = subprocess.run([sys.executable, "-c", CRASH, *_args(world, exports, out)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=REPO)
    assert done.returncode == 137, done.stderr[-2000:]
    with History(out / "history.sqlite") as history:  # what the next run does first
        settle_publications(out, history)
    published, recorded = _manifest_sha(out), _recorded(out)
    assert published is not None and published == recorded, (point, published, recorded)
    assert (published == old) == (point in ("before-swap", "between-renames", "swapped-not-committed")), point
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".retired-", ".publishing-"))]
    assert leftovers == [], leftovers
    # And the next run over it succeeds and agrees with its history too.
    again = run_cli(_args(world, exports, out), timeout=180)
    assert again.exit_code == 0, again.stderr[-2000:]
    assert _manifest_sha(out) == _recorded(out) != old


def test_a_blocked_run_settles_a_publication_a_killed_run_left_half_done(world: World,
                                                                       changed: tuple[Path, Path]) -> None:
    """Killed after the swap, before the commit; the next run is blocked: it still puts the recorded
    outputs back first, so the published folder agrees with the history."""
    out, exports = changed
    old = _manifest_sha(out)
    env = {**os.environ, "CRASH_AT": "swapped-not-committed", "NO_COLOR": "1", "CI": "1"}
    done = subprocess.run([sys.executable, "-c", CRASH, *_args(world, exports, out)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=REPO)
    assert done.returncode == 137, done.stderr[-2000:]
    (exports / PERIOD / "interactions_ACME-MNL.csv").unlink()  # the next run is blocked: a site sent nothing
    blocked = run_cli(_args(world, exports, out), timeout=180)
    assert blocked.exit_code == 1, blocked.stderr[-2000:]
    assert _manifest_sha(out) == _recorded(out) == old
    assert (out / f"{PERIOD}-blocked" / "blocked.json").is_file()
    assert [p.name for p in out.iterdir() if p.name.startswith((".retired-", ".publishing-"))] == []


def test_a_commit_that_fails_puts_the_old_outputs_back(world: World, changed: tuple[Path, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from vendoraudit.errors import OutputError

    out, exports = changed
    before, recorded = snapshot(out / PERIOD), _recorded(out)
    real_holding = History.holding

    def failing_holding(self: History, doing: str):  # type: ignore[no-untyped-def]
        from contextlib import contextmanager

        @contextmanager
        def wrapper():  # type: ignore[no-untyped-def]
            with real_holding(self, doing) as _commit:
                def commit() -> None:
                    raise OutputError(f"results history {self.path}: {doing}: disk I/O error")
                yield commit
        return wrapper()

    monkeypatch.setattr(History, "holding", failing_holding)
    from .conftest import invoke

    ran = invoke(_args(world, exports, out), timeout=180)
    assert_one_line_error(ran, 4, "disk I/O error")
    assert snapshot(out / PERIOD) == before and _recorded(out) == recorded
    assert not [p.name for p in out.iterdir() if p.name.startswith((".staging-", ".retired-", ".publishing-"))]
