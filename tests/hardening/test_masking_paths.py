"""A canary in every personal column, on every failing path: no message, report, log line or
quarantine file quotes it. Values of personal columns are masked where an issue shows them.

Each case builds a small export folder whose failure passes through personal data: a value that
does not parse, a row that breaks a rule, a header that is really a data row, a parse error,
NUL bytes, broken quotes and encodings, unfitting Parquet types, a 10 MB value, a site in no
contract, a repeated key, a mapping preview. `member_ref` and `comment` hold the canary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from vendoraudit.tables import TABLES

from .conftest import invoke
from .corpus import HEADER, SURVEY_HEADER, csv_text, row
from .worlds import CANARY, REPO

PERSONAL = {(t, c.name) for t, spec in TABLES.items() for c in spec.columns if c.personal}


def _ref(i: int) -> str:
    return f"{CANARY}-M{i}"


def _survey(i: int, **over: str) -> dict[str, str]:
    base = {"response_id": f"R{i}", "interaction_id": "", "site_id": "ACME-MNL", "channel": "phone",
            "submitted_at": "2026-10-02T10:00:00+08:00", "csat": "5", "nps": "9", "ces": "6",
            "comment": f"{CANARY}-C{i} I was diagnosed with something"}
    return {**base, **over}


def _calls(d: Path, records: list[dict[str, str]], name: str = "interactions.csv", **kw: str) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(csv_text(records, **kw), encoding="utf-8")


def _mapping(d: Path, text: str) -> str:
    path = d.parent / f"{d.name}-mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


Case = Callable[[Path], list[str]]
CASES: dict[str, Case] = {}


def case(build: Case) -> Case:
    CASES[build.__name__] = build
    return build


@case
def member_ref_through_a_code_map(d: Path) -> list[str]:
    _calls(d, [row(i, member_ref=_ref(i)) for i in range(1, 4)], "calls.csv")
    return ["--mapping", _mapping(d, "name: m\ntable: interactions\nfiles: [calls*.csv]\ncolumns:\n"
                                     "  member_ref: {column: member_ref, codes: {x: y}}\n")]


@case
def comment_through_a_code_map(d: Path) -> list[str]:
    d.mkdir(parents=True)
    (d / "fb.csv").write_text(csv_text([_survey(i) for i in range(1, 4)], SURVEY_HEADER), encoding="utf-8")
    return ["--mapping", _mapping(d, "name: m\ntable: surveys\nfiles: [fb*.csv]\ncolumns:\n"
                                     "  comment: {column: comment, codes: {'n/a': null}, unmatched: error}\n")]


@case
def rows_that_break_rules(d: Path) -> list[str]:
    _calls(d, [row(1, member_ref=_ref(1)), row(2, member_ref=_ref(2), channel="fax"),
               row(3, member_ref=_ref(3), arrived_at="yesterday"), row(4, member_ref=_ref(4), handle_seconds="-5")])
    (d / "surveys.csv").write_text(csv_text([_survey(1, csat="11"), _survey(2, nps="x")], SURVEY_HEADER),
                                   encoding="utf-8")
    return []


@case
def a_ragged_row(d: Path) -> list[str]:
    text = csv_text([row(i, member_ref=_ref(i)) for i in range(1, 4)])
    lines = text.splitlines()
    lines[2] += f",{CANARY}-EXTRA,more"
    d.mkdir(parents=True)
    (d / "interactions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return []


@case
def a_repeated_key_and_a_site_in_no_contract(d: Path) -> list[str]:
    _calls(d, [row(1, member_ref=_ref(1)), row(1, member_ref=_ref(2)), row(3, member_ref=_ref(3), site_id="XX-NONE")])
    return ["--contracts", str(REPO / "contracts"), "--period", "2026-10"]


@case
def a_data_row_read_as_header(d: Path) -> list[str]:
    first = row(1, member_ref=_ref(1), agent_id=_ref(1), queue=_ref(1))
    _calls(d, [first, row(2, member_ref=_ref(2))])
    path = d / "interactions.csv"
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    return []


@case
def a_headerless_workbook(d: Path) -> list[str]:
    from openpyxl import Workbook

    d.mkdir(parents=True)
    book = Workbook()
    for i in (1, 2):
        book.active.append([row(i)[c] if c != "member_ref" else _ref(1) for c in HEADER[:5]] + [_ref(1), _ref(1)])
    book.save(d / "interactions.xlsx")
    return []


@case
def a_parse_error_in_a_member_ref(d: Path) -> list[str]:
    text = ",".join(HEADER) + "\n" + ",".join(row(1, member_ref=f'"{_ref(1)}"X').values()) + "\n"
    d.mkdir(parents=True)
    (d / "interactions.csv").write_text(text, encoding="utf-8")
    return []


@case
def a_nul_in_a_member_ref(d: Path) -> list[str]:
    _calls(d, [row(i, member_ref=_ref(i) + ("\x00" if i == 200 else "")) for i in range(1, 300)])
    return []


@case
def an_unbalanced_quote_in_a_member_ref(d: Path) -> list[str]:
    _calls(d, [row(1), row(2, member_ref=f'"{_ref(2)}')])
    return []


@case
def mixed_encodings_around_a_member_ref(d: Path) -> list[str]:
    d.mkdir(parents=True)
    text = csv_text([row(1, member_ref=_ref(1) + "-é", queue="facturación")]).encode("utf-8")
    text += ",".join(row(2, member_ref=_ref(2) + "-ñ").values()).encode("cp1252") + b"\n"
    (d / "interactions.csv").write_bytes(text)
    return []


@case
def undecodable_bytes_in_a_member_ref(d: Path) -> list[str]:
    d.mkdir(parents=True)
    (d / "interactions.csv").write_bytes(csv_text([row(1, member_ref=_ref(1))]).encode()
                                         + ",".join(row(2, member_ref=_ref(2)).values()).encode() + b"\x81\x8d\n")
    return []


@case
def a_parquet_list_of_member_refs(d: Path) -> list[str]:
    d.mkdir(parents=True)
    pl.DataFrame([row(i) for i in (1, 2)]).with_columns(
        pl.Series("member_ref", [[_ref(1)], [_ref(2)]])).write_parquet(d / "interactions.parquet")
    return []


@case
def a_ten_megabyte_member_ref_that_breaks_a_rule(d: Path) -> list[str]:
    _calls(d, [row(1), row(2, member_ref=CANARY * 1_000_000, channel="fax")])
    return []


@case
def a_member_ref_in_an_ambiguous_number_column(d: Path) -> list[str]:
    _calls(d, [row(1, handle_seconds='"1,200"', member_ref=_ref(1)), row(2, member_ref=_ref(2))])
    return []


def _leaks(text: str) -> bool:
    return CANARY in text or "diagnosed with" in text


def test_the_cases_reach_every_personal_column() -> None:
    assert PERSONAL == {("interactions", "member_ref"), ("surveys", "comment")}
    assert len(CASES) >= 14


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("name", list(CASES))
def test_no_canary_on_any_failing_path(tmp_path: Path, name: str, as_json: bool) -> None:
    folder = tmp_path / "exports"
    extra = CASES[name](folder)
    quarantine = tmp_path / "q"
    ran = invoke(["validate", str(folder), *extra, "--quarantine-dir", str(quarantine),
                  *(["--json"] if as_json else [])], timeout=60)
    assert ran.exit_code in (1, 4), (name, ran.exit_code, ran.output[-1000:])  # every case fails
    assert not _leaks(ran.stdout) and not _leaks(ran.stderr), name
    for path in quarantine.glob("*.csv"):
        assert not _leaks(path.read_text(encoding="utf-8")), path
    if as_json and ran.exit_code == 1:
        issues = json.loads(ran.stdout)["issues"]
        shown = [i for i in issues if (i["table"], i["column"]) in PERSONAL and i["value"] is not None]
        assert all(i["value"] == "<masked>" for i in shown), shown


@pytest.mark.parametrize("name", ["member_ref_through_a_code_map", "comment_through_a_code_map"])
def test_no_canary_in_a_mapping_preview(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "exports"
    extra = CASES[name](folder)
    source = next(folder.iterdir())
    ran = invoke(["mapping", "preview", str(source), *extra], timeout=60)
    assert ran.exit_code == 0, ran.output[-1000:]
    assert not _leaks(ran.output)
