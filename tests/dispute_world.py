"""A small world for dispute tests: one vendor (SKY, site SKY-CHI in America/Chicago), October 2026.

Every local day has ten inbound phone calls at 10:00-10:09: nine answered in 10 s and one in 60 s,
except the IVR outage day (the 14th), whose ten calls were all abandoned after 90 s. A call at
22:30 local on the 14th (03:30 UTC on the 15th) is abandoned too: it belongs to the 14th locally.
On the 15th, three more calls at 09:00-09:20 local wait 45 s (the half hour 09:00-09:30).
Five QA evaluations of two items each (greet 10 points, empathy 20 points) feed a QA score KPI.
The contract: service level 80/20 (variant 3), minimum 88, credit 50% pool x 40% KPI allocation of
a 10% at-risk amount of a fixed $100,000 fee ($2,000); QA score minimum 80, credit 50% x 30%.
The helpers compute the KPIs by hand from the rows written, for the tests to compare with.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Chicago")
PERIOD = "2026-10"
OUTAGE = date(2026, 10, 14)

CONTRACT = """\
schema_version: 1
contract_id: SKY-2026
version: "1"
vendor: {id: SKY, name: Sky Contact Ltd, kind: outsourced}
currency: USD
effective_from: 2026-01
sites:
  - {id: SKY-CHI, name: Sky Chicago, timezone: America/Chicago}
fees: {model: fixed_monthly, amount: 100000.00}
qa_form:
  pass_mark: 80
  criteria:
    - {id: greet, title: Greets, points: 10}
    - {id: empathy, title: Shows empathy, points: 20}
kpis:
  - id: service_level
    title: Service level 80/20
    metric: ops.service_level
    params: {threshold_seconds: 20, variant: 3}
    filters: {channels: [phone, chat]}
    category: responsiveness
    target: 95
    minimum: 88
    weight: 10
    min_sample: 10
    credit_allocation: 40
    clause: Schedule B, 2.1
  - id: qa_score
    title: QA score
    metric: qa.score
    category: quality
    target: 90
    minimum: 80
    weight: 10
    min_sample: 1
    credit_allocation: 30
    clause: Schedule B, 3.1
money:
  at_risk_percent: 10
  pool_allocation_cap: 200
  categories:
    - {id: responsiveness, pool_allocation: 50}
    - {id: quality, pool_allocation: 50}
  clause: Schedule C
"""

# evaluation id -> (greet earned, empathy earned); interaction ids are calls of the 2nd
EVALUATIONS = {"EV-1": (10, 20), "EV-2": (10, 10), "EV-3": (0, 10), "EV-4": (10, 20), "EV-5": (5, 5)}
INTERACTION_FIELDS = ["interaction_id", "site_id", "channel", "direction", "queue", "member_ref", "agent_id",
                      "arrived_at", "answered_at", "ended_at", "handle_seconds", "abandoned"]


@dataclass(frozen=True)
class SkyWorld:
    root: Path
    exports: Path
    contracts: Path
    disputes: Path
    out: Path


def _call(cid: str, local: datetime, wait: int | None, queue: str = "claims") -> dict[str, str]:
    arrived = local.replace(tzinfo=ZONE)
    answered = arrived + timedelta(seconds=wait) if wait is not None else None
    ended = (answered or arrived + timedelta(seconds=90)) + timedelta(seconds=120 if answered else 0)
    return {"interaction_id": cid, "site_id": "SKY-CHI", "channel": "phone", "direction": "inbound", "queue": queue,
            "member_ref": "", "agent_id": "SK-1" if answered else "", "arrived_at": arrived.isoformat(),
            "answered_at": answered.isoformat() if answered else "", "ended_at": ended.isoformat(),
            "handle_seconds": "120.0" if answered else "", "abandoned": "false" if answered else "true"}


def calls() -> list[dict[str, str]]:
    """Every interaction row of the world (see the module docstring)."""
    rows = []
    for day in range(1, 32):
        for i in range(10):
            moment = datetime(2026, 10, day, 10, i)
            if date(2026, 10, day) == OUTAGE:
                rows.append(_call(f"C{day:02d}-{i}", moment, None))
            else:
                rows.append(_call(f"C{day:02d}-{i}", moment, 10 if i < 9 else 60))
    rows.append(_call("C14-late", datetime(2026, 10, 14, 22, 30), None))
    for i in range(3):
        rows.append(_call(f"C15-slow{i}", datetime(2026, 10, 15, 9, 10 * i), 45, queue="pharmacy"))
    return rows


def build(root: Path) -> SkyWorld:
    """Write the world's exports and contract under `root`."""
    exports, contracts = root / "exports", root / "contracts"
    period_dir = exports / PERIOD
    period_dir.mkdir(parents=True)
    contracts.mkdir()
    (contracts / "sky.yaml").write_text(CONTRACT, encoding="utf-8")
    with open(period_dir / "interactions_SKY-CHI.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, INTERACTION_FIELDS)
        writer.writeheader()
        writer.writerows(calls())
    stamp = datetime(2026, 10, 20, 15, 0, tzinfo=timezone.utc).isoformat()
    with open(period_dir / "qa_evaluations.csv", "w", newline="", encoding="utf-8") as fh:
        fh.write("evaluation_id,interaction_id,site_id,agent_id,evaluator_id,channel,evaluated_at,calibration\n")
        for n, eid in enumerate(EVALUATIONS):
            fh.write(f"{eid},C02-{n},SKY-CHI,SK-1,QA-1,phone,{stamp},false\n")
    with open(period_dir / "qa_items.csv", "w", newline="", encoding="utf-8") as fh:
        fh.write("evaluation_id,criterion_id,points_earned,points_possible,critical_failed\n")
        for eid, (greet, empathy) in EVALUATIONS.items():
            fh.write(f"{eid},greet,{greet},10,false\n{eid},empathy,{empathy},20,false\n")
    (root / "out").mkdir()
    return SkyWorld(root, exports, contracts, root / "disputes", root / "out")


def service_level_by_hand(excluded_days: set[date] = frozenset(), excluded_ids: set[str] = frozenset(),
                          excluded_half_hours: set[datetime] = frozenset()) -> tuple[int, int]:
    """(answered within 20 s, answered + abandoned) over the rows, each placed by its local time."""
    within = total = 0
    for row in calls():
        arrived = datetime.fromisoformat(row["arrived_at"]).astimezone(ZONE)
        half = arrived.replace(minute=0 if arrived.minute < 30 else 30, second=0, tzinfo=None)
        if arrived.date() in excluded_days or row["interaction_id"] in excluded_ids or half in excluded_half_hours:
            continue
        total += 1
        if row["answered_at"]:
            wait = datetime.fromisoformat(row["answered_at"]) - datetime.fromisoformat(row["arrived_at"])
            within += wait.total_seconds() <= 20
    return within, total


def qa_score_by_hand(excluded: set[str] = frozenset(), rescored: dict[tuple[str, str], float] | None = None) -> float:
    """Mean of 100 * earned / 30 over the evaluations kept, with re-scored items replaced."""
    rescored = rescored or {}
    scores = []
    for eid, (greet, empathy) in EVALUATIONS.items():
        if eid in excluded:
            continue
        earned = rescored.get((eid, "greet"), greet) + rescored.get((eid, "empathy"), empathy)
        scores.append(100 * earned / 30)
    return sum(scores) / len(scores)


def dispute_file(world: SkyWorld, body: str, vendor: str = "SKY") -> Path:
    """Write DISPUTES/2026-10/VENDOR.yaml with `body` as its disputes list."""
    path = world.disputes / PERIOD / f"{vendor}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"vendor: {vendor}\nperiod: \"{PERIOD}\"\ndisputes:\n{body}", encoding="utf-8")
    return path
