"""Disputes as a library stage: the hand-computed dispute round, remedies, versions, history records."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import dispute_world as w
from vendoraudit.audit import AuditInputs, run_audit
from vendoraudit.audit_result import DisputeStatus, PeriodState
from vendoraudit.contract.loader import load_contracts
from vendoraudit.deliver import deliver
from vendoraudit.disputes.loader import load_disputes
from vendoraudit.errors import ConfigError, OutputError
from vendoraudit.history import History
from vendoraudit.periods import Period

P = Period(2026, 10)
FEES = Decimal("100000.00")
SL_CREDIT = FEES * Decimal("0.10") * Decimal("0.50") * Decimal("0.40")  # at-risk x pool x KPI allocation
QA_CREDIT = FEES * Decimal("0.10") * Decimal("0.50") * Decimal("0.30")

OUTAGE_ACCEPTED = """\
  - id: D1
    kpi: service_level
    raised_on: 2026-11-02
    claim: The client's IVR was down all day on 14 October.
    evidence: [INC-4411]
    remedy:
      exclude_dates: [2026-10-14]
    decision:
      outcome: {outcome}
      reason: IT confirms the outage (INC-4411)
      decided_by: Pat Lee, procurement
      decided_on: 2026-11-05
"""


@pytest.fixture
def world(tmp_path: Path) -> w.SkyWorld:
    return w.build(tmp_path)


def _audit(world: w.SkyWorld, history: History | None = None, finalise: bool = False, force: bool = False,
           deliver_it: bool = True):
    contracts = load_contracts(world.contracts)
    disputes = load_disputes(world.disputes, contracts, P) if world.disputes.is_dir() else None
    inputs = AuditInputs(world.exports / w.PERIOD, contracts, (), disputes) if disputes else \
        AuditInputs(world.exports / w.PERIOD, contracts)
    result, validated = run_audit(inputs, P, history, finalise=finalise, force=force)
    if deliver_it and history is not None:
        deliver(result, validated, world.out, history, finalise=finalise, force=force)
    return result


def test_an_outage_day_excluded_moves_the_kpi_and_the_money_by_the_hand_computed_amounts(world):
    within, total = w.service_level_by_hand()
    within_after, total_after = w.service_level_by_hand(excluded_days={w.OUTAGE})
    assert (within, total) == (270, 314) and (within_after, total_after) == (270, 303)  # the world's design
    with History(world.out / "history.sqlite") as history:
        v1 = _audit(world, history)
        w.dispute_file(world, OUTAGE_ACCEPTED.format(outcome="accepted"))
        v2 = _audit(world, history)
        log = history.dispute_log(P)
    before, after = v1.vendor("SKY"), v2.vendor("SKY")
    assert (v1.issue.version, v2.issue.version) == (1, 2)
    sl1, sl2 = before.scorecard.get("service_level"), after.scorecard.get("service_level")
    assert sl1.value == pytest.approx(100 * within / total) and sl1.result.n == total
    assert sl2.value == pytest.approx(100 * within_after / total_after) and sl2.result.n == total_after
    assert (str(sl1.outcome), str(sl2.outcome)) == ("missed", "met")
    assert before.settlement.net_adjustment == -(SL_CREDIT + QA_CREDIT) == Decimal("-3500.00")
    assert after.settlement.net_adjustment == -QA_CREDIT
    (line,) = after.disputes
    assert line.applied and line.status is DisputeStatus.ACCEPTED
    assert line.value_without == pytest.approx(sl1.value) and line.value_with == pytest.approx(sl2.value)
    assert (line.outcome_without, line.outcome_with, line.money_delta) == ("missed", "met", SL_CREDIT)
    changes = after.changes
    assert changes.previous_version == 1 and changes.net_delta == SL_CREDIT
    (moved,) = changes.kpis
    assert moved.kpi_id == "service_level" and moved.disputes == ("D1",)
    assert (moved.money_before, moved.money_after) == (-SL_CREDIT, Decimal(0))
    assert [(r["version"], r["dispute_id"], r["status"], r["applied"], r["money_delta"]) for r in log] == \
        [(2, "D1", "accepted", 1, "2000.00")]
    names = sorted(p.name for p in (world.out / w.PERIOD).glob("scorecard-*.pdf"))
    assert names == ["scorecard-2026-10-SKY-v1.pdf", "scorecard-2026-10-SKY-v2.pdf"]


def test_a_rejected_dispute_changes_nothing_but_is_recorded(world):
    with History(world.out / "history.sqlite") as history:
        v1 = _audit(world, history)
        w.dispute_file(world, OUTAGE_ACCEPTED.format(outcome="rejected"))
        v2 = _audit(world, history)
        log = history.dispute_log(P)
    a, b = v1.vendor("SKY"), v2.vendor("SKY")
    assert [(k.kpi_id, k.value, k.outcome, k.points) for k in a.scorecard.kpis] == \
        [(k.kpi_id, k.value, k.outcome, k.points) for k in b.scorecard.kpis]
    assert a.settlement.lines == b.settlement.lines
    (line,) = b.disputes
    assert line.status is DisputeStatus.REJECTED and not line.applied and line.granted == ""
    assert b.changes.kpis == () and b.changes.net_delta == 0 and [d.dispute_id for d in b.changes.disputes] == ["D1"]
    assert [(r["version"], r["status"], r["applied"], r["reason"]) for r in log] == \
        [(2, "rejected", 0, "IT confirms the outage (INC-4411)")]


def test_an_open_dispute_is_listed_not_applied_and_blocks_finalising(world):
    w.dispute_file(world, OUTAGE_ACCEPTED.split("    decision:")[0])
    result = _audit(world, deliver_it=False)
    assert result.issue.state is PeriodState.DISPUTED and result.issue.open_disputes == 1
    assert result.vendor("SKY").scorecard.get("service_level").result.n == 314
    with pytest.raises(ConfigError) as err:
        _audit(world, finalise=True, deliver_it=False)
    assert "cannot be finalised" in str(err.value)
    assert re.match(r".*SKY\.yaml:4:\d+: disputes\[0\]\.id: dispute D1 \(SKY, KPI service_level\) has no decision",
                    err.value.problems[0])


def test_intervals_contacts_and_queues_narrow_the_kpi_as_by_hand(world):
    halves = {datetime(2026, 10, 15, 9, 0)}
    w.dispute_file(world, """\
  - id: D1
    kpi: service_level
    claim: Slow calls during a fire drill and two test calls.
    remedy:
      exclude_intervals: [{start: 2026-10-15T09:00}]
      exclude_contacts: [C03-9, C04-9]
    decision: {outcome: accepted, reason: drill logged, decided_by: P. Lee, decided_on: 2026-11-05}
""")
    sl = _audit(world, deliver_it=False).vendor("SKY").scorecard.get("service_level")
    within, total = w.service_level_by_hand(excluded_ids={"C03-9", "C04-9"}, excluded_half_hours=halves)
    assert (sl.result.numerator, sl.result.denominator) == (within, total)
    w.dispute_file(world, """\
  - id: D1
    kpi: service_level
    claim: The pharmacy queue is not ours.
    remedy: {exclude_queues: [pharmacy]}
    decision: {outcome: accepted, reason: scope, decided_by: P. Lee, decided_on: 2026-11-05}
""")
    sl = _audit(world, deliver_it=False).vendor("SKY").scorecard.get("service_level")
    assert (sl.result.numerator, sl.result.denominator) == w.service_level_by_hand(
        excluded_ids={"C15-slow0", "C15-slow1", "C15-slow2"})


def test_evaluations_excluded_and_rescored_as_by_hand(world):
    w.dispute_file(world, """\
  - id: D1
    kpi: qa_score
    claim: EV-3 used the wrong form; EV-5 empathy was misread.
    remedy:
      exclude_evaluations: [EV-3]
      rescore: [{evaluation: EV-5, criterion: empathy, points: 20}, {evaluation: EV-2, criterion: empathy, points: 20}]
    decision:
      outcome: partly_accepted
      granted:
        exclude_evaluations: [EV-3]
        rescore: [{evaluation: EV-5, criterion: empathy, points: 15}]
      reason: EV-5 earns 15 on review; EV-2 stands
      decided_by: P. Lee
      decided_on: 2026-11-05
""")
    result = _audit(world, deliver_it=False).vendor("SKY")
    qa = result.scorecard.get("qa_score")
    assert qa.value == pytest.approx(w.qa_score_by_hand(excluded={"EV-3"}, rescored={("EV-5", "empathy"): 15}))
    assert qa.result.n == 4
    (line,) = result.disputes
    assert line.status is DisputeStatus.PARTLY_ACCEPTED
    assert line.granted == "exclude 1 evaluation (EV-3); re-score evaluation EV-5 empathy: 15 points"
    assert line.value_without == pytest.approx(w.qa_score_by_hand())
    # the other KPI is untouched
    assert result.scorecard.get("service_level").result.n == 314


def test_a_re_run_with_the_same_inputs_re_issues_the_same_version(world):
    with History(world.out / "history.sqlite") as history:
        assert _audit(world, history).issue.version == 1
        first = (world.out / w.PERIOD / "scorecard-2026-10-SKY-v1.pdf").read_bytes()
        assert _audit(world, history).issue.version == 1
        assert (world.out / w.PERIOD / "scorecard-2026-10-SKY-v1.pdf").read_bytes() == first


def test_a_final_period_changes_only_with_force_and_the_forced_change_is_recorded(world):
    with History(world.out / "history.sqlite") as history:
        _audit(world, history)
        w.dispute_file(world, OUTAGE_ACCEPTED.format(outcome="rejected"))
        final = _audit(world, history, finalise=True)
        assert (final.issue.version, final.issue.state) == (2, PeriodState.FINAL)
        w.dispute_file(world, OUTAGE_ACCEPTED.format(outcome="accepted"))
        with pytest.raises(OutputError, match="finalised"):
            _audit(world, history)
        forced = _audit(world, history, force=True)
        events = history.events(P)
    assert forced.issue.version == 3 and forced.issue.forced and forced.issue.state is PeriodState.PRELIMINARY
    sky = forced.vendor("SKY")
    assert sky.changes.forced and sky.changes.previous_state == "final" and sky.changes.net_delta == SL_CREDIT
    assert [kind for _, kind, _ in events] == ["finalised", "forced"]
    assert events[1][2] == "v3 replaced the final v2 (--force)"
    rows = sqlite3.connect(world.out / "history.sqlite").execute(
        "SELECT version, state, forced FROM issues ORDER BY version").fetchall()
    assert rows == [(1, "preliminary", 0), (2, "final", 0), (3, "preliminary", 1)]


def test_remedy_ids_that_do_not_exist_are_located_errors(world):
    w.dispute_file(world, """\
  - id: D1
    kpi: qa_score
    claim: wrong evaluations
    remedy:
      exclude_evaluations: [EV-3, EV-99]
      exclude_contacts: [NOPE-1]
      rescore: [{evaluation: EV-1, criterion: listening, points: 5}, {evaluation: EV-2, criterion: greet, points: 12}]
      exclude_queues: [dental]
""")
    with pytest.raises(ConfigError) as err:
        _audit(world, deliver_it=False)
    text = "\n".join(err.value.problems)
    assert re.search(r"SKY\.yaml:8:35: disputes\[0\]\.remedy\.exclude_evaluations\[1\]: no evaluation 'EV-99' "
                     r"among SKY's evaluations of 2026-10", text)
    assert "exclude_contacts[0]: no contact 'NOPE-1' among SKY's contacts of 2026-10" in text
    assert "rescore[0].criterion: evaluation EV-1 has no item for criterion 'listening'" in text
    assert "rescore[1].points: 12 points are more than the item's 10 possible" in text
    assert "exclude_queues[0]: no contact of SKY in 2026-10 is in queue 'dental' (queues: claims, pharmacy)" in text
    assert len(err.value.problems) == 5


@pytest.mark.parametrize(("body", "expected"), [
    ("  - id: D1\n    kpi: service_levle\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n",
     r"SKY\.yaml:5:10: disputes\[0\]\.kpi: unknown KPI 'service_levle': not a KPI of SKY's contract in force in "
     r"2026-10 \(did you mean 'service_level'\?\)"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n"
     "    decision: {outcome: accepted, decided_by: P. Lee, decided_on: 2026-11-05}\n",
     r"SKY\.yaml:8:15: disputes\[0\]\.decision\.reason: required key is missing"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-11-01]}\n",
     r"disputes\[0\]\.remedy\.exclude_dates\[0\]: 2026-11-01 is not in the disputed period 2026-10"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_intervals: [{start: 2026-10-14T09:15}]}\n",
     r"exclude_intervals\[0\]\.start: 2026-10-14T09:15:00 is not on a half-hour boundary"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {}\n", r"the remedy asks for nothing"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n"
     "    decision: {outcome: partly_accepted, granted: {exclude_dates: [2026-10-15]}, reason: r, decided_by: P,"
     " decided_on: 2026-11-05}\n",
     r"decision\.granted\.exclude_dates\[0\]: 2026-10-15 was not asked for in the remedy"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n"
     "    decision: {outcome: partly_accepted, reason: r, decided_by: P, decided_on: 2026-11-05}\n",
     r"a partly accepted dispute says what was granted"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n"
     "    decision: {outcome: maybe, reason: r, decided_by: P, decided_on: 2026-11-05}\n",
     r"decision\.outcome: Input should be 'accepted', 'partly_accepted' or 'rejected'"),
    ("  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n    extra: 1\n",
     r"SKY\.yaml:8:5: disputes\[0\]\.extra: unknown key 'extra'; known keys: id, kpi, raised_on, claim"),
])
def test_bad_dispute_files_get_located_messages(world, body, expected):
    w.dispute_file(world, body)
    with pytest.raises(ConfigError) as err:
        load_disputes(world.disputes, load_contracts(world.contracts), P)
    assert any(re.search(expected, p) for p in err.value.problems), err.value.problems


def test_every_problem_of_every_file_is_reported_at_once(world):
    w.dispute_file(world, "  - id: D1\n    kpi: nope\n    claim: x\n    remedy: {}\n"
                          "  - id: D1\n    kpi: service_level\n    claim: y\n    remedy: {exclude_dates: [2026-10-14]}\n")
    w.dispute_file(world, "  - id: X\n    kpi: service_level\n    claim: ''\n", vendor="GHOST")
    with pytest.raises(ConfigError) as err:
        load_disputes(world.disputes, load_contracts(world.contracts))
    text = "\n".join(err.value.problems)
    for part in ("unknown KPI 'nope'", "the remedy asks for nothing", "dispute id 'D1' is used 2 times",
                 "GHOST.yaml:6:12: disputes[0].claim: String should have at least 1 character",
                 "GHOST.yaml:4:5: disputes[0].remedy: required key is missing"):
        assert part in text, part


def test_another_periods_files_do_not_concern_this_period(world):
    w.dispute_file(world, "  - id: D1\n    kpi: service_level\n    claim: x\n    remedy: {exclude_dates: [2026-10-14]}\n")
    other = world.disputes / "2026-09" / "SKY.yaml"
    other.parent.mkdir()
    other.write_text("vendor: SKY\nperiod: '2026-09'\ndisputes: [{id: D1, kpi: nope}]\n")
    found = load_disputes(world.disputes, load_contracts(world.contracts), P)
    assert [(f.vendor_id, str(f.period)) for f in found] == [("SKY", "2026-10")]
    with pytest.raises(ConfigError):
        load_disputes(world.disputes, load_contracts(world.contracts))


def test_the_shipped_schema_is_the_generated_one_and_accepts_a_dispute():
    import json

    import jsonschema
    import yaml

    from vendoraudit.disputes.schema import dispute_schema, schema_text

    repo = Path(__file__).resolve().parents[1]
    assert (repo / "contracts" / "dispute.schema.json").read_text() == schema_text()
    validator = jsonschema.Draft202012Validator(dispute_schema())
    data = yaml.safe_load("vendor: SKY\nperiod: '2026-10'\n" + "disputes:\n"
                          + OUTAGE_ACCEPTED.format(outcome="accepted"))
    data = json.loads(json.dumps(data, default=str))
    assert list(validator.iter_errors(data)) == []
    del data["disputes"][0]["decision"]["reason"]
    assert jsonschema.exceptions.best_match(validator.iter_errors(data)).message == "'reason' is a required property"


def test_a_withdrawn_dispute_is_listed_and_its_remedy_no_longer_applies(world):
    with History(world.out / "history.sqlite") as history:
        _audit(world, history)
        w.dispute_file(world, OUTAGE_ACCEPTED.format(outcome="accepted"))
        _audit(world, history)
        (world.disputes / w.PERIOD / "SKY.yaml").unlink()
        v3 = _audit(world, history)
    sky = v3.vendor("SKY")
    assert v3.issue.version == 3 and sky.disputes == ()
    assert sky.changes.withdrawn == ("D1",) and sky.changes.net_delta == -SL_CREDIT
    (moved,) = sky.changes.kpis
    assert (moved.kpi_id, moved.outcome_before, moved.outcome_after, moved.disputes) == \
        ("service_level", "met", "missed", ())


def test_a_period_finalised_before_versions_were_recorded_is_re_issued_as_a_forced_v2(world):
    from vendoraudit.versions import plan_issue

    with History(world.out / "history.sqlite") as history:
        result = _audit(world, deliver_it=False)
        history.record(P, [v.scorecard for v in result.vendors], [v.settlement for v in result.vendors])
        history.finalise(P)
        issue = plan_issue(history, P, result.inputs_fingerprint, 0, force=True)
    assert (issue.version, issue.forced, issue.state) == (2, True, PeriodState.PRELIMINARY)


def test_a_vendors_scorecard_json_counts_its_own_open_disputes_only(tmp_path):
    """CALLCO's open dispute shows in CALLCO's scorecard JSON, not in ACME's or BRIGHTPATH's (another
    vendor's disputes are not theirs to see); the internal audit counts every open dispute."""
    import json

    from vendoraudit.render_pdf import scorecard_json

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "disputes" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "CALLCO.yaml").write_text(
        "vendor: CALLCO\nperiod: 2026-10\ndisputes:\n  - id: D1\n    kpi: callback_10min\n    raised_on: 2026-11-03\n"
        "    claim: The dialler was down.\n    remedy:\n      exclude_dates: [2026-10-23]\n")
    contracts = load_contracts(root / "contracts")
    inputs = AuditInputs(root / "sample_exports" / "2026-10", contracts, (),
                         load_disputes(tmp_path / "disputes", contracts, P))
    result, _ = run_audit(inputs, P)
    assert result.issue.open_disputes == 1 and result.issue.state is PeriodState.DISPUTED
    counts = {v.vendor_id: json.loads(scorecard_json(result, v.vendor_id))["result"]["issue"]["open_disputes"]
              for v in result.vendors}
    assert counts == {"ACME": 0, "BRIGHTPATH": 0, "CALLCO": 1, "NORTHWIND": 0}
