"""Publishing: lock, staging, atomic swap and recovery after a killed run."""

import os
from pathlib import Path

import pytest

from vendoraudit.errors import OutputError
from vendoraudit.publish import LOCK_NAME, output_lock, publish, recover, staging_dir, write_bytes


def test_publish_replaces_the_folder_whole(tmp_path: Path):
    out = tmp_path / "out"
    with output_lock(out):
        s = staging_dir(out, "2026-10")
        write_bytes(s / "a.json", b"1")
        publish(s, out, "2026-10")
        s = staging_dir(out, "2026-10")
        write_bytes(s / "b.json", b"2")
        publish(s, out, "2026-10")
    assert sorted(p.name for p in (out / "2026-10").iterdir()) == ["b.json"]
    assert not [p for p in out.iterdir() if p.name.startswith(".staging") or p.name.startswith(".retired")]


def test_recover_restores_a_swap_cut_between_its_renames(tmp_path: Path):
    out = tmp_path / "out"
    (out / ".retired-2026-10.999").mkdir(parents=True)
    (out / ".retired-2026-10.999" / "a.json").write_text("old")
    (out / ".staging-2026-10.999").mkdir()
    recover(out)
    assert (out / "2026-10" / "a.json").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]


def test_second_holder_is_refused_with_a_clear_message(tmp_path: Path, hold_lock):
    out = tmp_path / "out"
    out.mkdir()
    with hold_lock(out):
        with pytest.raises(OutputError, match="another vendoraudit run holds"):
            with output_lock(out, wait_seconds=0.3):
                pass
    with output_lock(out):  # released when its holder dies
        pass


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_folder_is_one_line(tmp_path: Path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="cannot write"):
            with output_lock(out):
                pass
    finally:
        out.chmod(0o700)


# ------------------------------------------------------------------ the lock file (issue 24)

def test_no_lock_file_is_left_behind(tmp_path: Path):
    out = tmp_path / "out"
    with output_lock(out):
        assert (out / LOCK_NAME).read_text().startswith(f"pid {os.getpid()} since ")
    assert not (out / LOCK_NAME).exists()
    with pytest.raises(RuntimeError):  # also when the run fails inside
        with output_lock(out):
            raise RuntimeError("boom")
    assert not (out / LOCK_NAME).exists()


def test_a_stale_lock_file_from_a_killed_run_is_taken_over_and_removed(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("pid 99999999 since 2020-01-01T00:00:00Z\n")  # its process is gone
    with output_lock(out):
        assert str(os.getpid()) in (out / LOCK_NAME).read_text()
    assert not (out / LOCK_NAME).exists()


def test_a_holder_killed_with_sigkill_releases_the_lock(tmp_path: Path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from pathlib import Path; from vendoraudit.publish import output_lock\n"
         "with output_lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)", str(out)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(OutputError, match=r"another vendoraudit run holds .*\(pid \d+ since "):
        with output_lock(out):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (out / LOCK_NAME).exists()  # the killed run could not clean up
    with output_lock(out, wait_seconds=5):
        pass
    assert not (out / LOCK_NAME).exists()


def test_runs_queued_on_the_lock_never_overlap(tmp_path: Path):
    """Waiters racing for a lock whose file is removed on release: one holder at a time."""
    import subprocess
    import sys

    out, log = tmp_path / "out", tmp_path / "log"
    script = ("import os,sys,time; from pathlib import Path; from vendoraudit.publish import output_lock\n"
              "log = Path(sys.argv[2])\n"
              "for _ in range(8):\n"
              "    with output_lock(Path(sys.argv[1]), wait_seconds=60):\n"
              "        with open(log, 'a') as fh: fh.write(f'in {os.getpid()}\\n')\n"
              "        time.sleep(0.01)\n"
              "        with open(log, 'a') as fh: fh.write(f'out {os.getpid()}\\n')\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(out), str(log)]) for _ in range(6)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    lines = log.read_text().splitlines()
    assert len(lines) == 6 * 8 * 2
    for enter, leave in zip(lines[::2], lines[1::2]):
        assert enter.startswith("in ") and leave == "out " + enter[3:], lines
    assert not (out / LOCK_NAME).exists()
