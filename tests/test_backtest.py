"""The backtest: a vendor's own contract reproduces the audited months to the cent; a draft is priced
month by month with its own history (improvement, earn-back); bad input gets a clear answer."""

from __future__ import annotations

import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from vendoraudit.audit import AuditInputs, run_audit
from vendoraudit.backtest import Source, run_backtest
from vendoraudit.cli import app
from vendoraudit.contract.loader import load_contracts
from vendoraudit.errors import ConfigError, InputError
from vendoraudit.history import History
from vendoraudit.money import LineKind
from vendoraudit.periods import parse_periods
from vendoraudit.scoring import Outcome

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "sample_exports"
MONTHS = parse_periods("2026-08..2026-10")
runner = CliRunner()


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """The three sample months audited in order into a results history, as `vendoraudit audit` records them."""
    contracts = load_contracts(ROOT / "contracts")
    path = tmp_path_factory.mktemp("audits") / "history.sqlite"
    nets: dict[tuple[str, str], Decimal] = {}
    composites: dict[tuple[str, str], Decimal | None] = {}
    with History(path) as history:
        for p in MONTHS:
            result, _ = run_audit(AuditInputs(EXPORTS / str(p), contracts), p, history)
            history.record(p, [v.scorecard for v in result.vendors],
                           [v.settlement for v in result.vendors if v.settlement is not None])
            history.finalise(p)
            for v in result.outsourced:
                nets[(str(p), v.vendor_id)] = v.settlement.net_adjustment
                composites[(str(p), v.vendor_id)] = v.scorecard.composite
    return contracts, path, nets, composites


def _own(contracts, vendor_id):
    return next(e for e in contracts if e.vendor_id == vendor_id)


@pytest.mark.parametrize("vendor_id", ["ACME", "BRIGHTPATH", "CALLCO"])
def test_own_contract_reproduces_every_audited_month_to_the_cent(audited, vendor_id):
    contracts, path, nets, composites = audited
    with History(path) as history:
        result = run_backtest(_own(contracts, vendor_id), EXPORTS, MONTHS, contracts, history)
    for month in result.periods:
        audited_net = nets[(str(month.period), vendor_id)]
        assert month.actual.source is Source.HISTORY
        assert month.actual.net_adjustment == audited_net
        assert month.draft.net_adjustment == audited_net, month.period
        assert month.draft.composite == composites[(str(month.period), vendor_id)]
        assert month.difference == 0
        assert [(k.kpi_id, k.outcome, k.points, k.credit) for k in month.draft.kpis] == \
            [(k.kpi_id, k.outcome, k.points, k.credit) for k in month.actual.kpis]
    assert result.totals.draft.net_adjustment == sum(nets[(str(p), vendor_id)] for p in MONTHS)
    assert result.totals.difference == 0


def test_months_never_audited_are_computed_with_the_contract_in_force(audited):
    """No history at all: the actual side is computed month by month, carrying its own history."""
    contracts, _path, nets, composites = audited
    result = run_backtest(_own(contracts, "CALLCO"), EXPORTS, MONTHS, contracts, None)
    for month in result.periods:
        assert month.actual.source is Source.COMPUTED
        assert month.actual.contract_id == "CALLCO-SOW3-2026"
        assert month.actual.net_adjustment == nets[(str(month.period), "CALLCO")]
        assert month.draft.net_adjustment == nets[(str(month.period), "CALLCO")]
        assert month.actual.composite == composites[(str(month.period), "CALLCO")]


def _draft(tmp_path: Path, vendor_file: str, *edits: tuple[str, str]) -> Path:
    text = (ROOT / "contracts" / vendor_file).read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"draft-{vendor_file}"
    path.write_text(text)
    return path


def test_a_draft_carries_its_own_history_for_earn_back(audited, tmp_path):
    """Service level 84.995 / 85.008 / 85.005 against a draft minimum of 85: missed in August, met
    in September and October; with a two-month earn-back the August credit returns in October."""
    contracts, path, nets, _ = audited
    draft_file = _draft(tmp_path, "acme.yaml", ("target: 80\n    minimum: 75", "target: 86\n    minimum: 85"),
                        ("earn_back_months: 3", "earn_back_months: 2"))
    draft = load_contracts([draft_file]).entries[0]
    with History(path) as history:
        result = run_backtest(draft, EXPORTS, MONTHS, contracts, history)
    aug, sep, oct_ = result.periods
    level = {m.period: next(k for k in m.draft.kpis if k.kpi_id == "service_level") for m in result.periods}
    assert [level[m.period].outcome for m in result.periods] == [Outcome.MISSED, Outcome.MET, Outcome.MET]
    # credit = pool 90% x KPI 30% x at-risk (10% of fees)
    expected = (Decimal("0.90") * Decimal("0.30") * Decimal("0.10") * aug.draft.fees).quantize(Decimal("0.01"))
    assert level[aug.period].credit == -expected
    assert sep.draft.earn_back_total == 0
    assert oct_.draft.earn_back_total == expected
    assert oct_.draft.net_adjustment == oct_.actual.net_adjustment + expected
    assert aug.difference == aug.draft.net_adjustment - aug.actual.net_adjustment < 0
    assert aug.actual.net_adjustment == nets[("2026-08", "ACME")]
    # Signed at September instead: August was charged under the real contract, nothing to earn back.
    with History(path) as history:
        later = run_backtest(draft, EXPORTS, MONTHS[1:], contracts, history)
    assert later.periods[-1].draft.earn_back_total == 0


def test_a_draft_with_new_money_terms_changes_the_money_not_the_actual(audited, tmp_path):
    contracts, path, nets, _ = audited
    draft_file = _draft(tmp_path, "brightpath.yaml", ("at_risk_percent: 12", "at_risk_percent: 15"))
    draft = load_contracts([draft_file]).entries[0]
    with History(path) as history:
        result = run_backtest(draft, EXPORTS, MONTHS, contracts, history)
    for month in result.periods:
        assert month.actual.net_adjustment == nets[(str(month.period), "BRIGHTPATH")]
        credits = [k.credit for k in month.draft.kpis if k.credit is not None]
        actual = [k.credit for k in month.actual.kpis if k.credit is not None]
        assert credits and len(credits) == len(actual)
        # 15% at risk against 12%: every uncapped credit grows by a quarter, to the cent
        assert all(abs(d - a * Decimal("1.25")) <= Decimal("0.01") for d, a in zip(credits, actual))
        assert month.difference == month.draft.net_adjustment - month.actual.net_adjustment < 0
    assert result.totals.difference == sum(m.difference for m in result.periods)


def test_a_metric_the_month_cannot_compute_is_said_and_never_guessed(audited, tmp_path):
    contracts, path, _, _ = audited
    shutil.copytree(EXPORTS, tmp_path / "exports")  # earlier months' training counts towards onboarding
    month = tmp_path / "exports" / "2026-10"
    (month / "surveys.xlsx").unlink()
    result = run_backtest(_own(contracts, "ACME"), tmp_path / "exports", parse_periods("2026-10"), contracts, None)
    only = result.periods[0]
    survey_kpis = {k.kpi_id: k for k in only.draft.kpis if k.metric_id.startswith("survey.")}
    assert set(survey_kpis) == {"csat", "nps", "ces"}
    for k in survey_kpis.values():
        assert k.value is None and k.outcome is Outcome.INSUFFICIENT_DATA and k.credit is None and k.bonus is None
        assert "cannot be computed from the 2026-10 exports (no surveys rows for ACME-MNL)" in k.note
    assert len(only.notes) == 3


def test_a_month_missing_from_the_range_is_named(audited, tmp_path):
    contracts, _, _, _ = audited
    for p in ("2026-08", "2026-10"):
        (tmp_path / p).mkdir()
    with pytest.raises(InputError) as err:
        run_backtest(_own(contracts, "ACME"), tmp_path, MONTHS, contracts, None)
    assert "2026-09" in str(err.value) and "2026-08" not in str(err.value).split(":", 2)[-1]


def test_a_draft_for_a_vendor_with_no_history_is_refused(audited, tmp_path):
    contracts, path, _, _ = audited
    draft_file = _draft(tmp_path, "acme.yaml", ("id: ACME\n", "id: NEWCO\n"), ("id: ACME-MNL", "id: NEWCO-MNL"))
    draft = load_contracts([draft_file]).entries[0]
    with History(path) as history, pytest.raises(ConfigError) as err:
        run_backtest(draft, EXPORTS, MONTHS, contracts, history)
    assert "vendor 'NEWCO'" in str(err.value) and "has no history" in str(err.value)


# ------------------------------------------------------------------ the command


def _cli(*args: str):
    return runner.invoke(app, ["backtest", *args])


def test_cli_json_shape_and_workbook(audited, tmp_path):
    contracts, path, nets, _ = audited
    out = tmp_path / "backtest.xlsx"
    args = ["--contract", str(ROOT / "contracts" / "acme.yaml"), "--exports", str(EXPORTS),
            "--periods", "2026-08..2026-10", "--contracts", str(ROOT / "contracts"), "--history", str(path)]
    res = _cli(*args, "--json", "--out", str(out))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["kind"] == "backtest" and doc["schema_version"] == 1
    assert [p["period"] for p in doc["periods"]] == ["2026-08", "2026-09", "2026-10"]
    first = doc["periods"][0]
    assert first["vendor_id"] == "ACME"
    assert first["draft"]["net_adjustment"] == first["actual"]["net_adjustment"] == str(nets[("2026-08", "ACME")])
    assert isinstance(first["draft"]["kpis"], list) and first["draft"]["kpis"][0]["outcome"] == "met"
    assert first["actual"]["source"] == "history"
    assert doc["totals"]["draft"]["net_adjustment"] == str(sum(nets[(str(p), "ACME")] for p in MONTHS))
    wb = load_workbook(out)
    assert wb.sheetnames == ["Months", "KPIs", "KPI totals", "Totals", "Notes"]
    tables = {name: ws.tables for ws in wb for name in ws.tables}
    assert set(tables) == {"tblBacktestMonths", "tblBacktestKpis", "tblBacktestKpiTotals", "tblBacktestTotals",
                           "tblBacktestNotes"}
    months = wb["Months"]
    header = [c.value for c in months[1]]
    row = {h: c.value for h, c in zip(header, months[2])}
    assert Decimal(str(row["draft_net_adjustment"])) == nets[("2026-08", "ACME")]
    assert row["actual_source"] == "history"
    assert months.max_row == 4
    assert wb["KPIs"].max_row == 1 + 3 * 14
    text = _cli(*args)
    assert text.exit_code == 0 and "total" in text.stdout and "2026-09" in text.stdout


def test_the_workbook_is_the_same_bytes_for_the_same_backtest(audited):
    """Dated by the first month, never the wall clock (document dates and zip entries), as every workbook."""
    from zipfile import ZipFile

    from vendoraudit.backtest_workbook import workbook_bytes

    contracts, path, _, _ = audited
    with History(path) as history:
        result = run_backtest(_own(contracts, "ACME"), EXPORTS, MONTHS, contracts, history)
    data = workbook_bytes(result)
    assert {i.date_time for i in ZipFile(io.BytesIO(data)).infolist()} == {(2026, 8, 1, 0, 0, 0)}
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2026-08-01T00:00:00Z" in \
        ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()


def test_cli_bad_input_answers(audited, tmp_path):
    contracts, path, _, _ = audited
    base = ["--exports", str(EXPORTS), "--contracts", str(ROOT / "contracts")]
    missing = _cli("--contract", str(ROOT / "contracts" / "acme.yaml"), *base, "--periods", "2026-07..2026-09")
    assert missing.exit_code == 4 and "2026-07" in missing.stderr
    newco = _draft(tmp_path, "acme.yaml", ("id: ACME\n", "id: NEWCO\n"), ("id: ACME-MNL", "id: NEWCO-MNL"))
    nohistory = _cli("--contract", str(newco), *base, "--periods", "2026-08..2026-10", "--history", str(path))
    assert nohistory.exit_code == 3 and "has no history" in nohistory.stderr
    broken = _draft(tmp_path, "callco.yaml", ("target: 80\n", "target: eighty\n"))
    bad = _cli("--contract", str(broken), *base, "--periods", "2026-08..2026-10")
    assert bad.exit_code == 3 and "draft-callco.yaml:" in bad.stderr and "target" in bad.stderr
    reversed_ = _cli("--contract", str(ROOT / "contracts" / "acme.yaml"), *base, "--periods", "2026-10..2026-08")
    assert reversed_.exit_code == 2


def test_granted_disputes_apply_under_both_contracts(tmp_path):
    """A month audited with an accepted dispute (an outage day excluded) is reproduced to the cent
    when the backtest is given the same dispute files; the draft is priced on the remedied data too."""
    import dispute_world as w
    from vendoraudit.disputes.loader import load_disputes
    from vendoraudit.periods import Period

    world = w.build(tmp_path)
    w.dispute_file(world, """\
  - id: D1
    kpi: service_level
    raised_on: 2026-11-02
    claim: The client's IVR was down all day on 14 October.
    remedy:
      exclude_dates: [2026-10-14]
    decision: {outcome: accepted, reason: IT confirms the outage, decided_by: P. Lee, decided_on: 2026-11-05}
""")
    period = Period.parse(w.PERIOD)
    contracts = load_contracts(world.contracts)
    disputes = load_disputes(world.disputes, contracts, period)
    with History(world.out / "history.sqlite") as history:
        result, _ = run_audit(AuditInputs(world.exports / w.PERIOD, contracts, (), disputes), period, history)
        history.record(period, [v.scorecard for v in result.vendors],
                       [v.settlement for v in result.vendors if v.settlement is not None])
        audited = result.vendor("SKY").settlement.net_adjustment
        own = next(e for e in contracts if e.vendor_id == "SKY")
        with_disputes = run_backtest(own, world.exports, [period], contracts, history, disputes=disputes)
        without = run_backtest(own, world.exports, [period], contracts, None)
    month = with_disputes.periods[0]
    assert month.actual.source is Source.HISTORY and month.actual.net_adjustment == audited
    assert month.draft.net_adjustment == audited and month.difference == 0
    # priced without the remedy, the outage day counts against the service level again
    assert without.periods[0].draft.net_adjustment < audited


def test_a_draft_kept_among_the_contracts_is_not_a_second_contract(audited, tmp_path):
    contracts, path, nets, _ = audited
    folder = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", folder)
    draft = _draft(folder, "acme.yaml", ("at_risk_percent: 10", "at_risk_percent: 11"))
    res = _cli("--contract", str(draft), "--exports", str(EXPORTS), "--periods", "2026-08", "--contracts", str(folder),
               "--history", str(path), "--json")
    assert res.exit_code == 0, res.output
    month = json.loads(res.stdout)["periods"][0]
    assert month["actual"]["net_adjustment"] == str(nets[("2026-08", "ACME")])


def test_months_are_read_through_the_mappings_attached_beside_the_contracts(audited, tmp_path):
    """ACME's calls sent under another name and column heading, claimed by a mapping kept in
    CONTRACTS/mappings/ for its site: the backtest reads them as the audit does, to the cent."""
    _contracts, path, nets, _ = audited
    contracts_dir = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts_dir, ignore=shutil.ignore_patterns("mappings"))
    (contracts_dir / "mappings").mkdir()
    (contracts_dir / "mappings" / "acme-acd.yaml").write_text(
        "name: acme-acd\ntable: interactions\nfiles: ['acme_calls*.csv']\nsites: [ACME-MNL]\n"
        "columns:\n  arrived_at: Queued At\n")
    shutil.copytree(EXPORTS, tmp_path / "exports")  # earlier months' training counts towards onboarding
    month = tmp_path / "exports" / "2026-10"
    source = month / "interactions_ACME-MNL.csv"
    lines = source.read_text().split("\n", 1)
    (month / "acme_calls_oct.csv").write_text(lines[0].replace("arrived_at", "Queued At") + "\n" + lines[1])
    source.unlink()
    args = ["--contract", str(contracts_dir / "acme.yaml"), "--exports", str(tmp_path / "exports"),
            "--periods", "2026-10", "--contracts", str(contracts_dir), "--history", str(path), "--json"]
    res = _cli(*args)
    assert res.exit_code == 0, res.output
    (only,) = json.loads(res.stdout)["periods"]
    assert only["draft"]["net_adjustment"] == only["actual"]["net_adjustment"] == str(nets[("2026-10", "ACME")])
    (contracts_dir / "mappings" / "acme-acd.yaml").unlink()  # nothing claims the file: no month to price
    assert _cli(*args).exit_code == 1
