"""Contact-handling metrics on tiny frames, the service-level example and time-zone boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from kpis_frames import OCT, T0, UTC, at, data, frame

from vendoraudit.kpis import compute_metric
from vendoraudit.kpis.ops import abandon_rate, async_response_within, callback_within, fcr, service_level


def _sl_example() -> list[dict]:
    """Spec: answered 1000 (860 within 20 s), abandoned 60 (20 within T, 40 after, 10 within 5 s)."""
    rows = [{"answered_at": at(10), "ended_at": at(100), "handle_seconds": 90.0}] * 860
    rows += [{"answered_at": at(30), "ended_at": at(100), "handle_seconds": 70.0}] * 140
    rows += [{"abandoned": True, "ended_at": at(3)}] * 10
    rows += [{"abandoned": True, "ended_at": at(15)}] * 10
    rows += [{"abandoned": True, "ended_at": at(40)}] * 40
    # Not in the population: outbound, asynchronous, and inbound email.
    rows += [{"direction": "outbound", "answered_at": at(50)}, {"channel": "email", "answered_at": at(99)}]
    return rows


@pytest.mark.parametrize("variant, expected", [("1", 83.02), ("2", 86.00), ("3", 81.13), ("4", 82.69), ("5", 82.08)])
def test_service_level_variants_spec_example(variant, expected):
    res = service_level(frame("interactions", _sl_example()), variant=variant)
    assert round(res.value, 2) == expected
    assert res.variant == variant


def test_service_level_default_is_variant_3_with_params_used():
    res = compute_metric("ops.service_level", data(interactions=_sl_example()), ["S1"])
    assert res.variant == "3" and round(res.value, 2) == 81.13
    assert (res.numerator, res.denominator, res.n) == (860, 1060, 1060)
    assert res.params == (("threshold_seconds", "20"),)
    v5 = compute_metric("ops.service_level", data(interactions=_sl_example()), ["S1"], {"variant": 5})
    assert v5.params == (("short_abandon_seconds", "5"), ("threshold_seconds", "20"))


def test_service_level_threshold_is_inclusive():
    rows = [{"answered_at": at(20)}, {"answered_at": at(20.001)}]
    assert service_level(frame("interactions", rows)).value == 50.0
    assert service_level(frame("interactions", rows), threshold_seconds=30).value == 100.0


def test_abandon_rate_leaves_short_abandons_out():
    res = abandon_rate(frame("interactions", _sl_example()))
    # 60 abandoned, 10 within 5 s left out: 50 / (1000 + 50 + the outbound phone contact, answered:
    # the spec's abandon rate is over synchronous contacts, with no direction named)
    assert (res.numerator, res.denominator) == (50, 1051)
    assert res.value == pytest.approx(100 * 50 / 1051)
    # exactly 5 s is short; unknown abandon time is not short
    rows = [{"abandoned": True, "ended_at": at(5)}, {"abandoned": True}, {"answered_at": at(1)}]
    assert abandon_rate(frame("interactions", rows)).value == 50.0


def test_asa_and_aht():
    rows = [{"answered_at": at(10), "handle_seconds": 100.0}, {"answered_at": at(30), "handle_seconds": 200.0},
            {"channel": "email", "answered_at": at(3600), "handle_seconds": 300.0},
            {"abandoned": True, "ended_at": at(50)}]
    d = data(interactions=rows)
    asa = compute_metric("ops.asa", d, ["S1"])
    assert asa.value == 20.0 and asa.n == 2
    aht = compute_metric("ops.aht", d, ["S1"])
    assert aht.value == 200.0 and aht.n == 3


def test_callback_within_window():
    req = T0
    rows = [
        {"callback_requested_at": req, "callback_completed_at": req + timedelta(minutes=10)},
        {"callback_requested_at": req, "callback_completed_at": req + timedelta(minutes=2)},
        {"callback_requested_at": req, "callback_completed_at": req + timedelta(minutes=11)},
        {"callback_requested_at": req},  # never completed: missed
        {},  # no callback asked
    ]
    res = callback_within(frame("interactions", rows))
    assert (res.numerator, res.denominator, res.value) == (2, 4, 50.0)
    wider = callback_within(frame("interactions", rows), minutes=15)
    assert wider.value == 75.0 and wider.params == (("minutes", "15"),)


def test_async_response_within():
    rows = [
        {"channel": "email", "answered_at": at(4 * 3600)},
        {"channel": "whatsapp", "answered_at": at(4 * 3600 + 1)},
        {"channel": "portal"},  # never answered: missed
        {"channel": "sms", "direction": "outbound", "answered_at": at(1)},  # outbound: not counted
        {"channel": "phone", "answered_at": at(1)},  # synchronous: not counted
    ]
    res = async_response_within(frame("interactions", rows))
    assert (res.numerator, res.denominator) == (1, 3)


def test_follow_up_kept_uses_the_due_date():
    sept = datetime(2026, 9, 28, 12, tzinfo=UTC)
    due = datetime(2026, 10, 2, 12, tzinfo=UTC)
    rows = [
        {"arrived_at": sept, "follow_up_due_at": due, "follow_up_completed_at": due},  # arrived in Sept, due Oct
        {"follow_up_due_at": due, "follow_up_completed_at": due + timedelta(seconds=1)},  # late
        {"follow_up_due_at": due},  # never done
        {"follow_up_due_at": datetime(2026, 11, 3, tzinfo=UTC)},  # due next month: not in this period
    ]
    res = compute_metric("ops.follow_up_kept", data(interactions=rows), ["S1"])
    assert (res.numerator, res.denominator) == (1, 3)


def test_fcr_flag_and_repeat():
    day = timedelta(days=1)
    rows = [
        {"member_ref": "m1", "queue": "claims", "arrived_at": T0, "resolved_first_contact": True},
        {"member_ref": "m1", "queue": "claims", "arrived_at": T0 + 7 * day, "resolved_first_contact": False},  # repeat
        {"member_ref": "m1", "queue": "claims", "arrived_at": T0 + 15 * day},  # 8 days later: new
        {"member_ref": "m1", "queue": "billing", "arrived_at": T0 + 1 * day},  # other queue: new
        {"member_ref": "m2", "queue": "claims", "arrived_at": T0 + 1 * day, "resolved_first_contact": True},
        {"member_ref": None, "queue": "claims", "arrived_at": T0 + 1 * day},  # unknown member: a contact, no repeat
    ]
    flag = fcr(frame("interactions", rows))
    assert (flag.numerator, flag.denominator) == (2, 3)
    rep = fcr(frame("interactions", rows), variant="repeat")
    assert (rep.numerator, rep.denominator) == (5, 6) and rep.value == pytest.approx(100 * 5 / 6)
    assert rep.params == (("days", "7"),)
    shorter = fcr(frame("interactions", rows), variant="repeat", days=6)
    assert shorter.value == 100.0


def test_contact_at_2330_local_on_last_day_belongs_to_that_month():
    # 23:30 in New York on 31 Oct 2026 is 03:30 UTC on 1 Nov.
    late = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)
    # 00:30 in Manila on 1 Oct 2026 is 16:30 UTC on 30 Sep.
    early = datetime(2026, 9, 30, 16, 30, tzinfo=UTC)
    rows = [
        {"site_id": "NY", "arrived_at": late, "answered_at": late + timedelta(seconds=5)},
        {"site_id": "NY", "arrived_at": datetime(2026, 10, 1, 3, 30, tzinfo=UTC), "answered_at": at(0)},  # 30 Sep local
        {"site_id": "MNL", "arrived_at": early, "answered_at": early + timedelta(seconds=5)},
        {"site_id": "MNL", "arrived_at": datetime(2026, 10, 31, 16, 30, tzinfo=UTC), "answered_at": at(0)},  # 1 Nov local
    ]
    d = data(interactions=rows)
    assert d.interactions.height == 2
    assert set(d.interactions.get_column("arrived_at").to_list()) == {late, early}
    assert compute_metric("ops.service_level", d, ["NY"]).n == 1
    assert compute_metric("ops.service_level", d, ["MNL"]).n == 1


def test_excluded_dates_are_site_local():
    late = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # 31 Oct in New York
    rows = [{"site_id": "NY", "arrived_at": late, "answered_at": late},
            {"site_id": "NY", "arrived_at": T0, "answered_at": T0},
            {"site_id": "S1", "arrived_at": late - timedelta(hours=4), "answered_at": late}]  # 31 Oct UTC
    d = data(interactions=rows)
    res = compute_metric("ops.service_level", d, ["NY", "S1"], exclude_dates=[date(2026, 10, 31)])
    assert res.n == 1
    assert compute_metric("ops.service_level", d, ["NY", "S1"], exclude_dates=[date(2026, 11, 1)]).n == 3


@pytest.mark.parametrize("metric", ["ops.service_level", "ops.abandon_rate", "ops.asa", "ops.aht",
                                    "ops.callback_within", "ops.async_response_within", "ops.follow_up_kept",
                                    "ops.fcr"])
def test_ops_empty_and_all_null(metric):
    # Rows whose every optional column is null: nothing answered, abandoned, flagged or promised.
    for rows in ([], [{"abandoned": False}, {"abandoned": False, "channel": "chat"}]):
        res = compute_metric(metric, data(interactions=rows), ["S1"])
        assert res.value is None and res.note == "no data"
    # Repeat-contact FCR is over every contact: one with no member_ref is a contact that is no repeat.
    res = compute_metric("ops.fcr", data(interactions=[{}]), ["S1"], {"variant": "repeat"})
    assert (res.value, res.n) == (100.0, 1)


def test_period_is_oct():
    assert OCT.last_day == date(2026, 10, 31)
