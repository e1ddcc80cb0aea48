"""The options every command that reads exports takes: --mapping, --tz, --contracts, --in-house.

Declared once here so `validate`, `kpis` and `audit` read a folder the same way
(`export_inputs.export_inputs`: the contracts' sites, zones and in-house flags laid over them,
explicit mappings plus those attached beside the contracts).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ..contract.loader import ContractSet
    from ..export_inputs import ExportInputs
    from ..periods import Period

MAPPING_HELP = ("a column mapping (YAML); repeat for several. Mappings attached to the contracted sites "
                "(CONTRACTS/mappings/) are used without it")
TZ_HELP = "a site's IANA time zone when no contract gives it (or over the contract's); repeatable"
CONTRACTS_HELP = "contracts folder: sites, vendors, time zones, the in-house baseline, attached mappings"
IN_HOUSE_HELP = "an in-house (baseline) site id; repeat for several"


def mapping_option() -> list[Path]:
    return typer.Option([], "--mapping", metavar="FILE", help=MAPPING_HELP)


def tz_option() -> list[str]:
    return typer.Option([], "--tz", metavar="SITE=ZONE", help=TZ_HELP)


def contracts_option() -> Path | None:
    return typer.Option(None, "--contracts", metavar="DIR", help=CONTRACTS_HELP)


def in_house_option() -> list[str]:
    return typer.Option([], "--in-house", metavar="SITE", help=IN_HOUSE_HELP)


def resolve(contracts: Path | None, period: Period | None, mapping: list[Path], tz: list[str],
            in_house: list[str]) -> tuple[ContractSet | None, ExportInputs]:
    """The loaded contracts (None without --contracts) and what reading the exports needs."""
    from ..export_inputs import export_inputs, parse_zones

    contract_set = None
    if contracts is not None:
        from ..contract.loader import load_contracts

        contract_set = load_contracts(contracts)
    return contract_set, export_inputs(contract_set, contracts, period, mapping, parse_zones(tz), in_house)
