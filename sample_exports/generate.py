#!/usr/bin/env python3
"""Deterministic generator of the sample export sets in sample_exports/.

One simulated world (four sites with rosters, hires and leavers, contacts, QA reviews, surveys,
training) is built from fixed string seeds, and the canonical tables of
src/vendoraudit/tables.py are written for 2026-08, 2026-09 and 2026-10, plus the small
`broken/` set (2026-10) whose planted problems are listed in broken/PLANTED.json.
Same bytes on every run: every random draw comes from `random.Random(<fixed string>)`, files are
written in a fixed order, and the XLSX zip carries fixed timestamps.

Usage: python sample_exports/generate.py [--out DIR] [--seed TEXT] [SET ...]   (SET: 2026-08 2026-09 2026-10 broken)
Another --seed gives a fresh world of the same shape (same sites and planted levels, other draws);
the default seed writes the committed sample.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import re
import zipfile
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

import polars as pl
from openpyxl import Workbook

from vendoraudit.periods import Period
from vendoraudit.tables import SYNC_CHANNELS, TABLES

HERE = Path(__file__).resolve().parent
SEED = "vendoraudit-sample-v1"
MONTHS = (Period(2026, 8), Period(2026, 9), Period(2026, 10))
ALL_SETS = tuple(str(p) for p in MONTHS) + ("broken",)
ISO_LOCAL = "%Y-%m-%dT%H:%M:%S%:z"
# Fixed zip entry time and document properties so the workbook is byte-identical run to run.
XLSX_STAMP = (2026, 11, 1, 0, 0, 0)
XLSX_STAMP_ISO = "2026-11-01T00:00:00Z"

# The QA form: (criterion, points possible). Critical: verify_identity. Brand: see README.
CRITERIA = (
    ("greet_by_name", 10.0),
    ("verify_identity", 15.0),
    ("empathy", 15.0),
    ("active_listening", 10.0),
    ("accurate_information", 15.0),
    ("ownership", 15.0),
    ("follow_up_offered", 10.0),
    ("brand_close", 10.0),
)
CRITICAL = "verify_identity"

# (channel, direction) -> share of all contacts; outbound is 5%.
CHANNEL_MIX = {
    ("phone", "inbound"): 0.56,
    ("phone", "outbound"): 0.04,
    ("chat", "inbound"): 0.15,
    ("email", "inbound"): 0.11,
    ("email", "outbound"): 0.01,
    ("whatsapp", "inbound"): 0.08,
    ("sms", "inbound"): 0.03,
    ("portal", "inbound"): 0.02,
}
QUEUES = ("appointments", "claims", "pharmacy", "benefits", "billing")
QUEUE_WEIGHTS = (0.30, 0.22, 0.20, 0.16, 0.12)
DAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.5, 0.35)  # Monday .. Sunday
# Arrivals by hour of day in US Eastern time; each site shifts them to its own clock.
SYNC_HOURS_ET = (0.05, 0.04, 0.03, 0.03, 0.03, 0.05, 0.15, 0.4, 1.0, 1.4, 1.5, 1.4,
                 1.2, 1.2, 1.3, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3, 0.15, 0.1, 0.07)
ASYNC_HOURS_ET = (0.3, 0.25, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.0, 1.0, 1.0, 1.0,
                  1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.8, 0.7, 0.5, 0.4)

# course_id -> (category, hours); onboarding courses are given to new hires only.
COURSES = {
    "PRD-201": ("product", 2.0),
    "PRD-202": ("product", 1.5),
    "PRD-203": ("product", 3.0),
    "SYS-110": ("systems", 1.0),
    "SYS-111": ("systems", 2.0),
    "SFT-301": ("soft_skills", 2.0),
    "SFT-302": ("soft_skills", 1.5),
    "CMP-401": ("compliance", 1.0),
    "CMP-402": ("compliance", 0.5),
}
ONBOARDING_FULL = (("ONB-101", 8.0), ("ONB-102", 8.0), ("ONB-103", 8.0), ("ONB-104", 8.0), ("ONB-105", 8.0))
ONBOARDING_SHORT = (("ONB-101", 8.0), ("ONB-102", 8.0), ("ONB-106", 4.0))
ONBOARDING_EXTRA = ("ONB-107", 4.0)  # an optional elective some hires take on top of the 40 h

COMMENTS_GOOD = (
    "Quick and friendly, thank you.",
    "The agent sorted out my claim in one call.",
    "Very helpful with my refill.",
    "Clear explanation of my benefits.",
    "Agent was patient and kind.",
    "Easy to book the appointment.",
    "Called me back exactly when promised.",
    "La agente fue muy amable, gracias.",
)
COMMENTS_BAD = (
    "Waited too long on hold.",
    "Had to call twice about the same bill.",
    "The agent did not seem to care.",
    "Nobody called me back as promised.",
    "Transferred three times before anyone helped.",
    "The answer was confusing.",
)
COMMENTS_MID = ("It was fine.", "OK overall.", "Got there in the end.")
# Invented canary text: tests grep every output for it, the pipeline must never copy comments.
CANARY_COMMENTS = (
    "Please be discreet, my diagnosis is private.",
    "my diagnosis is private - do not repeat it to anyone.",
)


@dataclass(frozen=True)
class SiteProfile:
    """One site of the sample world and the levels planted in its data."""

    site_id: str
    code: str  # id prefix
    tz: str
    et_shift: int  # hours to add to US Eastern clock time to get this site's clock time
    contacts: int  # per 30.5 days
    agents: int
    team_leads: int
    qa_analysts: int
    trainers: int
    leavers: tuple[int, int, int]  # agents leaving in each sample month
    hires: tuple[int, int, int]
    service_level: float  # sync inbound answered within 20 s / (answered + abandoned)
    abandon_rate: float  # abandoned / (answered + abandoned), short abandons excluded
    callback_10min: float
    async_4h: float
    fcr: float
    follow_up_kept: float
    survey_rate: float  # responses / contacts
    csat_top2: float
    promoters: float
    detractors: float
    ces_mean: float
    critical_rate: float
    criteria: dict[str, float] = field(hash=False)  # expected share of points earned per criterion
    training_hours: float = 8.0  # per active agent in the month
    onboarding: tuple[tuple[str, float], ...] = ONBOARDING_FULL
    evals_per_agent: tuple[int, int] = (5, 8)
    calibration_contacts: int = 10


SITES = (
    SiteProfile(
        "NW-BOS", "NW", "America/New_York", 0, 6000, 60, 5, 3, 2, (1, 2, 1), (1, 1, 2),
        service_level=0.82, abandon_rate=0.05, callback_10min=0.96, async_4h=0.95, fcr=0.78,
        follow_up_kept=0.94, survey_rate=0.12, csat_top2=0.88, promoters=0.60, detractors=0.15,
        ces_mean=5.6, critical_rate=0.015, training_hours=8.0,
        criteria={"greet_by_name": 0.94, "empathy": 0.92, "active_listening": 0.85,
                  "accurate_information": 0.84, "ownership": 0.91, "follow_up_offered": 0.91,
                  "brand_close": 0.93},
    ),
    SiteProfile(
        "ACME-MNL", "AC", "Asia/Manila", 12, 8000, 80, 7, 4, 2, (2, 3, 2), (3, 2, 3),
        service_level=0.85, abandon_rate=0.04, callback_10min=0.97, async_4h=0.96, fcr=0.80,
        follow_up_kept=0.95, survey_rate=0.13, csat_top2=0.89, promoters=0.61, detractors=0.14,
        ces_mean=5.7, critical_rate=0.012, training_hours=9.0,
        criteria={"greet_by_name": 0.95, "empathy": 0.93, "active_listening": 0.85,
                  "accurate_information": 0.84, "ownership": 0.92, "follow_up_offered": 0.93,
                  "brand_close": 0.95},
    ),
    SiteProfile(
        "BP-DAL", "BP", "America/Chicago", -1, 5000, 55, 5, 3, 1, (2, 2, 3), (2, 3, 2),
        service_level=0.81, abandon_rate=0.06, callback_10min=0.955, async_4h=0.93, fcr=0.74,
        follow_up_kept=0.90, survey_rate=0.11, csat_top2=0.80, promoters=0.50, detractors=0.20,
        ces_mean=5.0, critical_rate=0.01, training_hours=7.5,
        criteria={"greet_by_name": 0.93, "empathy": 0.68, "active_listening": 0.97,
                  "accurate_information": 0.97, "ownership": 0.65, "follow_up_offered": 0.92,
                  "brand_close": 0.93},
    ),
    SiteProfile(
        "CC-BOG", "CC", "America/Bogota", -1, 5000, 50, 4, 3, 1, (3, 3, 3), (3, 3, 3),
        service_level=0.78, abandon_rate=0.08, callback_10min=0.80, async_4h=0.92, fcr=0.72,
        follow_up_kept=0.88, survey_rate=0.12, csat_top2=0.84, promoters=0.55, detractors=0.17,
        ces_mean=5.3, critical_rate=0.03, training_hours=3.0, onboarding=ONBOARDING_SHORT,
        criteria={"greet_by_name": 0.88, "empathy": 0.88, "active_listening": 0.89,
                  "accurate_information": 0.89, "ownership": 0.87, "follow_up_offered": 0.86,
                  "brand_close": 0.88},
    ),
)


@dataclass
class Employment:
    """One roster row while the world is simulated (termination may lie after a given month)."""

    site_id: str
    role: str
    hire_date: date
    termination_date: date | None
    fte: float
    agent_id: str = ""

    def active_on(self, day: date) -> bool:
        return self.hire_date <= day and (self.termination_date is None or self.termination_date >= day)

    def takes_contacts_on(self, day: date) -> bool:
        # New hires spend their first week in onboarding before taking contacts.
        return self.role == "agent" and self.active_on(day) and self.hire_date + timedelta(days=7) <= day


# ----------------------------------------------------------------------------- helpers

def _rng(*parts: object) -> random.Random:
    return random.Random("/".join([SEED, *map(str, parts)]))


def allocate(rng: random.Random, n: int, shares: dict[Any, float]) -> list[Any]:
    """`n` values whose counts follow `shares` exactly (largest remainder), in random order."""
    total = sum(shares.values())
    raw = {k: n * s / total for k, s in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    short = n - sum(counts.values())
    by_remainder = sorted(raw, key=lambda k: (-(raw[k] - counts[k]), str(k)))
    for k in by_remainder[:short]:
        counts[k] += 1
    values = [k for k in shares for _ in range(counts[k])]
    rng.shuffle(values)
    return values


def _days(period: Period) -> list[date]:
    return [period.first_day + timedelta(days=i) for i in range(period.last_day.day)]


def _at(tz: ZoneInfo, day: date, seconds: int) -> datetime:
    """The UTC instant of local `day` + `seconds` (seconds may pass midnight)."""
    local = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(seconds=seconds)
    return local.astimezone(timezone.utc)


def _local_date(ts: datetime, tz: ZoneInfo) -> date:
    return ts.astimezone(tz).date()


def _cum(weights: Sequence[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _shifted(weights: Sequence[float], shift: int) -> list[float]:
    return [weights[(h - shift) % 24] for h in range(24)]


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# ----------------------------------------------------------------------------- roster

def build_staff(site: SiteProfile, world: str) -> list[Employment]:
    """Every employment of the site from its early history to the end of the last sample month."""
    rng = _rng(world, site.site_id, "roster")

    def some_day(start: date, end: date) -> date:
        return start + timedelta(days=rng.randrange((end - start).days + 1))

    def fte() -> float:
        return rng.choices((1.0, 0.75, 0.5), (0.8, 0.12, 0.08))[0]

    staff: list[Employment] = []
    for role, count in (("team_lead", site.team_leads), ("qa_analyst", site.qa_analysts),
                        ("trainer", site.trainers)):
        staff += [Employment(site.site_id, role, some_day(date(2016, 1, 4), date(2024, 6, 28)), None, 1.0)
                  for _ in range(count)]
    # Hires end before June so that only sample-month hires fall in a 90-day onboarding window
    # of 2026-08 (their onboarding records are in the sample).
    staff += [Employment(site.site_id, "agent", some_day(date(2019, 1, 7), date(2026, 5, 29)), None, fte())
              for _ in range(site.agents)]
    for _ in range(site.agents // 4):
        hired = some_day(date(2018, 1, 8), date(2025, 6, 30))
        left = min(hired + timedelta(days=rng.randint(60, 900)), date(2026, 7, 31))
        staff.append(Employment(site.site_id, "agent", hired, left, fte()))

    for i, period in enumerate(MONTHS):
        first, last = period.first_day, period.last_day
        stayers = sorted(
            (e for e in staff if e.role == "agent" and e.termination_date is None
             and e.hire_date < first - timedelta(days=60)),
            key=lambda e: e.hire_date,
        )
        for e in rng.sample(stayers, site.leavers[i]):
            e.termination_date = some_day(first, last)
        for _ in range(site.hires[i]):
            hired = _weekday_on_or_after(first + timedelta(days=rng.randrange(18)))
            staff.append(Employment(site.site_id, "agent", hired, None, fte()))

    role_order = {"trainer": 0, "qa_analyst": 1, "team_lead": 2, "agent": 3}
    ordered = sorted(enumerate(staff), key=lambda p: (p[1].hire_date, role_order[p[1].role], p[0]))
    for k, (_, e) in enumerate(ordered, start=1):
        e.agent_id = f"{site.code}-{k:04d}"
    return [e for _, e in ordered]


def roster_rows(staff: list[Employment], period: Period) -> list[dict[str, Any]]:
    """The roster as the site would export it at the end of `period`."""
    last = period.last_day
    return [
        {
            "agent_id": e.agent_id,
            "site_id": e.site_id,
            "role": e.role,
            "hire_date": e.hire_date,
            "termination_date": e.termination_date if e.termination_date and e.termination_date <= last else None,
            "fte": e.fte,
        }
        for e in sorted(staff, key=lambda e: e.agent_id)
        if e.hire_date <= last
    ]


# ----------------------------------------------------------------------------- contacts

def build_contacts(site: SiteProfile, period: Period, staff: list[Employment], world: str) -> list[dict[str, Any]]:
    """The month's contacts with the planted service, callback, async, FCR and follow-up levels."""
    rng = _rng(world, site.site_id, period, "contacts")
    tz = ZoneInfo(site.tz)
    days = _days(period)
    n = round(site.contacts * len(days) / 30.5 * rng.uniform(0.98, 1.02))
    kinds = allocate(rng, n, CHANNEL_MIX)
    day_cum = _cum([DAY_WEIGHTS[d.weekday()] for d in days])
    sync_cum = _cum(_shifted(SYNC_HOURS_ET, site.et_shift))
    async_cum = _cum(_shifted(ASYNC_HOURS_ET, site.et_shift))

    contacts: list[dict[str, Any]] = []
    for i, (channel, direction) in enumerate(kinds):
        # The first contacts cover every day once, so no day of the month is empty.
        day = days[i] if i < len(days) else rng.choices(days, cum_weights=day_cum)[0]
        hour = rng.choices(range(24), cum_weights=sync_cum if channel in SYNC_CHANNELS else async_cum)[0]
        contacts.append({"channel": channel, "direction": direction,
                         "arrived_at": _at(tz, day, hour * 3600 + rng.randrange(3600))})
    # Contacts at the edges of the local month: in UTC they fall in the neighbouring month.
    edge_phone = [c for c in contacts[len(days):] if c["channel"] == "phone" and c["direction"] == "inbound"][:4]
    edge_email = [c for c in contacts[len(days):] if c["channel"] == "email" and c["direction"] == "inbound"][:2]
    for j, c in enumerate(edge_phone[:2] + edge_email[:1]):
        c["arrived_at"] = _at(tz, days[-1], 23 * 3600 + 30 * 60 + j * 600 + rng.randrange(60))
    for j, c in enumerate(edge_phone[2:] + edge_email[1:]):
        c["arrived_at"] = _at(tz, days[0], 5 * 60 + j * 300 + rng.randrange(60))

    contacts.sort(key=lambda c: c["arrived_at"])
    for k, c in enumerate(contacts, start=1):
        c.update(interaction_id=f"{site.code}{period.year % 100:02d}{period.month:02d}-{k:05d}",
                 site_id=site.site_id, queue=rng.choices(QUEUES, QUEUE_WEIGHTS)[0], member_ref=None,
                 agent_id=None, answered_at=None, ended_at=None, handle_seconds=None, abandoned=False,
                 resolved_first_contact=None, callback_requested_at=None, callback_completed_at=None,
                 follow_up_due_at=None, follow_up_completed_at=None, _start=None)

    _plant_handling(rng, site, contacts)
    _assign_agents(rng, contacts, staff, tz)
    _plant_outcomes(rng, site, contacts)
    _assign_members(rng, contacts)
    return contacts


def _handle(rng: random.Random, channel: str) -> float:
    median = {"phone": 420, "chat": 600}.get(channel, 240)
    return float(min(3600, max(30, round(rng.lognormvariate(math.log(median), 0.45)))))


def _plant_handling(rng: random.Random, site: SiteProfile, contacts: list[dict[str, Any]]) -> None:
    """Waits, abandons, callbacks and async reply times; `_start` marks when an agent took it."""
    inbound = [c for c in contacts if c["direction"] == "inbound"]
    phone = [c for c in inbound if c["channel"] == "phone"]
    callbacks = rng.sample(phone, round(0.05 * len(phone)))
    cb_ids = {id(c) for c in callbacks}
    miss = (1 - site.callback_10min) / 2
    for c, outcome in zip(callbacks, allocate(rng, len(callbacks), {"in": site.callback_10min, "late": miss, "never": miss})):
        # The caller left the queue for a callback: neither answered nor abandoned.
        requested = c["arrived_at"] + timedelta(seconds=rng.randint(30, 240))
        c["callback_requested_at"] = requested
        if outcome == "never":
            c["ended_at"] = requested
            continue
        delay = rng.randint(60, 570) if outcome == "in" else rng.randint(660, 7200)
        c["callback_completed_at"] = c["_start"] = requested + timedelta(seconds=delay)

    sync = [c for c in inbound if c["channel"] in SYNC_CHANNELS and id(c) not in cb_ids]
    short = 0.01
    long_abandon = (1 - short) * site.abandon_rate
    shares = {"short": short, "abandon": long_abandon, "fast": site.service_level,
              "slow": 1 - short - long_abandon - site.service_level}
    for c, outcome in zip(sync, allocate(rng, len(sync), shares)):
        if outcome in ("short", "abandon"):
            wait = rng.randint(1, 3) if outcome == "short" else 8 + min(600, int(rng.expovariate(1 / 70)))
            c["abandoned"] = True
            c["ended_at"] = c["arrived_at"] + timedelta(seconds=wait)
            continue
        wait = rng.randint(2, 19) if outcome == "fast" else 22 + min(900, int(rng.expovariate(1 / 90)))
        c["answered_at"] = c["_start"] = c["arrived_at"] + timedelta(seconds=wait)

    asynchronous = [c for c in inbound if c["channel"] not in SYNC_CHANNELS]
    for c, fast in zip(asynchronous, allocate(rng, len(asynchronous), {True: site.async_4h, False: 1 - site.async_4h})):
        wait = rng.randint(300, 4 * 3600 - 300) if fast else rng.randint(4 * 3600 + 600, 30 * 3600)
        c["answered_at"] = c["_start"] = c["arrived_at"] + timedelta(seconds=wait)

    for c in contacts:
        if c["direction"] == "outbound":
            ring = rng.randint(3, 25) if c["channel"] == "phone" else 0
            c["answered_at"] = c["_start"] = c["arrived_at"] + timedelta(seconds=ring)


def _assign_agents(rng: random.Random, contacts: list[dict[str, Any]], staff: list[Employment], tz: ZoneInfo) -> None:
    """A working agent for every handled contact, with its handle time and end."""
    available: dict[date, list[str]] = {}
    for c in contacts:
        if c["_start"] is None:
            continue
        day = _local_date(c["arrived_at"], tz)
        if day not in available:
            available[day] = [e.agent_id for e in staff if e.takes_contacts_on(day)]
        c["agent_id"] = rng.choice(available[day])
        c["handle_seconds"] = _handle(rng, c["channel"])
        c["ended_at"] = c["_start"] + timedelta(seconds=c["handle_seconds"])


def _plant_outcomes(rng: random.Random, site: SiteProfile, contacts: list[dict[str, Any]]) -> None:
    """First-contact resolution flags and promised follow-ups on handled contacts."""
    handled = [c for c in contacts if c["_start"] is not None]
    fcr = {None: 0.03, True: 0.97 * site.fcr, False: 0.97 * (1 - site.fcr)}
    for c, flag in zip(handled, allocate(rng, len(handled), fcr)):
        c["resolved_first_contact"] = flag
    promised = rng.sample(handled, round(0.08 * len(handled)))
    miss = 1 - site.follow_up_kept
    for c, outcome in zip(promised, allocate(rng, len(promised), {"kept": site.follow_up_kept, "late": 0.6 * miss, "never": 0.4 * miss})):
        due = c["_start"] + timedelta(hours=rng.choice((24, 48, 72)))
        c["follow_up_due_at"] = due
        if outcome == "kept":
            c["follow_up_completed_at"] = c["_start"] + (due - c["_start"]) * rng.uniform(0.1, 0.99)
            c["follow_up_completed_at"] = c["follow_up_completed_at"].replace(microsecond=0)
        elif outcome == "late":
            c["follow_up_completed_at"] = due + timedelta(seconds=rng.randint(2 * 3600, 72 * 3600))


def _assign_members(rng: random.Random, contacts: list[dict[str, Any]]) -> None:
    """Pseudonymous member keys; about 12% of contacts repeat a member's contact on the same queue within 6 days."""
    recent: deque[tuple[datetime, str, str]] = deque()
    for c in contacts:
        while recent and c["arrived_at"] - recent[0][0] > timedelta(days=6):
            recent.popleft()
        if c["abandoned"] and rng.random() < 0.15:
            continue  # caller never identified
        if recent and rng.random() < 0.12:
            _, member, queue = rng.choice(recent)
            c["member_ref"], c["queue"] = member, queue
        else:
            c["member_ref"] = f"M{rng.getrandbits(32):08x}"
        recent.append((c["arrived_at"], c["member_ref"], c["queue"]))


# ----------------------------------------------------------------------------- QA

def build_qa(site: SiteProfile, period: Period, staff: list[Employment], contacts: list[dict[str, Any]],
             world: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """QA evaluations (5-8 per active agent, plus calibration copies) and their criterion items."""
    rng = _rng(world, site.site_id, period, "qa")
    tz = ZoneInfo(site.tz)
    cutoff = period.last_day - timedelta(days=6)  # keeps the review inside the month
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for c in contacts:
        if c["agent_id"] and _local_date(c["arrived_at"], tz) <= cutoff:
            by_agent.setdefault(c["agent_id"], []).append(c)
    first, last = period.first_day, period.last_day
    evaluators = [e.agent_id for e in staff if e.role == "qa_analyst" and e.active_on(first) and e.active_on(last)]

    picked: list[tuple[dict[str, Any], bool, str]] = []  # (contact, calibration, evaluator)
    for agent in sorted(by_agent):
        pool = by_agent[agent]
        for c in rng.sample(pool, min(len(pool), rng.randint(*site.evals_per_agent))):
            picked.append((c, False, rng.choice(evaluators)))
    taken = {id(c) for c, _, _ in picked}
    spare = [c for agent in sorted(by_agent) for c in by_agent[agent] if id(c) not in taken]
    calibration = rng.sample(spare, site.calibration_contacts)
    session = _weekday_on_or_after(last - timedelta(days=5))
    for c in calibration:
        for evaluator in rng.sample(evaluators, 3):
            picked.append((c, True, evaluator))

    evaluations = []
    for c, is_cal, evaluator in picked:
        if is_cal:
            at = _at(tz, session, 14 * 3600 + rng.randrange(7200))
        else:
            at = c["ended_at"] + timedelta(seconds=rng.randint(20 * 3600, 72 * 3600))
        evaluations.append({"interaction_id": c["interaction_id"], "site_id": site.site_id,
                            "agent_id": c["agent_id"], "evaluator_id": evaluator, "channel": c["channel"],
                            "evaluated_at": at, "calibration": is_cal})
    evaluations.sort(key=lambda e: (e["evaluated_at"], e["interaction_id"], e["evaluator_id"]))
    for k, e in enumerate(evaluations, start=1):
        e["evaluation_id"] = f"QE-{site.code}{period.year % 100:02d}{period.month:02d}-{k:04d}"
    return evaluations, _qa_items(rng, site, evaluations)


def _level_shares(ratio: float) -> dict[float, float]:
    """Full / half / no points so that the expected share earned is `ratio` (ratio >= 1/3)."""
    gap = 1 - ratio
    return {1.0: 1 - 1.5 * gap, 0.5: gap, 0.0: gap / 2}


def _qa_items(rng: random.Random, site: SiteProfile, evaluations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    regular = [e for e in evaluations if not e["calibration"]]
    levels: dict[tuple[str, str], float | None] = {}
    critical = dict(zip((e["evaluation_id"] for e in regular),
                        allocate(rng, len(regular), {True: site.critical_rate, False: 1 - site.critical_rate})))
    for criterion, _ in CRITERIA:
        if criterion == CRITICAL:
            continue
        if criterion == "follow_up_offered":
            na = set(rng.sample([e["evaluation_id"] for e in regular], round(0.1 * len(regular))))
        elif criterion == "active_listening":  # nothing to listen to in written channels
            na = {e["evaluation_id"] for e in regular if e["channel"] in ("email", "sms", "portal")}
        else:
            na = set()
        applicable = [e["evaluation_id"] for e in regular if e["evaluation_id"] not in na]
        levels.update({(ev, criterion): None for ev in na})
        shares = _level_shares(site.criteria[criterion])
        levels.update(zip(((ev, criterion) for ev in applicable), allocate(rng, len(applicable), shares)))

    # Calibration copies: one consensus level per contact, each evaluator sometimes a step off.
    consensus: dict[tuple[str, str], float] = {}
    steps = {1.0: (0.5,), 0.5: (1.0, 0.0), 0.0: (0.5,)}
    for e in evaluations:
        if not e["calibration"]:
            continue
        critical[e["evaluation_id"]] = False
        for criterion, _ in CRITERIA:
            if criterion == CRITICAL:
                continue
            key = (e["interaction_id"], criterion)
            if key not in consensus:
                shares = _level_shares(site.criteria[criterion])
                consensus[key] = rng.choices(list(shares), list(shares.values()))[0]
            level = consensus[key]
            levels[(e["evaluation_id"], criterion)] = rng.choice(steps[level]) if rng.random() < 0.15 else level

    items = []
    for e in evaluations:
        ev = e["evaluation_id"]
        for criterion, possible in CRITERIA:
            if criterion == CRITICAL:
                failed = critical[ev]
                earned: float | None = 0.0 if failed else possible
            else:
                failed = False
                level = levels[(ev, criterion)]
                earned = None if level is None else possible * level
            items.append({"evaluation_id": ev, "criterion_id": criterion, "points_earned": earned,
                          "points_possible": possible, "critical_failed": failed})
    return items


# ----------------------------------------------------------------------------- surveys

def build_surveys(site: SiteProfile, period: Period, contacts: list[dict[str, Any]], world: str) -> list[dict[str, Any]]:
    """Post-contact survey responses (about 10-15% of contacts) with planted CSAT, NPS and CES."""
    rng = _rng(world, site.site_id, period, "surveys")
    tz = ZoneInfo(site.tz)
    cutoff = period.last_day - timedelta(days=2)
    eligible = [c for c in contacts if c["agent_id"] and c["direction"] == "inbound"
                and _local_date(c["arrived_at"], tz) <= cutoff]
    chosen = sorted(rng.sample(eligible, round(site.survey_rate * len(contacts))), key=lambda c: c["arrived_at"])
    n = len(chosen)
    mood = [rng.random() for _ in range(n)]

    top2 = site.csat_top2
    csat = _scores(rng, mood, {5: 0.65 * top2, 4: 0.35 * top2, 3: 0.45 * (1 - top2),
                               2: 0.25 * (1 - top2), 1: 0.30 * (1 - top2)}, 0.25)
    p, d = site.promoters, site.detractors
    passive = 1 - p - d
    nps = _scores(rng, mood, {10: 0.55 * p, 9: 0.45 * p, 8: 0.55 * passive, 7: 0.45 * passive,
                              6: 0.30 * d, 5: 0.25 * d, 4: 0.10 * d, 3: 0.10 * d, 2: 0.08 * d,
                              1: 0.07 * d, 0: 0.10 * d}, 0.25)
    high = (0.0, 0.0, 0.02, 0.05, 0.15, 0.38, 0.40)
    low = (0.10, 0.12, 0.15, 0.18, 0.20, 0.15, 0.10)
    mean_high = sum((i + 1) * w for i, w in enumerate(high))
    mean_low = sum((i + 1) * w for i, w in enumerate(low))
    w = (site.ces_mean - mean_low) / (mean_high - mean_low)
    ces = _scores(rng, mood, {i + 1: w * high[i] + (1 - w) * low[i] for i in range(7)}, 0.35)

    rows = []
    for i, c in enumerate(chosen):
        submitted = c["ended_at"] + timedelta(seconds=rng.randint(300, 20 * 3600))
        rows.append({"interaction_id": c["interaction_id"], "site_id": site.site_id, "channel": c["channel"],
                     "submitted_at": submitted, "csat": csat[i], "nps": nps[i], "ces": ces[i],
                     "comment": _comment(rng, csat[i])})
    rows.sort(key=lambda r: (r["submitted_at"], r["interaction_id"]))
    for k, r in enumerate(rows, start=1):
        r["response_id"] = f"SV-{site.code}{period.year % 100:02d}{period.month:02d}-{k:04d}"
    return rows


def _scores(rng: random.Random, mood: list[float], shares: dict[int, float], noise: float) -> list[int | None]:
    """One answer per respondent with exact shares among those who answered (about 3% skip),
    higher scores going to happier respondents so CSAT, NPS and CES agree with each other."""
    n = len(mood)
    skipped = set(rng.sample(range(n), round(0.03 * n)))
    answering = [i for i in range(n) if i not in skipped]
    values = sorted(allocate(rng, len(answering), shares))
    keys = sorted((mood[i] + rng.gauss(0, noise), i) for i in answering)
    out: list[int | None] = [None] * n
    for (_, i), v in zip(keys, values):
        out[i] = v
    return out


def _comment(rng: random.Random, csat: int | None) -> str | None:
    if rng.random() >= 0.25:
        return None
    if rng.random() < 0.05:
        return rng.choice(CANARY_COMMENTS)
    if csat is None or csat == 3:
        return rng.choice(COMMENTS_MID)
    return rng.choice(COMMENTS_GOOD if csat >= 4 else COMMENTS_BAD)


# ----------------------------------------------------------------------------- training

def build_training(site: SiteProfile, period: Period, staff: list[Employment], world: str) -> list[dict[str, Any]]:
    """Onboarding of the month's hires plus ongoing courses up to the planted hours per active agent."""
    rng = _rng(world, site.site_id, period, "training")
    tz = ZoneInfo(site.tz)
    first, last = period.first_day, period.last_day
    agents = [e for e in staff if e.role == "agent" and e.hire_date <= last
              and (e.termination_date is None or e.termination_date >= first)]
    rows: list[dict[str, Any]] = []

    def record(e: Employment, day: date, course: str, category: str, hours: float, paid: bool | None) -> None:
        rows.append({"agent_id": e.agent_id, "site_id": site.site_id, "course_id": course, "category": category,
                     "hours": hours, "completed_at": _at(tz, day, 16 * 3600 + rng.randrange(2 * 3600)),
                     "paid_by_client": paid})

    for e in agents:
        if not first <= e.hire_date <= last:
            continue
        day = e.hire_date
        courses = list(site.onboarding)
        if site.onboarding is ONBOARDING_FULL and rng.random() < 0.5:
            courses.append(ONBOARDING_EXTRA)
        for course, hours in courses:
            record(e, day, course, "onboarding", hours, True)
            day = _weekday_on_or_after(day + timedelta(days=1))

    weekdays = [d for d in _days(period) if d.weekday() < 5]
    remaining = site.training_hours * len(agents) - sum(r["hours"] for r in rows)
    catalogue = sorted(COURSES)
    while remaining >= 0.25:
        fitting = [c for c in catalogue if COURSES[c][1] <= remaining + 0.25]
        if not fitting:
            break
        course = rng.choice(fitting)
        category, hours = COURSES[course]
        e = rng.choice(agents)
        days = [d for d in weekdays if e.takes_contacts_on(d)]
        if not days:
            continue
        paid = True if category == "compliance" else (rng.random() < 0.6)
        record(e, rng.choice(days), course, category, hours, None if rng.random() < 0.08 else paid)
        remaining -= hours

    rows.sort(key=lambda r: (r["completed_at"], r["agent_id"], r["course_id"]))
    for k, r in enumerate(rows, start=1):
        r["record_id"] = f"TR-{site.code}{period.year % 100:02d}{period.month:02d}-{k:04d}"
    return rows


# ----------------------------------------------------------------------------- frames and files

@dataclass
class OutFile:
    """One file of an export set: its canonical rows and how it is written."""

    name: str
    table: str
    frame: pl.DataFrame  # canonical columns; datetimes as local ISO text except in Parquet
    separator: str = ","
    bom: bool = False
    crlf: bool = False


def canonical_frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a typed canonical frame (datetimes UTC), columns in the order of tables.py."""
    spec = TABLES[table]
    return pl.DataFrame([{k: r[k] for k in spec.names} for r in rows], schema=spec.polars_schema, orient="row")


def as_local_text(frame: pl.DataFrame, tz_by_site: dict[str, str]) -> pl.DataFrame:
    """Datetimes rewritten as ISO 8601 text in each row's site clock, with the offset."""
    cols = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    parts = []
    for site, tz in tz_by_site.items():
        part = frame.with_row_index("_i").filter(pl.col("site_id") == site)
        parts.append(part.with_columns(pl.col(c).dt.convert_time_zone(tz).dt.strftime(ISO_LOCAL) for c in cols))
    return pl.concat(parts).sort("_i").drop("_i")


@dataclass
class World:
    """Staff of every site, built once; month tables are derived from it."""

    sites: tuple[SiteProfile, ...]
    name: str
    staff: dict[str, list[Employment]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.staff = {s.site_id: build_staff(s, self.name) for s in self.sites}

    @property
    def tz_by_site(self) -> dict[str, str]:
        return {s.site_id: s.tz for s in self.sites}


def month_tables(world: World, period: Period) -> dict[str, list[tuple[str, pl.DataFrame]]]:
    """Canonical frames of one month, per table, one frame per site."""
    out: dict[str, list[tuple[str, pl.DataFrame]]] = {t: [] for t in TABLES}
    for site in world.sites:
        staff = world.staff[site.site_id]
        contacts = build_contacts(site, period, staff, world.name)
        evaluations, items = build_qa(site, period, staff, contacts, world.name)
        out["interactions"].append((site.site_id, canonical_frame("interactions", contacts)))
        out["qa_evaluations"].append((site.site_id, canonical_frame("qa_evaluations", evaluations)))
        out["qa_items"].append((site.site_id, canonical_frame("qa_items", items)))
        out["surveys"].append((site.site_id, canonical_frame("surveys", build_surveys(site, period, contacts, world.name))))
        out["training"].append((site.site_id, canonical_frame("training", build_training(site, period, staff, world.name))))
        out["roster"].append((site.site_id, canonical_frame("roster", roster_rows(staff, period))))
    return out


# The reader-exercising layout of a month: which site's interactions get which CSV dialect.
CSV_DIALECTS = {"ACME-MNL": {"separator": ";"}, "BP-DAL": {"bom": True}, "CC-BOG": {"crlf": True}}


def month_files(world: World, period: Period) -> list[OutFile]:
    """The files of one month's export set."""
    tables = month_tables(world, period)
    tz = world.tz_by_site
    files = [OutFile(f"interactions_{site}.csv", "interactions", as_local_text(frame, tz), **CSV_DIALECTS.get(site, {}))
             for site, frame in tables["interactions"]]
    both = {t: pl.concat([f for _, f in tables[t]]) for t in ("qa_evaluations", "qa_items", "surveys", "training", "roster")}
    files += [
        OutFile("qa_evaluations.parquet", "qa_evaluations", both["qa_evaluations"]),
        OutFile("qa_items.parquet", "qa_items", both["qa_items"]),
        OutFile("surveys.xlsx", "surveys", as_local_text(both["surveys"], tz)),
        OutFile("training.csv", "training", as_local_text(both["training"], tz)),
        OutFile("roster.csv", "roster", both["roster"]),
    ]
    return files


def write_files(folder: Path, files: Iterable[OutFile]) -> list[Path]:
    """Write an export set, replacing the data files a previous run left in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.iterdir()):
        if old.is_file() and old.suffix in (".csv", ".parquet", ".xlsx", ".json"):
            old.unlink()
    written = []
    for f in files:
        path = folder / f.name
        if path.suffix == ".csv":
            f.frame.write_csv(path, separator=f.separator, include_bom=f.bom,
                              line_terminator="\r\n" if f.crlf else "\n", null_value="")
        elif path.suffix == ".parquet":
            f.frame.write_parquet(path, compression="zstd", statistics=True)
        elif path.suffix == ".xlsx":
            path.write_bytes(_xlsx_bytes(f.frame, f.table))
        else:
            raise ValueError(f"no writer for {path.name}")
        written.append(path)
    return written


def _xlsx_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """A one-sheet workbook of `frame`, with fixed zip times and document dates."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(frame.columns))
    for row in frame.iter_rows():
        ws.append(list(row))
    raw = io.BytesIO()
    wb.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + XLSX_STAMP_ISO.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return fixed.getvalue()


# ----------------------------------------------------------------------------- the broken set

BROKEN_PERIOD = Period(2026, 10)
# Problems are planted in NW-BOS and ACME-MNL; the other two sites are there, smaller and clean,
# so that validating with the sample contracts finds data for every contracted site.
BROKEN_SITES = tuple(
    replace(s, contacts=90, agents=5, team_leads=1, qa_analysts=3, trainers=1, leavers=(0, 0, 0),
            hires=(0, 0, 1), evals_per_agent=(2, 2), calibration_contacts=1)
    if s.site_id in ("NW-BOS", "ACME-MNL") else
    replace(s, contacts=40, agents=3, team_leads=1, qa_analysts=3, trainers=1, leavers=(0, 0, 0),
            hires=(0, 0, 1), evals_per_agent=(1, 1), calibration_contacts=1)
    for s in SITES
)


def broken_files() -> tuple[list[OutFile], list[dict[str, Any]]]:
    """A small, otherwise clean 2026-10 set of the four sites with one planted problem per listed row."""
    world = World(BROKEN_SITES, "broken")
    tables = month_tables(world, BROKEN_PERIOD)
    tz = world.tz_by_site
    rows = {t: [r for _, f in tables[t] for r in f.to_dicts()] for t in TABLES}
    referenced = {r["interaction_id"] for r in rows["qa_evaluations"] + rows["surveys"]}
    rng = _rng("broken", "plants")

    inter = {site: as_local_text(frame, tz).to_dicts() for site, frame in tables["interactions"]}
    planted: list[dict[str, Any]] = []

    def plant(file: str, data: list[dict[str, Any]], row: int, column: str, rule: str, value: Any,
              severity: str = "error", detail: str = "") -> None:
        data[row - 1][column] = value
        planted.append({"file": file, "row": row, "column": column, "rule": rule, "severity": severity,
                        **({"detail": detail} if detail else {})})

    def free_rows(site: str, want: str) -> list[int]:
        """1-based rows of this site's interactions nobody refers to, of one kind, away from the month edges."""
        per_day: dict[str, int] = {}
        for r in inter[site]:
            per_day[r["arrived_at"][:10]] = per_day.get(r["arrived_at"][:10], 0) + 1
        out = []
        for i, r in enumerate(inter[site][:-8], start=1):
            # Keep two good contacts on the row's day, so a quarantined row never empties a day.
            if i <= 8 or r["interaction_id"] in referenced or per_day[r["arrived_at"][:10]] < 3:
                continue
            kind = "abandoned" if r["abandoned"] else "answered" if r["answered_at"] else "other"
            if kind == want:
                out.append(i)
        return out

    nw_file, ac_file = "interactions_NW-BOS.csv", "interactions_ACME-MNL.csv"
    nw, ac = inter["NW-BOS"], inter["ACME-MNL"]
    nw_answered, nw_abandoned = free_rows("NW-BOS", "answered"), free_rows("NW-BOS", "abandoned")
    ac_answered = free_rows("ACME-MNL", "answered")
    r_source, *nw_rows = sorted(rng.sample(nw_answered, 5))
    rng.shuffle(nw_rows)
    r_dup, r_fax, r_null, r_bad_dt = nw_rows
    r_order, r_neg, r_out = rng.sample(ac_answered, 3)
    plant(nw_file, nw, r_dup, "interaction_id", "duplicate id", nw[r_source - 1]["interaction_id"],
          detail=f"second occurrence; the first is row {r_source} (a check may flag both)")
    planted[-1]["related_row"] = r_source
    plant(nw_file, nw, r_fax, "channel", "bad enum value (channel not one of the six)", "fax")
    plant(nw_file, nw, r_null, "direction", "null in a required column", None)
    plant(nw_file, nw, r_bad_dt, "answered_at", "unparseable datetime", "2026-10-15T25:61:00-04:00")
    r_abandon = rng.choice(nw_abandoned)
    arrived = datetime.fromisoformat(nw[r_abandon - 1]["arrived_at"])
    plant(nw_file, nw, r_abandon, "answered_at", "abandoned row with answered_at",
          (arrived + timedelta(seconds=1)).isoformat())  # abandons wait >= 1 s, so ended_at stays >= it
    arrived = datetime.fromisoformat(ac[r_order - 1]["arrived_at"])
    plant(ac_file, ac, r_order, "answered_at", "answered_at before arrived_at",
          (arrived - timedelta(seconds=95)).isoformat())
    plant(ac_file, ac, r_neg, "handle_seconds", "negative handle_seconds (must be >= 0)", -42.0)
    # Outside 2026-10 in Manila time, inside October in UTC: only a time-zone-aware check catches it.
    ac[r_out - 1].update(answered_at="2026-09-30T23:58:12+08:00", ended_at="2026-10-01T00:05:40+08:00",
                         callback_requested_at=None, callback_completed_at=None,
                         follow_up_due_at=None, follow_up_completed_at=None)
    plant(ac_file, ac, r_out, "arrived_at", "row outside the period", "2026-09-30T23:58:01+08:00",
          severity="warning", detail="arrived in September (local and UTC)")

    surveys = as_local_text(pl.concat([f for _, f in tables["surveys"]]), tz).to_dicts()
    r_csat, r_site = rng.sample(range(2, len(surveys) + 1), 2)
    plant("surveys.xlsx", surveys, r_csat, "csat", "out-of-range (csat 1..5)", 9)
    plant("surveys.xlsx", surveys, r_site, "site_id", "null in a required column", None)

    training = as_local_text(pl.concat([f for _, f in tables["training"]]), tz).to_dicts()
    r_hours, r_stranger = rng.sample(range(1, len(training) + 1), 2)
    plant("training.csv", training, r_hours, "hours", "out-of-range (hours > 240)", 300.0)
    plant("training.csv", training, r_stranger, "agent_id", "training for an agent not on the roster", "NW-9999",
          severity="warning")

    roster = pl.concat([f for _, f in tables["roster"]]).to_dicts()
    former = [i for i, r in enumerate(roster, start=1) if r["termination_date"] is not None]
    r_fte, r_term = rng.sample(former, 2)
    plant("roster.csv", roster, r_fte, "fte", "out-of-range (fte > 1)", 1.5)
    hired = roster[r_term - 1]["hire_date"]
    plant("roster.csv", roster, r_term, "termination_date", "termination before hire", hired - timedelta(days=30))

    items = rows["qa_items"]
    empathy = [i for i, r in enumerate(items, start=1) if r["criterion_id"] == "empathy"]
    plant("qa_items.parquet", items, rng.choice(empathy), "points_earned", "points_earned > points_possible", 20.0)
    stray = {"evaluation_id": "QE-NW2610-9999", "criterion_id": "empathy", "points_earned": 15.0,
             "points_possible": 15.0, "critical_failed": False}
    r_stray = rng.randrange(2, len(items))
    items.insert(r_stray - 1, stray)
    planted.append({"file": "qa_items.parquet", "row": r_stray, "column": "evaluation_id",
                    "rule": "qa_items with unknown evaluation_id", "severity": "error"})
    # The insert shifted later rows: keep the earlier qa_items entry pointing at its row.
    for p in planted:
        if p["file"] == "qa_items.parquet" and p["column"] == "points_earned" and p["row"] >= r_stray:
            p["row"] += 1

    def text_frame(table: str, data: list[dict[str, Any]]) -> pl.DataFrame:
        schema = {c: (pl.String() if isinstance(t, pl.Datetime) else t) for c, t in TABLES[table].polars_schema.items()}
        return pl.DataFrame(data, schema=schema, orient="row")

    files = [
        OutFile(nw_file, "interactions", text_frame("interactions", nw)),
        OutFile(ac_file, "interactions", text_frame("interactions", ac), separator=";"),
        *(OutFile(f"interactions_{site}.csv", "interactions", text_frame("interactions", inter[site]),
                  **CSV_DIALECTS.get(site, {})) for site in ("BP-DAL", "CC-BOG")),
        OutFile("qa_evaluations.parquet", "qa_evaluations", canonical_frame("qa_evaluations", rows["qa_evaluations"])),
        OutFile("qa_items.parquet", "qa_items", canonical_frame("qa_items", items)),
        OutFile("surveys.xlsx", "surveys", text_frame("surveys", surveys)),
        OutFile("training.csv", "training", text_frame("training", training)),
        OutFile("roster.csv", "roster", canonical_frame("roster", roster)),
    ]
    planted.sort(key=lambda p: (p["file"], p["row"], p["column"]))
    return files, planted


# ----------------------------------------------------------------------------- entry point

def generate(out: Path = HERE, sets: Iterable[str] = ALL_SETS, seed: str = SEED) -> list[Path]:
    """Write the requested export sets under `out` from `seed`; returns the files written."""
    global SEED
    saved, SEED = SEED, seed
    try:
        return _generate(out, list(sets))
    finally:
        SEED = saved


def _generate(out: Path, sets: list[str]) -> list[Path]:
    unknown = sorted(set(sets) - set(ALL_SETS))
    if unknown:
        raise ValueError(f"unknown set(s) {unknown}; known: {list(ALL_SETS)}")
    world = World(SITES, "sample")
    written: list[Path] = []
    for period in MONTHS:
        if str(period) in sets:
            written += write_files(out / str(period), month_files(world, period))
    if "broken" in sets:
        files, planted = broken_files()
        written += write_files(out / "broken", files)
        manifest = out / "broken" / "PLANTED.json"
        manifest.write_text(json.dumps({"period": str(BROKEN_PERIOD), "problems": planted}, indent=2,
                                       default=str) + "\n", encoding="utf-8")
        written.append(manifest)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(ALL_SETS), help=f"sets to write (default: {' '.join(ALL_SETS)})")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the sets into (default: sample_exports/)")
    parser.add_argument("--seed", default=SEED, help=f"seed of the world's draws (default: {SEED}, the committed sample)")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.sets, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
