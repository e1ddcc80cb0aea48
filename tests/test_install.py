"""The set-up installs exactly the locked set, with the pip that `python -m venv` bundles.

Marked `network`: it fetches from the package index (or pip's cache). Offline, skip it with
`pytest -m "not network"`; `.ci/run` runs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_set(*locks: Path) -> dict[str, str]:
    """name -> version pinned by the lock files."""
    return {_canonical(n): v for lock in locks for n, v in PIN.findall(lock.read_text())}


def test_locked_set_reads_every_pin():
    pins = locked_set(REPO / "requirements.lock")
    assert pins["weasyprint"] == "70.0" and pins["fonttools"] == "4.68.0" and len(pins) >= 40


@pytest.mark.network
def test_fresh_venv_with_bundled_pip_installs_exactly_the_lock(tmp_path):
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    venv = tmp_path / "venv"
    # A brand-new environment with the pip its interpreter bundles, never upgraded.
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_REQUIRE", "VIRTUAL_ENV"))}
    env["PYTHON"] = str(base)
    done = subprocess.run(["bash", str(REPO / "scripts" / "install-venv.sh"), str(venv)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]

    py = str(venv / "bin" / "python")
    check = subprocess.run([py, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    listed = json.loads(subprocess.run([py, "-m", "pip", "list", "--format", "json",
                                        "--disable-pip-version-check"],
                                       capture_output=True, text=True, check=True).stdout)
    installed = {_canonical(d["name"]): d["version"] for d in listed}
    expected = locked_set(REPO / "requirements.lock", REPO / "requirements-build.lock")
    extra = set(installed) - set(expected) - {"pip", "vendoraudit"}
    assert not extra, f"installed outside the lock: {sorted(extra)}"
    wrong = {n: (installed.get(n), v) for n, v in expected.items() if installed.get(n) != v}
    assert not wrong, f"installed version differs from the lock (installed, locked): {wrong}"
    version = subprocess.run([str(venv / "bin" / "vendoraudit"), "--help"], capture_output=True, text=True)
    assert version.returncode == 0
