"""Rows whose site is in no contract feed no vendor: they are a data error (rule unknown_site, with
file and row), quarantined so the accounting shows them, and the set is not called clean.

Before, they counted as used while no figure included them, and `validate` said "clean".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from vendoraudit.results import Site, SiteDirectory
from vendoraudit.validate import load_exports
from vendoraudit.periods import Period

from .conftest import invoke, run_cli
from .corpus import SURVEY_HEADER, csv_text, row
from .worlds import PERIOD, REPO, World

SITES = SiteDirectory((Site("ACME-MNL", "ACME", "Asia/Manila", False, "Manila"),
                       Site("NW-BOS", "NORTHWIND", "America/New_York", True, "Boston")))
STRAYS = ["XX-NOWHERE", "acme-mnl", "ACME-MNL2", "../ACME-MNL"]


def _survey(i: int, site: str) -> dict[str, str]:
    return {"response_id": f"R{i}", "interaction_id": "", "site_id": site, "channel": "phone",
            "submitted_at": "2026-10-02T10:00:00+08:00", "csat": "5", "nps": "9", "ces": "6", "comment": "fine"}


@pytest.mark.parametrize("stray", STRAYS)
def test_rows_of_a_site_in_no_contract_are_quarantined_with_their_location(tmp_path: Path, stray: str) -> None:
    (tmp_path / "interactions.csv").write_text(csv_text([row(1), row(2, site_id=stray), row(3, site_id="NW-BOS"),
                                                         row(4, site_id=stray)]), encoding="utf-8")
    (tmp_path / "surveys.csv").write_text(csv_text([_survey(1, stray), _survey(2, "ACME-MNL")], SURVEY_HEADER),
                                          encoding="utf-8")
    result = load_exports(tmp_path, sites=SITES, site_check=True)
    assert result.is_balanced and result.has_errors
    found = sorted((i.file, i.row, i.column, i.value) for i in result.issues if i.rule == "unknown_site")
    assert found == [("interactions.csv", 2, "site_id", stray), ("interactions.csv", 4, "site_id", stray),
                     ("surveys.csv", 1, "site_id", stray)]
    assert {f.path: (f.rows_read, f.rows_used, f.rows_quarantined) for f in result.files} == {
        "interactions.csv": (4, 2, 2), "surveys.csv": (2, 1, 1)}
    assert "unknown_site" in result.quarantine["interactions"]["_reason"][0]


def test_every_table_with_a_site_is_checked(tmp_path: Path) -> None:
    sample = REPO / "sample_exports" / PERIOD
    for name in ("qa_evaluations.parquet", "qa_items.parquet", "roster.csv", "training.csv", "surveys.xlsx"):
        shutil.copy(sample / name, tmp_path / name)
    result = load_exports(tmp_path, sites=SITES, site_check=True)  # the sample has four sites; two are in no contract here
    tables = {i.table for i in result.issues if i.rule == "unknown_site"}
    assert tables == {"qa_evaluations", "roster", "training", "surveys"}
    assert result.is_balanced
    evaluations = pl.read_parquet(sample / "qa_evaluations.parquet")
    strays = evaluations.filter(~pl.col("site_id").is_in(["ACME-MNL", "NW-BOS"])).height
    assert strays and next(f for f in result.files if f.table == "qa_evaluations").rows_quarantined == strays


def test_a_site_whose_contract_is_not_in_force_is_in_no_contract(tmp_path: Path) -> None:
    from vendoraudit.contract.loader import load_contracts

    contracts = load_contracts(REPO / "contracts")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "interactions.csv").write_text(csv_text([row(1)]), encoding="utf-8")
    in_force = load_exports(folder, period=Period.parse(PERIOD), sites=contracts.site_directory(PERIOD),
                            site_check=True)
    assert not [i for i in in_force.issues if i.rule == "unknown_site"]
    before = load_exports(folder, period=Period.parse("2020-01"), sites=contracts.site_directory("2020-01"),
                          site_check=True)
    assert "unknown_site" in [i.rule for i in before.issues if i.row == 1]
    assert before.files[0].rows_quarantined == 1


def test_validate_does_not_call_the_set_clean(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text(csv_text([row(1), row(2, site_id="XX-NOWHERE")]), encoding="utf-8")
    args = ["validate", str(tmp_path), "--contracts", str(REPO / "contracts")]
    ran = invoke(args)
    # Exit 1 is for what would stop the audit; these rows do not, but they are errors, never "clean".
    assert ran.exit_code in (0, 1) and "clean" not in ran.stdout and "unknown_site" in ran.stdout
    assert "1 data error" in ran.stdout
    report = json.loads(invoke([*args, "--json"]).stdout)
    assert (report["summary"]["rows_used"], report["summary"]["rows_quarantined"]) == (1, 1)
    # Without contracts no site is known: nothing to compare with, nothing reported.
    assert invoke(["validate", str(tmp_path)]).exit_code == 0


def test_the_audit_quarantines_them_without_blocking_the_contracted_vendors(world: World, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    shutil.copytree(world.exports, exports)
    survey = exports / PERIOD / "surveys.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    # A tenth of the surveys from a site no contract names: reported and quarantined; they feed no
    # vendor, so they do not count towards the share of bad rows that blocks the money.
    moved = [line.replace(",ACME-MNL,", ",ACME-CEBU,") if k % 10 == 0 else line for k, line in enumerate(lines[1:])]
    survey.write_text("\n".join([lines[0], *moved]) + "\n", encoding="utf-8")
    ran = run_cli(["audit", "--exports", str(exports), "--contracts", str(world.contracts), "--period", PERIOD,
                   "--out", str(tmp_path / "out"), "--mapping", str(world.mapping)], timeout=180)
    assert ran.exit_code == 0, ran.stderr[-2000:]
    report = json.loads((tmp_path / "out" / PERIOD / f"validation-{PERIOD}.json").read_text(encoding="utf-8"))
    strays = [i for i in report["issues"] if i["rule"] == "unknown_site"]
    expected = sum(",ACME-CEBU," in line for line in moved)
    assert expected and len([i for i in strays if i["table"] == "surveys"]) == expected
    assert all(i["row"] for i in strays)
    assert report["summary"]["balanced"]
