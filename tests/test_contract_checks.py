"""Semantic checks on small inline contracts, and the sample contracts against world.md's terms."""

from __future__ import annotations

import functools

from pathlib import Path
from typing import Any

import pytest
import yaml

from vendoraudit.contract.checks import check_contract, format_path, kpi_direction, metric_catalog, metric_param_names
from vendoraudit.contract.loader import ContractSet, load_contracts
from vendoraudit.contract.model import Contract, Kpi
from vendoraudit.results import Direction
from vendoraudit.yamlsource import loads_located

SAMPLES = Path(__file__).resolve().parents[1] / "contracts"


@functools.cache
def _samples() -> ContractSet:
    """The sample contracts, read once per module (the pure-Python YAML reader is slow)."""
    return load_contracts(SAMPLES)


def _messages(data: dict[str, Any]) -> list[str]:
    doc = loads_located(yaml.safe_dump(data, sort_keys=False), "c.yaml")
    return [f"{p.path}: {p.message}" for p in check_contract(Contract.model_validate(doc.data), doc)]


def _base(kpis: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "contract_id": "C", "vendor": {"id": "V", "name": "V", "kind": "in_house"}, "currency": "USD",
        "effective_from": "2026-01", "sites": [{"id": "S", "timezone": "UTC"}],
        "qa_form": {"pass_mark": 85, "criteria": [{"id": "empathy", "points": 100}]}, "kpis": kpis,
    } | extra


def _kpi(**extra: Any) -> dict[str, Any]:
    return {"id": "k", "title": "k", "metric": "ops.abandon_rate", "category": "x", "target": 5, "minimum": 8} | extra


def test_format_path_reads_like_the_file() -> None:
    assert format_path(("kpis", 2, "target")) == "kpis[2].target"
    assert format_path(("amendments", 0, "kpis", 1, "scoring", "bands", 3)) == "amendments[0].kpis[1].scoring.bands[3]"
    assert format_path(()) == ""


def test_metric_catalog_matches_the_registry_ids_and_directions() -> None:
    catalog = metric_catalog()
    assert len(catalog) == 24
    lower = {m for m, info in catalog.items() if info.direction is Direction.LOWER}
    assert lower == {"qa.critical_error_rate", "ops.abandon_rate", "ops.asa", "ops.aht", "workforce.attrition"}
    assert metric_param_names(catalog["ops.callback_within"]) == {"minutes"}
    assert metric_param_names(catalog["ops.service_level"]) == {"threshold_seconds", "short_abandon_seconds", "variant"}


def test_parameter_values_and_filters_are_checked_by_the_registry_rules() -> None:
    kpis = [
        _kpi(id="a", metric="ops.callback_within", params={"minutes": -1}, target=95, minimum=90),
        _kpi(id="b", metric="survey.csat", params={"variant": "top5"}, target=88, minimum=82),
        _kpi(id="c", metric="training.hours_per_agent", filters={"channels": ["phone"]}, target=8, minimum=6),
        _kpi(id="d", metric="qa.criterion_score", params={"criterion": "empathy", "pass_mark": 80},
             target=90, minimum=80),
        _kpi(id="e", metric="ops.service_level", params={"variant": 3, "threshold_seconds": 30}, target=80, minimum=75),
    ]
    assert _messages(_base(kpis)) == [
        "kpis[0].params.minutes: parameter 'minutes' must be > 0, got -1",
        "kpis[1].params.variant: unknown variant 'top5' (known: top2, mean)",
        "kpis[2].filters.channels: training.hours_per_agent cannot be filtered by channel",
        "kpis[3].params.pass_mark: unknown parameter 'pass_mark' for qa.criterion_score; known: criterion",
    ]


def test_statistical_allowance_needs_a_metric_with_an_interval() -> None:
    # Attrition has no interval: an allowance on it would silently do nothing (issue 20).
    kpis = [
        _kpi(id="a", metric="workforce.attrition", target=4, minimum=8, statistical_allowance=True),
        _kpi(id="b", metric="ops.abandon_rate", statistical_allowance=True),
        _kpi(id="c", metric="training.soft_skills_share", target=20, minimum=10, statistical_allowance=True),
        _kpi(id="d", metric="workforce.attrition", target=4, minimum=8, statistical_allowance=False),
    ]
    assert _messages(_base(kpis)) == [
        "kpis[0].statistical_allowance: workforce.attrition has no 95% interval, so a statistical allowance "
        "cannot apply; remove it (or set it to false)",
        "kpis[2].statistical_allowance: training.soft_skills_share has no 95% interval, so a statistical "
        "allowance cannot apply; remove it (or set it to false)",
    ]
    amended = _base([_kpi(id="a", metric="workforce.attrition", target=4, minimum=8)], amendments=[
        {"id": "A1", "effective_from": "2026-06",
         "kpis": [_kpi(id="a", metric="workforce.attrition", target=4, minimum=8, statistical_allowance=True)]}])
    assert [m.split(":")[0] for m in _messages(amended)] == ["amendments[0].kpis[0].statistical_allowance"]


def test_domains_are_checked() -> None:
    domains = [{"id": "resp", "weight": 25}, {"id": "exp", "weight": 25, "consistency": True},
               {"id": "resp", "weight": 25}, {"id": "empty", "weight": 25}, {"id": "more", "weight": 0,
                                                                            "consistency": True}]
    kpis = [_kpi(id="a", domain="resp"), _kpi(id="b"), _kpi(id="c", domain="nope")]
    assert _messages(_base(kpis, domains=domains)) == [
        "domains[2].id: duplicate domain id 'resp'",
        "domains[4].consistency: consistency points already count in domain 'exp'; they can count in one domain only",
        "kpis[1]: KPI 'b' has no domain; the contract scores by domains (resp, exp, resp, empty, more)",
        "kpis[2].domain: domain 'nope' is not in domains; known: resp, exp, resp, empty, more",
        "domains[3].id: domain 'empty' has no KPI, so it can never be scored",
    ]
    assert _messages(_base([_kpi(domain="resp")])) == [
        "kpis[0].domain: domain 'resp' is not in domains; the contract has no domains"]
    assert _messages(_base([_kpi(domain="r")], domains=[{"id": "r", "weight": 0}])) == [
        "domains: domain weights sum to 0; at least one domain needs a weight above 0"]
    # an amendment that replaces the domains is checked against the KPIs in force then
    amended = _base([_kpi(domain="r")], domains=[{"id": "r", "weight": 1}], amendments=[
        {"id": "A1", "effective_from": "2026-06", "domains": [{"id": "s", "weight": 1}]}])
    assert [m.split(":")[0] for m in _messages(amended)] == ["kpis[0].domain", "amendments[0].domains[0].id"]


def test_every_metric_without_an_interval_says_so() -> None:
    # The registry's flag agrees with what the metrics return on data (attrition: a ratio, no interval).
    from kpis_frames import data
    from vendoraudit.kpis import compute_metric
    d = data(roster=[{"agent_id": f"a{k}"} for k in range(5)])
    for metric_id, info in metric_catalog().items():
        if info.has_interval or metric_id.startswith(("qa.", "ops.")):
            continue
        assert compute_metric(metric_id, d, ["S1"]).interval is None, metric_id
    assert compute_metric("training.hours_per_agent", d, ["S1"]).interval is not None


def test_lower_is_better_kpi_is_valid_with_target_below_minimum() -> None:
    assert _messages(_base([_kpi()])) == []


def test_explicit_direction_overrides_the_metrics() -> None:
    kpi = _kpi(direction="higher")
    assert kpi_direction(Kpi.model_validate(kpi)) is Direction.HIGHER
    assert _messages(_base([kpi])) == [
        "kpis[0].target: 5 is below the minimum 8; for a higher-is-better KPI the target must be at or above the minimum"]


def test_lower_is_better_points_and_bands_orders() -> None:
    good = _kpi(weight=1, scoring={"method": "points", "threshold": 8, "benchmark": 3})
    bad = _kpi(id="k2", weight=1, scoring={"method": "points", "threshold": 3, "benchmark": 8})
    bands_ok = _kpi(id="k3", scoring={"method": "bands", "bands": [{"at_least": 4, "points": 10}, {"at_least": 6, "points": 5}]})
    bands_bad = _kpi(id="k4", scoring={"method": "bands", "bands": [{"at_least": 6, "points": 5}, {"at_least": 4, "points": 10}]})
    points_up = _kpi(id="k5", scoring={"method": "bands", "bands": [{"at_least": 4, "points": 5}, {"at_least": 6, "points": 10}]})
    assert _messages(_base([good, bad, bands_ok, bands_bad, points_up])) == [
        "kpis[1].scoring.benchmark: 8 must be lower than the threshold 3 (lower is better for this KPI)",
        "kpis[3].scoring.bands[1].at_least: bands must run from best to worst (ascending at_least for a "
        "lower-is-better KPI): 4 follows 6",
        "kpis[4].scoring.bands[1].points: 10 points in a worse band than one worth 5",
    ]


def test_points_scoring_needs_threshold_and_benchmark() -> None:
    assert _messages(_base([_kpi(weight=1, scoring={"method": "points", "threshold": 8})])) == [
        "kpis[0].scoring: points scoring needs benchmark"]


def test_credit_allocation_of_exactly_100_percent_per_category_is_allowed() -> None:
    money = {"at_risk_percent": 10, "pool_allocation_cap": 250,
             "categories": [{"id": "x", "pool_allocation": 250}]}
    kpis = [_kpi(id="a", credit_allocation=60), _kpi(id="b", credit_allocation=40)]
    assert _messages(_base(kpis, money=money)) == []
    kpis.append(_kpi(id="c", credit_allocation="0.01"))
    assert _messages(_base(kpis, money=money)) == [
        "kpis[2].credit_allocation: credit allocations of category 'x' reach 100.01%, above 100% of its pool"]


def test_amendment_money_that_drops_a_category_in_use_is_reported_with_the_amendment() -> None:
    money = {"at_risk_percent": 10, "pool_allocation_cap": 250, "categories": [{"id": "x", "pool_allocation": 50}]}
    new_money = money | {"categories": [{"id": "y", "pool_allocation": 50}]}
    messages = _messages(_base([_kpi()], money=money,
                               amendments=[{"id": "A1", "effective_from": "2026-05", "money": new_money}]))
    assert messages == ["kpis[0].category: category 'x' is not in money.categories; known: y "
                        "(with amendment A1 in force from 2026-05)"]


def test_removed_kpi_is_not_checked_after_its_removal() -> None:
    data = _base([_kpi(), _kpi(id="gone", metric="qa.criterion_score", params={"criterion": "empathy"}, target=90, minimum=80)],
                 amendments=[{"id": "A1", "effective_from": "2026-05", "remove_kpis": ["gone"],
                              "qa_form": {"pass_mark": 85, "criteria": [{"id": "courtesy", "points": 100}]}}])
    assert _messages(data) == []


@pytest.mark.parametrize("vendor", ["ACME", "BRIGHTPATH", "CALLCO"])
def test_outsourced_samples_carry_the_world_terms(vendor: str) -> None:
    terms = _samples().terms_for(vendor, "2026-10")
    by_metric = {(k.metric, str(k.params.get("criterion", ""))): k for k in terms.kpis}
    expected = {
        ("ops.service_level", ""): (80, 75), ("ops.callback_within", ""): (95, 90),
        ("ops.async_response_within", ""): (95, 90), ("qa.score", ""): (90, 85), ("survey.csat", ""): (88, 82),
        ("survey.nps", ""): (45, 35), ("survey.ces", ""): (5.5, 5.0), ("training.hours_per_agent", ""): (8, 6),
        ("training.onboarding_completion", ""): (100, 90),
    }
    for key, (target, minimum) in expected.items():
        assert (by_metric[key].target, by_metric[key].minimum) == (target, minimum), key
    assert by_metric[("ops.callback_within", "")].params["minutes"] == 10
    assert by_metric[("training.onboarding_completion", "")].params["min_hours"] == 40
    assert {c for m, c in by_metric if m == "qa.criterion_score"} >= {"empathy", "ownership"}
    money = terms.money
    assert 10 <= money.at_risk_percent <= 12 and money.pool_allocation_cap == 250
    assert money.earn_back_months == 3
    assert (money.bonus is None) != (money.withhold is None)
    assert all(k.clause for k in terms.kpis)
    assert any(k.scoring.method.value == "points" for k in terms.kpis)
