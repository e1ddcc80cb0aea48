"""JSON serialisation rules: exact Decimals, enums by value, no NaN, stable order."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vendoraudit.periods import Period
from vendoraudit.report_json import dumps, to_jsonable
from vendoraudit.results import Direction


@dataclass(frozen=True)
class _Line:
    amount: Decimal
    direction: Direction
    value: float
    when: date
    period: Period


def test_rules():
    line = _Line(Decimal("2000.10"), Direction.LOWER, float("nan"), date(2026, 10, 31), Period(2026, 10))
    assert to_jsonable(line) == {"amount": "2000.10", "direction": "lower", "value": None,
                                 "when": "2026-10-31", "period": "2026-10"}


def test_document_is_versioned_and_stable():
    text = dumps((_Line(Decimal("1"), Direction.HIGHER, 0.5, date(2026, 1, 1), Period(2026, 1)),), "test")
    assert json.loads(text)["schema_version"] == 1
    assert text == dumps((_Line(Decimal("1"), Direction.HIGHER, 0.5, date(2026, 1, 1), Period(2026, 1)),), "test")
