"""Scopes of the period data: per-site parts, the scope cache, and what a filtered scope holds."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from kpis_frames import UTC, at, data, evaluation

from vendoraudit.kpis import compute_metric
from vendoraudit.kpis.exact import unscale
from vendoraudit.kpis.quality import criterion_score, criterion_totals
from vendoraudit.kpis.scope import restrict
from vendoraudit.tables import CHANNELS, DIRECTIONS


def _qa(*evals: tuple[dict, list[dict]]) -> dict[str, list[dict]]:
    return {"qa_evaluations": [e for e, _ in evals], "qa_items": [i for _, items in evals for i in items]}


def _interactions(sites: list[str]) -> list[dict]:
    return [{"site_id": s, "handle_seconds": 100 + k} for k, s in enumerate(sites)]


@pytest.mark.parametrize("order", [
    ["S1", "S1", "S2", "S2", "NY"],  # each site's rows together: the parts are slices
    ["S1", "S2", "NY", "S1", "S2"],  # interleaved: the parts are a partition
])
def test_a_scope_of_sites_holds_their_rows_in_order(order):
    d = data(interactions=_interactions(order))
    for sites in (["S1"], ["S2", "S1"], ["NY"], ["HOME"]):
        got = restrict(d, sites).interactions.collect()
        want = d.interactions.filter(pl.col("site_id").is_in(sites))
        assert got.sort("interaction_id").equals(want.sort("interaction_id"))
        for site in sites:  # each site's rows in the order of the export
            seconds = got.filter(pl.col("site_id") == site).get_column("handle_seconds").to_list()
            assert seconds == sorted(seconds)


def test_the_same_scope_is_the_same_object():
    d = data(interactions=_interactions(["S1", "S2"]))
    assert restrict(d, ["S1"], channels=["phone"]) is restrict(d, ["S1"], channels=["phone"])
    assert restrict(d, ["S1"]) is not restrict(d, ["S2"])


def test_a_channel_scope_keeps_the_items_of_its_evaluations_only():
    d = data(**_qa(evaluation([(8, 10, False)], channel="phone"),
                   evaluation([(2, 10, False), (5, 10, False)], channel="chat"),
                   evaluation([(1, 10, False)], channel="chat", site_id="S2")))
    chat = restrict(d, ["S1"], channels=["chat"])
    assert chat.qa_items.lazy().collect().height == 2
    assert restrict(d, ["S1"]).qa_items.lazy().collect().height == 3
    assert compute_metric("qa.criterion_score", d, ["S1"], {"criterion": "c0"}, channels=["chat"]).value == 20.0
    assert compute_metric("qa.criterion_score", d, ["S1", "S2"], {"criterion": "c0"}).value == pytest.approx(
        100 * 11 / 30)


def test_items_of_evaluations_outside_the_period_are_left_out():
    d = data(**_qa(evaluation([(9, 10, False)]), evaluation([(1, 10, False)], evaluated_at=at(20 * 86400))))
    assert d.qa_items.height == 1
    assert restrict(d, ["S1"]).qa_items.lazy().collect().height == 1


def test_criterion_totals_answer_each_criterion_as_its_own_query():
    d = data(**_qa(evaluation([(8, 10, False), (None, 5, False), (3, 5, True)]),
                   evaluation([(10, 10, False), (4, 5, False), (0, 5, False)]),
                   evaluation([(0, 10, False), (0, 5, False), (0, 5, False)], calibration=True)))
    totals = criterion_totals(d.evaluations, d.qa_items)
    for criterion in ("c0", "c1", "c2", "absent"):
        alone = criterion_score(d.evaluations, d.qa_items, criterion)
        assert criterion_score(d.evaluations, d.qa_items, criterion, totals=totals) == alone
    c0 = totals["c0"]
    assert (unscale(c0.earned), unscale(c0.possible), c0.items, c0.evaluations) == (18.0, 20.0, 2, 2)
    assert (c0.scores.mean, c0.scores.sd) == (90.0, pytest.approx(14.142135623730951))  # scores 80 and 100


def test_criterion_sums_of_a_scope_agree_with_its_items():
    # The period's per-(site, channel) sums answer scopes of sites and channels; a queue or date
    # filter reads the scope's items instead. Both must give what the items give.
    d = data(
        interactions=[{"interaction_id": "I1", "queue": "billing"}, {"interaction_id": "I2", "queue": "claims"}],
        **_qa(evaluation([(8, 10, False), (None, 5, False), (3, 5, True)], channel="phone", interaction_id="I1"),
              evaluation([(10, 10, False), (4, 5, False)], channel="chat", interaction_id="I2"),
              evaluation([(1, 10, False), (2, 5, False)], channel="chat", site_id="S2"),
              evaluation([(0, 10, False), (0, 5, False)], calibration=True),
              evaluation([(7, 10, False)], channel=None)))
    assert d.criteria is not None
    scopes = [dict(site_ids=["S1"]), dict(site_ids=["S1", "S2"]), dict(site_ids=["S2"]),
              dict(site_ids=["S1"], channels=["chat"]), dict(site_ids=["S1", "S2"], channels=["chat", "phone"]),
              dict(site_ids=["S1"], channels=[]), dict(site_ids=["NY"]),
              dict(site_ids=["S1"], queues=["billing"]), dict(site_ids=["S1"], exclude_queues=["claims"]),
              dict(site_ids=["S1"], exclude_dates=[at(0).date()])]
    for kwargs in scopes:
        scoped = restrict(d, **kwargs)
        assert (scoped.criteria is None) == bool({"queues", "exclude_queues", "exclude_dates"} & set(kwargs))
        want = criterion_totals(scoped.evaluations, scoped.qa_items)
        for criterion in ("c0", "c1", "c2", "absent"):
            got = compute_metric("qa.criterion_score", d, params={"criterion": criterion}, **kwargs)
            assert got == criterion_score(scoped.evaluations, scoped.qa_items, criterion, totals=want), kwargs


@pytest.mark.parametrize("items_order", ["as evaluations", "reversed"])
def test_evaluation_scores_do_not_depend_on_the_order_of_items(items_order):
    e1, i1 = evaluation([(6, 10, False), (4, 10, False)], evaluation_id="E1")
    e2, i2 = evaluation([(9, 10, False), (1, 10, True)], evaluation_id="E2")
    items = i1 + i2 if items_order == "as evaluations" else (i1 + i2)[::-1]
    d = data(qa_evaluations=[e1, e2], qa_items=items)
    assert d.evaluations.select("evaluation_id", "score", "critical").rows() == [("E1", 50.0, False),
                                                                               ("E2", 0.0, True)]


def test_items_in_the_evaluations_order_with_a_repeated_id_are_scored_by_id():
    # One run of items per evaluation, in the evaluations' order, yet E1 comes twice: its two runs
    # are E1's items, for both copies (not run k to row k).
    e1, i1 = evaluation([(6, 10, False)], evaluation_id="E1")
    e2, i2 = evaluation([(9, 10, False)], evaluation_id="E2")
    _, i3 = evaluation([(2, 10, False)], evaluation_id="E1")
    d = data(qa_evaluations=[e1, e2, {**e1, "agent_id": "A2"}], qa_items=i1 + i2 + i3)
    assert d.evaluations.get_column("score").to_list() == [40.0, 90.0, 40.0]
    assert d.criteria is None


@pytest.mark.parametrize("second", [{"agent_id": "A2"}, {"site_id": "S2"}, {"calibration": True}])
def test_a_repeated_evaluation_id_scores_each_copy_and_its_items_count_as_by_id(second):
    # Validation quarantines a repeated id; period_data called directly must still agree with itself.
    first, items = evaluation([(6, 10, False)], evaluation_id="E1")
    d = data(qa_evaluations=[first, {**first, **second}], qa_items=items)
    assert d.evaluations.get_column("score").to_list() == [60.0, 60.0]
    assert d.criteria is None  # an item of two evaluations: the scopes read the items
    for sites in (["S1"], ["S2"], ["S1", "S2"]):
        scoped = restrict(d, sites)
        want = criterion_score(scoped.evaluations, scoped.qa_items, "c0")
        assert compute_metric("qa.criterion_score", d, sites, {"criterion": "c0"}) == want


@pytest.mark.parametrize("order", [["NY", "NY", "S1", "S1"], ["NY", "S1", "NY", "S1"]])
def test_follow_ups_are_placed_by_their_site_local_due_date(order):
    # 31 Oct 23:30 in New York is 1 Nov 03:30 UTC: October for NY, November for S1 (UTC). The
    # first contact arrived in September: a follow-up is placed by its due date alone.
    due = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)
    rows = [{"site_id": site, "arrived_at": datetime(2026, 9, 30, tzinfo=UTC) if k == 0 else at(0),
             "follow_up_due_at": due, "follow_up_completed_at": due if k == 0 else None}
            for k, site in enumerate(order)]
    d = data(interactions=rows)
    ny = compute_metric("ops.follow_up_kept", d, ["NY"])
    assert (ny.numerator, ny.denominator) == (1, 2)
    assert compute_metric("ops.follow_up_kept", d, ["S1"]).n == 0
    both = compute_metric("ops.follow_up_kept", d, ["S1", "NY"])
    assert (both.numerator, both.denominator) == (1, 2)


def test_channel_and_direction_are_enums_in_the_period_and_filter_as_text():
    rows = [{"channel": "chat", "answered_at": at(10), "handle_seconds": 100},
            {"channel": "phone", "answered_at": at(10), "handle_seconds": 300},
            {"channel": "chat", "direction": "outbound", "answered_at": at(10), "handle_seconds": 500}]
    d = data(interactions=rows, surveys=[{"channel": "chat", "csat": 5}])
    assert d.interactions.schema["channel"] == pl.Enum(CHANNELS)
    assert d.interactions.schema["direction"] == pl.Enum(DIRECTIONS)
    assert d.surveys.schema["channel"] == pl.Enum(CHANNELS)
    assert compute_metric("ops.aht", d, ["S1"], channels=["chat"]).value == 300.0
    assert compute_metric("ops.aht", d, ["S1"], channels=["email"]).n == 0
    assert compute_metric("ops.service_level", d, ["S1"], channels=["chat"]).n == 1


def test_a_channel_outside_the_contract_stays_text_and_is_kept():
    # period_data of unvalidated rows: the value is neither dropped nor made null
    d = data(interactions=[{"channel": "fax", "answered_at": at(10), "handle_seconds": 100},
                           {"channel": "phone", "answered_at": at(10), "handle_seconds": 300}])
    assert d.interactions.schema["channel"] == pl.String
    assert compute_metric("ops.aht", d, ["S1"], channels=["fax"]).value == 100.0
    assert compute_metric("ops.aht", d, ["S1"]).value == 200.0
