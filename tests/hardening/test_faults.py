"""Faults while writing: read-only or full output folder, a run killed mid-write, a corrupt history.

Each must end in one clear line and exit 4, leave no partial outputs, and leave the history intact
(or say how to recover it). Mounting needs root; without it those cases are skipped, saying why.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import VENDORAUDIT, Ran, assert_one_line_error, run_cli
from .worlds import CANARY, PERIOD, REPO, World


@contextmanager
def mounted(path: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at `path` with `options` (e.g. 'ro' or 'size=200k'); skip if not permitted."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True,
                          text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount rights): {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_read_only_output_folder(world: World, tmp_path: Path) -> None:
    with mounted(tmp_path / "ro", "ro") as out:
        ran = run_cli(world.audit_args(out=out / "audits"), timeout=120)
        line = assert_one_line_error(ran, 4, "read-only")
        assert str(out) in line
        assert not list(out.iterdir())


def test_full_output_folder(world: World, tmp_path: Path) -> None:
    with mounted(tmp_path / "full", "size=200k") as out:
        ran = run_cli(world.audit_args(out=out), timeout=180)
        assert_one_line_error(ran, 4, "no space left on device")
        assert not (out / PERIOD).exists(), "nothing may be published"
        leftovers = [p.name for p in out.iterdir() if p.name.startswith(".staging-")]
        assert leftovers == [], f"a failed run must remove its staging folder: {leftovers}"
        history = out / "history.sqlite"
        if history.exists():  # opened before the failure: it must still be a readable, empty history
            from vendoraudit.history import History
            from vendoraudit.periods import Period

            with History(history) as h:
                assert not h.is_finalised(Period.parse(PERIOD))
        assert CANARY not in ran.output


def test_run_killed_mid_write_leaves_the_published_folder_and_the_next_run_succeeds(
        world: World, audited: Ran, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(world.out, out)
    before = snapshot(out / PERIOD)
    env = {**os.environ, "NO_COLOR": "1", "CI": "1"}
    proc = subprocess.Popen([str(VENDORAUDIT), *world.audit_args(out=out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        staged: list[Path] = []
        while time.monotonic() < deadline and proc.poll() is None:
            staged = [f for s in out.glob(".staging-*") for f in s.rglob("*") if f.is_file()]
            if staged:  # the run is writing its outputs: kill it now
                break
            time.sleep(0.02)
        assert staged and proc.poll() is None, "the run ended before it staged anything"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(out / PERIOD) == before, "the published folder changed"
    again = run_cli(world.audit_args(out=out), timeout=180)
    assert again.exit_code == 0, again.stderr[-2000:]
    assert "Traceback" not in again.output and CANARY not in again.output
    assert not list(out.glob(".staging-*")) and not list(out.glob(".retired-*"))
    assert snapshot(out / PERIOD) == before, "same inputs must give the same bytes"


def test_corrupt_history_store(world: World, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    garbage = b"this is not a database\x00" + bytes(range(256)) * 40
    (out / "history.sqlite").write_bytes(garbage)
    ran = run_cli(world.audit_args(out=out), timeout=120)
    line = assert_one_line_error(ran, 4, "history")
    assert "history.sqlite" in line
    assert not (out / PERIOD).exists() and not list(out.glob(".staging-*")), "no partial outputs"
    assert (out / "history.sqlite").read_bytes() == garbage, "the damaged store is left for inspection"
