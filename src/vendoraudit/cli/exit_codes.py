"""Documented exit codes of every command (2 is typer's own, for usage errors)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # done; data clean or warnings only
    DATA_ERRORS = 1  # blocking data errors in the exports
    USAGE = 2  # wrong command-line usage (typer/click)
    CONFIG = 3  # invalid contract, mapping or configuration
    RUNTIME = 4  # unreadable input, unwritable output, or another runtime failure
    BREACH = 5  # only with --fail-on-breach: a KPI was missed
