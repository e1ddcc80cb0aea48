"""What reading a folder of exports needs besides the files: the sites (vendor, time zone,
in-house) and the mappings. One function for `validate`, `kpis` and `audit`, so every command
that reads exports takes the same options (`--contracts`, `--tz`, `--in-house`, `--mapping`)
and finds the mappings attached to the contracted sites (see `mapping.attached`).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError
from .mapping.attached import mappings_for
from .periods import Period, zone_info
from .results import Site, SiteDirectory

if TYPE_CHECKING:
    from .contract.loader import ContractSet


@dataclass(frozen=True)
class ExportInputs:
    """The sites to read exports for and the mapping files to read them with."""

    sites: SiteDirectory
    mappings: tuple[Path, ...]


def export_inputs(contracts: ContractSet | None, contracts_path: Path | None, period: Period | None,
                  mappings: Sequence[Path] = (), zones: MappingABC[str, str] | None = None,
                  in_house: Sequence[str] = ()) -> ExportInputs:
    """`site_directory`, and the explicit `mappings` plus those attached to its sites beside
    `contracts_path`."""
    sites = site_directory(contracts, period, zones, in_house)
    return ExportInputs(sites, mappings_for(mappings, contracts_path, [s.site_id for s in sites.sites]))


def site_directory(contracts: ContractSet | None, period: Period | None,
                   zones: MappingABC[str, str] | None = None, in_house: Sequence[str] = ()) -> SiteDirectory:
    """Sites from the contracts (in force in `period`; every site any contract names without one),
    with `zones` (site -> IANA zone) and `in_house` (baseline sites) laid over them."""
    directory = _contract_sites(contracts, period)
    known = {s.site_id: s for s in directory.sites}
    for site_id, zone in (zones or {}).items():
        zone_info(zone)
        old = known.get(site_id)
        known[site_id] = Site(site_id, old.vendor_id if old else site_id, zone, old.in_house if old else False,
                              old.name if old else "")
    for site_id in in_house:
        old = known.get(site_id)
        known[site_id] = Site(site_id, old.vendor_id if old else site_id, old.timezone if old else "UTC", True,
                              old.name if old else "")
    if not zones and not in_house:
        return directory  # as the contracts list them
    return SiteDirectory(tuple(known[k] for k in sorted(known)))


def parse_zones(items: Sequence[str]) -> dict[str, str]:
    """`SITE=ZONE` texts (the `--tz` option) as site -> zone; ConfigError for a malformed one."""
    out: dict[str, str] = {}
    for item in items:
        site_id, sep, zone = item.partition("=")
        if not sep or not site_id.strip() or not zone.strip():
            raise ConfigError(f"--tz expects SITE=ZONE, got {item!r}")
        out[site_id.strip()] = zone.strip()
    return out


def _contract_sites(contracts: ContractSet | None, period: Period | None) -> SiteDirectory:
    if contracts is None:
        return SiteDirectory()
    if period is not None:
        return contracts.site_directory(period)
    # Without a period, every site any contract names (their zones do not change between versions).
    found = {s.id: Site(s.id, c.vendor.id, s.timezone, str(c.vendor.kind) == "in_house", s.name)
             for c in contracts.contracts for s in c.sites}
    return SiteDirectory(tuple(found[k] for k in sorted(found)))
