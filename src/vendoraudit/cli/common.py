"""Shared CLI plumbing: turning library errors into one clear line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from ..errors import ConfigError, DataError, InputError, OutputError, VendorAuditError
from .exit_codes import ExitCode


def exit_code_for(exc: BaseException) -> ExitCode:
    """The documented exit code for a library error."""
    if isinstance(exc, ConfigError):
        return ExitCode.CONFIG
    if isinstance(exc, DataError):
        return ExitCode.DATA_ERRORS
    if isinstance(exc, (InputError, OutputError)):
        return ExitCode.RUNTIME
    return ExitCode.RUNTIME


def print_error(exc: VendorAuditError) -> None:
    """One line for the error, then one indented line per located problem, on stderr."""
    print(f"vendoraudit: error: {exc}", file=sys.stderr)
    for problem in getattr(exc, "problems", ()):
        print(f"  {problem}", file=sys.stderr)


@contextmanager
def guard() -> Iterator[None]:
    """Run a command body; a VendorAuditError becomes a message and its exit code, no traceback."""
    try:
        yield
    except VendorAuditError as exc:
        print_error(exc)
        raise typer.Exit(int(exit_code_for(exc))) from None
