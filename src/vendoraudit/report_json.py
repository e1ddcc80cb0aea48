"""JSON serialisation of library results: the documented, versioned machine-readable output.

Any frozen dataclass tree serialises the same way: Decimal as a string (exact money), enums as
their value, dates and periods as ISO text, floats as JSON numbers (non-finite ones as null),
pydantic models through their own JSON dump. Keys keep the dataclass field order, so the same
result always gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from .periods import Period

SCHEMA_VERSION = 1


class JsonKind(StrEnum):
    """Every kind of JSON document vendoraudit writes; each has docs/schemas/<kind>.json.

    Adding a kind: a member here, its schema file, its section in docs/json.md and a producer in
    tests/test_json_schemas.py (the test fails until all four exist).
    """

    AUDIT = "vendoraudit.audit"
    SCORECARD = "vendoraudit.scorecard"
    MANIFEST = "vendoraudit.manifest"
    VALIDATE = "vendoraudit.validate"
    KPIS = "vendoraudit.kpis"
    BACKTEST = "backtest"  # the shape issue 23 fixed for procurement tools: no prefix
    FORECAST = "forecast"
    BLOCKED = "vendoraudit.blocked"
    MAPPING_PREVIEW = "vendoraudit.mapping_preview"
    VERIFICATION = "vendoraudit.verification"


def to_jsonable(value: Any, internal: bool = True) -> Any:
    """Plain JSON data for a result value (see the module docstring for the rules).

    `internal` False leaves out the fields marked `results.INTERNAL_ONLY` (values naming other
    parties), for a document that goes to a vendor."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Period):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name), internal) for f in dataclasses.fields(value)
                if not f.metadata.get("json_skip") and (internal or not f.metadata.get("internal_only"))}
    if isinstance(value, dict):
        return {str(to_jsonable(k, internal)): to_jsonable(v, internal) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_jsonable(v, internal) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def dumps(value: Any, kind: str, internal: bool = True) -> str:
    """A versioned JSON document: {"kind", "schema_version", "result"}, indented, newline-terminated.

    `internal` False: a document for a vendor, without the `INTERNAL_ONLY` fields."""
    return document_text(kind, {"result": to_jsonable(value, internal)})


def json_document(kind: JsonKind | str, body: Mapping[str, Any] | Any,
                  schema_version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The document of `kind`: `kind` and `schema_version` first, then the body's keys.

    `body` is a mapping (its keys follow) or a result dataclass (serialised by `to_jsonable`).
    Every --json output and JSON file goes through here, so a consumer always finds the two keys.
    """
    data = to_jsonable(body)
    if not isinstance(data, dict):
        raise TypeError("a JSON document's body must be an object")
    if "kind" in data or "schema_version" in data:
        raise ValueError("the body must not carry its own kind or schema_version")
    return {"kind": str(kind), "schema_version": schema_version, **data}


def document_text(kind: JsonKind | str, body: Mapping[str, Any] | Any,
                  schema_version: int = SCHEMA_VERSION) -> str:
    """`json_document` as text: UTF-8, two-space indent, newline-terminated, NaN refused."""
    return json.dumps(json_document(kind, body, schema_version), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"
