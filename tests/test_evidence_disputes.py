"""The evidence of a disputed KPI reads the rows its remedied value was computed from: excluded
half-hours and contacts are gone, re-scored evaluations carry their new scores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import dispute_world as w
from vendoraudit.audit import AuditInputs, audit_period
from vendoraudit.contract.loader import load_contracts
from vendoraudit.disputes.loader import load_disputes
from vendoraudit.evidence import build_evidence
from vendoraudit.periods import Period

P = Period.parse(w.PERIOD)


@pytest.fixture
def world(tmp_path: Path) -> w.SkyWorld:
    return w.build(tmp_path)


def _evidence(world: w.SkyWorld):
    contracts = load_contracts(world.contracts)
    disputes = load_disputes(world.disputes, contracts, P)
    run = audit_period(AuditInputs(world.exports / w.PERIOD, contracts, (), disputes), P)
    books = build_evidence(run.result, run.data)
    return run.result.vendor("SKY"), {s.kpi_id: s for b in books for s in b.sheets}


def test_remedied_contacts_and_half_hours_are_not_in_the_evidence(world):
    w.dispute_file(world, """\
  - id: D1
    kpi: service_level
    claim: Slow calls during a fire drill and two test calls.
    remedy:
      exclude_intervals: [{start: 2026-10-15T09:00}]
      exclude_contacts: [C03-9, C04-9]
    decision: {outcome: accepted, reason: drill logged, decided_by: P. Lee, decided_on: 2026-11-05}
""")
    vendor, sheets = _evidence(world)
    score = vendor.scorecard.get("service_level")
    sheet = sheets["service_level"]
    assert sheet.reproduced
    within, total = w.service_level_by_hand(excluded_ids={"C03-9", "C04-9"},
                                            excluded_half_hours={datetime(2026, 10, 15, 9, 0)})
    assert (score.result.numerator, score.result.denominator) == (within, total)
    assert sheet.rows.height == total - within
    ids = set(sheet.rows.get_column("interaction_id").to_list())
    assert not ids & {"C03-9", "C04-9", "C15-slow0", "C15-slow1", "C15-slow2"}
    assert sheet.by_day.get_column("denominator").sum() == total


def test_rescored_evaluations_carry_their_new_scores(world):
    w.dispute_file(world, """\
  - id: D1
    kpi: qa_score
    claim: EV-3 used the wrong form; EV-5 empathy was misread.
    remedy:
      exclude_evaluations: [EV-3]
      rescore: [{evaluation: EV-5, criterion: empathy, points: 15}]
    decision: {outcome: accepted, reason: on review, decided_by: P. Lee, decided_on: 2026-11-05}
""")
    vendor, sheets = _evidence(world)
    score = vendor.scorecard.get("qa_score")
    # Scores 100, 66.7, 100 and (5 + 15) / 30 = 66.7 after the remedy: mean 83.3, met, but its
    # interval (n = 4) reaches the 80 minimum: at risk, listing the two evaluations below 80.
    assert score.outcome.value == "met" and score.result.value == pytest.approx(250 / 3)
    sheet = sheets["qa_score"]
    assert sheet.reason.value == "at_risk" and sheet.reproduced
    assert sheet.numerator == pytest.approx(score.result.numerator) and sheet.n == 4
    listed = dict(sheet.rows.select("evaluation_id", "score").iter_rows())
    assert listed == {"EV-2": pytest.approx(200 / 3), "EV-5": pytest.approx(200 / 3)}
