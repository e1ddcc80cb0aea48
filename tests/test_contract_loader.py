"""Loading contracts: exact located messages for broken files, the samples, and the ContractSet API."""

from __future__ import annotations

import functools

import hashlib
from pathlib import Path

import pytest

from vendoraudit.contract.loader import ContractSet, load_contract, load_contracts
from vendoraudit.errors import ConfigError
from vendoraudit.periods import Period

REPO = Path(__file__).resolve().parents[1]
BROKEN = REPO / "tests" / "contracts_broken"
SAMPLES = REPO / "contracts"


@functools.cache
def _samples() -> ContractSet:
    """The sample contracts, read once per module (the pure-Python YAML reader is slow)."""
    return load_contracts(SAMPLES)

EXPECTED: dict[str, list[str]] = {
    "amendments.yaml": [
        "amendments.yaml:6:15: effective_to: 2026-01 is before effective_from 2026-03",
        "amendments.yaml:18:25: kpis[0].params.criterion: criterion 'empathy' is not in the QA form; "
        "known criteria: courtesy (with amendment A1 in force from 2026-09)",
        "amendments.yaml:30:21: amendments[0].effective_from: 2026-09 is outside the contract's "
        "effective range (2026-03 to 2026-01)",
        "amendments.yaml:36:21: amendments[1].effective_from: 2026-06 is not after the previous "
        "amendment's 2026-09; list amendments in date order",
        "amendments.yaml:36:21: amendments[1].effective_from: 2026-06 is outside the contract's "
        "effective range (2026-03 to 2026-01)",
        "amendments.yaml:37:19: amendments[1].remove_kpis[0]: no KPI 'nps' in force to remove; in force: empathy",
        "amendments.yaml:45:28: amendments[1].kpis[0].credit_allocation: credit allocations of category "
        "'quality' reach 150%, above 100% of its pool (with amendment A2 in force from 2026-06)",
        "amendments.yaml:46:9: amendments[2].id: duplicate amendment id 'A1'",
        "amendments.yaml:47:21: amendments[2].effective_from: 2025-12 is not after the previous "
        "amendment's 2026-09; list amendments in date order",
        "amendments.yaml:47:21: amendments[2].effective_from: 2025-12 is outside the contract's "
        "effective range (2026-03 to 2026-01)",
        "amendments.yaml:50:36: amendments[2].excused.dates[0].end: 2026-02-01 is before start 2026-02-10",
    ],
    "empty.yaml": [
        "empty.yaml:1:1: the file is empty; expected a contract (a mapping of keys)",
    ],
    "outsourced.yaml": [
        "outsourced.yaml:2:1: fees: required for an outsourced vendor (vendor.kind is outsourced)",
        "outsourced.yaml:2:1: money: required for an outsourced vendor (vendor.kind is outsourced)",
        "outsourced.yaml:4:11: currency: unknown currency 'USX'; did you mean 'USD'?",
        "outsourced.yaml:8:10: sites[1].id: duplicate site id 'OUT-1'",
        "outsourced.yaml:14:112: kpis[0].credit_allocation: a credit allocation needs money terms",
        "outsourced.yaml:15:10: kpis[1].id: duplicate KPI id 'qa'",
    ],
    "semantic.yaml": [
        "semantic.yaml:7:27: sites[0].timezone: unknown IANA time zone 'Europe/Atlantis' (e.g. America/New_York)",
        "semantic.yaml:13:64: qa_form.criteria[1].floor: a floor applies only to brand_promise criteria",
        "semantic.yaml:15:3: kpis: KPIs use points scoring but their weights sum to 0",
        "semantic.yaml:18:14: kpis[0].params.minuts: unknown parameter 'minuts' for ops.callback_within; known: minutes",
        "semantic.yaml:20:13: kpis[0].target: 90 is below the minimum 95; for a higher-is-better KPI "
        "the target must be at or above the minimum",
        "semantic.yaml:26:33: kpis[1].filters.channels[1]: unknown channel 'fax'; "
        "known: phone, email, chat, sms, whatsapp, portal",
        "semantic.yaml:28:13: kpis[1].target: 8 is above the minimum 5; for a lower-is-better KPI "
        "the target must be at or below the minimum",
        "semantic.yaml:30:24: kpis[1].credit_allocation: credit allocations of category 'responsiveness' "
        "reach 110%, above 100% of its pool",
        "semantic.yaml:35:25: kpis[2].params.criterion: criterion 'ownership' is not in the QA form; "
        "known criteria: empathy, verify_identity",
        "semantic.yaml:36:15: kpis[2].category: category 'brand' is not in money.categories; "
        "known: responsiveness, experience",
        "semantic.yaml:39:57: kpis[2].scoring.benchmark: 85 must be higher than the threshold 90 "
        "(higher is better for this KPI)",
        "semantic.yaml:40:23: kpis[2].bonus_allocation: bonus allocations sum to 110%, above 100% of the bonus pool",
        "semantic.yaml:43:13: kpis[3].metric: unknown metric 'survey.csats'; did you mean 'survey.csat'?",
        "semantic.yaml:57:22: kpis[4].scoring.bands[1].at_least: bands must run from best to worst "
        "(descending at_least for a higher-is-better KPI): 6 follows 5",
        "semantic.yaml:58:5: kpis[5].params: qa.criterion_score needs the parameter 'criterion'",
        "semantic.yaml:68:5: money.categories: category pool allocations sum to 160%, above the pool "
        "allocation cap of 150%",
        "semantic.yaml:71:26: money.rounding.minor_unit: 2 does not agree with JPY, which has 0 decimal places",
    ],
    "structure.yaml": [
        "structure.yaml:2:14: contract_id: 'BAD/ID' is not a valid id (letters, digits, '_', '.', '-'; at most 64)",
        "structure.yaml:4:3: vendor.kind: required key is missing",
        "structure.yaml:6:11: currency: 'usd' is not a three-letter currency code like USD",
        "structure.yaml:7:17: effective_from: '2026-13' is not a month written YYYY-MM",
        "structure.yaml:8:8: sites: List should have at least 1 item after validation, not 0",
        "structure.yaml:10:10: fees.model: Input should be 'fixed_monthly', 'per_contact' or 'per_fte'",
        "structure.yaml:11:11: fees.amount: Input should be greater than or equal to 0",
        "structure.yaml:13:14: qa_form.pass_mark: Input should be less than or equal to 100",
        "structure.yaml:15:29: qa_form.criteria[0].points: Input should be greater than 0",
        "structure.yaml:20:23: kpis[0].params.variant: Input should be a valid string, a valid integer, "
        "a valid number or a valid boolean",
        "structure.yaml:22:13: kpis[0].target: Input should be a valid number, unable to parse string as a number",
        "structure.yaml:24:23: kpis[0].scoring.method: Input should be 'pass_fail', 'points' or 'bands'",
        "structure.yaml:24:39: kpis[0].scoring.baseline: Input should be 'previous'; or 'last-year' is not "
        "a month written YYYY-MM",
    ],
    "syntax.yaml": [
        "syntax.yaml:3:9: invalid YAML: expected ',' or '}', but got ':'",
    ],
    "unknown_key.yaml": [
        "unknown_key.yaml:13:5: kpis[0].target: required key is missing",
        "unknown_key.yaml:17:5: kpis[0].tagret: unknown key 'tagret'; did you mean 'target'? known keys: id, title, metric, params, "
        "filters, category, direction, target, minimum, weight, min_sample, scoring, credit_allocation, "
        "bonus_allocation, statistical_allowance, clause, domain",
    ],
    "unsafe_tag.yaml": [
        "unsafe_tag.yaml:2:14: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (plain data only)",
    ],
}


def _problems(paths: object) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_contracts(paths)  # type: ignore[arg-type]
    return list(info.value.problems)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_contract_gives_exact_located_messages(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    problems = _problems([Path(name)])
    assert problems == EXPECTED[name]


def test_every_broken_file_is_covered_by_the_expectations() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


def test_folder_collects_every_problem_of_every_file_in_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    with pytest.raises(ConfigError) as info:
        load_contracts(".")
    expected = [m for name in sorted(EXPECTED) for m in EXPECTED[name]]
    assert list(info.value.problems) == expected
    assert str(info.value) == f"{len(expected)} problems in contracts"


def test_one_problem_is_singular(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    with pytest.raises(ConfigError, match=r"^1 problem in contracts$"):
        load_contract("empty.yaml")


def test_site_in_two_contracts_for_overlapping_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / "overlap")
    assert _problems(".") == [
        "second.yaml:1:14: contract_id: 'FIRST-2026' is also the id of the contract in first.yaml:1:14",
        "second.yaml:7:10: sites[1].id: site 'SHARED-1' is also covered by contract FIRST-2026 "
        "(first.yaml:7:10) in overlapping periods (2026-01..2026-12 and 2026-10..open)",
    ]


def test_sites_may_change_hands_when_periods_do_not_overlap(tmp_path: Path) -> None:
    body = "vendor: {{id: {v}, name: {v}, kind: in_house}}\ncurrency: USD\n{dates}\n" \
           "sites: [{{id: S-1, timezone: UTC}}]\nqa_form: {{pass_mark: 85, criteria: [{{id: e, points: 1}}]}}\n"
    (tmp_path / "old.yaml").write_text("contract_id: OLD\n" + body.format(
        v="OLD", dates="effective_from: 2025-01\neffective_to: 2026-06"))
    (tmp_path / "new.yaml").write_text("contract_id: NEW\n" + body.format(v="NEW", dates="effective_from: 2026-07"))
    contracts = load_contracts(tmp_path)
    assert contracts.site_directory("2026-06").get("S-1").vendor_id == "OLD"
    assert contracts.site_directory("2026-07").get("S-1").vendor_id == "NEW"
    assert contracts.site_directory("2024-12").sites == ()


def test_missing_path_and_empty_folder_are_config_problems(tmp_path: Path) -> None:
    # Sorted by file: the folder's name comes before the names of files inside it.
    assert _problems([tmp_path / "nope.yaml", tmp_path]) == [
        f"{tmp_path}: no contract files (*.yaml, *.yml) in this folder",
        f"{tmp_path / 'nope.yaml'}: no such file or folder",
    ]


def test_samples_load_with_source_hash_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    contracts = load_contracts("contracts")
    assert isinstance(contracts, ContractSet)
    assert [e.source for e in contracts] == [
        "contracts/acme.yaml", "contracts/brightpath.yaml", "contracts/callco.yaml", "contracts/northwind.yaml"]
    assert [e.vendor_id for e in contracts] == ["ACME", "BRIGHTPATH", "CALLCO", "NORTHWIND"]
    acme = contracts.entries[0]
    assert acme.sha256 == hashlib.sha256((SAMPLES / "acme.yaml").read_bytes()).hexdigest()
    assert acme.version == "2026.1"


def test_subfolders_of_the_contracts_folder_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "acme.yaml").write_text("not: a contract\n")
    (tmp_path / "acme.yaml").write_bytes((SAMPLES / "acme.yaml").read_bytes())
    assert [e.vendor_id for e in load_contracts(tmp_path)] == ["ACME"]


def test_paths_outside_the_current_directory_are_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.yaml").write_text("contract_id: X\n")
    monkeypatch.chdir(REPO)
    problems = _problems(tmp_path / "bad.yaml")
    assert problems[0].startswith(f"{tmp_path / 'bad.yaml'}:1:1: ")


def test_site_directory_of_the_sample_world() -> None:
    directory = _samples().site_directory(Period(2026, 10))
    assert {(s.site_id, s.vendor_id, s.timezone, s.in_house) for s in directory.sites} == {
        ("NW-BOS", "NORTHWIND", "America/New_York", True),
        ("ACME-MNL", "ACME", "Asia/Manila", False),
        ("BP-DAL", "BRIGHTPATH", "America/Chicago", False),
        ("CC-BOG", "CALLCO", "America/Bogota", False),
    }
    assert directory.in_house_sites == ("NW-BOS",)


def test_terms_for_unknown_vendor_or_period_outside_the_contract() -> None:
    contracts = _samples()
    with pytest.raises(ConfigError, match="no contract of vendor 'NOBODY' is in force in 2026-10"):
        contracts.terms_for("NOBODY", "2026-10")
    with pytest.raises(ConfigError, match="no contract of vendor 'CALLCO' is in force in 2027-07"):
        contracts.terms_for("CALLCO", Period(2027, 7))
    assert contracts.terms_for("NORTHWIND", "2031-01").vendor.id == "NORTHWIND"


def test_load_contract_returns_the_model() -> None:
    contract = load_contract(SAMPLES / "callco.yaml")
    assert contract.contract_id == "CALLCO-SOW3-2026"
    assert len(contract.amendments) == 1
