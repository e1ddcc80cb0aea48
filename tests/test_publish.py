"""Publishing: lock, staging, atomic swap and recovery after a killed run."""

import os
from pathlib import Path

import pytest

from vendoraudit.errors import OutputError
from vendoraudit.publish import output_lock, publish, recover, staging_dir, write_bytes


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
