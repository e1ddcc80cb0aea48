"""validate and audit give the same exit code on the same inputs, the one the README's table names.

validate is the audit's pre-flight: it exits 1 exactly when the audit would stop on the data
(`audit.blocking_problems`: a contracted site sent no contacts, or more than 2% of a table's
rows were quarantined), so a pipeline can gate on either.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dispute_world as w
from vendoraudit.cli import app
from vendoraudit.cli.conventions import EXIT_MEANINGS
from vendoraudit.cli.exit_codes import ExitCode

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _readme_table() -> dict[int, str]:
    section = README.split("### Exit codes", 1)[1].split("\n\n", 1)[0]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d) \| (.+) \|$", section, flags=re.M)}


def test_the_readme_table_names_every_code_and_the_rule_of_1():
    table = _readme_table()
    assert sorted(table) == sorted(int(c) for c in ExitCode)
    assert "sent no contacts" in table[1] and "2%" in table[1]
    assert "validate" in table[1] and "audit" in table[1]
    for code, meaning in EXIT_MEANINGS.items():  # the help epilog's words come from the same table
        assert meaning.split(" (")[0] in table[int(code)], (code, meaning)


def _break_rows(world: w.SkyWorld, count: int) -> None:
    path = world.exports / w.PERIOD / "interactions_SKY-CHI.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i in range(1, count + 1):
        lines[i] = lines[i].replace(",phone,", ",fax,")  # not a channel: the row is quarantined
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _no_contacts(world: w.SkyWorld) -> None:
    path = world.exports / w.PERIOD / "interactions_SKY-CHI.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def _unreadable(world: w.SkyWorld) -> None:
    (world.exports / w.PERIOD / "interactions_SKY-CHI.csv").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)


def _bad_contract(world: w.SkyWorld) -> None:
    (world.contracts / "sky.yaml").write_text(w.CONTRACT.replace("currency: USD", "currency: usd"))


SCENARIOS: dict[str, tuple[Callable[[w.SkyWorld], None], ExitCode]] = {
    "clean": (lambda world: None, ExitCode.OK),
    "one bad row of 344 (0.3%)": (lambda world: _break_rows(world, 1), ExitCode.OK),
    "ten bad rows of 344 (2.9%)": (lambda world: _break_rows(world, 10), ExitCode.DATA_ERRORS),
    "a contracted site sent no contacts": (_no_contacts, ExitCode.DATA_ERRORS),
    "an unreadable export": (_unreadable, ExitCode.RUNTIME),
    "a broken contract": (_bad_contract, ExitCode.CONFIG),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_validate_and_audit_agree(tmp_path: Path, scenario: str):
    world = w.build(tmp_path / "world")
    change, expected = SCENARIOS[scenario]
    change(world)
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(world.exports / w.PERIOD), "--period", w.PERIOD,
                                  "--contracts", str(world.contracts)])
    audited = runner.invoke(app, ["audit", "--exports", str(world.exports), "--contracts", str(world.contracts),
                                  "--period", w.PERIOD, "--out", str(world.out), "--quiet"])
    assert (checked.exit_code, audited.exit_code) == (expected, expected), (checked.output[-1500:],
                                                                            audited.output[-1500:])
    if expected is ExitCode.DATA_ERRORS:
        assert "blocking" in checked.stdout
        assert "would stop" in checked.stdout


def test_a_bad_period_is_2_for_both(tmp_path: Path):
    world = w.build(tmp_path / "world")
    runner = CliRunner()
    for args in (["validate", str(world.exports / w.PERIOD)], ["audit", "--exports", str(world.exports),
                                                              "--out", str(world.out)]):
        assert runner.invoke(app, [*args, "--period", "2026-10..2026-09"]).exit_code == ExitCode.USAGE


def test_validate_json_says_what_blocks(tmp_path: Path):
    import json

    world = w.build(tmp_path / "world")
    _no_contacts(world)
    result = CliRunner().invoke(app, ["validate", str(world.exports / w.PERIOD), "--period", w.PERIOD,
                                      "--contracts", str(world.contracts), "--json"])
    assert result.exit_code == ExitCode.DATA_ERRORS
    document = json.loads(result.stdout)
    assert document["blocking"] == ["site SKY-CHI (SKY) sent no interactions for 2026-10"]
    shutil.rmtree(world.root)
