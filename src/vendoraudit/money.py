"""Money: service credits, caps, bonus, withhold-and-exchange and earn-back, all in Decimal.

Amounts are signed from the vendor's view: negative is a credit to the client, positive is
paid to the vendor. Each line is rounded half-up to the currency's minor unit at the level the
contract names (each KPI line, or each category's sum); totals are sums of rounded lines. Every
line explains itself in words and figures a person can recompute by hand. KPI values are floats
from the KPI engine and appear only in the explanation text, never in the arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from .contract.model import Contract, Kpi, Money, RoundingLevel
from .errors import ConfigError
from .periods import Period
from .scoring import KpiScore, Outcome, Scorecard

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
CURRENCY_SYMBOLS = _SYMBOLS  # the workbook's money formats write money the same way
_HUNDRED = Decimal(100)
_SHOWN_PLACES = 10  # an exact amount is never longer in practice: it is a product of short decimals


class LineKind(StrEnum):
    """What a money line is for."""

    SERVICE_CREDIT = "service_credit"  # a missed KPI's credit to the client (negative)
    CREDIT_CAP = "credit_cap"  # gives back credits beyond the monthly at-risk amount (positive)
    BONUS = "bonus"  # a KPI at or beyond target (positive)
    BONUS_CAP = "bonus_cap"  # takes back bonus beyond the cap (negative)
    WITHHOLD = "withhold"  # the share of fees withheld (negative)
    WITHHOLD_EARNED = "withhold_earned"  # what the score earns back of it (positive)
    EARN_BACK = "earn_back"  # an earlier period's credit returned (positive)


@dataclass(frozen=True)
class MoneyLine:
    """One line of the settlement; `refers_to` is the period an earn-back's credit was charged in."""

    kind: LineKind
    amount: Decimal
    explanation: str
    kpi_id: str | None = None
    category: str | None = None
    clause: str = ""
    refers_to: Period | None = None


@dataclass(frozen=True)
class EarnBackCandidate:
    """A credit charged in an earlier period that may be returned (see `History.earn_back_candidates`).

    `amount` is what was charged for the KPI that period, positive. `months_met_before` counts the
    consecutive months the KPI was met after `period` and before the period being settled; the
    settled period's own outcome comes from its scorecard.
    """

    period: Period
    kpi_id: str
    amount: Decimal
    months_met_before: int


@dataclass(frozen=True)
class Settlement:
    """What a period's results do to a vendor's invoice.

    `kpi_credits` is the credit each missed KPI actually bears after the cap (positive, what an
    earn-back would return). Totals are sums of the rounded lines of their kinds.
    """

    vendor_id: str
    period: Period
    currency: str
    fees: Decimal
    at_risk: Decimal
    lines: tuple[MoneyLine, ...]
    credits_total: Decimal
    bonus_total: Decimal
    withhold_net: Decimal
    earn_back_total: Decimal
    net_adjustment: Decimal
    credit_cap_applied: bool
    bonus_cap_applied: bool
    withhold_factor: Decimal | None = None
    kpi_credits: dict[str, Decimal] = field(default_factory=dict)

    def total_of(self, *kinds: LineKind) -> Decimal:
        """The sum of the lines of the given kinds."""
        return sum((line.amount for line in self.lines if line.kind in kinds), Decimal(0))


def format_money(amount: Decimal, currency: str, minor_unit: int = 2) -> str:
    """`-$2,000.00`, `€1,234.50`, `COP 1,234`: symbol for USD/EUR/GBP else the code, thousands
    separators, at least the minor unit's decimals and more when the exact amount has them."""
    exponent = amount.normalize().as_tuple().exponent
    places = max(minor_unit, min(_SHOWN_PLACES, -exponent if isinstance(exponent, int) and exponent < 0 else 0))
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.{places}f}"


def format_percent(percent: Decimal) -> str:
    """`50%`, `12.5%`: a percentage without trailing zeros."""
    return f"{percent.normalize():f}%"


@dataclass(frozen=True)
class _Rounder:
    """Half-up rounding to the currency's minor unit, and money text in that currency."""

    currency: str
    minor_unit: int

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_unit)

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def text(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.minor_unit)

    def equals(self, exact: Decimal) -> str:
        """`= $2,000.00`, or `= $1,234.5675, rounded to $1,234.57` when rounding changes it."""
        rounded = self.round(exact)
        tail = "" if rounded == exact else f", rounded to {self.text(rounded)}"
        return f"= {self.text(exact)}{tail}"


@dataclass(frozen=True)
class _Item:
    """One KPI's exact (unrounded) amount and its arithmetic in words."""

    score: KpiScore
    kpi: Kpi
    exact: Decimal
    words: str


def settle(terms: Contract, scorecard: Scorecard, fees: Decimal,
           earn_back: Sequence[EarnBackCandidate] = ()) -> Settlement:
    """Price a scorecard against the contract's money terms for fees of `fees` this period.

    Credits (missed KPIs) = category pool% x KPI credit% x at-risk, capped at the at-risk amount;
    bonus (met at or beyond target) = KPI bonus% x pool% x fees, capped at cap% x fees; the
    withhold-and-exchange lines when the contract has a withhold; earn-back lines for candidates
    whose KPI is met this period too and so reaches the contract's run of months.
    Insufficient-data and excused KPIs move no money (their `reason` says so).
    """
    if not isinstance(fees, Decimal):
        raise TypeError(f"fees must be a Decimal (never a float), got {type(fees).__name__}")
    if not fees.is_finite() or fees < 0:
        raise ValueError(f"fees must be a finite amount of at least 0, got {fees}")
    money = terms.money
    if money is None:
        return _settlement(terms, scorecard, fees, Decimal(0), [], {}, False, False, None)
    rounder = _Rounder(terms.currency, money.rounding.minor_unit)
    at_risk_exact = money.at_risk_percent / _HUNDRED * fees
    at_risk = rounder.round(at_risk_exact)
    kpis = {k.id: k for k in terms.kpis}
    level = money.rounding.level

    credit_items = _credit_items(money, kpis, scorecard, at_risk_exact, rounder)
    lines = _priced_lines(LineKind.SERVICE_CREDIT, credit_items, level, rounder, sign=-1)
    gross = -sum((line.amount for line in lines), Decimal(0))
    credit_capped = gross > at_risk
    if credit_capped:
        lines.append(MoneyLine(
            LineKind.CREDIT_CAP, gross - at_risk,
            f"credits of {rounder.text(gross)} exceed the monthly cap, the at-risk amount "
            f"{format_percent(money.at_risk_percent)} x {rounder.text(fees)} = {rounder.text(at_risk)}; "
            f"{rounder.text(gross - at_risk)} given back", clause=money.clause))
    kpi_credits = _kpi_credits(credit_items, level, gross, at_risk if credit_capped else gross, rounder)

    bonus_capped = False
    if money.bonus is not None:
        bonus_items = _bonus_items(money, kpis, scorecard, fees, rounder)
        bonus_lines = _priced_lines(LineKind.BONUS, bonus_items, level, rounder, sign=1)
        bonus_gross = sum((line.amount for line in bonus_lines), Decimal(0))
        bonus_cap = rounder.round(money.bonus.cap_percent / _HUNDRED * fees)
        bonus_capped = bonus_gross > bonus_cap
        if bonus_capped:
            bonus_lines.append(MoneyLine(
                LineKind.BONUS_CAP, bonus_cap - bonus_gross,
                f"bonus of {rounder.text(bonus_gross)} exceeds the cap "
                f"{format_percent(money.bonus.cap_percent)} x {rounder.text(fees)} = {rounder.text(bonus_cap)}; "
                f"{rounder.text(bonus_gross - bonus_cap)} taken back", clause=money.bonus.clause))
        lines += bonus_lines

    factor = None
    if money.withhold is not None:
        withhold_lines, factor = _withhold_lines(money, scorecard, fees, rounder)
        lines += withhold_lines
    lines += _earn_back_lines(money, scorecard, earn_back, rounder)
    return _settlement(terms, scorecard, fees, at_risk, lines, kpi_credits, credit_capped, bonus_capped, factor)


def _settlement(terms: Contract, scorecard: Scorecard, fees: Decimal, at_risk: Decimal, lines: list[MoneyLine],
                kpi_credits: dict[str, Decimal], credit_capped: bool, bonus_capped: bool,
                factor: Decimal | None) -> Settlement:
    def total(*kinds: LineKind) -> Decimal:
        return sum((line.amount for line in lines if line.kind in kinds), Decimal(0))

    return Settlement(
        vendor_id=scorecard.vendor_id, period=scorecard.period, currency=terms.currency, fees=fees,
        at_risk=at_risk, lines=tuple(lines),
        credits_total=total(LineKind.SERVICE_CREDIT, LineKind.CREDIT_CAP),
        bonus_total=total(LineKind.BONUS, LineKind.BONUS_CAP),
        withhold_net=total(LineKind.WITHHOLD, LineKind.WITHHOLD_EARNED),
        earn_back_total=total(LineKind.EARN_BACK),
        net_adjustment=sum((line.amount for line in lines), Decimal(0)),
        credit_cap_applied=credit_capped, bonus_cap_applied=bonus_capped,
        withhold_factor=factor, kpi_credits=kpi_credits)


def _credit_items(money: Money, kpis: dict[str, Kpi], scorecard: Scorecard, at_risk_exact: Decimal,
                  rounder: _Rounder) -> list[_Item]:
    """Each missed KPI with a credit allocation: pool% x KPI% x at-risk, unrounded."""
    categories = {c.id: c for c in money.categories}
    items = []
    for score in scorecard.kpis:
        kpi = kpis.get(score.kpi_id)
        if score.outcome is not Outcome.MISSED or kpi is None or kpi.credit_allocation == 0:
            continue
        category = categories.get(kpi.category)
        if category is None:
            raise ConfigError(f"KPI {kpi.id}: category {kpi.category!r} has no pool allocation in the money terms")
        exact = category.pool_allocation / _HUNDRED * kpi.credit_allocation / _HUNDRED * at_risk_exact
        words = (f"{score.verdict}; credit {format_percent(category.pool_allocation)} x "
                 f"{format_percent(kpi.credit_allocation)} x {rounder.text(at_risk_exact)}")
        items.append(_Item(score, kpi, exact, words))
    return items


def _bonus_items(money: Money, kpis: dict[str, Kpi], scorecard: Scorecard, fees: Decimal,
                 rounder: _Rounder) -> list[_Item]:
    """Each KPI met at or beyond target with a bonus allocation: KPI% x pool% x fees, unrounded."""
    assert money.bonus is not None
    items = []
    for score in scorecard.kpis:
        kpi = kpis.get(score.kpi_id)
        if not score.beyond_target or kpi is None or kpi.bonus_allocation == 0:
            continue
        exact = kpi.bonus_allocation / _HUNDRED * money.bonus.pool_percent / _HUNDRED * fees
        words = (f"{score.verdict}; bonus {format_percent(kpi.bonus_allocation)} x "
                 f"{format_percent(money.bonus.pool_percent)} x {rounder.text(fees)}")
        items.append(_Item(score, kpi, exact, words))
    return items


def _signed(sign: int, amount: Decimal) -> Decimal:
    """`amount` with the line's sign; a zero stays 0.00, never -0.00 (it is read back as text)."""
    return sign * amount + Decimal(0)


def _priced_lines(kind: LineKind, items: list[_Item], level: RoundingLevel, rounder: _Rounder,
                  sign: int) -> list[MoneyLine]:
    """One rounded line per KPI, or per category (the category's exact sum rounded once)."""
    if level is RoundingLevel.KPI:
        return [MoneyLine(kind, _signed(sign, rounder.round(i.exact)), f"{i.words} {rounder.equals(i.exact)}",
                          kpi_id=i.kpi.id, category=i.kpi.category, clause=i.kpi.clause) for i in items]
    lines = []
    for category in dict.fromkeys(i.kpi.category for i in items):
        members = [i for i in items if i.kpi.category == category]
        exact = sum((i.exact for i in members), Decimal(0))
        parts = " + ".join(f"({i.words} = {rounder.text(i.exact)})" for i in members)
        lines.append(MoneyLine(kind, _signed(sign, rounder.round(exact)),
                               f"category {category}: {parts} {rounder.equals(exact)}", category=category,
                               clause="; ".join(dict.fromkeys(i.kpi.clause for i in members if i.kpi.clause))))
    return lines


def _kpi_credits(items: list[_Item], level: RoundingLevel, gross: Decimal, charged: Decimal,
                 rounder: _Rounder) -> dict[str, Decimal]:
    """The credit each missed KPI bore, in whole minor units, adding up to exactly what was charged
    (what an earn-back returns, so returning every KPI's credit gives back the month's credits to
    the cent): its own rounded line when lines are per KPI and uncapped; each category line shared
    among its KPIs when lines are per category; the capped total shared among all KPIs under a cap.
    Shares are pro rata to the KPIs' exact amounts by largest remainder (ties to the KPI listed first)."""
    if charged == gross:
        if level is RoundingLevel.KPI:
            return {i.kpi.id: rounder.round(i.exact) for i in items}
        out: dict[str, Decimal] = {}
        for category in dict.fromkeys(i.kpi.category for i in items):
            members = [i for i in items if i.kpi.category == category]
            line = rounder.round(sum((i.exact for i in members), Decimal(0)))
            out.update(zip((i.kpi.id for i in members), apportion(line, [i.exact for i in members], rounder.quantum)))
        return out
    return dict(zip((i.kpi.id for i in items), apportion(charged, [i.exact for i in items], rounder.quantum)))


def apportion(total: Decimal, weights: Sequence[Decimal], quantum: Decimal) -> list[Decimal]:
    """`total` (a whole number of `quantum`s) split pro rata to `weights` in whole quantums that add
    up to it exactly: each share rounded down, then the quantums left over go one each to the
    largest remainders (ties to the earlier weight). All-zero weights share it equally that way."""
    units = int((total / quantum).to_integral_value(rounding=ROUND_DOWN))
    if not weights:
        return []
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [w * units / whole for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda k: (-(exact[k] - floors[k]), k))
    for k in order[:left]:
        floors[k] += 1
    return [(quantum * f).quantize(quantum) for f in floors]


def _withhold_lines(money: Money, scorecard: Scorecard, fees: Decimal,
                    rounder: _Rounder) -> tuple[list[MoneyLine], Decimal]:
    """The withheld share of fees and what the composite score earns back (the exchange function)."""
    withhold = money.withhold
    assert withhold is not None
    w = withhold.percent
    withheld = w / _HUNDRED * fees
    lines = [MoneyLine(LineKind.WITHHOLD, -rounder.round(withheld),
                       f"withhold {format_percent(w)} x {rounder.text(fees)} {rounder.equals(withheld)}",
                       clause=withhold.clause)]
    if scorecard.composite is None:
        lines.append(MoneyLine(LineKind.WITHHOLD_EARNED, rounder.round(withheld),
                               "no KPI could be scored this period, so the withhold is returned in full: "
                               f"{rounder.text(rounder.round(withheld))}", clause=withhold.clause))
        return lines, Decimal(1)
    earned_percent = w * scorecard.composite / _HUNDRED * withhold.slope
    earned = earned_percent / _HUNDRED * fees
    factor = 1 + earned_percent / _HUNDRED - w / _HUNDRED
    lines.append(MoneyLine(
        LineKind.WITHHOLD_EARNED, rounder.round(earned),
        f"earned back {format_percent(w)} x score {scorecard.composite}/100 x slope {withhold.slope.normalize():f} "
        f"= {format_percent(earned_percent)}; {format_percent(earned_percent)} x {rounder.text(fees)} "
        f"{rounder.equals(earned)}; adjustment factor 1 + {format_percent(earned_percent)} - "
        f"{format_percent(w)} = {factor.normalize():f}", clause=withhold.clause))
    return lines, factor


def _earn_back_lines(money: Money, scorecard: Scorecard, candidates: Sequence[EarnBackCandidate],
                     rounder: _Rounder) -> list[MoneyLine]:
    """Return earlier credits whose KPI, met this period too, has run the contract's months."""
    required = money.earn_back_months
    if not required:
        return []
    lines = []
    seen: set[tuple[Period, str]] = set()
    for c in sorted(candidates, key=lambda c: (c.period, c.kpi_id)):
        score = scorecard.get(c.kpi_id)
        if (c.period, c.kpi_id) in seen or c.period >= scorecard.period or score is None or c.amount <= 0:
            continue
        seen.add((c.period, c.kpi_id))
        # a run already complete before this period stays earned whatever this period brings
        months = c.months_met_before + (1 if score.outcome is Outcome.MET else 0)
        if months < required:
            continue
        amount = rounder.round(c.amount)
        lines.append(MoneyLine(
            LineKind.EARN_BACK, amount,
            f"credit for {score.title} charged in {c.period} returned: met {months} month(s) in a row since, "
            f"the contract requires {required}; {rounder.text(amount)}",
            kpi_id=c.kpi_id, category=score.category, clause=money.clause, refers_to=c.period))
    return lines
