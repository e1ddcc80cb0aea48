"""Shared fixtures: the sample period's audit, built once per test session (about 5 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# Tests never assert wall-clock times: hypothesis' per-example deadline fails on a loaded machine.
settings.register_profile("vendoraudit", deadline=None)
settings.load_profile("vendoraudit")


@pytest.fixture(scope="session")
def sample_audit():
    """The AuditResult of sample_exports/2026-10 against contracts/ (no history). Frozen: share freely."""
    from vendoraudit.audit import AuditInputs, run_audit
    from vendoraudit.contract.loader import load_contracts
    from vendoraudit.periods import Period

    # Relative paths, as a user in the repository would give them, so provenance shows repo paths.
    here = Path.cwd()
    os.chdir(REPO)
    try:
        result, _validated = run_audit(AuditInputs(Path("sample_exports/2026-10"), load_contracts("contracts")),
                                       Period(2026, 10))
    finally:
        os.chdir(here)
    return result


@pytest.fixture
def hold_lock():
    """A context manager factory: another process holds the output folder's lock while inside."""
    import subprocess
    import sys
    from contextlib import contextmanager

    @contextmanager
    def holding(out: Path):
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import sys,time; from pathlib import Path; from vendoraudit.publish import output_lock\n"
             "with output_lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)", str(out)],
            stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "held"
            yield
        finally:
            holder.kill()
            holder.wait()

    return holding
