"""The contract format reference page (docs/contract-format.md), generated from the model.

A test compares the checked-in page with `reference_markdown()`, so the page cannot drift
from the model. Regenerate with:
`python -c "from vendoraudit.contract.reference import write_reference; write_reference()"`.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from . import model
from .checks import CURRENCY_MINOR_UNITS, metric_catalog

_NAMED_TYPES = {
    id(model.PeriodText): "month (YYYY-MM)",
    id(model.Identifier): "id",
    id(model.Percent): "percent",
}
_BOUNDS = ("ge", "gt", "le", "min_length")
_PATTERN_TYPES = {
    r"^\d{4}-(0[1-9]|1[0-2])$": "month (YYYY-MM)",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$": "id",
    r"^[A-Z]{3}$": "currency code",
}
_PLAIN_TYPES: dict[Any, str] = {
    str: "text", int: "integer", float: "number", bool: "true/false",
    Decimal: "decimal", date: "date (YYYY-MM-DD)",
}

_INTRO = """\
# Contract format

<!-- Generated from src/vendoraudit/contract/model.py by contract/reference.py; do not edit by hand.
     tests/test_contract_docs.py fails when this page and the model disagree. -->

A contract file (`contracts/*.yaml`) says what one vendor promised and what a miss costs.
Vendor managers write and amend these files by hand; `vendoraudit contract check PATH...`
reports every problem at once as `file:line:col: path: message` (1-based), and
`vendoraudit contract schema` prints the JSON Schema (shipped as `contracts/contract.schema.json`;
start a file with `# yaml-language-server: $schema=./contract.schema.json` so editors validate
and complete it). The samples in `contracts/` are worked examples.

## Conventions
- Percentages are written as percents: `10` means 10%. Money and percentages are read as exact
  decimals (never binary floats).
- KPI targets and minimums are in the unit of the KPI's metric: percent metrics 0..100, QA
  scores 0..100, NPS -100..100, CES and CSAT means on their scale, hours, seconds.
- A KPI is **met** when its value is at or better than `minimum` (in the KPI's direction) and
  earns a bonus at or beyond `target`.
- Every number, in any section, list, KPI parameter or amendment, must be finite and at most
  10^12 in size (a KPI parameter: 10^6, minutes or days beyond that overflow a timestamp), with at
  most 10 decimal places; YAML numbers beyond 1e30 or 1e-30, `.nan` and `.inf` are refused where
  they stand. These are checked with the other problems, by `contract check` and the audit alike,
  so both accept exactly the same contracts.
- Files are plain YAML data: no tags, no merge keys (`<<`), no duplicate keys; aliases are
  counted as the nodes they copy, nesting is limited, and a file may not exceed 1 MB.
- Only `*.yaml` / `*.yml` files directly in the contracts folder are contracts; subfolders
  (such as `contracts/mappings/`) are not read.

## The composite score: flat or by domains
Every met or missed KPI earns 0..10 points (`scoring`). Without `domains` (the default, and
every existing contract) the composite is flat: sum(weight x points) / sum(weights of the scored
KPIs) x 10. With `domains`, the hospital program's model: each KPI names its `domain`; a domain's
score is its scored KPIs' points earned over points possible (10 each), scaled to 100 and rounded
to two decimals; the domain that says `consistency: true` also counts the brand-promise
consistency points (0..20 earned of 20 possible), as HCAHPS consistency counts in its domain; the
composite is the weighted mean of the domain scores, a domain with nothing scored (no data,
excused) left out and the others re-weighted proportionally (weights 10/25/40 with a fourth of 25
missing become 13.33/33.33/53.33). KPI `weight`s do not count under domains. The library function
`vendoraudit.scoring.composite_score(scores, weights)` computes it:

```yaml
domains:
  - {id: responsiveness, title: Responsiveness, weight: 25}
  - {id: experience, title: Member experience, weight: 25, consistency: true}
kpis:
  - id: service_level
    domain: responsiveness
    ...
```

## Amendments
An amendment takes effect from its `effective_from` month: the audit of a month uses the terms
in force in that month. Amendments apply in date order; the sections an amendment gives
(`fees`, `qa_form`, `money`, `excused`, `domains`) replace the earlier ones whole; its `kpis` replace the
KPIs with the same id (in place) or are added at the end; `remove_kpis` drops KPIs by id.

## Checks beyond the schema
- Metric ids exist and their parameters are known; `qa.criterion_score` names a `criterion`
  of the QA form in force; channel filters name real channels.
- Ids are unique: sites, criteria, categories, KPIs (within the base list and each amendment),
  amendments; a `contract_id` is used by one file only.
- `target` and `minimum` agree with the direction (higher is better: target >= minimum; lower is
  better: target <= minimum). The direction is the KPI's own or its metric's.
- `points` scoring has a threshold and a benchmark, the benchmark better than the threshold;
  `bands` run from best to worst (higher is better: descending `at_least`), points never
  rising in a worse band.
- Domains: ids are unique, their weights sum to more than 0, consistency points count in one
  domain at most; with domains every KPI names one of them and every domain has a KPI (or counts
  the consistency points); without domains no KPI names one.
- `statistical_allowance` is set only on a metric with a 95% interval (not on attrition,
  headcount, the training shares or sample adequacy, where it could never apply).
- Money: a KPI's category exists in `money.categories`; the categories' pool allocations sum
  to at most `pool_allocation_cap`; **within each category the KPIs' credit allocations (each a
  share of that category's pool) sum to at most 100%**, so all KPI allocations together stay
  within the cap; bonus allocations sum to at most 100% of the bonus pool; at least one KPI
  weight is above 0 when any KPI uses points scoring; `rounding.minor_unit` agrees with the
  currency.
- Outsourced contracts have `fees` and `money`. Time zones are IANA names; currencies are ISO
  4217 codes.
- Dates: `effective_to` is not before `effective_from`; amendments are listed in date order,
  within the contract's effective range; excused date ranges end on or after their start.
- Across files: no site is covered by two contracts in overlapping periods.
- Every check also runs on the terms after each amendment.
"""


def reference_markdown() -> str:
    """The reference page: conventions, then one table per section of the model."""
    out = [_INTRO, "## Sections\n"]
    for cls in _models_in_order(model.Contract):
        out.append(_section(cls))
    out.append(_enums())
    out.append(_metrics())
    out.append("## Currencies\n\n" + ", ".join(
        f"{code} ({units})" for code, units in sorted(CURRENCY_MINOR_UNITS.items())) + "\n\n"
        "The number in brackets is the currency's minor unit (decimal places) that "
        "`money.rounding.minor_unit` must equal.\n")
    return "\n".join(out)


def write_reference(path: Path = Path("docs/contract-format.md")) -> None:
    """Write the generated page to `path`."""
    path.write_text(reference_markdown(), encoding="utf-8")


def _models_in_order(root: type[BaseModel]) -> list[type[BaseModel]]:
    """The root model then every nested model, depth first in field order, each once."""
    seen: list[type[BaseModel]] = []

    def visit(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        seen.append(cls)
        for info in cls.model_fields.values():
            for nested in _nested_models(info.annotation):
                visit(nested)

    visit(root)
    return seen


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]


def _section(cls: type[BaseModel]) -> str:
    doc = " ".join((cls.__doc__ or "").split())
    lines = [f"### {cls.__name__}", "", doc, "", "| field | type | required | default | description |",
             "|---|---|---|---|---|"]
    for name, info in cls.model_fields.items():
        lines.append(f"| `{name}` | {_field_type(info)} | {'yes' if info.is_required() else 'no'} "
                     f"| {_default(info)} | {_cell(info.description or '')} |")
    return "\n".join(lines) + "\n"


def _field_type(info: FieldInfo) -> str:
    """The field's type in words, with the constraints pydantic moved into its metadata."""
    constraints = {k: getattr(m, k) for m in info.metadata for k in _BOUNDS if getattr(m, k, None) is not None}
    pattern = next((m.pattern for m in info.metadata if getattr(m, "pattern", None)), None)
    if pattern in _PATTERN_TYPES:
        return _PATTERN_TYPES[pattern]
    if info.annotation is Decimal and constraints == {"ge": 0, "le": 1000}:
        return "percent"
    text = _type(info.annotation)
    ge, gt, le = constraints.get("ge"), constraints.get("gt"), constraints.get("le")
    if ge is not None and le is not None:
        text += f", {ge}..{le}"
    else:
        bounds = [f"at least {ge}" if ge is not None else "", f"above {gt}" if gt is not None else "",
                  f"at most {le}" if le is not None else ""]
        text += "".join(f", {b}" for b in bounds if b)
    if "min_length" in constraints and info.annotation is not str:
        count = constraints['min_length']
        text += f", at least {count} item{'s' if count != 1 else ''}"
    return text


def _type(annotation: Any) -> str:
    if id(annotation) in _NAMED_TYPES:
        return _NAMED_TYPES[id(annotation)]
    if annotation in _PLAIN_TYPES:
        return _PLAIN_TYPES[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " or ".join(f"`{a!r}`" for a in args)
    if origin in (Union, types.UnionType):
        return " or ".join(_type(a) for a in args if a is not type(None))
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    if origin is typing.Annotated:
        return _type(args[0])
    return _cell(str(annotation))


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return ""
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    else:
        value = info.default
    if value is None or value is PydanticUndefined:
        return "(none)"
    if isinstance(value, BaseModel):
        return "(its defaults)"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, dict)) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    if value == "":
        return '`""`'
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _enums() -> str:
    enums = [model.VendorKind, model.FeeModel, model.ScoringMethod, model.RoundingLevel, model.Direction]
    lines = ["## Enumerations", ""]
    for enum in enums:
        doc = " ".join((enum.__doc__ or "").split())
        values = ", ".join(f"`{member.value}`" for member in enum)
        lines += [f"### {enum.__name__}", "", f"{doc} Values: {values}.", ""]
    return "\n".join(lines)


def _metrics() -> str:
    lines = ["## Metric ids", "", "The KPI registry's metrics (`vendoraudit.kpis.registry`); `variant` takes the "
             "first variant listed unless given.", "",
             "| metric | better | parameters (default) | variants |", "|---|---|---|---|"]
    for metric_id, metric in sorted(metric_catalog().items()):
        params = ", ".join(f"`{p.name}`" + (" (required)" if p.required else
                                             f" ({p.default})" if p.default is not None else "")
                           for p in metric.params)
        variants = ", ".join(f"`{v}`" for v in metric.variants)
        lines.append(f"| `{metric_id}` | {metric.direction.value} | {params or '-'} | {variants or '-'} |")
    return "\n".join(lines) + "\n"
