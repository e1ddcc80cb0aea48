"""Loading contract files: located structural errors, semantic checks, and the set of contracts in force.

Every problem of every file is collected before one ConfigError is raised; each reads
`contracts/acme.yaml:14:7: kpis[2].target: message` (1-based line:col). Semantic checks run
on the files whose structure is valid, so a file with structural errors shows only those.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from ..periods import Period
from ..results import Site, SiteDirectory
from ..yamlsource import LocatedDocument, load_located
from ..paths import recorded_path
from .checks import PathT, Problem, check_contract, check_site_overlaps, format_path
from .model import Contract, VendorKind
from .terms import is_in_force, terms_for

CONTRACT_SUFFIXES = (".yaml", ".yml")

# Friendlier words for the model's patterns than pydantic's raw regular expressions.
_PATTERN_WORDS = {
    r"^\d{4}-(0[1-9]|1[0-2])$": "is not a month written YYYY-MM",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$": "is not a valid id (letters, digits, '_', '.', '-'; at most 64)",
    r"^[A-Z]{3}$": "is not a three-letter currency code like USD",
}


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
    collected into one ConfigError whose `problems` lists them, one located line each.
    """
    problems: list[str] = []
    files = _contract_files(directory_or_paths, problems)
    loaded: list[tuple[LoadedContract, LocatedDocument]] = []
    for file, recorded in files:
        entry = _load_file(file, recorded, problems)
        if entry is not None:
            loaded.append(entry)
    problems.extend(str(p) for p in check_site_overlaps([(e.contract, doc) for e, doc in loaded]))
    if problems:
        raise ConfigError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in contracts",
                          tuple(problems))
    return ContractSet(tuple(e for e, _ in loaded))


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


def _load_file(path: Path, recorded: str,
               problems: list[str]) -> tuple[LoadedContract, LocatedDocument] | None:
    name = display_path(path)  # messages point at the file from where the user stands
    try:
        doc = load_located(path, display_name=name)
    except ConfigError as exc:
        problems.append(str(exc))
        return None
    if doc.data is None:
        problems.append(f"{name}:1:1: the file is empty; expected a contract (a mapping of keys)")
        return None
    try:
        contract = Contract.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(str(p) for p in _sorted(validation_problems(exc, doc)))
        return None
    found = check_contract(contract, doc)
    if found:
        problems.extend(str(p) for p in _sorted(found))
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedContract(contract, recorded, digest, path.resolve()), doc


def _sorted(found: list[Problem]) -> list[Problem]:
    return sorted(found, key=lambda p: p.sort_key)


def validation_problems(exc: ValidationError, doc: LocatedDocument, root: type[BaseModel] = Contract) -> list[Problem]:
    """pydantic's errors as located problems, one per path (union alternatives joined)."""
    grouped: dict[str, tuple[PathT, bool, list[str]]] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        present = _present_prefix(loc, doc.data)
        kind = err["type"]
        if kind == "missing":
            path, at, key = present + loc[len(present):len(present) + 1], present, False
            message = "required key is missing"
        elif kind == "extra_forbidden":
            path, at, key = loc, loc, True
            known = _known_keys(root, loc[:-1])
            message = f"unknown key {loc[-1]!r}; known keys: {', '.join(known)}"
        else:
            # Leftover loc parts name union alternatives (e.g. 'str', 'int'), not places in the file.
            path, at, key = present, present, False
            message = _message(err)
        text = format_path(path)
        if text not in grouped:
            grouped[text] = (at, key, [])
        if message not in grouped[text][2]:
            grouped[text][2].append(message)
    return [Problem(doc.locate(at, key=key), text, _join(messages)) for text, (at, key, messages) in grouped.items()]


def _present_prefix(loc: tuple[Any, ...], data: Any) -> PathT:
    """The longest prefix of `loc` that exists in the document's data."""
    prefix: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            break
        prefix.append(part)
    return tuple(prefix)


def _message(err: Any) -> str:
    pattern = (err.get("ctx") or {}).get("pattern")
    if err["type"] == "string_pattern_mismatch" and pattern in _PATTERN_WORDS:
        return f"{err['input']!r} {_PATTERN_WORDS[pattern]}"
    return str(err["msg"])


def _join(messages: list[str]) -> str:
    """Union alternatives as one sentence: 'Input should be a, b or c'."""
    if len(messages) == 1:
        return messages[0]
    lead = "Input should be "
    if all(m.startswith(lead) for m in messages):
        parts = [m[len(lead):] for m in messages]
        return lead + ", ".join(parts[:-1]) + " or " + parts[-1]
    return "; or ".join(messages)


def _known_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model at `loc` (walking fields, list items and dict values)."""
    annotation: Any = root
    for part in loc:
        model = _model_in(annotation)
        if isinstance(part, str) and model is not None and part in model.model_fields:
            annotation = model.model_fields[part].annotation
        else:
            annotation = _item_type(annotation)
    model = _model_in(annotation)
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _item_type(annotation: Any) -> Any:
    """The element type of list[X] / dict[str, X], looking through Optional."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) in (list, dict):
                return _item_type(arg)
        return annotation
    args = typing.get_args(annotation)
    return args[-1] if args else annotation
