"""Publishing outputs safely: a lock per output folder, staging, and an atomic swap into place.

A run writes every file of a period into a hidden staging folder beside the final one, then swaps
the folders with two renames. A run killed at any point leaves the published folder as it was:
a staging folder is ignored and removed by the next run, and a swap cut between its two renames
is rolled back by `recover` before anything else happens.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import OutputError

LOCK_NAME = ".vendoraudit.lock"
_STAGING = ".staging-"
_RETIRED = ".retired-"
_PUBLISHING = ".publishing-"  # a marker: a swap whose history record may not be committed yet


def _os_error(action: str, path: Path, exc: OSError) -> OutputError:
    reason = {
        errno.EACCES: "permission denied (read-only?)",
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on device",
        errno.EDQUOT: "disk quota exceeded",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return OutputError(f"cannot {action} {path}: {reason}")


@contextmanager
def output_lock(out_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the output folder's lock for the duration; another holder makes us wait or fail.

    The lock is an flock on `.vendoraudit.lock`, which the holder removes before releasing, so no
    file is left behind. A run killed while holding it releases the flock with its process; its
    file stays and the next run takes it over (and removes it). A waiter that wins the flock on a
    file its holder has just removed tries again on the current one, so two runs never both hold.
    """
    path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error("write to", out_dir, exc) from exc
    deadline = time.monotonic() + wait_seconds
    handle = _acquire(path, out_dir, deadline)
    try:
        _note_holder(handle)
        recover(out_dir)
        yield
    finally:
        # Remove while still holding: a waiter that then wins the flock sees the file is gone.
        try:
            os.unlink(path)
        except OSError:
            pass
        handle.close()


def _acquire(path: Path, out_dir: Path, deadline: float) -> TextIO:
    """An open, flocked handle on the lock file that is still `path` (see `output_lock`)."""
    while True:
        try:
            handle = open(path, "a+")
        except OSError as exc:
            raise _os_error("write to", out_dir, exc) from exc
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            if time.monotonic() >= deadline:
                raise OutputError(
                    f"another vendoraudit run holds {path}{holder}; "
                    "wait for it to finish (or pass --wait SECONDS)") from None
            time.sleep(0.2)
            continue
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()  # its holder removed it as we won it: take the current file


def _note_holder(handle: TextIO) -> None:
    """Write who holds the lock into it (a stale file from a killed run is overwritten)."""
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        handle.flush()
    except OSError:
        pass  # the note is for people; the flock is the lock


def _holder(handle: TextIO) -> str:
    try:
        handle.seek(0)
        text = handle.read(100).strip()
    except OSError:
        return ""
    return f" ({text})" if text.startswith("pid ") and text.isprintable() else ""


def recover(out_dir: Path) -> None:
    """Undo what a killed run left: restore a retired folder whose swap was cut, drop staging."""
    for retired in out_dir.glob(_RETIRED + "*"):
        name = retired.name[len(_RETIRED):].rsplit(".", 1)[0]
        if marker_path(out_dir, name).exists():
            continue  # which folder stays depends on the history: `deliver.settle_publications`
        target = out_dir / name
        if target.exists():
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(retired, target)
    for staging in out_dir.glob(_STAGING + "*"):
        shutil.rmtree(staging, ignore_errors=True)
    for part in out_dir.glob(_PUBLISHING + "*.part"):  # a marker cut while written: no swap began
        part.unlink(missing_ok=True)


def staging_dir(out_dir: Path, name: str) -> Path:
    """A fresh hidden folder in which a run writes the files that will become `out_dir/name`."""
    path = out_dir / f"{_STAGING}{name}.{os.getpid()}"
    try:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
    except OSError as exc:
        raise _os_error("write to", out_dir, exc) from exc
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file and flush it to disk, turning OS errors into one-line OutputErrors."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise _os_error("write", path, exc) from exc


def publish(staging: Path, out_dir: Path, name: str) -> Path:
    """Swap the staging folder into place as `out_dir/name` and return that path."""
    drop_retired(swap_in(staging, out_dir, name))
    return out_dir / name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(staging: Path, out_dir: Path, name: str) -> Path | None:
    """Swap the staging folder into place as `out_dir/name`, keeping the folder it replaces as a
    retired folder (returned; None when there was none) until `drop_retired` or `swap_out`."""
    target = out_dir / name
    retired = out_dir / f"{_RETIRED}{name}.{os.getpid()}"
    try:
        _fsync_dir(staging)
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        _fsync_dir(out_dir)
    except OSError as exc:
        if retired.exists() and not target.exists():
            os.replace(retired, target)
        raise _os_error("publish into", out_dir, exc) from exc
    return retired if retired.exists() else None


def swap_out(out_dir: Path, name: str, retired: Path | None) -> None:
    """Undo `swap_in`: the new folder goes, the retired one (if any) is put back."""
    target = out_dir / name
    shutil.rmtree(target, ignore_errors=True)
    if retired is not None and retired.exists() and not target.exists():
        os.replace(retired, target)
    _fsync_dir(out_dir)


def drop_retired(retired: Path | None) -> None:
    """Remove the folder `swap_in` replaced, once the swap is final."""
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def retired_folders(out_dir: Path, name: str) -> list[Path]:
    """Retired folders of `out_dir/name` left by swaps (a killed run's)."""
    return sorted(out_dir.glob(f"{_RETIRED}{name}.*"))


def marker_path(out_dir: Path, name: str) -> Path:
    """Where the marker of a publication of `out_dir/name` in progress is written."""
    return out_dir / f"{_PUBLISHING}{name}.json"


def markers(out_dir: Path) -> list[Path]:
    """Markers of publications a killed run left in progress."""
    return sorted(out_dir.glob(_PUBLISHING + "*.json"))


def write_marker(path: Path, data: bytes) -> None:
    """Write a marker whole or not at all (written beside, then renamed)."""
    part = path.with_name(path.name + ".part")
    write_bytes(part, data)
    try:
        os.replace(part, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise _os_error("write", path, exc) from exc
