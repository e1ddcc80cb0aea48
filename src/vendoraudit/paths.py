"""How outputs record the files and folders they came from: never relative to the working folder.

The same audit run from two folders, or with absolute instead of relative arguments, must give
the same bytes. A path is recorded as its last two components of the real (resolved) path: the
folder a file lies in and its name (`contracts/acme.yaml`), or a folder and its parent
(`sample_exports/2026-10`). Messages to the user may still show paths from where they stand.
"""

from __future__ import annotations

from pathlib import Path


def recorded_path(path: str | Path) -> str:
    """`path` as outputs record it: the last two components of its resolved path, POSIX separators."""
    parts = Path(path).resolve().parts
    tail = [p for p in parts[-2:] if p not in ("/", "")] or [Path(path).name]
    return "/".join(tail)
