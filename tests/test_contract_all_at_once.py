"""contract check reports every problem of every file in one run (issue 24).

Schema problems no longer hide the semantic and cross-file ones: a file with a typo, a wrong
type, an unknown time zone and an unknown metric, whose id another file also uses, shows all of
them at once, sorted by file and line. Placeholders stand in for the broken values while the
rest is checked, and no problem that could come from a placeholder is ever reported: a valid
contract broken at any one place reports problems at that place only.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from vendoraudit.cli import app
from vendoraudit.contract.loader import load_contracts
from vendoraudit.contract.model import Contract
from vendoraudit.errors import ConfigError
from vendoraudit.problems import PLACEHOLDER_MARK, did_you_mean, sorted_problems, unknown_key_message

REPO = Path(__file__).resolve().parents[1]

FOUR_MISTAKES = """\
contract_id: DUP-1
vendor: {id: FOUR, name: Four Mistakes Ltd, kind: in_house}
currency: USD
effective_from: 2026-01
sites:
  - {id: FM-1, timezone: Mars/Olympus_Mons}
qa_form:
  pass_mark: 85
  criteria:
    - {id: empathy, points: 100}
kpis:
  - id: asa
    title: Speed of answer
    metric: ops.asaa
    category: quality
    target: eighty
    minimum: 85
    wieght: 10
"""

OTHER = """\
contract_id: DUP-1
vendor: {id: OTHER, name: Other, kind: in_house}
currency: USD
effective_from: 2026-01
sites:
  - {id: OT-1, timezone: UTC}
qa_form:
  pass_mark: 85
  criteria:
    - {id: empathy, points: 100}
"""


def _problems(*paths: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_contracts(list(paths))
    return list(info.value.problems)


def test_four_mistakes_in_one_run_sorted_by_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("b_four.yaml").write_text(FOUR_MISTAKES)
    Path("a_other.yaml").write_text(OTHER)
    result = CliRunner().invoke(app, ["contract", "check", "."])
    assert result.exit_code == 3
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert lines == [
        "b_four.yaml:1:14: contract_id: 'DUP-1' is also the id of the contract in a_other.yaml:1:14",
        "b_four.yaml:6:26: sites[0].timezone: unknown IANA time zone 'Mars/Olympus_Mons' (e.g. America/New_York)",
        "b_four.yaml:14:13: kpis[0].metric: unknown metric 'ops.asaa'; did you mean 'ops.asa'?",
        "b_four.yaml:16:13: kpis[0].target: Input should be a valid number, unable to parse string as a number",
        "b_four.yaml:18:5: kpis[0].wieght: unknown key 'wieght'; did you mean 'weight'? known keys: id, title, "
        "metric, params, filters, category, direction, target, minimum, weight, min_sample, scoring, "
        "credit_allocation, bonus_allocation, statistical_allowance, clause, domain",
    ]
    assert result.stderr.splitlines()[0] == "vendoraudit: error: 5 problems in contracts"


def test_a_syntax_error_does_not_hide_the_other_files(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO / "tests" / "contracts_broken")
    problems = _problems(Path("syntax.yaml"), Path("semantic.yaml"), Path("structure.yaml"))
    files = [p.split(":", 1)[0] for p in problems]
    assert {"syntax.yaml", "semantic.yaml", "structure.yaml"} <= set(files)
    assert files == sorted(files)
    assert problems == sorted_problems(problems)


def test_unknown_keys_get_did_you_mean_everywhere(tmp_path: Path):
    body = OTHER.replace("currency: USD", "curency: USD").replace("pass_mark: 85", "passmark: 85")
    (tmp_path / "x.yaml").write_text(body)
    problems = _problems(tmp_path / "x.yaml")
    assert any("unknown key 'curency'; did you mean 'currency'?" in p for p in problems)
    assert any("unknown key 'passmark'; did you mean 'pass_mark'?" in p for p in problems)
    assert unknown_key_message("zzz", ["id", "name"]) == "unknown key 'zzz'; known keys: id, name"
    assert did_you_mean("tagret", ["target", "title"]) == "did you mean 'target'?"
    assert did_you_mean("qqqq", ["target"]) == ""


# ----------------------------------------------------------- no problem comes from a placeholder

def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [path] * bool(path) + [p for k, v in value.items() for p in _leaves(v, path + (k,))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, path + (i,))]
    return [path]


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    if value is _DELETE:
        if isinstance(data, dict):
            del data[path[-1]]
        else:
            data.pop(path[-1])
    else:
        data[path[-1]] = value


_DELETE = object()


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@pytest.mark.parametrize("name", ["acme.yaml", "northwind.yaml"])
@pytest.mark.parametrize("breakage", ["delete", "wrong_type"])
def test_one_broken_place_reports_problems_at_that_place_only(tmp_path: Path, name: str, breakage: str):
    """Break a valid contract at each place in turn: every problem must be about that place."""
    original = yaml.safe_load((REPO / "contracts" / name).read_text())
    checked = 0
    for path in _leaves(original)[::5]:  # every fifth place keeps the test quick; all kinds are covered
        data = copy.deepcopy(original)
        _set(data, path, _DELETE if breakage == "delete" else {"nested": ["not", "this"]})
        file = tmp_path / name
        file.write_text(yaml.safe_dump(data, sort_keys=False))
        try:
            Contract.model_validate(data)
            continue  # still valid in structure: every semantic problem is real, none from a placeholder
        except ValidationError:
            pass
        with pytest.raises(ConfigError) as info:
            load_contracts([file])
        problems = info.value.problems
        checked += 1
        where = _dotted(path)
        parent = _dotted(path[:-1])
        for problem in problems:
            assert PLACEHOLDER_MARK not in problem and "XXX" not in problem, problem
            text = problem.split(": ", 1)[1]
            about = text.split(": ", 1)[0]
            # At the broken place, or (a deleted key) the object that now misses it, or the
            # semantic check the deletion legitimately triggers (a list now too short, a
            # reference to a deleted id, fees/money an outsourced vendor needs).
            # Replacing a whole section with a wrong type removes what it held, as deleting it does.
            removed = breakage == "delete" or isinstance(_get(original, path), (dict, list))
            ok = (about == where or about.startswith((where + ".", where + "[")) or about == parent
                  or (removed and _consequence_of_deleting(about, path, text)))
            assert ok, f"breaking {where} ({breakage}) reported: {problem}"
    assert checked > 10


def _consequence_of_deleting(about: str, path: tuple, text: str) -> bool:
    """Problems a deletion causes for real (not a placeholder's doing)."""
    deleted = path[-1]
    if isinstance(deleted, int):  # a list item removed: references to its id, sums, list lengths
        return ("is not in" in text or "no KPI" in text or "needs" in text or "sum" in text
                or "reach" in text or "at least" in text or "criteria" in about)
    return deleted in ("fees", "money", "kind", "currency", "rounding", "categories", "criteria", "bonus",
                       "params", "scoring", "method", "direction") or "needs" in text


# ------------------------------------------------------------------ dispute files plug in the same way

DISPUTE = """\
vendor: ACME
period: 2026-10
disputes:
  - id: D1
    kpi: servce_level
    claim: IVR outage
    remedy: {exclude_dates: [2026-10-14]}
    remdy_note: typo
  - id: D1
    kpi: service_level
    claim: 12
    remedy: {exclude_dates: [2026-11-02]}
"""


def test_dispute_check_reports_schema_semantic_and_cross_file_problems_at_once(tmp_path: Path):
    folder = tmp_path / "disputes" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(DISPUTE)
    (folder / "b.yaml").write_text("vendor: ACME\nperiod: 2026-10\ndisputes: []\n")
    result = CliRunner().invoke(app, ["dispute", "check", str(tmp_path / "disputes"), "--contracts",
                                      str(REPO / "contracts")])
    assert result.exit_code == 3, result.output
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    text = "\n".join(lines)
    assert "disputes[0].remdy_note: unknown key 'remdy_note'" in text  # schema
    assert "disputes[1].claim: Input should be a valid string" in text  # schema
    assert "disputes[0].kpi: unknown KPI 'servce_level'" in text and "did you mean 'service_level'" in text
    assert "disputes[1].id: dispute id 'D1' is used 2 times" in text  # semantic, same file
    assert "2026-11-02" in text  # a remedy date outside the period
    assert "already has a dispute file for 2026-10" in text  # across files
    assert lines == sorted_problems(lines)
    assert PLACEHOLDER_MARK not in result.output


# ------------------------------------------------------------------ mapping files plug in the same way

def test_mapping_check_reports_structural_and_semantic_problems_at_once(tmp_path: Path):
    from vendoraudit.mapping import load_mappings

    broken = tmp_path / "a.yaml"
    broken.write_text("\n".join([
        "name: a",
        "table: interactions",
        "files: [calls*]",
        "timezone: Mars/Olympus",         # semantic
        "format: {delimter: ';'}",        # structural, with did-you-mean
        "columns:",
        "  queue_name: topic",            # semantic: not a column of interactions
        "  handle_seconds: {column: t, unit: [1, 2]}",  # structural
        "",
    ]))
    other = tmp_path / "b.yaml"
    other.write_text("name: b\ntable: surveys\nfiles: [s*]\ntimezone: Nowhere/Land\n")
    with pytest.raises(ConfigError) as info:
        load_mappings([other, broken])
    problems = list(info.value.problems)
    text = "\n".join(problems)
    assert "timezone: unknown time zone 'Mars/Olympus'" in text
    assert "unknown key 'delimter'; did you mean 'delimiter'?" in text
    assert "columns.queue_name: 'queue_name' is not a column of interactions" in text
    assert "columns.handle_seconds.unit" in text
    assert "b.yaml:4:11: timezone: unknown time zone 'Nowhere/Land'" in text
    assert problems == sorted_problems(problems)  # a.yaml's before b.yaml's, each by line
    assert PLACEHOLDER_MARK not in text
