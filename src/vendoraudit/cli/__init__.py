"""The `vendoraudit` command line: parses, calls the library, renders, picks the exit code.

Each command group lives in its own module with a `register(app)` function. The conventions
every command follows (`-h`, placeholders, examples, exit-code epilog, the one `--period`)
live in `conventions.py` and are applied to the whole tree, new commands included.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .. import __version__
from ..errors import VendorAuditError
from .common import exit_code_for, print_error
from .conventions import CONTEXT_SETTINGS, RootGroup, exit_codes_epilog
from .exit_codes import ExitCode

app = typer.Typer(
    name="vendoraudit",
    cls=RootGroup,
    epilog="Run 'vendoraudit COMMAND -h' for a command's options and an example.",
    no_args_is_help=True,
    context_settings=CONTEXT_SETTINGS,
    pretty_exceptions_show_locals=False,
    add_completion=True,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"vendoraudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(
        "--version", "-V", is_eager=True, callback=_print_version,
        help="Print the version and exit.")] = None,
) -> None:
    """Audit contact-center vendors: validate monthly exports, compute KPIs, score them against
    contracts, price credits and bonuses, and write scorecards.

    Example: vendoraudit audit --period previous --out audits
    """


# One module per line: engineers adding commands touch different lines.
from . import (  # noqa: E402
    audit_cmd,
    backtest_cmd,
    completion_cmd,
    contract_cmd,
    dispute_cmd,
    forecast_cmd,
    kpis_cmd,
    mapping_cmd,
    validate_cmd,
    verify_cmd,
)

for _module in (
    validate_cmd,
    kpis_cmd,
    contract_cmd,
    mapping_cmd,
    audit_cmd,
    dispute_cmd,
    backtest_cmd,
    forecast_cmd,
    verify_cmd,
    completion_cmd,
):
    _module.register(app)


@app.command(epilog=exit_codes_epilog([ExitCode.OK]))
def version() -> None:
    """Print the vendoraudit version.

    Example: vendoraudit version
    """
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point; commands use `common.guard`, this catches what slips past."""
    try:
        app(prog_name="vendoraudit")
    except VendorAuditError as exc:
        print_error(exc)
        sys.exit(int(exit_code_for(exc)))
