"""The library entry point: one period's audit from exports and contracts to an `AuditResult`.

read -> validate -> KPIs -> score -> money, for every contract in force. It reads the results
history (baselines for improvement points, earn-back, trend) but does not write it: recording a
period is the caller's step, after its outputs are safely written (see `deliver`).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl

from . import __version__
from .audit_result import (
    AuditResult,
    ChannelValue,
    ContractSource,
    DisputeLine,
    DisputeStatus,
    MetricLine,
    Section,
    TrendPoint,
    VendorAudit,
)
from .contract.loader import ContractSet, LoadedContract
from .contract.model import Contract, FeeModel, Kpi, VendorKind
from .data_quality import export_summary, vendor_summaries
from .disputes.loader import DisputeSet, LoadedDisputes
from .disputes.model import Remedy
from .disputes.remedy import check_against_data, merged, remedied, remedy_text
from .errors import ConfigError, DataError, InputError
from .export_inputs import site_directory
from .exports import discover, read_file
from .history import History, MonthFigures
from .kpis.brand import ConsistencyResult, brand_consistency
from .kpis.labels import metric_label
from .kpis.registry import METRICS
from .kpis.period import PeriodData, period_data
from .kpis.query import MetricQuery
from .kpis.scope import breakdown, compute_metric
from .kpis.workforce import active_agents
from .mapping import load_mappings
from .mapping.attached import mappings_for
from .money import Settlement, format_money, settle
from .periods import Period
from .results import MetricResult, SiteDirectory
from .scoring import Outcome, Scorecard, baseline_period, score_contract
from .tables import SOURCE_FILE
from .validate import REASON, ValidatedExports, load_exports, validate_reads

TREND_MONTHS = 6
PORTFOLIO_MONTHS = 12  # the portfolio's trend page: composite and net adjustment per vendor
TRAINING_LOOKBACK_MONTHS = 4  # onboarding completion looks back 90 days
MAX_QUARANTINED_PERCENT = 2.0  # default: more rows quarantined for errors than this in a table blocks the money

# Informative sections of a scorecard: (section id, title, metric ids).
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("training", "Training", ("training.hours_per_agent", "training.onboarding_completion",
                              "training.soft_skills_share", "training.client_paid_share")),
    ("quality", "Quality (call review)", ("qa.score", "qa.pass_rate", "qa.critical_error_rate",
                                          "qa.coverage", "qa.sample_adequacy", "qa.evaluator_agreement")),
    ("satisfaction", "Satisfaction", ("survey.csat", "survey.nps", "survey.ces")),
    ("responsiveness", "Responsiveness", ("ops.service_level", "ops.abandon_rate", "ops.asa", "ops.aht",
                                          "ops.callback_within", "ops.async_response_within",
                                          "ops.follow_up_kept", "ops.fcr")),
    ("workforce", "Workforce", ("workforce.headcount", "workforce.attrition")),
)
PARITY_METRICS = ("qa.score", "survey.csat", "ops.fcr")


@dataclass(frozen=True)
class AuditInputs:
    """What one audit reads: the period's export folder, contracts and mappings."""

    exports_dir: Path
    contracts: ContractSet
    mappings: tuple[Path, ...] = ()
    disputes: DisputeSet = DisputeSet()
    max_quarantined_percent: float = MAX_QUARANTINED_PERCENT
    zones: tuple[tuple[str, str], ...] = ()  # (site, IANA zone) over the contracts' (`--tz`)
    in_house: tuple[str, ...] = ()  # more in-house baseline sites (`--in-house`)
    contracts_dir: Path | None = None  # where the contracts came from: its mappings/ are attached ones

    def sites(self, period: Period) -> SiteDirectory:
        """The period's sites: the contracts in force, with `zones` and `in_house` laid over them."""
        return site_directory(self.contracts, period, dict(self.zones), self.in_house)


def with_earlier_training(tables: Mapping[str, pl.DataFrame], export_dir: Path, period: Period,
                          sites: SiteDirectory, mappings: Sequence[Path] = ()) -> dict[str, pl.DataFrame]:
    """The tables with the training of earlier period folders beside `export_dir` added.

    Onboarding completion looks back 90 days at new hires, but a month's export holds that
    month's training only. When `export_dir` is a period folder among its siblings
    (exports/2026-10 beside 2026-09), their valid training rows are added; a record sent twice
    (a vendor sending a transcript) counts once. The earlier folders are read with the same
    `mappings` as this one (an LMS transcript in each month's folder).
    """
    out = dict(tables)
    folder = export_dir.resolve()
    if folder.name != str(period):
        return out
    frames = [out["training"]]
    zones = {s.site_id: s.timezone for s in sites.sites}
    loaded = load_mappings(Path(m) for m in mappings)
    for k in range(1, TRAINING_LOOKBACK_MONTHS + 1):
        earlier = folder.parent / str(period.shift(-k))
        if earlier.is_dir():
            reads = [read_file(f, zones) for f in discover(earlier, loaded).files if f.table == "training"]
            if reads:
                frames.append(validate_reads(reads, sites=sites).tables["training"].select(frames[0].columns))
    out["training"] = pl.concat(frames).unique(subset="record_id", keep="first", maintain_order=True)
    return out


def exports_dir_for(root: Path, period: Period) -> Path:
    """The export folder of `period`: `root/YYYY-MM` in a folder of period folders, `root` itself
    when it is that period's folder or a folder of loose files.

    InputError naming the folder when `root` holds period folders but none for `period` (its loose
    files are not that month's exports).
    """
    candidate = root / str(period)
    if candidate.is_dir():
        return candidate
    if root.name == str(period) or not root.is_dir():
        return root
    if _is_period_name(root.name):
        raise InputError(f"{candidate}: no folder for {period} ({root} is the folder of {root.name})")
    months = sorted(p.name for p in root.iterdir() if p.is_dir() and _is_period_name(p.name))
    if months:
        raise InputError(f"{candidate}: no folder for {period} (the period folders in {root}: "
                         f"{', '.join(months[:6])}{', ...' if len(months) > 6 else ''})")
    return root


def _is_period_name(name: str) -> bool:
    return re.fullmatch(r"[0-9]{4}-(?:0[1-9]|1[0-2])", name) is not None


def read_exports(inputs: AuditInputs, period: Period) -> ValidatedExports:
    """Read and validate the period's exports with the explicit and attached mappings; InputError
    when no file of the folder is read. A row of a site in no contract is an error (`unknown_site`)."""
    sites = inputs.sites(period)
    return load_exports(inputs.exports_dir, _mappings_of(inputs, sites), period, sites, require_files=True,
                        site_check=True)


def _mappings_of(inputs: AuditInputs, sites: SiteDirectory) -> tuple[Path, ...]:
    """The explicit mappings and those attached beside the contracts to the period's sites."""
    return mappings_for(inputs.mappings, inputs.contracts_dir, [s.site_id for s in sites.sites])


@dataclass(frozen=True, eq=False)
class AuditRun:
    """An audited period with what it was computed from: the validated exports (quarantine files)
    and the period's rows (the evidence behind each KPI, `evidence.build_evidence`)."""

    result: AuditResult
    validated: ValidatedExports
    data: PeriodData


def run_audit(inputs: AuditInputs, period: Period, history: History | None = None,
              validated: ValidatedExports | None = None,
              progress: Callable[[str], None] | None = None, finalise: bool = False,
              force: bool = False) -> tuple[AuditResult, ValidatedExports]:
    """Audit `period`; returns the result and the validated exports (for the quarantine files).

    Decided disputes of the period (`inputs.disputes`) are applied to their KPIs: the remedy
    granted by an accepted or partly accepted dispute narrows that KPI's data; every dispute is
    listed on its vendor's result. `finalise` and `force` say which state and version this run
    issues (`versions.plan_issue`); finalising with an open dispute is refused.
    Raises DataError when the exports have blocking problems, ConfigError for contracts and
    dispute files (a remedy naming ids the period's data does not hold, among others).
    """
    run = audit_period(inputs, period, history, validated, progress, finalise, force)
    return run.result, run.validated


def audit_period(inputs: AuditInputs, period: Period, history: History | None = None,
                 validated: ValidatedExports | None = None, progress: Callable[[str], None] | None = None,
                 finalise: bool = False, force: bool = False) -> AuditRun:
    """`run_audit`, keeping the period's rows for the evidence of missed and at-risk KPIs."""
    from .versions import plan_issue, with_changes

    step = progress or (lambda _message: None)
    disputes = inputs.disputes.for_period(period)
    open_disputes = disputes.open_disputes(period)
    if finalise and open_disputes:
        raise ConfigError(f"{period} cannot be finalised: {len(open_disputes)} dispute(s) await a decision",
                          tuple(f"{f.locate(('disputes', i, 'id'))}: dispute {d.id} ({f.vendor_id}, KPI {d.kpi}) "
                                "has no decision" for f, i, d in open_disputes))
    sites = inputs.sites(period)
    if validated is None:
        validated = read_exports(inputs, period)
    blocking = blocking_problems(validated, sites, period, inputs.max_quarantined_percent)
    if blocking:
        raise DataError(f"{len(blocking)} blocking data problem(s) in {inputs.exports_dir}; "
                        "no money is computed on them", tuple(blocking))
    step("computing KPIs, scores and money")
    tables = with_earlier_training(validated.tables, inputs.exports_dir, period, sites, _mappings_of(inputs, sites))
    data = period_data(tables, period, sites)
    problems = [str(p) for f in disputes for p in check_against_data(f, data, sites.sites_of(f.vendor_id))]
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in dispute files against the {period} exports",
                          tuple(problems))
    baseline_sites = sites.in_house_sites
    entries = {e.vendor_id: e for e in inputs.contracts}
    vendors = []
    for terms in sorted(inputs.contracts.in_force(period), key=_vendor_order):
        vendors.append(_audit_vendor(terms, entries[terms.vendor.id], period, data, sites,
                                     baseline_sites, history, disputes.of_vendor(terms.vendor.id, period)))
    in_house = [v.vendor_id for v in vendors if v.in_house]
    shares = vendor_summaries(validated, sites, [v.vendor_id for v in vendors])
    vendors = [replace(v, data_quality=shares[v.vendor_id]) for v in vendors]
    result = AuditResult(
        period=period,
        tool_version=__version__,
        baseline_vendor_id=in_house[0] if in_house else None,
        vendors=tuple(vendors),
        data_quality=export_summary(validated),
        contracts=tuple(contract_source(e) for e in inputs.contracts),
        inputs_fingerprint=_fingerprint(validated, inputs.contracts, disputes, period),
    )
    issue = plan_issue(history, period, result.inputs_fingerprint, len(open_disputes), finalise, force)
    return AuditRun(with_changes(replace(result, issue=issue), history), validated, data)


def blocking_problems(validated: ValidatedExports, sites: SiteDirectory, period: Period,
                      max_quarantined_percent: float = MAX_QUARANTINED_PERCENT) -> list[str]:
    """Problems that stop the money, root causes first: files no mapping claims and rows of sites no
    contract names (when a contracted site sent no contacts), then a contracted site without
    contacts, then tables with more than `max_quarantined_percent` of their rows quarantined for
    errors. Rows a mapping sets aside on purpose (`rows_excluded`) are not errors and never count.
    """
    problems = []
    contacts = validated.tables["interactions"]
    seen = set(contacts.get_column("site_id").unique().to_list()) if contacts.height else set()
    silent = [s for s in sites.sites if s.site_id not in seen]
    if silent:
        problems += _root_causes(validated, sites, [s.site_id for s in silent])
    for site in silent:
        problems.append(f"site {site.site_id} ({site.vendor_id}) sent no interactions for {period}")
    by_table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in validated.files:
        by_table[f.table][0] += f.rows_read - f.rows_excluded
        by_table[f.table][1] += f.rows_quarantined - f.rows_excluded
    # Rows of sites in no contract feed no vendor's figures: reported and quarantined, not counted here.
    for table, frame in validated.quarantine.items():
        if frame.height and "_reason" in frame.columns:
            reason = pl.col("_reason")
            stray = frame.select((reason.str.starts_with("unknown_site ") & ~reason.str.contains("; ", literal=True))
                                 .sum()).item()
            by_table[table][1] -= int(stray or 0)
    for table, (read, bad) in sorted(by_table.items()):
        if read and 100 * bad / read > max_quarantined_percent:
            problems.append(f"{table}: {bad:,} of {read:,} rows quarantined for errors "
                            f"({100 * bad / read:.1f}%, more than {max_quarantined_percent:g}%; rows set aside "
                            "by a mapping on purpose are not counted)")
    return problems


def _root_causes(validated: ValidatedExports, sites: SiteDirectory, silent: Sequence[str]) -> list[str]:
    """Why contracted sites may have sent nothing: files that were not read, rows of sites no
    contract names, and the silent sites' rows that were all quarantined or set aside."""
    causes = [f"no mapping claims file {i.file} (and its name starts with no table name), so it was not read"
              for i in validated.issues if i.rule == "unclaimed_file" and i.file]
    known = {s.site_id for s in sites.sites}
    frame = validated.tables["interactions"]
    if frame.height:
        strangers = frame.filter(~pl.col("site_id").is_in(list(known))).group_by(SOURCE_FILE, maintain_order=True) \
            .agg(pl.col("site_id").unique().sort())
        for file, ids in strangers.iter_rows():
            causes.append(f"file {file}: its interactions are for site(s) {', '.join(ids)}, which no contract in "
                          "force names (a mapping's site_id not set for this source?)")
    # Reasons name rules and columns, never values: safe to repeat here.
    held = validated.quarantine["interactions"].filter(pl.col("site_id").is_in(list(silent)))
    if held.height:
        grouped = held.group_by("site_id", SOURCE_FILE, maintain_order=True).agg(
            pl.len().alias("n"), pl.col(REASON).first().alias("reason"))
        for site, file, n, reason in grouped.iter_rows():
            causes.append(f"file {file}: all {n:,} interaction(s) of site {site} were quarantined or set aside "
                          f"(the first: {reason})")
    return causes


def _vendor_order(terms: Contract) -> tuple[int, str]:
    return (0 if terms.vendor.kind is VendorKind.IN_HOUSE else 1, terms.vendor.id)


@dataclass(frozen=True)
class PricedVendor:
    """A vendor's month scored and priced under one set of terms: what moves its invoice."""

    scorecard: Scorecard
    settlement: Settlement | None
    fees: Decimal | None
    fee_basis: str
    consistency: ConsistencyResult | None
    disputes: tuple[DisputeLine, ...] = ()
    queries: tuple[tuple[str, MetricQuery], ...] = ()  # (kpi_id, the query its value came from)


def price_vendor(terms: Contract, period: Period, data: PeriodData, sites: SiteDirectory,
                 history: History | None, disputes: LoadedDisputes | None = None) -> PricedVendor:
    """Score `terms`' vendor on the period's data and price its settlement, as the audit does.

    The one path from KPI results to money, shared by the audit and the backtest (which prices a
    draft contract on past months): the same inputs give the same cents. `history` gives the
    improvement baselines and the earn-back candidates; the remedies granted by `disputes` narrow
    their KPIs' data, and each dispute's effect is listed.
    """
    vendor_id = terms.vendor.id
    in_house = terms.vendor.kind is VendorKind.IN_HOUSE
    site_ids = sites.sites_of(vendor_id)
    baseline_sites = sites.in_house_sites
    excused_dates = _excused_dates(terms, period)
    granted = _granted(disputes)
    results: dict[str, MetricResult] = {}
    undisputed: dict[str, MetricResult] = {}
    excused: dict[str, str] = {}
    queries: dict[str, MetricQuery] = {}
    for kpi in terms.kpis:
        query = kpi_query(kpi, terms, site_ids, excused_dates)
        results[kpi.id] = query.compute(data)
        if kpi.id in granted:
            undisputed[kpi.id] = results[kpi.id]
            query = _remedied_query(kpi, terms, site_ids, excused_dates, granted[kpi.id])
            results[kpi.id] = query.compute(data)
        queries[kpi.id] = query
        reason = _excuse(kpi, terms, period, excused_dates)
        if reason:
            excused[kpi.id] = reason
    baselines = {k.id: history.kpi_value(vendor_id, k.id, baseline_period(k, period)) for k in terms.kpis} \
        if history else {}
    compare = not in_house and bool(baseline_sites)
    brand_items = [c for c in terms.qa_form.criteria if c.brand_promise]
    consistency = brand_consistency(
        data, site_ids, baseline_sites, [c.id for c in brand_items],
        {c.id: c.floor for c in brand_items if c.floor is not None}) if compare and brand_items else None
    fees, fee_basis = _fees(terms, data, site_ids)
    candidates = history.earn_back_candidates(vendor_id, period, terms.money.earn_back_months) \
        if history and terms.money is not None and terms.money.earn_back_months else []

    def price(kpi_results: Mapping[str, MetricResult]) -> tuple[Scorecard, Settlement | None]:
        card = score_contract(terms, period, kpi_results, baselines, excused,
                              consistency.points if consistency else None)
        money = settle(terms, card, fees, candidates) if terms.money is not None and fees is not None else None
        return card, money

    scorecard, settlement = price(results)
    dispute_lines = _dispute_lines(disputes, results, undisputed, scorecard, settlement, price)
    return PricedVendor(scorecard, settlement, fees, fee_basis, consistency, dispute_lines, tuple(queries.items()))


def _audit_vendor(terms: Contract, entry: LoadedContract, period: Period, data: PeriodData,
                  sites: SiteDirectory, baseline_sites: tuple[str, ...],
                  history: History | None, disputes: LoadedDisputes | None = None) -> VendorAudit:
    vendor_id = terms.vendor.id
    in_house = terms.vendor.kind is VendorKind.IN_HOUSE
    site_ids = sites.sites_of(vendor_id)
    compare = not in_house and bool(baseline_sites)
    priced = price_vendor(terms, period, data, sites, history, disputes)
    scorecard, settlement, consistency = priced.scorecard, priced.settlement, priced.consistency
    fees, fee_basis, dispute_lines = priced.fees, priced.fee_basis, priced.disputes
    qa_params = {"qa.pass_rate": {"pass_mark": terms.qa_form.pass_mark},
                 "qa.coverage": {"min_evaluations": terms.qa_form.min_evaluations_per_agent}}
    return VendorAudit(
        vendor_id=vendor_id,
        vendor_name=terms.vendor.name,
        in_house=in_house,
        sites=tuple(s for s in sites.sites if s.vendor_id == vendor_id),
        contract=contract_source(entry),
        terms=terms,
        currency=terms.currency,
        fees=fees,
        fee_basis=fee_basis,
        scorecard=scorecard,
        settlement=settlement,
        consistency=consistency,
        sections=_sections(data, site_ids, baseline_sites if compare else (), qa_params),
        channel_parity=_parity(data, site_ids, baseline_sites if compare else ()),
        trend=_trend(scorecard, history, period),
        months=_months(vendor_id, history, period, scorecard, settlement, terms.currency),
        movers=_movers(scorecard, settlement, terms.currency),
        disputes=dispute_lines,
        kpi_queries=priced.queries,
    )


def _granted(disputes: LoadedDisputes | None) -> dict[str, Remedy]:
    """KPI id -> the remedies granted by the vendor's decided disputes, merged."""
    by_kpi: dict[str, list[Remedy]] = {}
    for d in disputes.file.disputes if disputes else ():
        if d.granted is not None:
            by_kpi.setdefault(d.kpi, []).append(d.granted)
    return {k: merged(v) for k, v in by_kpi.items()}


@dataclass(frozen=True)
class _RemedyNarrowing:
    """A granted remedy's intervals, contacts, evaluations and re-scores, as a query's narrowing of the
    vendor's rows (`kpis.query.Narrowing`): the KPI's value and its evidence read the same rows."""

    remedy: Remedy

    def narrow(self, data: PeriodData, site_ids: tuple[str, ...]) -> PeriodData:
        return remedied(data, site_ids, self.remedy)


def _remedied_query(kpi: Kpi, terms: Contract, site_ids: Sequence[str], excused_dates: Sequence[date],
                    remedy: Remedy) -> MetricQuery:
    """The KPI's query with a granted remedy: its dates and queues join the contract's excused
    ones; intervals, contacts, evaluations and re-scores narrow a copy of the vendor's data."""
    plain = kpi_query(kpi, terms, site_ids, excused_dates)
    narrows = bool(remedy.exclude_intervals or remedy.exclude_contacts or remedy.exclude_evaluations
                   or remedy.rescore)
    return replace(plain, exclude_queues=tuple(dict.fromkeys([*terms.excused.queues, *remedy.exclude_queues])),
                   exclude_dates=tuple(sorted({*excused_dates, *remedy.exclude_dates})),
                   narrowing=_RemedyNarrowing(remedy) if narrows else None)


def _dispute_lines(disputes: LoadedDisputes | None, results: Mapping[str, MetricResult],
                   undisputed: Mapping[str, MetricResult], scorecard: Scorecard, settlement: Settlement | None,
                   price: Callable[[Mapping[str, MetricResult]], tuple[Scorecard, Settlement | None]],
                   ) -> tuple[DisputeLine, ...]:
    """Every dispute of the vendor with its effect: the KPI and the money with the remedies of its KPI
    left out, against the scorecard as issued."""
    if disputes is None:
        return ()
    without: dict[str, tuple[Scorecard, Settlement | None]] = {
        kpi_id: price({**results, kpi_id: raw}) for kpi_id, raw in undisputed.items()}
    lines = []
    for d in disputes.file.disputes:
        after = scorecard.get(d.kpi)
        before = without[d.kpi][0].get(d.kpi) if d.kpi in without else after
        other = without.get(d.kpi, (scorecard, settlement))[1]
        delta = settlement.net_adjustment - other.net_adjustment if settlement and other else None
        decision = d.decision
        status = DisputeStatus(str(decision.outcome)) if decision else DisputeStatus.OPEN
        lines.append(DisputeLine(
            dispute_id=d.id, kpi_id=d.kpi, source=disputes.source,
            digest=d.digest, status=status,
            applied=d.granted is not None, asked=remedy_text(d.remedy),
            granted=remedy_text(d.granted) if d.granted is not None else "",
            reason=decision.reason if decision else "", decided_by=decision.decided_by if decision else "",
            decided_on=decision.decided_on if decision else None,
            value_without=before.value if before else None, value_with=after.value if after else None,
            outcome_without=str(before.outcome) if before else "", outcome_with=str(after.outcome) if after else "",
            money_delta=delta))
    return tuple(lines)


def kpi_query(kpi: Kpi, terms: Contract, site_ids: Sequence[str], excused_dates: Sequence[date]) -> MetricQuery:
    """The question a KPI asks of the period's rows: its metric, parameters, filters and what the
    contract excuses. Its value and its evidence are both read through it."""
    return MetricQuery(
        kpi.metric, tuple(site_ids), tuple(sorted(_kpi_params(kpi, terms).items())),
        channels=tuple(kpi.filters.channels) if kpi.filters.channels is not None else None,
        queues=tuple(kpi.filters.queues) if kpi.filters.queues is not None else None,
        exclude_queues=tuple(terms.excused.queues), exclude_dates=tuple(excused_dates), min_sample=kpi.min_sample)


def _kpi_params(kpi: Kpi, terms: Contract) -> dict[str, object]:
    """The KPI's params, with the QA form's pass mark and coverage k where the KPI leaves them out."""
    params: dict[str, object] = dict(kpi.params)
    if kpi.metric == "qa.pass_rate":
        params.setdefault("pass_mark", terms.qa_form.pass_mark)
    if kpi.metric == "qa.coverage":
        params.setdefault("min_evaluations", terms.qa_form.min_evaluations_per_agent)
    return params


def _excused_dates(terms: Contract, period: Period) -> tuple[date, ...]:
    days: list[date] = []
    for span in terms.excused.dates:
        day = max(span.start, period.first_day)
        while day <= min(span.end, period.last_day):
            days.append(day)
            day += timedelta(days=1)
    return tuple(sorted(set(days)))


def _excuse(kpi: Kpi, terms: Contract, period: Period, excused_dates: tuple[date, ...]) -> str:
    """Why a KPI is excused as a whole this period, or '' (partial excuses only narrow the data)."""
    if len(excused_dates) == period.last_day.day:
        reasons = sorted({s.reason for s in terms.excused.dates})
        return f"the whole of {period} is excused ({'; '.join(reasons)})"
    queues = kpi.filters.queues
    if queues and set(queues) <= set(terms.excused.queues):
        return f"its queues ({', '.join(queues)}) are excused by the contract"
    return ""


def _fees(terms: Contract, data: PeriodData, site_ids: Sequence[str]) -> tuple[Decimal | None, str]:
    """The month's fees under the contract's fee model, and how they were reached, in words."""
    fees = terms.fees
    if fees is None:
        return None, "no fees (in-house)"
    money = format_money(fees.amount, terms.currency)
    if fees.model is FeeModel.FIXED_MONTHLY:
        return fees.amount, f"fixed monthly fee {money}"
    # A fee is invoiced in the currency's minor unit: round the product half-up, as an invoice line.
    quantum = Decimal(1).scaleb(-(terms.money.rounding.minor_unit if terms.money else 2))
    if fees.model is FeeModel.PER_CONTACT:
        handled = data.interactions.lazy().filter(
            pl.col("site_id").is_in(list(site_ids)) & pl.col("answered_at").is_not_null()
        ).select(pl.len()).collect().item()
        amount = (fees.amount * handled).quantize(quantum, ROUND_HALF_UP)
        return amount, f"{handled:,} handled contacts x {money}"
    agents = _active_agent_fte(data, site_ids)
    amount = (fees.amount * agents).quantize(quantum, ROUND_HALF_UP)
    return amount, f"{agents} FTE of active agents x {money}"


def _active_agent_fte(data: PeriodData, site_ids: Sequence[str]) -> Decimal:
    roster = active_agents(data.roster.filter(pl.col("site_id").is_in(list(site_ids))), data.period)
    # FTE is a fraction written by people (0.5, 0.75): sum it exactly from its decimal text.
    return sum((Decimal(str(v)) for v in roster.get_column("fte").to_list()), Decimal(0))


def _sections(data: PeriodData, site_ids: Sequence[str], baseline_sites: Sequence[str],
              params: dict[str, dict[str, object]]) -> tuple[Section, ...]:
    sections = []
    for section_id, title, metric_ids in SECTIONS:
        lines = []
        for metric_id in metric_ids:
            p = params.get(metric_id)
            vendor = compute_metric(metric_id, data, site_ids, p)
            lines.append(MetricLine(
                metric_id=metric_id,
                title=metric_label(vendor),  # with the parameters it was computed with, as KPI labels
                vendor=vendor,
                baseline=compute_metric(metric_id, data, baseline_sites, p) if baseline_sites else None,
                definition=METRICS[metric_id].definition,
            ))
        sections.append(Section(section_id, title, tuple(lines)))
    return tuple(sections)


def _parity(data: PeriodData, site_ids: Sequence[str], baseline_sites: Sequence[str]) -> tuple[ChannelValue, ...]:
    rows = []
    for metric_id in PARITY_METRICS:
        base = dict(breakdown(metric_id, data, "channel", baseline_sites)) if baseline_sites else {}
        for channel, result in breakdown(metric_id, data, "channel", site_ids):
            rows.append(ChannelValue(channel, metric_id, result, base.get(channel)))
    return tuple(rows)


def _trend(scorecard: Scorecard, history: History | None, period: Period) -> tuple[TrendPoint, ...]:
    points: list[TrendPoint] = []
    for score in scorecard.kpis:
        if history is not None:
            for p in history.kpi_series(scorecard.vendor_id, score.kpi_id, period.shift(-1), TREND_MONTHS - 1):
                points.append(TrendPoint(p.period, score.kpi_id, p.value,
                                         p.outcome.value if p.outcome else None))
        points.append(TrendPoint(period, score.kpi_id, score.value, score.outcome.value))
    return tuple(points)


def _months(vendor_id: str, history: History | None, period: Period, scorecard: Scorecard,
            settlement: Settlement | None, currency: str) -> tuple[MonthFigures, ...]:
    """The vendor's composite and net adjustment over the last PORTFOLIO_MONTHS months, this one last."""
    earlier = history.vendor_months(vendor_id, period.shift(-1), PORTFOLIO_MONTHS - 1) if history else ()
    now = MonthFigures(period, True, scorecard.composite,
                       settlement.net_adjustment if settlement is not None else None, currency)
    return (*earlier, now)


def _movers(scorecard: Scorecard, settlement: Settlement | None, currency: str) -> tuple[str, ...]:
    """The three KPIs that moved the composite most: points lost (or won) times their weight."""
    credits = settlement.kpi_credits if settlement else {}
    scored = [k for k in scorecard.kpis if k.is_scored and k.points is not None and k.effective_weight > 0]
    ranked = sorted(scored, key=lambda k: (-(k.effective_weight * (10 - k.points)), k.outcome is Outcome.MET,
                                           -k.effective_weight, k.kpi_id))
    if all(k.points == 10 for k in ranked):
        ranked = sorted(scored, key=lambda k: (-k.effective_weight, k.kpi_id))
    lines = []
    for k in ranked[:3]:
        money = f"; credit {format_money(credits[k.kpi_id], currency)}" if credits.get(k.kpi_id) else ""
        lines.append(f"{k.verdict} ({k.points}/10 points at {k.effective_weight:.1f}% weight{money})")
    return tuple(lines)


def contract_source(entry: LoadedContract) -> ContractSource:
    """Which file priced a vendor, as the results record it."""
    return ContractSource(entry.contract.contract_id, entry.source, entry.version, entry.sha256,
                          str(entry.file) if entry.file else "")


def _fingerprint(validated: ValidatedExports, contracts: ContractSet, disputes: DisputeSet, period: Period) -> str:
    digest = hashlib.sha256()
    for f in sorted(validated.files, key=lambda f: f.path):
        digest.update(f"{f.path}\0{f.sha256}\n".encode())
    for e in sorted(contracts, key=lambda e: e.source):
        digest.update(f"{e.source}\0{e.sha256}\n".encode())
    if len(disputes.for_period(period)):
        # only when the period has dispute files, so an audit without them keeps its fingerprint
        digest.update(f"disputes\0{disputes.digest(period)}\n".encode())
    return digest.hexdigest()
