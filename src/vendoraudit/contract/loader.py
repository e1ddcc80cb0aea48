"""Loading contract files: located structural errors, semantic checks, and the set of contracts in force.

Every problem of every file is collected before one ConfigError is raised, sorted by file, line
and column; each reads `contracts/acme.yaml:14:7: kpis[2].target: message` (1-based line:col).
One run shows them all: structural (schema) problems, semantic ones and those across files. A
file with structural problems is still checked: `problems.validate_located` builds a stand-in
with placeholders for the bad values, and only the semantic problems that cannot depend on a
replaced value are reported from it (`_LOCAL_CHECKS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from ..periods import Period
from ..problems import Problem, Salvaged, schema_problems, sorted_problems, validate_located
from ..results import Site, SiteDirectory
from ..yamlsource import LocatedDocument, load_located
from ..paths import recorded_path
from .checks import check_contract, check_site_overlaps
from .model import Contract, VendorKind
from .numbers import number_problems
from .terms import is_in_force, terms_for

CONTRACT_SUFFIXES = (".yaml", ".yml")

# Friendlier words for the model's patterns than pydantic's raw regular expressions.
PATTERN_WORDS = {
    r"^\d{4}-(0[1-9]|1[0-2])$": "is not a month written YYYY-MM",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$": "is not a valid id (letters, digits, '_', '.', '-'; at most 64)",
    r"^[A-Z]{3}$": "is not a three-letter currency code like USD",
}
# Valid stand-ins for those patterns while the rest of a broken file is checked.
PATTERN_PLACEHOLDERS = {
    r"^\d{4}-(0[1-9]|1[0-2])$": "2000-01",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$": "zz-invalid-placeholder-{n}",
    r"^[A-Z]{3}$": "XXX",
}
# Semantic checks whose verdict depends only on values that are not replaced: (path of the
# problem, tainted paths that would make it doubtful). Any other semantic problem of a file with
# structural problems is left out until they are fixed (it might come from a placeholder).
_LOCAL_CHECKS = (
    (r"\.timezone$", r"$^"),
    (r"(^|\.)metric$", r"$^"),
    (r"^currency$", r"$^"),
    (r"\.id$", r"$^"),  # duplicate ids: placeholders are unique
    (r"^contract_id$", r"^contract_id$"),
    (r"\.filters\.(channels|queues)", r"\.metric$"),
    (r"\.params\.criterion$", r"criteria|\.metric$"),
    (r"\.params(\.|$)", r"\.metric$"),
    (r"\.floor$", r"brand_promise"),
    (r"at_risk_percent$|withhold\.percent$", r"$^"),
    (r"rounding\.minor_unit$", r"^currency$"),
    (r"^(fees|money)$", r"^vendor"),
    (r"effective_from$|effective_to$|\.end$", r"effective_from|effective_to|\.start$|\.end$|^amendments$"),
    (r"\.category$", r"categories|\.category$|^money$"),
    (r"remove_kpis", r"kpis|remove_kpis"),
)


@dataclass(frozen=True)
class LoadedContract:
    """A contract as read from its file: its recorded path and SHA-256 of the bytes read.

    `source` is what outputs record, never relative to the working folder (the same audit run from
    two folders gives the same bytes): `<folder name>/<file name>` (see `paths.recorded_path`)."""

    contract: Contract
    source: str
    sha256: str
    file: Path | None = None  # the file read (to attach it to reports); recorded nowhere

    @property
    def version(self) -> str:
        return self.contract.version

    @property
    def vendor_id(self) -> str:
        return self.contract.vendor.id


@dataclass(frozen=True)
class ContractSet:
    """Every loaded contract; answers which terms and sites are in force in a period."""

    entries: tuple[LoadedContract, ...]

    def __iter__(self) -> Iterator[LoadedContract]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def contracts(self) -> tuple[Contract, ...]:
        return tuple(e.contract for e in self.entries)

    def in_force(self, period: Period | str) -> tuple[Contract, ...]:
        """The contracts effective in `period`, each with the amendments due by then applied."""
        p = _as_period(period)
        return tuple(terms_for(e.contract, p) for e in self.entries if is_in_force(e.contract, p))

    def terms_for(self, vendor_id: str, period: Period | str) -> Contract:
        """The terms of `vendor_id` in force in `period`; ConfigError if there are none or several."""
        p = _as_period(period)
        found = [e for e in self.entries if e.vendor_id == vendor_id and is_in_force(e.contract, p)]
        if not found:
            raise ConfigError(f"no contract of vendor {vendor_id!r} is in force in {p}")
        if len(found) > 1:
            names = ", ".join(f"{e.contract.contract_id} ({e.source})" for e in found)
            raise ConfigError(f"vendor {vendor_id!r} has {len(found)} contracts in force in {p}: {names}")
        return terms_for(found[0].contract, p)

    def site_directory(self, period: Period | str) -> SiteDirectory:
        """Every site of the contracts in force in `period`, with its vendor and time zone."""
        sites = tuple(
            Site(site_id=s.id, vendor_id=c.vendor.id, timezone=s.timezone,
                 in_house=c.vendor.kind is VendorKind.IN_HOUSE, name=s.name or c.vendor.name)
            for c in self.in_force(period)
            for s in c.sites
        )
        return SiteDirectory(sites)


def load_contract(path: str | Path) -> Contract:
    """Read and check one contract file; ConfigError listing every problem."""
    return load_contracts([path]).contracts[0]


def load_contracts(directory_or_paths: str | Path | Iterable[str | Path]) -> ContractSet:
    """Read and check contracts: a folder (its *.yaml/*.yml files, not subfolders) or files.

    Problems across all files (including a site covered by two contracts at once) are
    collected into one ConfigError whose `problems` lists them, one located line each, sorted
    by file, line and column.
    """
    problems: list[Problem | str] = []
    files = _contract_files(directory_or_paths, problems)
    checked: list[tuple[Path, str, LocatedDocument, Salvaged]] = []
    for file, recorded in files:
        entry = _check_file(file, recorded, problems)
        if entry is not None:
            checked.append(entry)
    problems.extend(_across_files([(doc, salvaged) for _, _, doc, salvaged in checked]))
    if problems:
        lines = sorted_problems(problems)
        raise ConfigError(f"{len(lines)} problem{'s' if len(lines) != 1 else ''} in contracts", tuple(lines))
    return ContractSet(tuple(_loaded(file, recorded, doc, salvaged) for file, recorded, doc, salvaged in checked))


def _loaded(path: Path, recorded: str, doc: LocatedDocument, salvaged: Salvaged) -> LoadedContract:
    assert isinstance(salvaged.value, Contract)
    return LoadedContract(salvaged.value, recorded, doc.sha256, path.resolve())


def _across_files(checked: list[tuple[LocatedDocument, Salvaged]]) -> list[Problem]:
    """Cross-file problems among every file that could be read as a contract, placeholders aside."""
    usable = [(s.value, doc, s) for doc, s in checked if isinstance(s.value, Contract)]
    found: list[Problem] = []
    # contract_id: every readable file; sites over periods: only where the dates are the file's own.
    for problem in check_site_overlaps([(c, doc) for c, doc, _ in usable]):
        if problem.path == "contract_id":
            found.append(problem)
    dated = [(c, doc) for c, doc, s in usable
             if not any(t and t[0] in ("effective_from", "effective_to", "sites") for t in s.tainted)]
    found += [p for p in check_site_overlaps(dated) if p.path != "contract_id"]
    by_file = {doc.file: s for doc, s in checked}
    return [p for p in found if by_file[p.location.file].trusts(p.path, p.message)]


def display_path(path: Path) -> str:
    """`path` relative to the current directory when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _as_period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


def _contract_files(spec: str | Path | Iterable[str | Path], problems: list[str]) -> list[tuple[Path, str]]:
    """The contract files to read, each with the path outputs record for it (see `LoadedContract`)."""
    paths = [Path(spec)] if isinstance(spec, (str, Path)) else [Path(p) for p in spec]
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CONTRACT_SUFFIXES)
            if not found:
                problems.append(f"{display_path(path)}: no contract files (*.yaml, *.yml) in this folder")
            files.extend((p, recorded_path(p)) for p in found)
        elif path.is_file():
            files.append((path, recorded_path(path)))
        else:
            problems.append(f"{display_path(path)}: no such file or folder")
    if not paths:
        problems.append("no contract files given")
    return files


def _check_file(path: Path, recorded: str,
                problems: list[Problem | str]) -> tuple[Path, str, LocatedDocument, Salvaged] | None:
    """Every problem of one file into `problems`; the file and its (stand-in) contract, if one could be built."""
    name = display_path(path)  # messages point at the file from where the user stands
    try:
        doc = load_located(path, display_name=name)
    except ConfigError as exc:
        problems.append(str(exc))
        return None
    if doc.data is None:
        problems.append(f"{name}:1:1: the file is empty; expected a contract (a mapping of keys)")
        return None
    salvaged = validate_located(Contract, doc, pattern_words=PATTERN_WORDS,
                                pattern_placeholders=PATTERN_PLACEHOLDERS, dependencies=_LOCAL_CHECKS)
    problems.extend(salvaged.problems)
    # Numbers out of range are found on the data itself, so they are reported with the model's
    # problems; the rules relating sections compute with them, so those run only when there are none.
    said = {p.path for p in salvaged.problems}
    numbers = [p for p in number_problems(doc) if p.path not in said]
    problems.extend(numbers)
    if not isinstance(salvaged.value, Contract) or numbers:
        return None
    semantic = check_contract(salvaged.value, doc)
    problems.extend(p for p in semantic if salvaged.trusts(p.path, p.message))
    # Returned even with problems: the cross-file checks see it; load_contracts raises before use.
    return path, recorded, doc, salvaged


def validation_problems(exc: ValidationError, doc: LocatedDocument, root: type[BaseModel] = Contract) -> list[Problem]:
    """pydantic's errors as located problems, one per path (union alternatives joined)."""
    return schema_problems(exc, doc, root, PATTERN_WORDS)
