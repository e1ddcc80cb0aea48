"""Checking JSON documents against the schemas shipped in docs/schemas/, found by their `kind`.

Any test that produces a JSON output can call `assert_matches_schema(document)`: the schema is
docs/schemas/<kind>.json, so a new kind plugs in by shipping its schema file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def schema_kinds() -> list[str]:
    """The kinds that have a schema file."""
    return sorted(p.name.removesuffix(".json") for p in SCHEMAS.glob("*.json"))


@cache
def validator(kind: str) -> Draft202012Validator:
    """The validator of docs/schemas/<kind>.json (formats checked too)."""
    path = SCHEMAS / f"{kind}.json"
    assert path.is_file(), f"no schema for kind {kind!r}: ship docs/schemas/{kind}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(document: Any) -> list[str]:
    """Every way `document` breaks its kind's schema, as `path: message` lines (empty: valid)."""
    assert isinstance(document, dict), "a document is a JSON object"
    assert list(document)[:2] == ["kind", "schema_version"], "kind and schema_version come first"
    found = validator(document["kind"]).iter_errors(document)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in found)


def assert_matches_schema(document: Any) -> None:
    """Fail with every schema error of `document` (a parsed JSON output)."""
    errors = schema_errors(document)
    assert not errors, f"{document.get('kind')}: {len(errors)} schema error(s):\n" + "\n".join(errors[:20])
