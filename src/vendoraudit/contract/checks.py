"""Semantic checks of a structurally valid contract, each problem located at file:line:col.

Rules beyond the model's types: metrics and their parameters exist (checked against the KPI
registry, `kpis.registry.METRICS`, and its own parameter rules), referenced criteria and
categories exist, ids are unique, a statistical allowance is only set on a metric with an interval,
target and minimum agree with the direction, points and bands
scoring are well ordered, allocations stay within their caps, dates are in order, outsourced
contracts carry fees and money, time zones and currencies are real, and no site is covered by
two contracts in overlapping periods.

Allocation rule (chosen here, documented in docs/contract-format.md): the categories' pool
allocations may sum to at most `money.pool_allocation_cap`, and within each category the KPIs'
`credit_allocation`s (each a share of that category's pool) may sum to at most 100%. So the
effective allocation of a KPI (pool% x credit%) never exceeds its category's pool, and all KPIs
together never exceed the cap, as spec/metrics.md requires of the per-KPI allocations.
Every state of the terms is checked: the base contract and the terms after each amendment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from decimal import Decimal

from ..errors import ConfigError
from ..periods import Period, zone_info
from ..problems import PathT, Problem, format_path, suggest
from ..results import Direction
from ..tables import CHANNELS
from ..yamlsource import LocatedDocument, Location
from .model import Contract, Domain, Kpi, Money, QaForm, ScoringMethod, VendorKind
from .terms import apply_amendment

if TYPE_CHECKING:
    from ..kpis.registry import MetricDef


def metric_catalog() -> Mapping[str, MetricDef]:
    """Every metric a KPI may name, keyed by metric id: the KPI registry (imported when first needed)."""
    from ..kpis.registry import METRICS

    return METRICS


def metric_param_names(metric: MetricDef) -> frozenset[str]:
    """The parameters a KPI may give its metric: the registry's, plus `variant` for metrics with variants."""
    return frozenset(p.name for p in metric.params) | (frozenset({"variant"}) if metric.variants else frozenset())


def kpi_direction(kpi: Kpi) -> Direction | None:
    """The KPI's direction: its own, else its metric's (None for an unknown metric)."""
    if kpi.direction is not None:
        return kpi.direction
    metric = metric_catalog().get(kpi.metric)
    return metric.direction if metric else None


# ISO 4217 codes with their minor units (a subset: the currencies contact-center contracts use).
CURRENCY_MINOR_UNITS: Mapping[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "MXN": 2, "BRL": 2, "COP": 2, "ARS": 2,
    "PEN": 2, "DOP": 2, "CRC": 2, "GTQ": 2, "PHP": 2, "INR": 2, "MYR": 2, "SGD": 2, "HKD": 2,
    "CNY": 2, "THB": 2, "ZAR": 2, "EGP": 2, "MAD": 2, "KES": 2, "NGN": 2, "AED": 2, "SAR": 2,
    "ILS": 2, "TRY": 2, "JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "ISK": 0, "PYG": 0, "UGX": 0,
    "BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3,
}

_HUNDRED = Decimal(100)


def _num(value: float | Decimal) -> str:
    """A number as written by people (no trailing .0)."""
    return format(Decimal(str(value)).normalize(), "f")


def _known(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "(none)"


class _Checker:
    """Collects problems located in one document; the same problem is reported once."""

    def __init__(self, doc: LocatedDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, path: PathT, message: str, key: bool = False, note: str = "") -> None:
        text = format_path(path)
        if (text, message) in self._seen:
            return
        self._seen.add((text, message))
        self.problems.append(Problem(self.doc.locate(path, key=key), text, message + note))


def check_contract(contract: Contract, doc: LocatedDocument) -> list[Problem]:
    """Every semantic problem of one contract (already valid against the model)."""
    c = _Checker(doc)
    _check_dates(c, contract)
    _check_vendor_terms(c, contract)
    _check_sites(c, contract)
    _check_qa_form(c, contract.qa_form, ("qa_form",))
    if contract.money is not None:
        _check_money(c, contract.money, ("money",), contract.currency)
    _check_unique_ids(c, [k.id for k in contract.kpis], ("kpis",), "KPI")
    _check_domains(c, contract.domains, ("domains",))
    for a, amendment in enumerate(contract.amendments):
        base: PathT = ("amendments", a)
        if amendment.domains is not None:
            _check_domains(c, amendment.domains, base + ("domains",))
        if amendment.qa_form is not None:
            _check_qa_form(c, amendment.qa_form, base + ("qa_form",))
        if amendment.money is not None:
            _check_money(c, amendment.money, base + ("money",), contract.currency)
        _check_unique_ids(c, [k.id for k in amendment.kpis], base + ("kpis",), "KPI")
        for i, kid in enumerate(amendment.remove_kpis):
            if kid in {k.id for k in amendment.kpis}:
                c.add(base + ("remove_kpis", i), f"KPI {kid!r} is both removed and listed in kpis")
    _check_states(c, contract)
    return c.problems


def _check_dates(c: _Checker, contract: Contract) -> None:
    start = Period.parse(contract.effective_from)
    end = Period.parse(contract.effective_to) if contract.effective_to else None
    if end is not None and end < start:
        c.add(("effective_to",), f"{end} is before effective_from {start}")
    _check_unique_ids(c, [a.id for a in contract.amendments], ("amendments",), "amendment")
    previous: Period | None = None
    for a, amendment in enumerate(contract.amendments):
        when = Period.parse(amendment.effective_from)
        path: PathT = ("amendments", a, "effective_from")
        if previous is not None and when <= previous:
            c.add(path, f"{when} is not after the previous amendment's {previous}; list amendments in date order")
        if when < start or (end is not None and when > end):
            span = f"{start} to {end}" if end else f"from {start}"
            c.add(path, f"{when} is outside the contract's effective range ({span})")
        previous = when if previous is None or when > previous else previous
    excused = [(("excused",), contract.excused)] + [
        (("amendments", a, "excused"), am.excused) for a, am in enumerate(contract.amendments) if am.excused
    ]
    for base, section in excused:
        for i, span in enumerate(section.dates):
            if span.end < span.start:
                c.add(base + ("dates", i, "end"), f"{span.end} is before start {span.start}")


def _check_vendor_terms(c: _Checker, contract: Contract) -> None:
    if contract.currency not in CURRENCY_MINOR_UNITS:
        c.add(("currency",), f"unknown currency {contract.currency!r}; {suggest(contract.currency, list(CURRENCY_MINOR_UNITS))}")
    if contract.vendor.kind is VendorKind.OUTSOURCED:
        for section in ("fees", "money"):
            if getattr(contract, section) is None:
                c.add((section,), "required for an outsourced vendor (vendor.kind is outsourced)")


def _check_sites(c: _Checker, contract: Contract) -> None:
    _check_unique_ids(c, [s.id for s in contract.sites], ("sites",), "site")
    for i, site in enumerate(contract.sites):
        try:
            zone_info(site.timezone)
        except ConfigError:
            c.add(("sites", i, "timezone"), f"unknown IANA time zone {site.timezone!r} (e.g. America/New_York)")


def _check_unique_ids(c: _Checker, ids: Sequence[str], base: PathT, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            c.add(base + (i, "id"), f"duplicate {what} id {item!r}")
        seen.add(item)


def _check_qa_form(c: _Checker, form: QaForm, base: PathT) -> None:
    _check_unique_ids(c, [k.id for k in form.criteria], base + ("criteria",), "criterion")
    for i, criterion in enumerate(form.criteria):
        if criterion.floor is not None and not criterion.brand_promise:
            c.add(base + ("criteria", i, "floor"), "a floor applies only to brand_promise criteria")
        if criterion.floor is not None and not 0 <= criterion.floor <= 100:
            c.add(base + ("criteria", i, "floor"), f"{_num(criterion.floor)} is outside 0..100")


def _check_domains(c: _Checker, domains: Sequence[Domain], base: PathT) -> None:
    _check_unique_ids(c, [d.id for d in domains], base, "domain")
    if domains and sum((d.weight for d in domains), Decimal(0)) <= 0:
        c.add(base, "domain weights sum to 0; at least one domain needs a weight above 0")
    counting = [i for i, d in enumerate(domains) if d.consistency]
    for i in counting[1:]:
        c.add(base + (i, "consistency"), f"consistency points already count in domain {domains[counting[0]].id!r}; "
              "they can count in one domain only")


def _check_domain_refs(c: _Checker, terms: Contract, origins: Mapping[str, PathT], note: str,
                       domains_at: PathT = ("domains",)) -> None:
    """With domains, every KPI names one of them and every domain can be scored; without, no KPI names one."""
    known = [d.id for d in terms.domains]
    for kpi in terms.kpis:
        path = origins[kpi.id]
        if kpi.domain is None and known:
            c.add(path, f"KPI {kpi.id!r} has no domain; the contract scores by domains ({_known(known)})", note=note)
        elif kpi.domain is not None and kpi.domain not in known:
            where = f"known: {_known(known)}" if known else "the contract has no domains"
            c.add(path + ("domain",), f"domain {kpi.domain!r} is not in domains; {where}", note=note)
    used = {k.domain for k in terms.kpis}
    for i, domain in enumerate(terms.domains):
        if domain.id not in used and not domain.consistency:
            c.add(domains_at + (i, "id"), f"domain {domain.id!r} has no KPI, so it can never be scored", note=note)


def _check_money(c: _Checker, money: Money, base: PathT, currency: str) -> None:
    _check_unique_ids(c, [k.id for k in money.categories], base + ("categories",), "category")
    total = sum((k.pool_allocation for k in money.categories), Decimal(0))
    if total > money.pool_allocation_cap:
        c.add(base + ("categories",), f"category pool allocations sum to {_num(total)}%, "
              f"above the pool allocation cap of {_num(money.pool_allocation_cap)}%")
    if money.at_risk_percent > _HUNDRED:
        c.add(base + ("at_risk_percent",), f"{_num(money.at_risk_percent)}% of fees cannot be at risk (at most 100)")
    if money.withhold is not None and money.withhold.percent > _HUNDRED:
        c.add(base + ("withhold", "percent"), f"{_num(money.withhold.percent)}% cannot be withheld (at most 100)")
    expected = CURRENCY_MINOR_UNITS.get(currency)
    if expected is not None and money.rounding.minor_unit != expected:
        c.add(base + ("rounding", "minor_unit"),
              f"{money.rounding.minor_unit} does not agree with {currency}, which has {expected} decimal places")


def _check_states(c: _Checker, contract: Contract) -> None:
    """Check the KPIs against the terms in force: the base, then after each amendment in date order."""
    origins: dict[str, PathT] = {}
    for i, kpi in enumerate(contract.kpis):
        origins.setdefault(kpi.id, ("kpis", i))
        _check_kpi(c, kpi, ("kpis", i), contract, "")
    _check_totals(c, contract, origins, ("kpis",), "")
    _check_domain_refs(c, contract, origins, "")
    domains_at: PathT = ("domains",)
    state = contract
    order = sorted(enumerate(contract.amendments), key=lambda pair: Period.parse(pair[1].effective_from))
    for a, amendment in order:
        base: PathT = ("amendments", a)
        present = {k.id for k in state.kpis}
        for i, kid in enumerate(amendment.remove_kpis):
            if kid not in present:
                c.add(base + ("remove_kpis", i), f"no KPI {kid!r} in force to remove; in force: {_known(sorted(present))}")
        state = apply_amendment(state, amendment)
        note = f" (with amendment {amendment.id} in force from {amendment.effective_from})"
        for kid in amendment.remove_kpis:
            origins.pop(kid, None)
        for j, kpi in enumerate(amendment.kpis):
            origins[kpi.id] = base + ("kpis", j)
        for kpi in state.kpis:
            path = origins[kpi.id]
            _check_kpi(c, kpi, path, state, "" if path[:2] == base else note)
        _check_totals(c, state, origins, base, note)
        if amendment.domains is not None:
            domains_at = base + ("domains",)
        _check_domain_refs(c, state, origins, note, domains_at)


def _check_kpi(c: _Checker, kpi: Kpi, path: PathT, terms: Contract, note: str) -> None:
    catalog = metric_catalog()
    metric = catalog.get(kpi.metric)
    if metric is None:
        c.add(path + ("metric",), f"unknown metric {kpi.metric!r}; {suggest(kpi.metric, list(catalog))}")
    else:
        _check_params(c, kpi, path, metric)
        # The registry names the filters a metric accepts "channel" and "queue".
        for name, given, word in (("channels", kpi.filters.channels, "channel"), ("queues", kpi.filters.queues, "queue")):
            if given and word not in metric.filters:
                c.add(path + ("filters", name), f"{kpi.metric} cannot be filtered by {word}")
        if kpi.statistical_allowance and not metric.has_interval:
            # It would silently do nothing: the allowance compares the interval with the minimum.
            c.add(path + ("statistical_allowance",), f"{kpi.metric} has no 95% interval, so a statistical "
                  "allowance cannot apply; remove it (or set it to false)")
    criterion = kpi.params.get("criterion") if kpi.metric == "qa.criterion_score" else None
    if criterion is not None:
        known = [k.id for k in terms.qa_form.criteria]
        if criterion not in known:
            c.add(path + ("params", "criterion"),
                  f"criterion {criterion!r} is not in the QA form; known criteria: {_known(known)}", note=note)
    for i, channel in enumerate(kpi.filters.channels or ()):
        if channel not in CHANNELS:
            c.add(path + ("filters", "channels", i), f"unknown channel {channel!r}; known: {_known(CHANNELS)}")
    _check_money_refs(c, kpi, path, terms, note)
    direction = kpi_direction(kpi)
    if direction is not None:
        _check_direction(c, kpi, path, direction)


def _check_params(c: _Checker, kpi: Kpi, path: PathT, metric: MetricDef) -> None:
    """Names against the registry, then each value through the registry's own parameter check."""
    known = metric_param_names(metric)
    required = {p.name for p in metric.params if p.required}
    for name in kpi.params:
        if name not in known:
            c.add(path + ("params", name), f"unknown parameter {name!r} for {kpi.metric}; "
                  f"known: {_known(sorted(known))}", key=True)
    for name in sorted(required - set(kpi.params)):
        c.add(path + ("params",), f"{kpi.metric} needs the parameter {name!r}")
    given_required = {n: v for n, v in kpi.params.items() if n in required}
    for name, value in kpi.params.items():
        if name not in known:
            continue
        try:
            metric.resolve_params(given_required | {name: value})
        except ConfigError as exc:
            message = str(exc).removeprefix(f"metric {metric.id}: ")
            if not message.endswith("is required"):
                c.add(path + ("params", name), message)


def _check_money_refs(c: _Checker, kpi: Kpi, path: PathT, terms: Contract, note: str) -> None:
    money = terms.money
    if money is None:
        if kpi.credit_allocation > 0:
            c.add(path + ("credit_allocation",), "a credit allocation needs money terms", note=note)
        if kpi.bonus_allocation > 0:
            c.add(path + ("bonus_allocation",), "a bonus allocation needs money.bonus", note=note)
        return
    known = [k.id for k in money.categories]
    if kpi.category not in known:
        c.add(path + ("category",), f"category {kpi.category!r} is not in money.categories; "
              f"known: {_known(known)}", note=note)
    if kpi.bonus_allocation > 0 and money.bonus is None:
        c.add(path + ("bonus_allocation",), "a bonus allocation needs money.bonus", note=note)


def _check_direction(c: _Checker, kpi: Kpi, path: PathT, direction: Direction) -> None:
    higher = direction is Direction.HIGHER
    word = "higher" if higher else "lower"
    if (kpi.target < kpi.minimum) if higher else (kpi.target > kpi.minimum):
        side = "below" if higher else "above"
        c.add(path + ("target",), f"{_num(kpi.target)} is {side} the minimum {_num(kpi.minimum)}; "
              f"for a {word}-is-better KPI the target must be at or {'above' if higher else 'below'} the minimum")
    scoring = kpi.scoring
    sp = path + ("scoring",)
    if scoring.method is ScoringMethod.POINTS:
        missing = [n for n in ("threshold", "benchmark") if getattr(scoring, n) is None]
        if missing:
            c.add(sp, f"points scoring needs {' and '.join(missing)}")
        elif (scoring.benchmark <= scoring.threshold) if higher else (scoring.benchmark >= scoring.threshold):
            c.add(sp + ("benchmark",), f"{_num(scoring.benchmark)} must be {word} than the threshold "
                  f"{_num(scoring.threshold)} ({word} is better for this KPI)")
    if scoring.method is ScoringMethod.BANDS and not scoring.bands:
        c.add(sp, "bands scoring needs bands")
    if scoring.method is not ScoringMethod.BANDS and scoring.bands:
        c.add(sp + ("bands",), f"bands are used only by the bands method (method is {scoring.method.value})")
    for i in range(1, len(scoring.bands)):
        prev, band = scoring.bands[i - 1], scoring.bands[i]
        if (band.at_least >= prev.at_least) if higher else (band.at_least <= prev.at_least):
            order = "descending" if higher else "ascending"
            c.add(sp + ("bands", i, "at_least"), f"bands must run from best to worst ({order} at_least "
                  f"for a {word}-is-better KPI): {_num(band.at_least)} follows {_num(prev.at_least)}")
        elif band.points > prev.points:
            c.add(sp + ("bands", i, "points"), f"{band.points} points in a worse band than one "
                  f"worth {prev.points}")


def _check_totals(c: _Checker, terms: Contract, origins: Mapping[str, PathT], where: PathT, note: str) -> None:
    """Sums over the KPIs in force: weights with points scoring, credit and bonus allocations."""
    kpis = terms.kpis
    if (not terms.domains and any(k.scoring.method is ScoringMethod.POINTS for k in kpis)
            and sum(k.weight for k in kpis) <= 0):
        c.add(where, "KPIs use points scoring but their weights sum to 0", note=note)
    credit = Counter[str]()
    for kpi in kpis:
        if kpi.credit_allocation <= 0:
            continue
        credit[kpi.category] += kpi.credit_allocation
        if credit[kpi.category] > _HUNDRED and credit[kpi.category] - kpi.credit_allocation <= _HUNDRED:
            c.add(origins[kpi.id] + ("credit_allocation",),
                  f"credit allocations of category {kpi.category!r} reach {_num(_sum_of(kpis, kpi.category))}%, "
                  "above 100% of its pool", note=note)
    bonus = [k for k in kpis if k.bonus_allocation > 0]
    total = sum((k.bonus_allocation for k in bonus), Decimal(0))
    if total > _HUNDRED:
        c.add(origins[bonus[-1].id] + ("bonus_allocation",),
              f"bonus allocations sum to {_num(total)}%, above 100% of the bonus pool", note=note)


def _sum_of(kpis: Sequence[Kpi], category: str) -> Decimal:
    return sum((k.credit_allocation for k in kpis if k.category == category), Decimal(0))


def check_site_overlaps(entries: Sequence[tuple[Contract, LocatedDocument]]) -> list[Problem]:
    """Problems across files: a site in two contracts for overlapping periods, a contract_id used twice."""
    problems: list[Problem] = []
    for j, (later, later_doc) in enumerate(entries):
        for earlier, earlier_doc in entries[:j]:
            if earlier.contract_id == later.contract_id:
                problems.append(Problem(later_doc.locate(("contract_id",)), "contract_id",
                                        f"{later.contract_id!r} is also the id of the contract in "
                                        f"{earlier_doc.locate(('contract_id',))}"))
            if not _overlap(earlier, later):
                continue
            earlier_sites = {s.id: i for i, s in enumerate(earlier.sites)}
            for i, site in enumerate(later.sites):
                if site.id in earlier_sites:
                    where = earlier_doc.locate(("sites", earlier_sites[site.id], "id"))
                    problems.append(Problem(
                        later_doc.locate(("sites", i, "id")), format_path(("sites", i, "id")),
                        f"site {site.id!r} is also covered by contract {earlier.contract_id} ({where}) "
                        f"in overlapping periods ({_span(earlier)} and {_span(later)})"))
    return problems


def _span(contract: Contract) -> str:
    return f"{contract.effective_from}..{contract.effective_to or 'open'}"


def _overlap(a: Contract, b: Contract) -> bool:
    def end(x: Contract) -> Period:
        return Period.parse(x.effective_to) if x.effective_to else Period(9999, 12)

    return Period.parse(a.effective_from) <= end(b) and Period.parse(b.effective_from) <= end(a)
