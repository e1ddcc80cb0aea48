"""Reading dispute files: located structural errors, checks against the contracts, the set of disputes.

Every problem of every file is collected before one ConfigError is raised; each reads
`disputes/2026-10/ACME.yaml:12:9: disputes[0].kpi: message` (1-based line:col), as for contracts.
Checks here need no export data: the vendor has a contract in force in the period, the KPI is
one of its KPIs, dates and half-hour intervals lie in the period, a decision is complete and
grants no more than was asked. Ids named by a remedy are checked against the period's data by
`remedy.check_against_data`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from pydantic import ValidationError

from ..contract.loader import PATTERN_PLACEHOLDERS, PATTERN_WORDS, ContractSet, display_path
from ..paths import recorded_path
from ..errors import ConfigError
from ..periods import Period
from ..problems import PathT, Problem, Salvaged, format_path, sorted_problems, suggest, validate_located
from ..yamlsource import LocatedDocument, load_located
from .model import DecisionOutcome, Dispute, DisputeFile, Interval, Remedy

DISPUTE_SUFFIXES = (".yaml", ".yml")
HALF_HOUR = timedelta(minutes=30)


@dataclass(frozen=True)
class LoadedDisputes:
    """One dispute file as read: its model, display path, SHA-256 and located document."""

    file: DisputeFile
    source: str
    sha256: str
    doc: LocatedDocument = field(repr=False, compare=False)

    @property
    def vendor_id(self) -> str:
        return self.file.vendor

    @property
    def period(self) -> Period:
        return Period.parse(self.file.period)

    def locate(self, path: PathT) -> str:
        """`file:line:col: path` of a place in this file (for messages about it)."""
        return f"{self.doc.locate(path)}: {format_path(path)}"


@dataclass(frozen=True)
class DisputeSet:
    """Every loaded dispute file; answers which disputes concern a period or a vendor."""

    files: tuple[LoadedDisputes, ...] = ()

    def __iter__(self) -> Iterator[LoadedDisputes]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def for_period(self, period: Period) -> DisputeSet:
        """The files of `period` only."""
        return DisputeSet(tuple(f for f in self.files if f.period == period))

    def of_vendor(self, vendor_id: str, period: Period) -> LoadedDisputes | None:
        """The vendor's file of `period`, if any (at most one: the loader refuses two)."""
        return next((f for f in self.files if f.vendor_id == vendor_id and f.period == period), None)

    def open_disputes(self, period: Period) -> list[tuple[LoadedDisputes, int, Dispute]]:
        """(file, index, dispute) of every dispute of `period` not yet decided."""
        return [(f, i, d) for f in self.for_period(period) for i, d in enumerate(f.file.disputes)
                if not d.is_decided]

    def digest(self, period: Period) -> str:
        """SHA-256 over the period's files (path and hash): part of the audit's inputs fingerprint."""
        h = hashlib.sha256()
        for f in sorted(self.for_period(period).files, key=lambda f: f.source):
            h.update(f"{f.source}\0{f.sha256}\n".encode())
        return h.hexdigest()


def dispute_files(spec: str | Path | Iterable[str | Path], problems: list[str]) -> list[Path]:
    """The dispute files of a folder (searched below it: one subfolder per period is usual) or files."""
    paths = [Path(spec)] if isinstance(spec, (str, Path)) else [Path(p) for p in spec]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DISPUTE_SUFFIXES
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{display_path(path)}: no such file or folder")
    return files


def load_disputes(spec: str | Path | Iterable[str | Path], contracts: ContractSet | None = None,
                  period: Period | None = None) -> DisputeSet:
    """Read and check dispute files: a folder (every *.yaml below it) or files.

    With `period`, only that period's files are kept and only their problems count (a file too
    broken to tell its period is always reported). With `contracts`, vendors and KPIs are checked
    against the terms in force in each file's period. ConfigError lists every problem at once.
    """
    found, problems = check_disputes(spec, contracts, period)
    if problems:
        raise ConfigError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in dispute files",
                          tuple(problems))
    return found


def check_disputes(spec: str | Path | Iterable[str | Path], contracts: ContractSet | None = None,
                   period: Period | None = None) -> tuple[DisputeSet, list[str]]:
    """Every problem of every dispute file, sorted by file, line and column, and the valid files.

    Structural problems do not hide the others: a file with some is checked further on a stand-in
    (`problems.validate_located`), reporting only what cannot come from a replaced value.
    """
    problems: list[Problem | str] = []
    loaded: list[LoadedDisputes] = []
    readable: list[LoadedDisputes] = []  # valid or salvaged: the one-file-per-vendor check sees them
    for path in dispute_files(spec, problems):  # type: ignore[arg-type]
        found: list[Problem | str] = []
        entry, salvaged = _load_file(path, found, period)
        if entry is None and not found:
            continue  # another period's file
        if entry is not None and salvaged is not None:
            semantic = check_file(entry, contracts)
            found.extend(p for p in semantic if salvaged.trusts(p.path, p.message))
            if not any(t[:1] in (("vendor",), ("period",)) for t in salvaged.tainted):
                readable.append(entry)
            if not found:
                loaded.append(entry)
        problems.extend(found)
    problems.extend(_check_one_file_each(readable))
    return DisputeSet(tuple(loaded)), sorted_problems(problems)


# Semantic checks whose verdict depends only on values that are not replaced (see contract/loader.py).
_LOCAL_CHECKS = (
    (r"^vendor$", r"^(vendor|period)$"),
    (r"\.kpi$", r"^(vendor|period)$"),
    (r"\.id$", r"$^"),
    (r"\.remedy(\.|$)", r"^period$|\.remedy"),
    (r"\.decision\.decided_on$", r"raised_on|decided_on"),
    (r"\.decision", r"^period$|\.decision|\.remedy"),
)


def _load_file(path: Path, found: list[Problem | str],
               period: Period | None) -> tuple[LoadedDisputes | None, Salvaged | None]:
    name = display_path(path)
    try:
        doc = load_located(path, display_name=name)
    except ConfigError as exc:
        found.append(str(exc))  # `file: cannot read ...` or `file:line:col: invalid YAML ...`, as it is
        return None, None
    if not isinstance(doc.data, dict):
        found.append(Problem(doc.locate(()), "", "expected a dispute file: a mapping with vendor, period and "
                                                 "disputes"))
        return None, None
    if period is not None and str(doc.data.get("period")) != str(period) and _is_period(doc.data.get("period")):
        return None, None
    salvaged = validate_located(DisputeFile, doc, pattern_words=PATTERN_WORDS,
                                pattern_placeholders=PATTERN_PLACEHOLDERS, dependencies=_LOCAL_CHECKS)
    found.extend(salvaged.problems)
    if not isinstance(salvaged.value, DisputeFile):
        return None, None
    # Outputs (fingerprints, version records) hold the recorded path, never one relative to the
    # working folder: the same run from another folder gives the same bytes.
    return LoadedDisputes(salvaged.value, recorded_path(path), doc.sha256, doc), salvaged


def _is_period(value: object) -> bool:
    try:
        Period.parse(str(value))
    except ValueError:
        return False
    return str(value) != "previous"


def check_file(entry: LoadedDisputes, contracts: ContractSet | None = None) -> list[Problem]:
    """Every problem of one structurally valid dispute file that needs no export data."""
    doc, model = entry.doc, entry.file
    out: list[Problem] = []

    def add(path: PathT, message: str, key: bool = False) -> None:
        out.append(Problem(doc.locate(path, key=key), format_path(path), message))

    period = entry.period
    kpi_ids: list[str] | None = None
    if contracts is not None:
        try:
            terms = contracts.terms_for(model.vendor, period)
            kpi_ids = [k.id for k in terms.kpis]
        except ConfigError as exc:
            known = sorted({e.vendor_id for e in contracts})
            note = "" if model.vendor in known else f" ({suggest(model.vendor, known)})"
            add(("vendor",), f"{exc}{note}")
    for dup, count in Counter(d.id for d in model.disputes).items():
        if count > 1:
            at = [i for i, d in enumerate(model.disputes) if d.id == dup][1]
            add(("disputes", at, "id"), f"dispute id {dup!r} is used {count} times in this file")
    for i, dispute in enumerate(model.disputes):
        base: PathT = ("disputes", i)
        if kpi_ids is not None and dispute.kpi not in kpi_ids:
            add(base + ("kpi",), f"unknown KPI {dispute.kpi!r}: not a KPI of {model.vendor}'s contract in force "
                                 f"in {period} ({suggest(dispute.kpi, kpi_ids)})")
        if dispute.remedy.is_empty:
            add(base + ("remedy",), "the remedy asks for nothing: give exclude_dates, exclude_intervals, "
                                    "exclude_contacts, exclude_evaluations, rescore or exclude_queues")
        _check_remedy(add, base + ("remedy",), dispute.remedy, period)
        decision = dispute.decision
        if decision is None:
            continue
        at: PathT = base + ("decision",)
        if dispute.raised_on is not None and decision.decided_on < dispute.raised_on:
            add(at + ("decided_on",), f"decided on {decision.decided_on} before the dispute was raised "
                                      f"({dispute.raised_on})")
        if decision.outcome is DecisionOutcome.PARTLY_ACCEPTED:
            if decision.granted is None or decision.granted.is_empty:
                add(at + ("outcome",) if decision.granted is None else at + ("granted",),
                    "a partly accepted dispute says what was granted: add granted with the part of the remedy "
                    "that applies")
            else:
                _check_remedy(add, at + ("granted",), decision.granted, period)
                for path, message in _beyond_asked(decision.granted, dispute.remedy):
                    add(at + ("granted",) + path, message)
        elif decision.granted is not None:
            add(at + ("granted",), f"granted is for partly_accepted decisions only; an {decision.outcome} "
                                   "dispute grants " + ("the whole remedy" if decision.outcome is
                                                        DecisionOutcome.ACCEPTED else "nothing"), key=True)
    return out


def _check_remedy(add, base: PathT, remedy: Remedy, period: Period) -> None:  # noqa: ANN001 - local callback
    """Dates and intervals inside the period, intervals on half-hour boundaries, nothing twice."""
    for j, day in enumerate(remedy.exclude_dates):
        if not period.first_day <= day <= period.last_day:
            add(base + ("exclude_dates", j), f"{day} is not in the disputed period {period}")
    for j, span in enumerate(remedy.exclude_intervals):
        for key, moment in (("start", span.start), ("end", span.end)):
            if moment is None:
                continue
            if moment.minute not in (0, 30) or moment.second or moment.microsecond:
                add(base + ("exclude_intervals", j, key),
                    f"{moment:%Y-%m-%dT%H:%M:%S} is not on a half-hour boundary (hh:00 or hh:30)")
        end = interval_end(span)
        if end <= span.start:
            add(base + ("exclude_intervals", j, "end"), "the interval ends before it starts")
        elif span.start.date() < period.first_day or end > datetime.combine(period.next_first_day, time.min):
            add(base + ("exclude_intervals", j), f"the interval is not within the disputed period {period}")
    for key in ("exclude_dates", "exclude_contacts", "exclude_evaluations", "exclude_queues"):
        values = [str(v) for v in getattr(remedy, key)]
        for value, count in Counter(values).items():
            if count > 1:
                add(base + (key, values.index(value, values.index(value) + 1)), f"{value} is listed {count} times")
    seen: set[tuple[str, str]] = set()
    for j, item in enumerate(remedy.rescore):
        if (item.evaluation, item.criterion) in seen:
            add(base + ("rescore", j), f"evaluation {item.evaluation} criterion {item.criterion} is re-scored twice")
        seen.add((item.evaluation, item.criterion))


def interval_end(span: Interval) -> datetime:
    """The exclusive end of an interval (its one half hour when no end is given)."""
    return span.end if span.end is not None else span.start + HALF_HOUR


def half_hours(span: Interval) -> list[datetime]:
    """The local starts of the half hours an interval covers."""
    out, moment = [], span.start
    end = interval_end(span)
    while moment < end:
        out.append(moment)
        moment += HALF_HOUR
    return out


def _beyond_asked(granted: Remedy, asked: Remedy) -> list[tuple[PathT, str]]:
    """Parts of a granted remedy that the vendor did not ask for (a grant is a part of the ask)."""
    out: list[tuple[PathT, str]] = []
    for key in ("exclude_dates", "exclude_contacts", "exclude_evaluations", "exclude_queues"):
        allowed = set(getattr(asked, key))
        for j, value in enumerate(getattr(granted, key)):
            if value not in allowed:
                out.append(((key, j), f"{value} was not asked for in the remedy"))
    asked_halves = {h for span in asked.exclude_intervals for h in half_hours(span)}
    for j, span in enumerate(granted.exclude_intervals):
        if not set(half_hours(span)) <= asked_halves:
            out.append((("exclude_intervals", j), "the interval reaches beyond the intervals asked for"))
    asked_items = {(r.evaluation, r.criterion) for r in asked.rescore}
    for j, item in enumerate(granted.rescore):
        if (item.evaluation, item.criterion) not in asked_items:
            out.append((("rescore", j), f"evaluation {item.evaluation} criterion {item.criterion} was not asked "
                                        "to be re-scored"))
    return out


def _check_one_file_each(loaded: Sequence[LoadedDisputes]) -> list[str]:
    """One file per vendor and period: a second one is reported at its vendor key."""
    seen: dict[tuple[str, Period], LoadedDisputes] = {}
    out = []
    for entry in loaded:
        key = (entry.vendor_id, entry.period)
        if key in seen:
            out.append(f"{entry.locate(('vendor',))}: {entry.vendor_id} already has a dispute file for "
                       f"{entry.period} ({seen[key].source}); keep one file per vendor and period")
        else:
            seen[key] = entry
    return out
