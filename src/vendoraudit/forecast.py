"""Mid-month forecast: each KPI's month-end value from the month so far, and the money at risk.

The month so far is every day of the period up to and including `as_of`, in each site's local time
(a full month's export is cut there too: contacts, surveys and evaluations by their day, training by
completion, the roster by hire and termination dates). Each KPI is computed on it exactly as the
audit computes it, and day by day; the method then depends on the kind of metric (`METHODS`):

- proportion (a share of contacts, responses, evaluations or hours): the days so far are the prior.
  Successes and trials so far give a Beta posterior (Jeffreys) for the rate of the rest of the month,
  widened by the day-to-day spread when days differ more than chance allows (Pearson dispersion of
  the daily shares, at least 1); the remaining trials come from the same weekdays so far (the mean
  of the elapsed days of each weekday, for each day left). Month-end = (so far + rest) / all trials.
- mean (a mean score or time; NPS as the mean of +100/0/-100): the observed mean with its
  uncertainty, s/sqrt(n) from the metric's own interval, widened by the day-to-day spread likewise;
  the remaining n from the same weekdays.
- count (paces: training hours per agent, attrition, headcount, coverage, onboarding): the pace so far.
  The numerator's daily increments so far give each weekday's pace for the days left; the rest's
  variance is the days' own spread (Poisson for whole events, at least) plus the pace's uncertainty.

Each projection is a normal approximation: the projected value, a 95% interval (clipped to what the
metric can take) and p_miss, the probability of ending worse than the KPI's minimum. Money: the
month's scorecard and settlement are simulated from those distributions through the audit's own
scoring and pricing (seeded: the same inputs give the same figures), giving the expected credits and
bonus and the 95% range of the net adjustment. No history is read: improvement points and earn-back
of earlier credits are left out, and the output says so.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path
from statistics import NormalDist

import polars as pl

from .audit import _excuse, _excused_dates, _fees, kpi_query, with_earlier_training
from .contract.loader import ContractSet
from .contract.model import Contract, FeeModel, Kpi
from .kpis.period import PeriodData, period_data
from .kpis.registry import METRICS
from .money import settle
from .periods import Period, zone_info
from .results import Direction, Interval, MetricResult, Unit
from .scoring import kpi_direction, score_contract
from .validate import load_exports

Z95 = NormalDist().inv_cdf(0.975)
DRAWS = 400  # simulated months for the money; the range's ends move by cents between seeds


class Kind(StrEnum):
    """How a metric is projected to month-end."""

    PROPORTION = "proportion"
    MEAN = "mean"
    COUNT = "count"


METHODS: dict[Kind, str] = {
    Kind.PROPORTION: "proportions: the days so far are the prior (Beta posterior of successes and trials, widened "
                     "by the day-to-day spread); the remaining trials from the same weekdays so far",
    Kind.MEAN: "means: the observed mean with its uncertainty (s/sqrt(n), widened by the day-to-day spread); "
               "the remaining observations from the same weekdays so far",
    Kind.COUNT: "counts: the pace so far (each weekday's daily increments so far, for the days left), with the "
                "days' spread (Poisson for whole events, at least) and the pace's own uncertainty",
}

# Metrics that accumulate over the month (their value grows with the days): projected by pace.
_PACE = frozenset({"training.hours_per_agent", "workforce.attrition", "workforce.headcount", "qa.coverage",
                   "training.onboarding_completion", "qa.sample_adequacy"})
# Metrics of the training and roster tables: their days come from cutting those tables day by day.
_STAFF_TABLES = frozenset({"training", "roster"})


@dataclass(frozen=True)
class ForecastInterval:
    """A 95% interval of the projected month-end value."""

    low: float
    high: float


@dataclass(frozen=True)
class KpiForecast:
    """One KPI's month so far and its projected month-end value."""

    kpi_id: str
    title: str
    metric_id: str
    kind: Kind
    unit: Unit | None
    direction: Direction
    minimum: float
    target: float
    so_far: float | None
    so_far_n: int
    projected: float | None
    interval: ForecastInterval | None
    p_miss: float | None
    projected_n: float | None
    note: str = ""


@dataclass(frozen=True)
class NetRange:
    """The net adjustment's expected value and 95% range (money, from the vendor's side)."""

    expected: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class VendorForecast:
    """A vendor's forecast: its KPIs and the money they put at risk."""

    vendor_id: str
    vendor_name: str
    currency: str
    fees: Decimal | None
    kpis: tuple[KpiForecast, ...]
    expected_credit: Decimal | None  # zero or negative: a service credit is owed to the client
    expected_bonus: Decimal | None
    net_adjustment: NetRange | None


@dataclass(frozen=True)
class ForecastResult:
    """The forecast of a period as of a day."""

    period: Period
    as_of: date
    days_elapsed: int
    days_in_month: int
    methods: dict[str, str]
    notes: tuple[str, ...]
    vendors: tuple[VendorForecast, ...]


def check_as_of(period: Period, as_of: date) -> None:
    """ValueError unless `as_of` is a day of `period`."""
    if not period.first_day <= as_of <= period.last_day:
        raise ValueError(f"--as-of {as_of.isoformat()} is outside {period} "
                         f"({period.first_day.isoformat()}..{period.last_day.isoformat()})")


def run_forecast(export_dir: Path, period: Period, as_of: date, contracts: ContractSet,
                 mappings: Sequence[Path] = ()) -> ForecastResult:
    """Forecast every vendor in force in `period` from its exports up to `as_of` (see the module docstring)."""
    check_as_of(period, as_of)
    sites = contracts.site_directory(period)
    validated = load_exports(export_dir, tuple(mappings), period, sites)
    tables = with_earlier_training(validated.tables, export_dir, period, sites, tuple(mappings))
    data = period_data(tables, period, sites)
    days = [period.first_day + timedelta(days=i) for i in range(period.last_day.day)]
    vendors = []
    for terms in sorted(contracts.in_force(period), key=lambda t: t.vendor.id):
        if terms.kpis:
            vendors.append(_vendor(terms, period, as_of, days, data))
    notes = ("no results history is read: improvement points and earn-back of earlier credits are left out",
             "p_miss is the chance of ending worse than the minimum; a statistical allowance is applied to "
             "the money, not to p_miss")
    return ForecastResult(period, as_of, as_of.day, len(days), {k.value: v for k, v in METHODS.items()},
                          notes, tuple(vendors))


def kind_of(metric_id: str) -> Kind:
    """How `metric_id` is projected: pace for what accumulates, else by the metric's interval."""
    if metric_id in _PACE:
        return Kind.COUNT
    unit = METRICS[metric_id].unit if metric_id in METRICS else None
    return Kind.PROPORTION if unit is Unit.PERCENT else Kind.MEAN


def _cut(data: PeriodData, day: date) -> PeriodData:
    """`data` as an export made at the end of `day` would hold it: training and roster cut there."""
    cutoffs = pl.DataFrame(
        [(s, datetime.combine(day + timedelta(days=1), datetime.min.time(), zone_info(data.sites.timezone_of(s)))
          .astimezone(timezone.utc)) for s in data.site_ids],
        schema={"site_id": pl.String, "_cutoff": pl.Datetime("us", "UTC")}, orient="row")

    def training(frame: pl.DataFrame) -> pl.DataFrame:
        return (frame.join(cutoffs, on="site_id", how="left", maintain_order="left")
                .filter(pl.col("completed_at") < pl.col("_cutoff")).drop("_cutoff"))

    roster = data.roster.filter(pl.col("hire_date") <= day).with_columns(
        pl.when(pl.col("termination_date") <= day).then(pl.col("termination_date")).otherwise(None)
        .alias("termination_date"))
    return replace(data, training=training(data.training), training_to_date=training(data.training_to_date),
                   roster=roster)


@dataclass(frozen=True)
class _Day:
    """One elapsed day's contribution: trials (or n, or the count's increment) and successes (or sum)."""

    day: date
    volume: float
    amount: float


def _vendor(terms: Contract, period: Period, as_of: date, days: list[date], data: PeriodData) -> VendorForecast:
    site_ids = data.sites.sites_of(terms.vendor.id)
    excused = set(_excused_dates(terms, period))
    future = [d for d in days if d > as_of]
    so_far_data = _cut(data, as_of)
    cuts: dict[date, PeriodData] = {}
    forecasts = []
    results: dict[str, MetricResult] = {}
    excuses: dict[str, str] = {}
    for kpi in terms.kpis:
        reason = _excuse(kpi, terms, period, tuple(sorted(excused)))
        if reason:
            excuses[kpi.id] = reason

        def compute(source: PeriodData, dropped: Sequence[date], kpi: Kpi = kpi) -> MetricResult:
            return kpi_query(kpi, terms, site_ids, sorted(excused | set(dropped))).compute(source)

        so_far = compute(so_far_data, future)
        kind = kind_of(kpi.metric)
        staff = set(METRICS[kpi.metric].tables) <= _STAFF_TABLES if kpi.metric in METRICS else False
        elapsed = [d for d in days if d <= as_of and d not in excused]
        if staff or kind is Kind.COUNT:
            for d in elapsed:
                if d not in cuts:
                    cuts[d] = _cut(data, d)
            series = _cumulative(kind, [compute(cuts[d], [x for x in days if x > d]) for d in elapsed], elapsed)
        else:
            series = [_daily(kind, compute(so_far_data, [x for x in days if x != d]), d) for d in elapsed]
        remaining = [d for d in future if d not in excused]
        forecast, simulated = _project(kpi, terms, kind, so_far, series, remaining)
        forecasts.append(forecast)
        results[kpi.id] = simulated
    money = _money(terms, period, as_of, days, data, so_far_data, site_ids, forecasts, results, excuses)
    return VendorForecast(terms.vendor.id, terms.vendor.name, terms.currency, money[0], tuple(forecasts), *money[1:])


def _daily(kind: Kind, result: MetricResult, day: date) -> _Day:
    """A day's volume and amount from the metric computed on that day alone."""
    if result.value is None or result.n == 0:
        return _Day(day, 0.0, 0.0)
    if kind is Kind.PROPORTION:
        trials = float(result.denominator if result.denominator is not None else result.n)
        return _Day(day, trials, result.value / 100 * trials)
    return _Day(day, float(result.n), result.value * result.n)


def _cumulative(kind: Kind, results: list[MetricResult], elapsed: list[date]) -> list[_Day]:
    """Daily increments from the metric computed up to each elapsed day (training and roster metrics)."""
    out = []
    previous = (0.0, 0.0)
    for day, r in zip(elapsed, results):
        if kind is Kind.COUNT:
            now = (1.0, float(r.numerator or 0.0))
        elif r.value is None:
            now = previous
        elif kind is Kind.PROPORTION:
            trials = float(r.denominator if r.denominator is not None else r.n)
            now = (trials, r.value / 100 * trials)
        else:
            now = (float(r.n), r.value * r.n)
        out.append(_Day(day, now[0] - previous[0] if kind is not Kind.COUNT else 1.0, now[1] - previous[1]))
        previous = now
    return out


def _by_weekday(series: list[_Day], remaining: list[date], field: str) -> list[float]:
    """For each day left, the mean `field` of the elapsed days of its weekday (else of all elapsed days)."""
    overall = [getattr(d, field) for d in series]
    mean_all = sum(overall) / len(overall) if overall else 0.0
    out = []
    for day in remaining:
        same = [getattr(d, field) for d in series if d.day.weekday() == day.weekday()]
        out.append(sum(same) / len(same) if same else mean_all)
    return out


def _bounds(unit: Unit | None) -> tuple[float, float]:
    """What the month-end value can take: a percentage 0..100, points -100..100, hours and times from 0.

    A pace's value may still end below its value so far: its denominator (agents) moves too."""
    if unit is Unit.PERCENT:
        low, high = 0.0, 100.0
    elif unit is Unit.POINTS:
        low, high = -100.0, 100.0
    else:
        low, high = 0.0 if unit in (Unit.HOURS, Unit.SECONDS, Unit.COUNT) else -math.inf, math.inf
    return low, high


def _project(kpi: Kpi, terms: Contract, kind: Kind, so_far: MetricResult, series: list[_Day],
             remaining: list[date]) -> tuple[KpiForecast, MetricResult]:
    """The KPI's projection and a stand-in month-end result (mean value) to simulate money from."""
    direction = kpi_direction(kpi)
    head = dict(kpi_id=kpi.id, title=kpi.title, metric_id=kpi.metric, kind=kind, unit=so_far.unit,
                direction=direction, minimum=kpi.minimum, target=kpi.target, so_far=so_far.value, so_far_n=so_far.n)
    if so_far.value is None:
        return (KpiForecast(**head, projected=None, interval=None, p_miss=None, projected_n=None,
                            note="no data so far: nothing to project"), so_far)
    if kind is Kind.PROPORTION:
        mean, sd, n_end = _proportion(so_far, series, remaining)
    elif kind is Kind.MEAN:
        mean, sd, n_end = _mean(so_far, series, remaining)
    else:
        mean, sd, n_end = _count(so_far, series, remaining)
    low_b, high_b = _bounds(so_far.unit)
    mean = min(high_b, max(low_b, mean))
    interval = ForecastInterval(max(low_b, mean - Z95 * sd), min(high_b, mean + Z95 * sd))
    p_miss = _p_worse(mean, sd, kpi.minimum, direction)
    note = ""
    needed = max(kpi.min_sample, so_far.min_sample)
    if kind is not Kind.COUNT and n_end < needed:
        note = f"about {n_end:,.0f} observations expected by month-end where {needed:,} are needed: likely insufficient data"
    forecast = KpiForecast(**head, projected=mean, interval=interval, p_miss=p_miss, projected_n=n_end, note=note)
    return forecast, replace(so_far, value=mean, n=int(round(n_end)) if kind is not Kind.COUNT else so_far.n)


def _dispersion(series: list[_Day], rate_variance) -> float:
    """Pearson dispersion of the days (at least 1): how much more days differ than chance allows."""
    used = [d for d in series if d.volume > 0]
    if len(used) < 3:
        return 1.0
    total_volume = sum(d.volume for d in used)
    rate = sum(d.amount for d in used) / total_volume
    chi2 = 0.0
    for d in used:
        expected_var = rate_variance(rate, d.volume)
        if expected_var > 0:
            chi2 += (d.amount / d.volume - rate) ** 2 / expected_var
    return max(1.0, chi2 / (len(used) - 1))


def _proportion(so_far: MetricResult, series: list[_Day], remaining: list[date]) -> tuple[float, float, float]:
    trials = float(so_far.denominator if so_far.denominator is not None else so_far.n)
    successes = so_far.value / 100 * trials
    rest = sum(_by_weekday(series, remaining, "volume"))
    phi = _dispersion(series, lambda p, v: p * (1 - p) / v)
    a = successes / phi + 0.5
    b = (trials - successes) / phi + 0.5
    p = a / (a + b)
    var_p = a * b / ((a + b) ** 2 * (a + b + 1))
    var_rest = phi * rest * p * (1 - p) + rest ** 2 * var_p
    total = trials + rest
    mean = 100 * (successes + rest * p) / total
    return mean, 100 * math.sqrt(var_rest) / total, total


def _mean(so_far: MetricResult, series: list[_Day], remaining: list[date]) -> tuple[float, float, float]:
    n = float(so_far.n)
    rest = sum(_by_weekday(series, remaining, "volume"))
    interval = so_far.interval
    s = (interval.high - interval.low) / (2 * Z95) * math.sqrt(n) if interval and n > 1 else 0.0
    phi = _dispersion(series, lambda _m, v: s * s / v) if s > 0 else 1.0
    total = n + rest
    var = (rest / total) ** 2 * phi * s * s * (1 / n + (1 / rest if rest > 0 else 0.0)) if n > 0 else 0.0
    return so_far.value, math.sqrt(var), total


def _count(so_far: MetricResult, series: list[_Day], remaining: list[date]) -> tuple[float, float, float]:
    """Pace: the numerator's daily increments projected over the days left, scaled to the metric's value."""
    numerator = float(so_far.numerator or 0.0)
    denominator = float(so_far.denominator or 0.0)
    per_unit = so_far.value / (numerator / denominator) if numerator and denominator else None
    if per_unit is None:
        # a zero so far: the value is the numerator's multiple of 1/denominator (rates of events)
        per_unit = (100.0 if so_far.unit is Unit.PERCENT else 1.0)
    rest_mean = sum(_by_weekday(series, remaining, "amount"))
    # The spread is the days' around their overall mean, not around each weekday's: with two or
    # three days of each weekday so far, weekday means are too unsure to narrow the interval on.
    elapsed = len(series)
    increments = [d.amount for d in series]
    mean_inc = sum(increments) / elapsed if elapsed else 0.0
    var_inc = sum((x - mean_inc) ** 2 for x in increments) / (elapsed - 1) if elapsed > 1 else mean_inc
    if all(float(x).is_integer() for x in increments):
        # whole events: at least Poisson, with a Jeffreys rate when none happened yet
        var_inc = max(var_inc, (sum(increments) + 0.5) / max(elapsed, 1))
    left = len(remaining)
    var_rest = left * var_inc + (left ** 2 * var_inc / elapsed if elapsed else 0.0)
    scale = per_unit / denominator if denominator else 0.0
    mean = (numerator + rest_mean) * scale if denominator else so_far.value
    return mean, math.sqrt(var_rest) * scale, float(so_far.n)


def _p_worse(mean: float, sd: float, minimum: float, direction: Direction) -> float:
    """P(month-end worse than the minimum) under the normal approximation."""
    if sd <= 0:
        worse = mean < minimum if direction is Direction.HIGHER else mean > minimum
        return 1.0 if worse else 0.0
    below = NormalDist(mean, sd).cdf(minimum)
    return below if direction is Direction.HIGHER else 1 - below


def _money(terms: Contract, period: Period, as_of: date, days: list[date], data: PeriodData,
           so_far_data: PeriodData, site_ids: Sequence[str], forecasts: list[KpiForecast],
           results: dict[str, MetricResult], excuses: dict[str, str]
           ) -> tuple[Decimal | None, Decimal | None, Decimal | None, NetRange | None]:
    """Expected credit and bonus and the net adjustment's range, from simulated month-ends."""
    fees = _projected_fees(terms, as_of, days, data, so_far_data, site_ids)
    if terms.money is None or fees is None:
        return fees, None, None, None
    rng = random.Random(f"vendoraudit-forecast/{period}/{as_of.isoformat()}/{terms.vendor.id}")
    by_id = {f.kpi_id: f for f in forecasts}
    kpis = {k.id: k for k in terms.kpis}
    credits, bonuses, nets = [], [], []
    priced: dict[tuple[object, ...], tuple[Decimal, Decimal, Decimal]] = {}
    for _ in range(DRAWS):
        drawn = {}
        for kpi_id, result in results.items():
            f = by_id[kpi_id]
            if f.projected is None or f.interval is None:
                drawn[kpi_id] = result
                continue
            sd = (f.interval.high - f.interval.low) / (2 * Z95) if f.interval.high > f.interval.low else 0.0
            low_b, high_b = _bounds(f.unit)
            value = min(high_b, max(low_b, rng.gauss(f.projected, sd) if sd else f.projected))
            drawn[kpi_id] = replace(result, value=value, interval=_shifted(result, value))
        # Without a withhold the money depends on each KPI's side of its minimum and target only (its
        # value's and interval's): a month with the same sides is priced once.
        key = (tuple((r.value,) for r in drawn.values()) if terms.money.withhold is not None
               else tuple(_sides(drawn[k], kpis[k]) for k in drawn))
        if key not in priced:
            s = settle(terms, score_contract(terms, period, drawn, {}, excuses), fees)
            priced[key] = (s.credits_total, s.bonus_total, s.net_adjustment)
        credit, bonus, net = priced[key]
        credits.append(credit)
        bonuses.append(bonus)
        nets.append(net)
    quantum = Decimal(1).scaleb(-terms.money.rounding.minor_unit)

    def mean(values: list[Decimal]) -> Decimal:
        return (sum(values, Decimal(0)) / len(values)).quantize(quantum, ROUND_HALF_UP) + Decimal(0)

    ordered = sorted(nets)
    low = ordered[int(0.025 * (len(ordered) - 1))]
    high = ordered[int(math.ceil(0.975 * (len(ordered) - 1)))]
    return fees, mean(credits), mean(bonuses), NetRange(mean(nets), low, high)


def _sides(result: MetricResult, kpi: Kpi) -> tuple[bool, ...]:
    """Which side of the KPI's minimum and target the value lies on (and its interval's edges, when a
    statistical allowance reads them): all that decides the KPI's outcome and bonus."""
    edges = [result.value]
    if kpi.statistical_allowance and result.interval is not None:
        edges += [result.interval.low, result.interval.high]
    return tuple(test for x in edges if x is not None for limit in (kpi.minimum, kpi.target)
                 for test in (x >= limit, x <= limit))


def _shifted(result: MetricResult, value: float) -> Interval | None:
    """The month-end result's interval: the so-far interval's half-widths moved to `value`."""
    interval = result.interval
    if interval is None or result.value is None:
        return interval
    return Interval(value - (result.value - interval.low), value + (interval.high - result.value), interval.method)


def _projected_fees(terms: Contract, as_of: date, days: list[date], data: PeriodData, so_far_data: PeriodData,
                    site_ids: Sequence[str]) -> Decimal | None:
    """The month's fees: fixed as they are; per contact, the contacts handled so far at their weekday pace."""
    if terms.fees is None or terms.fees.model is not FeeModel.PER_CONTACT:
        fees, _basis = _fees(terms, so_far_data, site_ids)
        return fees
    handled = data.interactions.lazy().filter(pl.col("site_id").is_in(list(site_ids))
                                              & pl.col("answered_at").is_not_null())
    counts: dict[date, int] = {}
    for site in site_ids:
        zone = data.sites.timezone_of(site)
        rows = (handled.filter(pl.col("site_id") == site)
                .group_by(pl.col("arrived_at").dt.convert_time_zone(zone).dt.date().alias("day")).agg(pl.len())
                .collect().iter_rows())
        for day, n in rows:
            counts[day] = counts.get(day, 0) + n
    elapsed = [_Day(d, float(counts.get(d, 0)), 0.0) for d in days if d <= as_of]
    projected = sum(d.volume for d in elapsed) + sum(_by_weekday(elapsed, [d for d in days if d > as_of], "volume"))
    quantum = Decimal(1).scaleb(-(terms.money.rounding.minor_unit if terms.money else 2))
    return (terms.fees.amount * Decimal(str(round(projected)))).quantize(quantum, ROUND_HALF_UP)
