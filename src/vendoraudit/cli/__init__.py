"""The `vendoraudit` command line: parses, calls the library, renders, picks the exit code.

Each command group lives in its own module with a `register(app)` function.
"""

from __future__ import annotations

import sys

import typer

from .. import __version__
from ..errors import VendorAuditError
from .common import exit_code_for, print_error

app = typer.Typer(
    name="vendoraudit",
    help="Audit contact-center vendors: validate monthly exports, compute KPIs, "
    "score them against contracts, price credits and bonuses, and write scorecards.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)

from . import (audit_cmd, backtest_cmd, contract_cmd, dispute_cmd, forecast_cmd, kpis_cmd,  # noqa: E402
               mapping_cmd, validate_cmd, verify_cmd)

for _module in (validate_cmd, kpis_cmd, contract_cmd, mapping_cmd, audit_cmd, dispute_cmd, backtest_cmd,
                forecast_cmd, verify_cmd):
    _module.register(app)


@app.command()
def version() -> None:
    """Print the vendoraudit version.

    Example: vendoraudit version
    """
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point; commands use `common.guard`, this catches what slips past."""
    try:
        app()
    except VendorAuditError as exc:
        print_error(exc)
        sys.exit(int(exit_code_for(exc)))
