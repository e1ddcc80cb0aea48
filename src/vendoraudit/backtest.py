"""What-if backtest: a draft contract priced on past months beside what was actually charged.

For each month of a range the draft's vendor is scored and priced under the draft's terms, with the
audit's own engine (`audit.price_vendor`), and shown beside the actual month: as recorded in the
results history when the month was audited, else computed with the contract in force then.
Improvement points and earn-back depend on earlier months, so each side carries its own history
from month to month: a scratch copy of the results history (the months before the range as they
were recorded) to which each month of the range is added as that side priced it. The draft is read
as though signed to take effect at the range's first month; month p is priced under the draft's
terms as they stand in p (its amendments effective by p applied). Months are read one at a time
and let go before the next, so memory stays that of one month.
"""

from __future__ import annotations

import gc
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import polars as pl

from .audit import (MAX_QUARANTINED_PERCENT, PricedVendor, blocking_problems, contract_source, price_vendor,
                    with_earlier_training)
from .audit_result import ContractSource
from .contract.loader import ContractSet, LoadedContract
from .contract.model import Contract, VendorKind
from .contract.terms import is_in_force, terms_for
from .disputes.loader import DisputeSet, LoadedDisputes
from .errors import ConfigError, DataError, InputError
from .history import History, RecordedMonth
from .kpis.period import PeriodData, period_data
from .kpis.registry import METRICS
from .mapping.attached import mappings_for
from .money import LineKind
from .periods import Period
from .results import Site, SiteDirectory
from .scoring import Outcome
from .validate import load_exports

Progress = Callable[[str], None]

class Source(StrEnum):
    """Where a side's figures come from."""

    DRAFT = "draft"  # priced under the draft contract
    HISTORY = "history"  # as audited: read from the results history
    COMPUTED = "computed"  # never audited: priced now with the contract in force that month


@dataclass(frozen=True)
class KpiLine:
    """One KPI of one side of a month: its outcome, points and the money it moved.

    `credit` is the service credit the KPI bore after the cap (negative, from the vendor's side);
    `bonus` its bonus line before the bonus cap (positive); None when it moved no such money.
    `note` says why a KPI has no value (a metric the month's exports cannot compute).
    """

    kpi_id: str
    title: str
    metric_id: str
    value: float | None
    n: int | None
    outcome: Outcome
    points: int | None
    credit: Decimal | None
    bonus: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class Side:
    """A month under one contract: the draft, or what was actually charged."""

    source: Source
    contract_id: str
    net_adjustment: Decimal | None
    composite: Decimal | None
    fees: Decimal | None
    credits_total: Decimal | None
    bonus_total: Decimal | None
    withhold_net: Decimal | None
    earn_back_total: Decimal | None
    kpis: tuple[KpiLine, ...]

    def missed(self) -> int:
        """How many KPIs were missed."""
        return sum(1 for k in self.kpis if k.outcome is Outcome.MISSED)


@dataclass(frozen=True)
class BacktestMonth:
    """One month: the draft beside the actual, and the difference in net adjustment (draft - actual)."""

    period: Period
    vendor_id: str
    currency: str
    draft: Side
    actual: Side
    difference: Decimal | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SideTotals:
    """A side summed over the range (sums of the months' rounded figures)."""

    net_adjustment: Decimal
    credits: Decimal
    bonus: Decimal
    withhold_net: Decimal
    earn_back: Decimal
    kpis_missed: int


@dataclass(frozen=True)
class KpiTotal:
    """One KPI over the range: months missed and money moved under each side."""

    kpi_id: str
    title: str
    draft_missed: int
    actual_missed: int
    draft_credits: Decimal
    actual_credits: Decimal
    draft_bonus: Decimal
    actual_bonus: Decimal


@dataclass(frozen=True)
class BacktestTotals:
    """The range in sum: each side, the difference, and per KPI."""

    months: int
    currency: str
    draft: SideTotals
    actual: SideTotals
    difference: Decimal
    kpis: tuple[KpiTotal, ...]


@dataclass(frozen=True)
class BacktestResult:
    """A draft contract backtested month by month over a range."""

    vendor_id: str
    vendor_name: str
    draft: ContractSource  # the draft contract file that was backtested
    periods: tuple[BacktestMonth, ...]
    totals: BacktestTotals


def month_folders(root: Path, periods: Sequence[Period]) -> dict[Period, Path]:
    """Each month's export folder `root/YYYY-MM`; InputError naming every month that has none.

    A single month may also be given as its own folder (root named YYYY-MM).
    """
    found: dict[Period, Path] = {}
    missing: list[str] = []
    for p in periods:
        candidate = root / str(p)
        if candidate.is_dir():
            found[p] = candidate
        elif len(periods) == 1 and root.name == str(p) and root.is_dir():
            found[p] = root
        else:
            missing.append(str(p))
    if missing:
        raise InputError(f"{root}: no export folder for {len(missing)} month(s) of the range "
                         f"{periods[0]}..{periods[-1]}: {', '.join(missing)} (expected {root}/YYYY-MM)",
                         tuple(f"{root / m}: missing" for m in missing))
    return found


def run_backtest(draft: LoadedContract, exports_root: Path, periods: Sequence[Period],
                 contracts: ContractSet | None = None, history: History | None = None,
                 mappings: Sequence[Path] = (), progress: Progress | None = None,
                 disputes: DisputeSet | None = None, contracts_dir: Path | None = None,
                 max_quarantined_percent: float = MAX_QUARANTINED_PERCENT) -> BacktestResult:
    """Backtest `draft` over `periods` (consecutive months, oldest first); see the module docstring.

    The remedies granted by the vendor's decided `disputes` of a month apply under both contracts
    (to the KPIs of that id), as they did in the audit. Each month is read as the audit reads it:
    through `mappings` and those attached beside `contracts_dir` to that month's sites, blocked by
    more than `max_quarantined_percent` of a table's rows quarantined.

    Raises InputError when a month's export folder is missing, ConfigError when the draft's vendor
    has nothing to compare with (no audited month and no contract in force) and DataError when a
    month's exports have blocking problems for the vendor.
    """
    step = progress or (lambda _message: None)
    if not periods:
        raise ValueError("no months to backtest")
    vendor_id = draft.contract.vendor.id
    folders = month_folders(exports_root, periods)
    recorded = {p: history.recorded_month(vendor_id, p) if history else None for p in periods}
    _check_comparable(draft, periods, recorded, contracts, history)
    with tempfile.TemporaryDirectory(prefix="vendoraudit-backtest-") as scratch:
        draft_chain = _scratch_history(history, Path(scratch) / "draft.sqlite")
        actual_chain = _scratch_history(history, Path(scratch) / "actual.sqlite")
        try:
            months = []
            for p in periods:
                step(f"{p}: reading, validating and pricing")
                granted = disputes.of_vendor(vendor_id, p) if disputes else None
                months.append(_month(draft, p, folders[p], contracts, recorded[p], draft_chain, actual_chain,
                                     _Reading(tuple(mappings), contracts_dir, max_quarantined_percent), granted))
                gc.collect()  # the month's frames go before the next month is read: one month's memory
        finally:
            draft_chain.close()
            actual_chain.close()
    contract = draft.contract
    return BacktestResult(vendor_id, contract.vendor.name,
                          contract_source(draft),
                          tuple(months), _totals(months, contract.currency))


def _check_comparable(draft: LoadedContract, periods: Sequence[Period], recorded: dict[Period, RecordedMonth | None],
                      contracts: ContractSet | None, history: History | None) -> None:
    """ConfigError unless every month has an actual to compare with: audited, or a contract in force."""
    vendor_id = draft.contract.vendor.id
    own = [e for e in contracts if e.vendor_id == vendor_id] if contracts else []
    without = [p for p in periods if recorded[p] is None and not any(is_in_force(e.contract, p) for e in own)]
    if not without:
        return
    where = []
    if history is not None:
        where.append(f"no audited month in {history.path}")
    if contracts is not None:
        where.append("no contract of this vendor in force in the contracts given" if own
                     else "no contract of this vendor in the contracts given")
    if history is None and contracts is None:
        where.append("neither a results history nor contracts were given")
    if len(without) == len(periods) and not own and not any(recorded.values()):
        head = f"vendor {vendor_id!r} of draft {draft.source} has no history"
    else:
        head = f"vendor {vendor_id!r} has no actual to compare the draft with in {len(without)} month(s)"
    raise ConfigError(f"{head}: {'; '.join(where)}; a backtest compares the draft with what was charged",
                      tuple(f"{p}: not audited and no contract of {vendor_id} in force" for p in without))


def _scratch_history(history: History | None, path: Path) -> History:
    """A private copy of the results history (empty without one) that a side's months are added to."""
    if history is not None:
        source = sqlite3.connect(history.path)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    return History(path)


def _directory(contracts: ContractSet | None, period: Period, terms: Contract | None) -> SiteDirectory:
    """The sites in force in `period`, with `terms`' vendor's sites taken from `terms`."""
    sites = list(contracts.site_directory(period).sites) if contracts else []
    if terms is not None:
        sites = [s for s in sites if s.vendor_id != terms.vendor.id]
        sites += [Site(s.id, terms.vendor.id, s.timezone, terms.vendor.kind is VendorKind.IN_HOUSE,
                       s.name or terms.vendor.name) for s in terms.sites]
    return SiteDirectory(tuple(sites))


@dataclass(frozen=True)
class _Reading:
    """How the months' exports are read and judged (as the audit does)."""

    mappings: tuple[Path, ...]
    contracts_dir: Path | None
    max_quarantined_percent: float


def _month(draft: LoadedContract, period: Period, folder: Path, contracts: ContractSet | None,
           recorded: RecordedMonth | None, draft_chain: History, actual_chain: History,
           reading: _Reading, disputes: LoadedDisputes | None) -> BacktestMonth:
    vendor_id = draft.contract.vendor.id
    draft_terms = terms_for(draft.contract, period)
    actual_terms = None
    if recorded is None:
        assert contracts is not None  # _check_comparable made sure
        actual_terms = contracts.terms_for(vendor_id, period)
    draft_sites = _directory(contracts, period, draft_terms)
    mappings = mappings_for(reading.mappings, reading.contracts_dir, [s.site_id for s in draft_sites.sites])
    validated = load_exports(folder, mappings, period, draft_sites)
    # Another vendor's missing site does not stop this vendor's money; too many bad rows in a table does.
    wanted = set(draft_sites.sites_of(vendor_id)) | set(draft_sites.in_house_sites)
    concerned = SiteDirectory(tuple(s for s in draft_sites.sites if s.site_id in wanted))
    blocking = blocking_problems(validated, concerned, period, reading.max_quarantined_percent)
    if blocking:
        raise DataError(f"{period}: {len(blocking)} blocking data problem(s) in {folder}; "
                        "no money is computed on them", tuple(blocking))
    tables = with_earlier_training(validated.tables, folder, period, draft_sites, mappings)
    data = period_data(tables, period, draft_sites)
    priced = price_vendor(draft_terms, period, data, draft_sites, draft_chain, disputes)
    _record(draft_chain, period, priced)
    notes = _uncomputable(draft_terms, priced, data, draft_sites.sites_of(vendor_id), period)
    draft_side = _priced_side(Source.DRAFT, draft_terms, priced, notes)
    if recorded is not None:
        actual_side = _recorded_side(recorded, contracts, vendor_id, period)
    else:
        assert actual_terms is not None
        actual_sites = _directory(contracts, period, actual_terms)
        actual_data = data if actual_sites == draft_sites else period_data(tables, period, actual_sites)
        actual = price_vendor(actual_terms, period, actual_data, actual_sites, actual_chain, disputes)
        _record(actual_chain, period, actual)
        actual_side = _priced_side(Source.COMPUTED, actual_terms, actual, {})
    difference = (draft_side.net_adjustment - actual_side.net_adjustment
                  if draft_side.net_adjustment is not None and actual_side.net_adjustment is not None else None)
    return BacktestMonth(period, vendor_id, draft_terms.currency, draft_side, actual_side, difference,
                         tuple(notes.values()))


def _record(chain: History, period: Period, priced: PricedVendor) -> None:
    """Add a side's month to its own history, as the audit would have recorded it."""
    chain.reopen(period)  # the scratch copy may hold the real, finalised month: this side replaces it
    chain.record(period, [priced.scorecard], [priced.settlement] if priced.settlement else [])


def _uncomputable(terms: Contract, priced: PricedVendor, data: PeriodData, site_ids: Sequence[str],
                  period: Period) -> dict[str, str]:
    """Per KPI id, why its metric has no value this month (never guessed: no value, no money)."""
    notes = {}
    for score in priced.scorecard.kpis:
        if score.outcome is Outcome.EXCUSED or (score.result is not None and score.result.value is not None):
            continue
        tables = METRICS[score.metric_id].tables if score.metric_id in METRICS else ()
        empty = [t for t in tables if _rows(data, t, site_ids) == 0]
        why = (f"no {' or '.join(empty)} rows for {', '.join(site_ids)}" if empty
               else "no rows of the month match its definition and filters")
        notes[score.kpi_id] = (f"{score.kpi_id}: metric {score.metric_id} cannot be computed from the {period} "
                               f"exports ({why}); no value, no money")
    return notes


def _rows(data: PeriodData, table: str, site_ids: Sequence[str]) -> int:
    frame = {"interactions": data.interactions, "surveys": data.surveys, "qa_evaluations": data.evaluations,
             "qa_items": data.evaluations, "training": data.training, "roster": data.roster}.get(table)
    if frame is None:
        return -1
    return int(frame.lazy().filter(pl.col("site_id").is_in(list(site_ids))).select(pl.len()).collect().item())


def _priced_side(source: Source, terms: Contract, priced: PricedVendor, notes: dict[str, str]) -> Side:
    s = priced.settlement
    bonus = {line.kpi_id: line.amount for line in (s.lines if s else ()) if line.kind is LineKind.BONUS and line.kpi_id}
    credits = s.kpi_credits if s else {}
    kpis = tuple(KpiLine(
        k.kpi_id, k.title, k.metric_id, k.value, k.result.n if k.result else None, k.outcome, k.points,
        -credits[k.kpi_id] + Decimal(0) if k.kpi_id in credits else None, bonus.get(k.kpi_id),
        notes.get(k.kpi_id, "")) for k in priced.scorecard.kpis)
    return Side(source, terms.contract_id, s.net_adjustment if s else None, priced.scorecard.composite,
                priced.fees, s.credits_total if s else None, s.bonus_total if s else None,
                s.withhold_net if s else None, s.earn_back_total if s else None, kpis)


def _recorded_side(month: RecordedMonth, contracts: ContractSet | None, vendor_id: str, period: Period) -> Side:
    contract_id = ""
    if contracts is not None:
        own = [e for e in contracts if e.vendor_id == vendor_id and is_in_force(e.contract, period)]
        contract_id = own[0].contract.contract_id if len(own) == 1 else ""
    kpis = tuple(KpiLine(k.kpi_id, k.title, k.metric_id, k.value, k.n, k.outcome, k.points,
                         -k.credit_charged + Decimal(0) if k.credit_charged is not None else None,
                         month.bonus_by_kpi.get(k.kpi_id)) for k in month.kpis)
    return Side(Source.HISTORY, contract_id, month.net_adjustment, month.composite, month.fees,
                month.credits_total, month.bonus_total, month.withhold_net, month.earn_back_total, kpis)


def _sum(values: Sequence[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def _side_totals(sides: Sequence[Side]) -> SideTotals:
    return SideTotals(_sum([s.net_adjustment for s in sides]), _sum([s.credits_total for s in sides]),
                      _sum([s.bonus_total for s in sides]), _sum([s.withhold_net for s in sides]),
                      _sum([s.earn_back_total for s in sides]), sum(s.missed() for s in sides))


def _totals(months: Sequence[BacktestMonth], currency: str) -> BacktestTotals:
    draft = _side_totals([m.draft for m in months])
    actual = _side_totals([m.actual for m in months])
    titles: dict[str, str] = {}
    for m in months:
        for k in m.draft.kpis + m.actual.kpis:
            titles.setdefault(k.kpi_id, k.title)

    def lines(side: str, kpi_id: str) -> list[KpiLine]:
        return [k for m in months for k in getattr(m, side).kpis if k.kpi_id == kpi_id]

    kpis = tuple(KpiTotal(
        kpi_id, title,
        sum(1 for k in lines("draft", kpi_id) if k.outcome is Outcome.MISSED),
        sum(1 for k in lines("actual", kpi_id) if k.outcome is Outcome.MISSED),
        _sum([k.credit for k in lines("draft", kpi_id)]), _sum([k.credit for k in lines("actual", kpi_id)]),
        _sum([k.bonus for k in lines("draft", kpi_id)]), _sum([k.bonus for k in lines("actual", kpi_id)]),
    ) for kpi_id, title in titles.items())
    return BacktestTotals(len(months), currency, draft, actual, draft.net_adjustment - actual.net_adjustment, kpis)
