"""The shipped JSON Schema: equal to the generated one, accepts the samples, rejects structural breakage."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from vendoraudit.contract.schema import contract_schema, schema_text

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "contracts").glob("*.yaml"))
BROKEN = REPO / "tests" / "contracts_broken"
# Broken files whose breakage is structural (the schema can see it); the others break semantic rules.
STRUCTURAL = ["structure.yaml", "unknown_key.yaml"]
SEMANTIC = ["semantic.yaml", "amendments.yaml", "outsourced.yaml"]


def _as_json(path: Path) -> Any:
    """The YAML as an editor's YAML 1.2 reading sends it to JSON Schema: dates stay text."""
    data = yaml.safe_load(path.read_text())
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = contract_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_checked_in_schema_equals_the_generated_one() -> None:
    assert (REPO / "contracts" / "contract.schema.json").read_text() == schema_text()


def test_schema_has_titles_and_descriptions() -> None:
    schema = contract_schema()
    assert schema["title"] == "vendoraudit contract"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    kpi = schema["$defs"]["Kpi"]
    assert kpi["description"] and kpi["additionalProperties"] is False
    assert all(prop.get("description") for prop in kpi["properties"].values())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_reference_the_schema_and_validate(path: Path, validator: jsonschema.Draft202012Validator) -> None:
    assert path.read_text().splitlines()[0] == "# yaml-language-server: $schema=./contract.schema.json"
    assert list(validator.iter_errors(_as_json(path))) == []


@pytest.mark.parametrize("name", STRUCTURAL)
def test_structurally_broken_contracts_are_rejected(name: str, validator: jsonschema.Draft202012Validator) -> None:
    errors = list(validator.iter_errors(_as_json(BROKEN / name)))
    assert errors


def test_schema_names_the_unknown_key(validator: jsonschema.Draft202012Validator) -> None:
    messages = [e.message for e in validator.iter_errors(_as_json(BROKEN / "unknown_key.yaml"))]
    assert any("'tagret' was unexpected" in m for m in messages)
    assert any("'target' is a required property" in m for m in messages)


@pytest.mark.parametrize("name", SEMANTIC)
def test_semantic_breakage_is_beyond_the_schema(name: str, validator: jsonschema.Draft202012Validator) -> None:
    # These pass the schema: only `vendoraudit contract check` catches them (see test_contract_loader).
    assert list(validator.iter_errors(_as_json(BROKEN / name))) == []
