"""Running the CLI as a user would, with a time limit, and the shared end-to-end world."""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vendoraudit.cli import app

from .worlds import REPO, World, canary_world

VENDORAUDIT = Path(sys.executable).with_name("vendoraudit")


@dataclass(frozen=True)
class Ran:
    """What a command did: exit code and both streams."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(args: list[str], timeout: float = 30.0) -> Ran:
    """Run the CLI in this process; a run that outlives `timeout` kills the test process (a hang).

    `faulthandler` watches from its own thread, so even a hang inside native code is caught.
    """
    faulthandler.dump_traceback_later(timeout, exit=True)
    try:
        result = CliRunner().invoke(app, args, catch_exceptions=True)
    finally:
        faulthandler.cancel_dump_traceback_later()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"the CLI raised {type(result.exception).__name__}: {result.exception}") \
            from result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_cli(args: list[str], timeout: float = 60.0, env: dict[str, str] | None = None,
            memory_limit: int | None = None, cwd: Path = REPO) -> Ran:
    """Run `vendoraudit ARGS` as a separate process (as cron would), killed after `timeout` seconds.

    `memory_limit` (bytes) caps the address space, so a run that would balloon fails instead.
    """
    def limit() -> None:
        if memory_limit:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    full_env = {**os.environ, "NO_COLOR": "1", "CI": "1", **(env or {})}
    done = subprocess.run([str(VENDORAUDIT), *args], capture_output=True, text=True, timeout=timeout,
                          env=full_env, cwd=cwd, preexec_fn=limit if memory_limit else None)
    return Ran(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(ran: Ran, code: int, phrase: str | None = None) -> str:
    """The run failed with `code` and said so in one line (detail lines indented), no traceback."""
    assert ran.exit_code == code, (ran.exit_code, ran.output[-2000:])
    assert "Traceback" not in ran.output
    lines = [line for line in ran.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() and not line.startswith("  ")]
    assert len(errors) == 1, ran.stderr[-2000:]
    if phrase is not None:
        assert phrase in ran.stderr, ran.stderr[-2000:]
    return errors[0]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The canary world (see `worlds.canary_world`); read-only for tests: copy before writing."""
    return canary_world(tmp_path_factory.mktemp("canary-world"))


@pytest.fixture(scope="session")
def audited(world: World) -> Ran:
    """One full `vendoraudit audit` of the canary world with JSON logs and --json (about 10 s)."""
    ran = run_cli(world.audit_args("--log-format", "json", "--json"), timeout=180)
    assert ran.exit_code == 0, ran.stderr[-3000:]
    return ran
