"""Mappings attached to their sites: kept beside the contracts, found without `--mapping`.

A mapping in `CONTRACTS/mappings/` is used for the sites it names (`sites`, else its constant
`site_id`) when a contract covers one of them. The shipped mappings name example sites, so
they stay templates until a user sets their own site. A mapping given explicitly replaces an
attached one of the same name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .loading import load_mapping, load_mappings
from .model import Mapping

FOLDER = "mappings"


def mappings_folder(contracts: Path) -> Path:
    """The folder of attached mappings for a contracts folder (or a contract file's folder)."""
    base = contracts if contracts.is_dir() else contracts.parent
    return base / FOLDER


def mappings_for(explicit: Sequence[Path], contracts: Path | None, site_ids: Iterable[str]) -> tuple[Path, ...]:
    """The mappings to read exports of `site_ids` with, as every command reads them: `explicit`, then
    those attached beside `contracts` to any of the sites whose name no explicit mapping uses (and not
    the same file)."""
    names = {load_mapping(Path(p)).name for p in explicit}
    same = {Path(p).resolve() for p in explicit}
    extra = [p for p, m in _attached(contracts, site_ids) if p.resolve() not in same and m.name not in names]
    return (*(Path(p) for p in explicit), *extra)


def _attached(contracts: Path | None, site_ids: Iterable[str]) -> list[tuple[Path, Mapping]]:
    """The mapping files beside `contracts` attached to any of `site_ids`, in name order, loaded.

    Every file of the folder is checked (ConfigError listing every problem): a broken mapping
    there is a broken configuration even when it is attached to no site.
    """
    if contracts is None:
        return []
    folder = mappings_folder(contracts)
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
                   and not p.name.startswith("."))
    wanted = set(site_ids)
    return [(path, m) for path, m in zip(paths, load_mappings(paths)) if wanted & set(m.site_ids())]
