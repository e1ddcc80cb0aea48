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
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from .periods import Period

SCHEMA_VERSION = 1


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for a result value (see the module docstring for the rules)."""
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
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.metadata.get("json_skip")}
    if isinstance(value, dict):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def dumps(value: Any, kind: str) -> str:
    """A versioned JSON document: {"kind", "schema_version", "result"}, indented, newline-terminated."""
    document = {"kind": kind, "schema_version": SCHEMA_VERSION, "result": to_jsonable(value)}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def flat_document(value: Any, kind: str) -> dict[str, Any]:
    """{"kind", "schema_version", then the result's own fields}: the what-if documents' shape."""
    body = to_jsonable(value)
    return {"kind": kind, "schema_version": SCHEMA_VERSION, **body}
