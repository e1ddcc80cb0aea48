"""The metric registry: every metric id with its unit, direction, parameters, variants and definition.

Metric ids are stable: contracts name them, and the contract validator checks against `METRICS`.
`MetricDef.resolve_params` is the one place parameters are checked (unknown names, wrong types,
out-of-range values and unknown variants all raise ConfigError naming the metric and parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from ..errors import ConfigError
from ..results import Direction, MetricResult, Unit
from ..tables import TRAINING_CATEGORIES
from . import ops, quality, survey, training, workforce
from .ops import SERVICE_LEVEL_VARIANTS
from .period import PeriodData, derived

CHANNEL = "channel"
QUEUE = "queue"



def criterion_totals_of(data: PeriodData) -> quality.CriterionTotals:
    """Every criterion of a scope at once, once: an audit asks for each brand-promise criterion."""
    def compute() -> quality.CriterionTotals:
        if data.criteria is not None:
            return quality.summed_totals(data.criteria)
        return quality.criterion_totals(data.evaluations, data.qa_items)

    return derived(data, "criterion totals", compute)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a metric: its type, default and allowed range."""

    name: str
    kind: type  # int, float or str
    default: object = None
    required: bool = False
    minimum: float | None = None  # inclusive
    maximum: float | None = None  # inclusive
    positive: bool = False  # strictly greater than 0
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class MetricDef:
    """A metric of the registry. `variants[0]` is the default variant; `compute` reads a scoped PeriodData."""

    id: str
    title: str
    unit: Unit
    direction: Direction
    tables: tuple[str, ...]
    definition: str
    compute: Callable[[PeriodData, Mapping[str, object]], MetricResult]
    params: tuple[ParamSpec, ...] = ()
    variants: tuple[str, ...] = ()
    filters: frozenset[str] = frozenset()  # which of channel / queue filters apply
    has_interval: bool = True  # False: its results never carry a 95% interval (no statistical allowance)

    @property
    def default_variant(self) -> str:
        return self.variants[0] if self.variants else "default"

    @property
    def default_params(self) -> Mapping[str, object]:
        """Defaults of every optional parameter (and `variant` when the metric has variants)."""
        out: dict[str, object] = {p.name: p.default for p in self.params if not p.required}
        if self.variants:
            out["variant"] = self.default_variant
        return MappingProxyType(out)

    def resolve_params(self, params: Mapping[str, object] | None) -> dict[str, object]:
        """Defaults overlaid with `params`, checked and coerced; ConfigError naming what is wrong."""
        given = dict(params or {})
        resolved = dict(self.default_params)
        specs = {p.name: p for p in self.params}
        for name, value in given.items():
            if name == "variant" and self.variants:
                text = _text(value)
                if text not in self.variants:
                    raise ConfigError(f"metric {self.id}: unknown variant {text!r} "
                                      f"(known: {', '.join(self.variants)})")
                resolved[name] = text
                continue
            spec = specs.get(name)
            if spec is None:
                known = sorted(specs) + (["variant"] if self.variants else [])
                raise ConfigError(f"metric {self.id}: unknown parameter {name!r} "
                                  f"(known: {', '.join(known) if known else 'none'})")
            resolved[name] = _coerce(self.id, spec, value)
        for spec in self.params:
            if spec.required and resolved.get(spec.name) is None:
                raise ConfigError(f"metric {self.id}: parameter {spec.name!r} is required")
        return resolved


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _coerce(metric_id: str, spec: ParamSpec, value: object) -> object:
    where = f"metric {metric_id}: parameter {spec.name!r}"
    if spec.kind is str:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where} must be non-empty text, got {value!r}")
        if spec.choices and value not in spec.choices:
            raise ConfigError(f"{where}: unknown value {value!r} (known: {', '.join(spec.choices)})")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ConfigError(f"{where} must be a number, got {value!r}")
    number = float(value)
    if spec.kind is int:
        if not number.is_integer():
            raise ConfigError(f"{where} must be a whole number, got {value!r}")
        number_out: object = int(number)
    else:
        number_out = number
    if (spec.positive and number <= 0) or (spec.minimum is not None and number < spec.minimum) \
            or (spec.maximum is not None and number > spec.maximum):
        bounds = []
        if spec.positive:
            bounds.append("> 0")
        if spec.minimum is not None:
            bounds.append(f">= {spec.minimum:g}")
        if spec.maximum is not None:
            bounds.append(f"<= {spec.maximum:g}")
        raise ConfigError(f"{where} must be {' and '.join(bounds)}, got {value!r}")
    return number_out


_ALL = frozenset({CHANNEL, QUEUE})
_SECONDS_T = ParamSpec("threshold_seconds", float, 20, minimum=0, description="answer threshold T")
_SHORT = ParamSpec("short_abandon_seconds", float, 5, minimum=0, description="short-abandon threshold")

_DEFS = (
    # Training
    MetricDef(
        "training.hours_per_agent", "Training hours per agent", Unit.HOURS, Direction.HIGHER,
        ("training", "roster"),
        "Training hours completed in the month (optionally one category) divided by the agents "
        "active in the month (roster role agent, hired before the month's end, not terminated before its start).",
        lambda d, p: training.hours_per_agent(d.training, d.roster, d.period, **p),
        params=(ParamSpec("category", str, None, choices=TRAINING_CATEGORIES),),
    ),
    MetricDef(
        "training.onboarding_completion", "Onboarding completion", Unit.PERCENT, Direction.HIGHER,
        ("training", "roster"),
        "Share of agents hired in the last N days of the month (default 90) whose onboarding hours "
        "completed up to the month's end reach H (default 40).",
        lambda d, p: training.onboarding_completion(d.training_to_date, d.roster, d.period, **p),
        params=(ParamSpec("days", int, 90, minimum=1), ParamSpec("min_hours", float, 40, minimum=0)),
    ),
    MetricDef(
        "training.soft_skills_share", "Soft-skills share of training", Unit.PERCENT, Direction.HIGHER,
        ("training",), "Soft-skills training hours as a share of all training hours of the month.",
        lambda d, p: training.soft_skills_share(d.training), has_interval=False,
    ),
    MetricDef(
        "training.client_paid_share", "Client-paid share of training", Unit.PERCENT, Direction.HIGHER,
        ("training",), "Training hours paid by the client as a share of the hours whose payer is known.",
        lambda d, p: training.client_paid_share(d.training), has_interval=False,
    ),
    # Quality
    MetricDef(
        "qa.score", "QA score", Unit.POINTS, Direction.HIGHER, ("qa_evaluations", "qa_items"),
        "Mean evaluation score; an evaluation scores 100 x points earned / points possible over applicable "
        "items, or 0 when any critical item failed. Calibration copies are excluded.",
        lambda d, p: quality.qa_score(d.evaluations), filters=_ALL,
    ),
    MetricDef(
        "qa.pass_rate", "QA pass rate", Unit.PERCENT, Direction.HIGHER, ("qa_evaluations", "qa_items"),
        "Share of evaluations scoring at or above the pass mark (default 85).",
        lambda d, p: quality.pass_rate(d.evaluations, **p),
        params=(ParamSpec("pass_mark", float, 85, minimum=0, maximum=100),), filters=_ALL,
    ),
    MetricDef(
        "qa.critical_error_rate", "Critical error rate", Unit.PERCENT, Direction.LOWER,
        ("qa_evaluations", "qa_items"), "Share of evaluations with any critical item failed.",
        lambda d, p: quality.critical_error_rate(d.evaluations), filters=_ALL,
    ),
    MetricDef(
        "qa.criterion_score", "QA criterion score", Unit.POINTS, Direction.HIGHER,
        ("qa_evaluations", "qa_items"),
        "100 x points earned / points possible of one criterion across the month's evaluations where it "
        "applied (no critical zeroing); n counts evaluations, and the interval is mean +- 1.96 s / sqrt(n) over "
        "each evaluation's own score on the criterion.",
        lambda d, p: quality.criterion_score(d.evaluations, d.qa_items, totals=criterion_totals_of(d), **p),
        params=(ParamSpec("criterion", str, None, required=True),), filters=_ALL,
    ),
    MetricDef(
        "qa.coverage", "QA coverage", Unit.PERCENT, Direction.HIGHER, ("qa_evaluations", "roster"),
        "Share of active agents with at least k evaluations in the month (default k = 4).",
        lambda d, p: quality.coverage(d.evaluations, d.roster, d.period, **p),
        params=(ParamSpec("min_evaluations", int, 4, minimum=1),), filters=_ALL,
    ),
    MetricDef(
        "qa.sample_adequacy", "QA sample adequacy", Unit.PERCENT, Direction.HIGHER,
        ("qa_evaluations", "interactions"),
        "Evaluations done as a percentage of the evaluations needed for a margin of +-e points (default 5) "
        "at 95% confidence, n = ceil(n0 / (1 + (n0 - 1) / N)) with n0 = 1.96^2 x 0.25 / e^2 and N the "
        "month's handled contacts.",
        lambda d, p: quality.sample_adequacy(d.evaluations, d.interactions, **p),
        params=(ParamSpec("margin", float, 5, positive=True, maximum=100),), filters=_ALL,
        has_interval=False,
    ),
    MetricDef(
        "qa.evaluator_agreement", "Evaluator agreement", Unit.PERCENT, Direction.HIGHER,
        ("qa_evaluations", "qa_items"),
        "Share of calibration copies scoring within a tolerance (default 5 points) of the mean score of "
        "all copies of the same contact.",
        lambda d, p: quality.evaluator_agreement(d.evaluations, **p),
        params=(ParamSpec("tolerance", float, 5, minimum=0),), filters=_ALL,
    ),
    # Surveys
    MetricDef(
        "survey.csat", "CSAT", Unit.PERCENT, Direction.HIGHER, ("surveys",),
        "Top-2-box: share of answers of 4 or 5 on the 1..5 satisfaction question (variant mean: the mean answer).",
        lambda d, p: survey.csat(d.surveys, **p), variants=("top2", "mean"), filters=_ALL,
    ),
    MetricDef(
        "survey.nps", "Net Promoter Score", Unit.POINTS, Direction.HIGHER, ("surveys",),
        "100 x (answers 9..10 - answers 0..6) / answers, from -100 to 100.",
        lambda d, p: survey.nps(d.surveys), filters=_ALL,
    ),
    MetricDef(
        "survey.ces", "Customer Effort Score", Unit.MEAN, Direction.HIGHER, ("surveys",),
        "Mean agreement (1..7) that the contact was easy; variants: share scoring 5..7 (top3), "
        "index = % scoring 6..7 - % scoring 1..3.",
        lambda d, p: survey.ces(d.surveys, **p), variants=("mean", "top3", "index"), filters=_ALL,
    ),
    # Contact handling
    MetricDef(
        "ops.service_level", "Service level", Unit.PERCENT, Direction.HIGHER, ("interactions",),
        "Share of synchronous (phone, chat) inbound contacts answered within T seconds (default 20); "
        "default ICMI variant 3 counts every abandon against: answered within T / (answered + abandoned).",
        lambda d, p: ops.service_level(d.interactions, **p),
        params=(_SECONDS_T, _SHORT), variants=SERVICE_LEVEL_VARIANTS, filters=_ALL,
    ),
    MetricDef(
        "ops.abandon_rate", "Abandon rate", Unit.PERCENT, Direction.LOWER, ("interactions",),
        "Abandoned / (answered + abandoned) synchronous (phone, chat) contacts, abandons within the short-abandon "
        "threshold (default 5 s) left out of both.",
        lambda d, p: ops.abandon_rate(d.interactions, **p), params=(_SHORT,), filters=_ALL,
    ),
    MetricDef(
        "ops.asa", "Average speed of answer", Unit.SECONDS, Direction.LOWER, ("interactions",),
        "Mean wait from arrival to answer of answered synchronous (phone, chat) contacts.",
        lambda d, p: ops.asa(d.interactions), filters=_ALL,
    ),
    MetricDef(
        "ops.aht", "Average handle time", Unit.SECONDS, Direction.LOWER, ("interactions",),
        "Mean handle time (talk + hold + after-contact work) of answered contacts.",
        lambda d, p: ops.aht(d.interactions), filters=_ALL,
    ),
    MetricDef(
        "ops.callback_within", "Callbacks within SLA", Unit.PERCENT, Direction.HIGHER, ("interactions",),
        "Callbacks completed within the window (default 10 minutes) of the request / callbacks requested "
        "on the month's contacts; a request never completed counts as missed.",
        lambda d, p: ops.callback_within(d.interactions, **p),
        params=(ParamSpec("minutes", float, 10, positive=True),), filters=_ALL,
    ),
    MetricDef(
        "ops.async_response_within", "Async first response within SLA", Unit.PERCENT, Direction.HIGHER,
        ("interactions",),
        "Share of inbound email, WhatsApp, SMS and portal contacts first answered within the window "
        "(default 4 hours) of arrival, over all of them received.",
        lambda d, p: ops.async_response_within(d.interactions, **p),
        params=(ParamSpec("hours", float, 4, positive=True),), filters=_ALL,
    ),
    MetricDef(
        "ops.follow_up_kept", "Follow-ups kept", Unit.PERCENT, Direction.HIGHER, ("interactions",),
        "Share of promised follow-ups due in the month that were completed by their due time.",
        lambda d, p: ops.follow_up_kept(d.follow_ups), filters=_ALL,
    ),
    MetricDef(
        "ops.fcr", "First-contact resolution", Unit.PERCENT, Direction.HIGHER, ("interactions",),
        "Share of contacts flagged resolved at first contact among those with the flag known "
        "(variant repeat: 1 - contacts by the same member on the same queue within N days (default 7) "
        "of their previous one / contacts).",
        lambda d, p: ops.fcr(d.interactions, **p),
        params=(ParamSpec("days", int, 7, minimum=1),), variants=("flag", "repeat"), filters=_ALL,
    ),
    # Workforce
    MetricDef(
        "workforce.attrition", "Agent attrition", Unit.PERCENT, Direction.LOWER, ("roster",),
        "Agent separations in the month / average headcount ((start + end) / 2); variant annualised: "
        "exits over the last N months / average agents x 12 / N.",
        lambda d, p: workforce.attrition(d.roster, d.period, **p),
        params=(ParamSpec("months", int, 1, minimum=1, maximum=120),), variants=("monthly", "annualised"),
        has_interval=False,
    ),
    MetricDef(
        "workforce.headcount", "Active agents", Unit.COUNT, Direction.HIGHER, ("roster",),
        "Agents active in the month (informative).",
        lambda d, p: workforce.headcount(d.roster, d.period), has_interval=False,
    ),
)

METRICS: Mapping[str, MetricDef] = MappingProxyType({m.id: m for m in _DEFS})


def metric(metric_id: str) -> MetricDef:
    """The definition of `metric_id`, or a ConfigError listing the known ids."""
    found = METRICS.get(metric_id)
    if found is None:
        raise ConfigError(f"unknown metric {metric_id!r} (known: {', '.join(METRICS)})")
    return found
