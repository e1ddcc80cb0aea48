"""The exception family of vendoraudit: one class per kind of failure the CLI maps to an exit code."""

from __future__ import annotations


class VendorAuditError(Exception):
    """Base of every error the library raises on purpose; its message is safe to show a user.

    `problems` holds every detail line (e.g. `file:line:col: path: message`), not just the first.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class ConfigError(VendorAuditError):
    """A contract, mapping or configuration file is invalid (exit 3)."""


class InputError(VendorAuditError):
    """An export file cannot be read as what it claims to be (exit 4)."""


class DataError(VendorAuditError):
    """Export data has blocking problems (exit 1)."""


class OutputError(VendorAuditError):
    """Outputs cannot be written: read-only or full folder, lock held, period finalised (exit 4)."""
