"""`vendoraudit contract ...`: check contract files and print their JSON Schema."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import guard
from .conventions import exit_codes_epilog
from .exit_codes import ExitCode

contract_app = typer.Typer(
    name="contract",
    help="Check contract files (contracts/*.yaml) and print their JSON Schema.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@contract_app.command("check", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.USAGE, ExitCode.CONFIG,
                                                        ExitCode.RUNTIME]))
def check(
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="contract files, or folders holding *.yaml contracts"),
) -> None:
    """Check contracts: every problem is listed as file:line:col: path: message.

    Example: vendoraudit contract check contracts/
    """
    from ..contract.loader import load_contracts

    with guard():
        contracts = load_contracts(paths)
        for entry in contracts:
            count = len(entry.contract.kpis)
            typer.echo(f"ok: {entry.source} ({entry.vendor_id}, {count} KPI{'s' if count != 1 else ''})")


@contract_app.command("schema", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.USAGE]))
def schema() -> None:
    """Print the JSON Schema of contract files (the one shipped as contracts/contract.schema.json).

    Example: vendoraudit contract schema > contracts/contract.schema.json
    """
    from ..contract.schema import schema_text

    with guard():
        typer.echo(schema_text(), nl=False)


def register(app: typer.Typer) -> None:
    """Add the `contract` command group to `app`."""
    app.add_typer(contract_app, name="contract")
