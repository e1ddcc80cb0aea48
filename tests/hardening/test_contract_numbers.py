"""Every number of a contract is range-checked, and `contract check` and the audit accept the same contracts.

The test walks the contract model itself: every field whose type holds a number (Decimal, float or
int, in any section, list item, KPI parameter or amendment) is found from the annotations, set in
turn to each hostile value, and must be refused by the loader both commands use, with a located
message naming that field. A field added to the model later is walked too (and fails here until
the base document below holds its section). Extreme values that pass must then audit without an
"unexpected failure".
"""

from __future__ import annotations

import copy
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from vendoraudit.contract.loader import load_contracts
from vendoraudit.contract.model import Contract
from vendoraudit.errors import ConfigError

from .conftest import invoke, run_cli
from .worlds import PERIOD, REPO, World

NUMBER_TYPES = (int, float, Decimal)
# Refused by the YAML reader whatever field holds them (located by line).
YAML_REFUSED = {"1e400": "1.0e+400", "minus-1e400": "-1.0e+400", "nan": ".nan", "inf": ".inf", "minus-inf": "-.inf",
                "40-digits": "1" + "0" * 40, "5000-digits": "9" * 5000, "1e-400": "1.0e-400", "unsigned-1e400": "1e400",
                "40-decimals": "0." + "0" * 39 + "1"}
# Read by YAML, refused by the walk of the model (located by path); every field at once.
MODEL_REFUSED = {"1e20": "1.0e+20", "minus-1e20": "-1.0e+20", "14-digits": "10000000000000",
                 "11-decimals": "0.00000000001", "text-nan": "'NaN'", "text-infinity": "'Infinity'",
                 "text-minus-infinity": "'-Infinity'", "text-1e400": "'1e400'", "text-1e-400": "'1e-400'",
                 "unquoted-1e-400": "1e-400"}


def _unwrap(tp: Any) -> list[Any]:
    """The alternatives of an annotation, Optional/Annotated/union taken apart."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [alt for arg in typing.get_args(tp) for alt in _unwrap(arg)]
    return [tp]


def numeric_fields(model: type[BaseModel] = Contract, prefix: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    """Every path of the model that holds a number: list items as 0, dict values as '*'."""
    found: set[tuple[Any, ...]] = set()
    for name, field in model.model_fields.items():
        for alt in _unwrap(field.annotation):
            path = prefix + (name,)
            origin = typing.get_origin(alt)
            if origin is list:
                path, alt = path + (0,), typing.get_args(alt)[0]
            elif origin is dict:
                path, alt = path + ("*",), typing.get_args(alt)[1]
            for inner in _unwrap(alt):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found |= numeric_fields(inner, path)
                elif inner in NUMBER_TYPES:
                    found.add(path)
    return found


def base_document() -> dict[str, Any]:
    """The sample contract with every optional section present (structurally valid: numbers are
    checked before any rule that relates sections)."""
    doc = yaml.safe_load((REPO / "contracts" / "acme.yaml").read_text(encoding="utf-8"))
    doc["money"]["withhold"] = {"percent": 5, "slope": 1}
    doc["kpis"][0]["scoring"] = {"method": "bands", "threshold": 1, "benchmark": 2,
                                 "bands": [{"at_least": 90, "points": 10}]}
    doc["kpis"][0]["params"]["threshold_seconds"] = 20
    doc["domains"] = [{"id": "experience", "weight": 1}]
    doc["amendments"] = [{"id": "A9", "effective_from": "2027-01", "fees": copy.deepcopy(doc["fees"]),
                          "domains": copy.deepcopy(doc["domains"]),
                          "qa_form": copy.deepcopy(doc["qa_form"]), "kpis": [copy.deepcopy(doc["kpis"][0])],
                          "money": copy.deepcopy(doc["money"])}]
    return doc


def _concrete(path: tuple[Any, ...], doc: dict[str, Any]) -> tuple[Any, ...]:
    """The model path in `doc`: '*' becomes the first numeric key of that dict."""
    out: list[Any] = []
    node: Any = doc
    for part in path:
        if part == "*":
            part = next(k for k, v in node.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
        out.append(part)
        node = node[part]
    return tuple(out)


FIELDS = sorted(numeric_fields(), key=str)


def test_the_walk_finds_the_numbers_of_every_section() -> None:
    dotted = {".".join(str(p) for p in f) for f in FIELDS}
    assert {"fees.amount", "kpis.0.target", "kpis.0.params.*", "money.bonus.cap_percent", "money.withhold.slope",
            "kpis.0.scoring.bands.0.at_least", "amendments.0.money.rounding.minor_unit",
            "qa_form.criteria.0.floor"} <= dotted
    doc = base_document()
    for field in FIELDS:  # the base document holds every numeric field's section
        _concrete(field, doc)


def _write(doc: dict[str, Any], paths: list[tuple[Any, ...]], value: str, folder: Path) -> list[int]:
    """`doc` with `value` written at every path; the lines it stands on."""
    doc = copy.deepcopy(doc)
    for k, path in enumerate(paths):
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = f"__HOSTILE{k}__"
    marked = yaml.safe_dump(doc, sort_keys=False)
    lines = [marked.count("\n", 0, marked.index(f"__HOSTILE{k}__")) + 1 for k in range(len(paths))]
    for k in range(len(paths)):
        marked = marked.replace(f"'__HOSTILE{k}__'", value).replace(f"__HOSTILE{k}__", value)
    (folder / "acme.yaml").write_text(marked, encoding="utf-8")
    return lines


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


@pytest.mark.parametrize("value", list(MODEL_REFUSED.values()), ids=list(MODEL_REFUSED))
def test_every_number_is_range_checked_all_reported_at_once(tmp_path: Path, value: str) -> None:
    doc = base_document()
    paths = [_concrete(f, doc) for f in FIELDS]
    if value.startswith("'") or value == "1e-400":  # YAML text: a parameter may be text (judged below)
        paths = [p for p in paths if "params" not in p]
    _write(doc, paths, value, tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_contracts(tmp_path)
    problems = raised.value.problems
    missing = [_dotted(p) for p in paths if not any(f": {_dotted(p)}: " in line for line in problems)]
    assert not missing, (missing, problems[:5])
    assert all(len(line) < 300 for line in problems)


@pytest.mark.parametrize("value", ["'NaN'", "'Infinity'", "'1e400'", "1.0e+7", "1000001"])
def test_a_kpi_parameter_that_is_no_usable_number_is_refused(tmp_path: Path, value: str) -> None:
    doc = base_document()
    path = ("kpis", 1, "params", "minutes")
    assert _concrete(path, doc) == path
    line = _write(doc, [path], value, tmp_path)[0]
    with pytest.raises(ConfigError) as raised:
        load_contracts(tmp_path)
    assert any(f"acme.yaml:{line}:" in p and "kpis[1].params.minutes" in p for p in raised.value.problems)


@pytest.mark.parametrize("value", list(YAML_REFUSED.values()), ids=list(YAML_REFUSED))
@pytest.mark.parametrize("field", ["fees.amount", "kpis.0.target", "kpis.0.params.*", "kpis.0.min_sample",
                                   "amendments.0.money.bonus.pool_percent"])
def test_numbers_yaml_refuses_are_located_in_any_field(tmp_path: Path, field: str, value: str) -> None:
    doc = base_document()
    path = _concrete(tuple(int(p) if p.isdigit() else p for p in field.split(".")), doc)
    line = _write(doc, [path], value, tmp_path)[0]
    with pytest.raises(ConfigError) as raised:
        load_contracts(tmp_path)
    assert any(f"acme.yaml:{line}:" in p for p in raised.value.problems), (line, raised.value.problems)


@pytest.mark.parametrize("value", ["1e400", ".nan", "'Infinity'", "1" + "0" * 40, "9" * 5000])
def test_contract_check_and_the_audit_refuse_the_same_contract(world: World, tmp_path: Path, value: str) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    for source in world.contracts.iterdir():
        text = source.read_text(encoding="utf-8")
        if source.name == "acme.yaml":
            text = text.replace("  amount: 2450.00", f"  amount: {value}", 1)
            assert value in text
        (contracts / source.name).write_text(text, encoding="utf-8")
    checked = invoke(["contract", "check", str(contracts)])
    audited = run_cli(["audit", "--exports", str(world.exports), "--contracts", str(contracts), "--period", PERIOD,
                       "--out", str(tmp_path / "out"), "--mapping", str(world.mapping)], timeout=120)
    assert checked.exit_code == audited.exit_code == 3, (checked.output[-500:], audited.output[-500:])
    assert "unexpected" not in audited.output

    def located(text: str) -> set[str]:
        return {line.strip()[line.strip().index("acme.yaml:"):] for line in text.splitlines() if "acme.yaml:" in line}

    assert located(checked.stderr) and located(checked.stderr) == located(audited.stderr), audited.stderr[-800:]


@pytest.mark.parametrize(("old", "new"), [("  amount: 2450.00", "  amount: 999999999999.9999999999"),
                                          ("  at_risk_percent: ", "  at_risk_percent: 100 #"),
                                          ("    cap_percent: ", "    cap_percent: 1000 #"),
                                          ("params: {minutes: 10}", "params: {minutes: 1000000}")])
def test_extreme_numbers_that_pass_the_check_audit_without_failure(world: World, tmp_path: Path, old: str,
                                                                  new: str) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    for source in world.contracts.iterdir():
        text = source.read_text(encoding="utf-8")
        if source.name == "acme.yaml":
            assert old in text
            text = text.replace(old, new, 1)
        (contracts / source.name).write_text(text, encoding="utf-8")
    checked = invoke(["contract", "check", str(contracts)])
    assert checked.exit_code == 0, checked.stderr[-500:]
    from vendoraudit.audit import AuditInputs, exports_dir_for, run_audit

    contract_set = load_contracts(contracts)
    from vendoraudit.periods import Period

    period = Period.parse(PERIOD)
    result, _ = run_audit(AuditInputs(exports_dir_for(world.exports, period), contract_set, (world.mapping,)),
                          period)
    acme = next(v for v in result.vendors if v.vendor_id == "ACME")
    assert acme.settlement is not None and acme.settlement.net_adjustment.is_finite()
