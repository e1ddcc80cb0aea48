"""The contract format reference page cannot drift from the model."""

from __future__ import annotations

from pathlib import Path

from vendoraudit.contract import model
from vendoraudit.contract.reference import reference_markdown

REPO = Path(__file__).resolve().parents[1]


def test_checked_in_reference_equals_the_generated_page() -> None:
    assert (REPO / "docs" / "contract-format.md").read_text(encoding="utf-8") == reference_markdown()


def test_every_field_of_every_section_is_documented() -> None:
    page = reference_markdown()
    for cls in (model.Contract, model.Kpi, model.Money, model.Amendment, model.Scoring, model.QaForm):
        section = page.split(f"### {cls.__name__}\n", 1)[1].split("\n### ", 1)[0]
        for name, info in cls.model_fields.items():
            assert f"| `{name}` |" in section, (cls.__name__, name)
            assert info.description, (cls.__name__, name)


def test_reference_states_the_allocation_rule_and_the_metric_ids() -> None:
    page = reference_markdown()
    assert "credit allocations (each a\n  share of that category's pool) sum to at most 100%" in page
    assert "| `ops.callback_within` | higher | `minutes` (10) | - |" in page
    assert "| `qa.criterion_score` | higher | `criterion` (required) | - |" in page
    assert "| `survey.csat` | higher | - | `top2`, `mean` |" in page
