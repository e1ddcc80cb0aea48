"""Shared CLI plumbing: turning library errors into one clear line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

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


def printable(text: str) -> str:
    """Text with control characters replaced, so a message is always one clean line."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def print_error(exc: VendorAuditError | str, details: Sequence[str] | None = None,
                stream: TextIO | None = None) -> None:
    """One line for the error, then one indented line per detail (an error's located problems)."""
    out = stream or sys.stderr
    lines = getattr(exc, "problems", ()) if details is None else details
    print(f"vendoraudit: error: {printable(str(exc))}", file=out, flush=True)
    for line in lines:
        print(f"  {printable(line)}", file=out, flush=True)


@contextmanager
def guard() -> Iterator[None]:
    """Run a command body; a VendorAuditError becomes a message and its exit code, no traceback."""
    try:
        yield
    except VendorAuditError as exc:
        print_error(exc)
        raise typer.Exit(int(exit_code_for(exc))) from None
