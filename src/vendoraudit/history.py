"""The results history: a SQLite file of past periods' KPI values, outcomes and money lines.

Improvement points need a vendor's earlier values and earn-back needs earlier credits, so each
audited period is recorded here in one transaction that replaces whatever the period held
before (re-running a period never duplicates it). A finalised period cannot be recorded again.

Plain tables an analyst can query with the sqlite3 CLI; periods are 'YYYY-MM' text, money is
TEXT holding an exact decimal (e.g. '-2000.00'; CAST it to REAL only for a quick look):

- periods(period PK, recorded_at, finalised_at) -- ISO UTC timestamps; finalised_at NULL while open
- scorecards(period, vendor_id, composite, consistency_points, met, missed, insufficient_data,
  excused) -- composite is TEXT (two decimals) or NULL when nothing could be scored
- kpi_results(period, vendor_id, kpi_id, title, metric_id, category, direction, unit, value, n,
  target, minimum, outcome, points, achievement, improvement, baseline, weight, credit_charged,
  reason) -- one row per KPI; credit_charged is the credit the KPI bore after the cap (TEXT) or NULL
- settlements(period, vendor_id, currency, fees, at_risk, credits_total, bonus_total, withhold_net,
  earn_back_total, net_adjustment, credit_cap_applied, bonus_cap_applied, withhold_factor)
- money_lines(period, vendor_id, line_no, kind, amount, kpi_id, category, charged_period, clause,
  explanation) -- charged_period is set on earn_back lines: the period the returned credit was charged

Issues of a period (each audit run that changed something is a new version; see `versions`):

- issues(period, version, state, inputs_fingerprint, forced, issued_at) -- state preliminary,
  disputed or final; forced 1 when the version replaced a final one (`--force`)
- issue_kpis(period, version, vendor_id, kpi_id, value, outcome, money) -- money is the KPI's own
  credit and bonus lines (TEXT) or NULL; what the next version's changes section compares with
- issue_vendors(period, version, vendor_id, currency, net_adjustment)
- dispute_log(period, version, vendor_id, dispute_id, kpi_id, source, digest, status, applied,
  asked, granted, reason, decided_by, decided_on, value_without, value_with, outcome_without,
  outcome_with, money_delta) -- every dispute of each version, applied or not
- events(period, at, kind, detail) -- finalised, forced re-issues
- publications(period PK, manifest_sha256, at) -- the manifest of the outputs recorded with the period
  (written in the same transaction; see `deliver` for the publishing order)

Earn-back rule (see `History.earn_back_candidates`): a credit charged for a KPI in period C is
returned in period P when the KPI was met in every period C+1 .. P (no month missing, missed,
excused or short of data), P - C reaches the contract's earn_back_months, and no earlier period
already returned it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from .errors import OutputError
from .money import EarnBackCandidate, LineKind, Settlement
from .periods import Period
from .scoring import Outcome, Scorecard

SCHEMA_VERSION = 3  # 2 added issues, issue_kpis, issue_vendors, dispute_log, events; 3 publications

_SCHEMA = """
CREATE TABLE IF NOT EXISTS periods (
    period TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, finalised_at TEXT);
CREATE TABLE IF NOT EXISTS scorecards (
    period TEXT NOT NULL, vendor_id TEXT NOT NULL, composite TEXT, consistency_points INTEGER,
    met INTEGER NOT NULL, missed INTEGER NOT NULL, insufficient_data INTEGER NOT NULL,
    excused INTEGER NOT NULL, PRIMARY KEY (period, vendor_id));
CREATE TABLE IF NOT EXISTS kpi_results (
    period TEXT NOT NULL, vendor_id TEXT NOT NULL, kpi_id TEXT NOT NULL, title TEXT NOT NULL,
    metric_id TEXT NOT NULL, category TEXT NOT NULL, direction TEXT NOT NULL, unit TEXT,
    value REAL, n INTEGER, target REAL NOT NULL, minimum REAL NOT NULL, outcome TEXT NOT NULL,
    points INTEGER, achievement INTEGER, improvement INTEGER, baseline REAL, weight TEXT NOT NULL,
    credit_charged TEXT, reason TEXT NOT NULL, PRIMARY KEY (period, vendor_id, kpi_id));
CREATE TABLE IF NOT EXISTS settlements (
    period TEXT NOT NULL, vendor_id TEXT NOT NULL, currency TEXT NOT NULL, fees TEXT NOT NULL,
    at_risk TEXT NOT NULL, credits_total TEXT NOT NULL, bonus_total TEXT NOT NULL,
    withhold_net TEXT NOT NULL, earn_back_total TEXT NOT NULL, net_adjustment TEXT NOT NULL,
    credit_cap_applied INTEGER NOT NULL, bonus_cap_applied INTEGER NOT NULL, withhold_factor TEXT,
    PRIMARY KEY (period, vendor_id));
CREATE TABLE IF NOT EXISTS money_lines (
    period TEXT NOT NULL, vendor_id TEXT NOT NULL, line_no INTEGER NOT NULL, kind TEXT NOT NULL,
    amount TEXT NOT NULL, kpi_id TEXT, category TEXT, charged_period TEXT, clause TEXT NOT NULL,
    explanation TEXT NOT NULL, PRIMARY KEY (period, vendor_id, line_no));
CREATE TABLE IF NOT EXISTS issues (
    period TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, inputs_fingerprint TEXT NOT NULL,
    forced INTEGER NOT NULL, issued_at TEXT NOT NULL, PRIMARY KEY (period, version));
CREATE TABLE IF NOT EXISTS issue_kpis (
    period TEXT NOT NULL, version INTEGER NOT NULL, vendor_id TEXT NOT NULL, kpi_id TEXT NOT NULL,
    value REAL, outcome TEXT NOT NULL, money TEXT, PRIMARY KEY (period, version, vendor_id, kpi_id));
CREATE TABLE IF NOT EXISTS issue_vendors (
    period TEXT NOT NULL, version INTEGER NOT NULL, vendor_id TEXT NOT NULL, currency TEXT NOT NULL,
    net_adjustment TEXT, PRIMARY KEY (period, version, vendor_id));
CREATE TABLE IF NOT EXISTS dispute_log (
    period TEXT NOT NULL, version INTEGER NOT NULL, vendor_id TEXT NOT NULL, dispute_id TEXT NOT NULL,
    kpi_id TEXT NOT NULL, source TEXT NOT NULL, digest TEXT NOT NULL, status TEXT NOT NULL,
    applied INTEGER NOT NULL, asked TEXT NOT NULL, granted TEXT NOT NULL, reason TEXT NOT NULL,
    decided_by TEXT NOT NULL, decided_on TEXT, value_without REAL, value_with REAL,
    outcome_without TEXT NOT NULL, outcome_with TEXT NOT NULL, money_delta TEXT,
    PRIMARY KEY (period, version, vendor_id, dispute_id));
CREATE TABLE IF NOT EXISTS events (
    period TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS publications (
    period TEXT PRIMARY KEY, manifest_sha256 TEXT NOT NULL, at TEXT NOT NULL);
"""

_TABLES = ("money_lines", "settlements", "kpi_results", "scorecards", "periods")


@dataclass(frozen=True)
class IssueRecord:
    """A recorded version of a period."""

    version: int
    state: str
    inputs_fingerprint: str
    forced: bool


@dataclass(frozen=True)
class IssueSnapshot:
    """What a version of a period said, for the next version's changes section.

    `kpis`: (vendor_id, kpi_id) -> (value, outcome, money); `nets`: vendor_id -> net adjustment;
    `disputes`: (vendor_id, dispute_id) -> (digest, status).
    """

    record: IssueRecord
    kpis: dict[tuple[str, str], tuple[float | None, str, Decimal | None]]
    nets: dict[str, Decimal | None]
    disputes: dict[tuple[str, str], tuple[str, str]]


@dataclass(frozen=True)
class IssueRows:
    """The rows one version adds: see the tables issue_kpis, issue_vendors and dispute_log."""

    version: int
    state: str
    inputs_fingerprint: str
    forced: bool
    kpis: tuple[tuple[str, str, float | None, str, str | None], ...]  # vendor, kpi, value, outcome, money
    vendors: tuple[tuple[str, str, str | None], ...]  # vendor, currency, net adjustment
    disputes: tuple[tuple, ...]  # the dispute_log columns after (period, version)


@dataclass(frozen=True)
class MonthFigures:
    """A vendor's month in the history: composite and net adjustment (None: not scored / no money)."""

    period: Period
    recorded: bool
    composite: Decimal | None
    net_adjustment: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class SeriesPoint:
    """One month of a KPI's trend; value/outcome/points are None for a month not recorded."""

    period: Period
    value: float | None
    outcome: Outcome | None
    points: int | None


@dataclass(frozen=True)
class RecordedKpi:
    """One KPI of a recorded month, as the audit scored it."""

    kpi_id: str
    title: str
    metric_id: str
    value: float | None
    n: int | None
    outcome: Outcome
    points: int | None
    credit_charged: Decimal | None


@dataclass(frozen=True)
class RecordedMonth:
    """A vendor's recorded month: its scorecard and settlement as they were audited (and charged)."""

    period: Period
    vendor_id: str
    composite: Decimal | None
    kpis: tuple[RecordedKpi, ...]
    currency: str | None
    fees: Decimal | None
    credits_total: Decimal | None
    bonus_total: Decimal | None
    withhold_net: Decimal | None
    earn_back_total: Decimal | None
    net_adjustment: Decimal | None
    bonus_by_kpi: dict[str, Decimal]


class History:
    """The results history file at `path` (created on first use). Use as a context manager or close()."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._held = False
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise OutputError(f"results history {self.path}: cannot open: {exc}") from None
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """Create the tables on first use; refuse a file from a newer schema or not a database."""
        with self._errors("cannot open"):
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise OutputError(f"results history {self.path}: written by a newer vendoraudit "
                                  f"(schema {version}, this one reads {SCHEMA_VERSION})")
            self._db.execute("PRAGMA journal_mode=WAL")
            if version < SCHEMA_VERSION:
                # Only a new or older file is written to on opening: a full disk can still be read.
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """SQLite failures (corrupt file, disk full, locked) become an OutputError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise OutputError(f"results history {self.path}: {doing}: {exc}") from None

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        if self._held:  # part of the transaction `holding` keeps open: committed with it
            with self._errors(doing):
                yield self._db
            return
        with self._errors(doing):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def holding(self, doing: str) -> Iterator[Callable[[], None]]:
        """One write transaction around every record made in the block, committed only when the
        block calls the function it is given (OutputError if the commit fails); rolled back if the
        block ends without it or raises. The write lock is taken on entry: a history another
        process is writing, or a full disk, fails here, before anything is published.
        """
        with self._errors(doing):
            self._db.execute("BEGIN IMMEDIATE")
        self._held = True
        done = False

        def commit() -> None:
            nonlocal done
            with self._errors(doing):
                self._db.execute("COMMIT")
            done = True

        try:
            yield commit
        finally:
            self._held = False
            if not done and self._db.in_transaction:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")

    def record_publication(self, period: Period, manifest_sha256: str) -> None:
        """Note the SHA-256 of the manifest of the outputs published with `period`'s records."""
        with self._transaction(f"cannot record {period}") as db:
            db.execute("INSERT OR REPLACE INTO publications VALUES (?, ?, ?)", (str(period), manifest_sha256, _now()))

    def published_manifest(self, period: Period) -> str | None:
        """The SHA-256 of the manifest recorded with `period`, or None."""
        with self._errors("cannot read"):
            row = self._db.execute("SELECT manifest_sha256 FROM publications WHERE period = ?",
                                   (str(period),)).fetchone()
        return None if row is None else row[0]

    def is_finalised(self, period: Period) -> bool:
        """True once `finalise(period)` has run: the period can no longer be recorded."""
        with self._errors("cannot read"):
            row = self._db.execute("SELECT finalised_at FROM periods WHERE period = ?", (str(period),)).fetchone()
        return row is not None and row[0] is not None

    def finalise(self, period: Period) -> None:
        """Freeze a recorded period (invoices were issued from it); re-recording it then fails."""
        with self._transaction("cannot finalise") as db:
            done = db.execute("UPDATE periods SET finalised_at = COALESCE(finalised_at, ?) WHERE period = ?",
                              (_now(), str(period))).rowcount
            if not done:
                raise OutputError(f"results history {self.path}: period {period} was never recorded")

    def reopen(self, period: Period) -> None:
        """Lift a period's finalisation (the `--force` of a deliberate re-run)."""
        with self._transaction("cannot reopen") as db:
            db.execute("UPDATE periods SET finalised_at = NULL WHERE period = ?", (str(period),))

    def record(self, period: Period, scorecards: Sequence[Scorecard], settlements: Sequence[Settlement]) -> None:
        """Store a period's scorecards and settlements, replacing everything the period held before."""
        by_vendor = {s.vendor_id: s for s in scorecards}
        if len(by_vendor) != len(scorecards) or any(s.period != period for s in scorecards):
            raise ValueError("scorecards must be one per vendor, all of the recorded period")
        if any(s.period != period or s.vendor_id not in by_vendor for s in settlements):
            raise ValueError("each settlement must be of the recorded period and have its vendor's scorecard")
        credits = {s.vendor_id: s.kpi_credits for s in settlements}
        p = str(period)
        with self._transaction(f"cannot record {period}") as db:
            row = db.execute("SELECT finalised_at FROM periods WHERE period = ?", (p,)).fetchone()
            if row is not None and row[0] is not None:
                raise OutputError(f"results history {self.path}: period {period} is finalised and cannot be re-recorded")
            for table in _TABLES:
                db.execute(f"DELETE FROM {table} WHERE period = ?", (p,))
            db.execute("INSERT INTO periods (period, recorded_at) VALUES (?, ?)", (p, _now()))
            for card in scorecards:
                db.execute("INSERT INTO scorecards VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (
                    p, card.vendor_id, _text(card.composite), card.consistency_points,
                    *(card.counts.get(o, 0) for o in (Outcome.MET, Outcome.MISSED, Outcome.INSUFFICIENT_DATA,
                                                      Outcome.EXCUSED))))
                charged = credits.get(card.vendor_id, {})
                db.executemany(
                    "INSERT INTO kpi_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(p, card.vendor_id, k.kpi_id, k.title, k.metric_id, k.category, str(k.direction),
                      _text(k.unit), k.value, k.result.n if k.result else None, k.target, k.minimum,
                      str(k.outcome), k.points, k.achievement, k.improvement, k.baseline, str(k.weight),
                      _text(charged.get(k.kpi_id)), k.reason) for k in card.kpis])
            for s in settlements:
                db.execute("INSERT INTO settlements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                    p, s.vendor_id, s.currency, str(s.fees), str(s.at_risk), str(s.credits_total),
                    str(s.bonus_total), str(s.withhold_net), str(s.earn_back_total), str(s.net_adjustment),
                    int(s.credit_cap_applied), int(s.bonus_cap_applied), _text(s.withhold_factor)))
                db.executemany("INSERT INTO money_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    (p, s.vendor_id, no, str(line.kind), str(line.amount), line.kpi_id, line.category,
                     _text(line.refers_to), line.clause, line.explanation)
                    for no, line in enumerate(s.lines, start=1)])

    def latest_issue(self, period: Period) -> IssueRecord | None:
        """The last recorded version of `period`, or None before its first issue."""
        with self._errors("cannot read"):
            row = self._db.execute(
                "SELECT version, state, inputs_fingerprint, forced FROM issues WHERE period = ? "
                "ORDER BY version DESC LIMIT 1", (str(period),)).fetchone()
        return None if row is None else IssueRecord(row[0], row[1], row[2], bool(row[3]))

    def issue_snapshot(self, period: Period, version: int) -> IssueSnapshot | None:
        """What version `version` of `period` recorded, or None when it was never recorded."""
        p = str(period)
        with self._errors("cannot read"):
            row = self._db.execute("SELECT version, state, inputs_fingerprint, forced FROM issues "
                                   "WHERE period = ? AND version = ?", (p, version)).fetchone()
            if row is None:
                return None
            kpis = {(r[0], r[1]): (r[2], r[3], None if r[4] is None else Decimal(r[4])) for r in self._db.execute(
                "SELECT vendor_id, kpi_id, value, outcome, money FROM issue_kpis WHERE period = ? AND version = ?",
                (p, version))}
            nets = {r[0]: None if r[1] is None else Decimal(r[1]) for r in self._db.execute(
                "SELECT vendor_id, net_adjustment FROM issue_vendors WHERE period = ? AND version = ?", (p, version))}
            disputes = {(r[0], r[1]): (r[2], r[3]) for r in self._db.execute(
                "SELECT vendor_id, dispute_id, digest, status FROM dispute_log WHERE period = ? AND version = ?",
                (p, version))}
        return IssueSnapshot(IssueRecord(row[0], row[1], row[2], bool(row[3])), kpis, nets, disputes)

    def record_issue(self, period: Period, rows: IssueRows) -> None:
        """Store one version of `period` (replacing a re-issue of the same version) and, when it was
        forced over a final version, an event saying so."""
        p, v = str(period), rows.version
        with self._transaction(f"cannot record {period} v{v}") as db:
            for table in ("issues", "issue_kpis", "issue_vendors", "dispute_log"):
                db.execute(f"DELETE FROM {table} WHERE period = ? AND version = ?", (p, v))
            db.execute("INSERT INTO issues VALUES (?, ?, ?, ?, ?, ?)",
                       (p, v, rows.state, rows.inputs_fingerprint, int(rows.forced), _now()))
            db.executemany("INSERT INTO issue_kpis VALUES (?, ?, ?, ?, ?, ?, ?)", [(p, v, *r) for r in rows.kpis])
            db.executemany("INSERT INTO issue_vendors VALUES (?, ?, ?, ?, ?)", [(p, v, *r) for r in rows.vendors])
            db.executemany(f"INSERT INTO dispute_log VALUES ({', '.join('?' * 19)})",
                           [(p, v, *r) for r in rows.disputes])
            if rows.forced:
                db.execute("INSERT INTO events VALUES (?, ?, ?, ?)", (
                    p, _now(), "forced", f"v{v} replaced the final v{v - 1} (--force)"))
            if rows.state == "final":
                db.execute("INSERT INTO events VALUES (?, ?, ?, ?)", (p, _now(), "finalised", f"v{v} is final"))

    def dispute_log(self, period: Period) -> list[dict[str, object]]:
        """Every recorded dispute row of `period` (applied or rejected), oldest version first."""
        with self._errors("cannot read"):
            cursor = self._db.execute("SELECT * FROM dispute_log WHERE period = ? ORDER BY version, vendor_id, "
                                      "dispute_id", (str(period),))
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, r)) for r in cursor.fetchall()]

    def events(self, period: Period) -> list[tuple[str, str, str]]:
        """(at, kind, detail) of every event of `period`, in order."""
        with self._errors("cannot read"):
            return [tuple(r) for r in self._db.execute(
                "SELECT at, kind, detail FROM events WHERE period = ? ORDER BY rowid", (str(period),))]

    def kpi_value(self, vendor_id: str, kpi_id: str, period: Period) -> float | None:
        """The KPI's value in `period` when it was scored (met or missed), for improvement baselines;
        None when not recorded, excused or short of data."""
        with self._errors("cannot read"):
            row = self._db.execute(
                "SELECT value FROM kpi_results WHERE vendor_id = ? AND kpi_id = ? AND period = ? "
                "AND outcome IN (?, ?)", (vendor_id, kpi_id, str(period), Outcome.MET.value, Outcome.MISSED.value),
            ).fetchone()
        return None if row is None else row[0]

    def recorded_month(self, vendor_id: str, period: Period) -> RecordedMonth | None:
        """The vendor's scorecard and settlement as recorded for `period`; None when not recorded."""
        p = str(period)
        with self._errors("cannot read"):
            card = self._db.execute("SELECT composite FROM scorecards WHERE period = ? AND vendor_id = ?",
                                    (p, vendor_id)).fetchone()
            if card is None:
                return None
            kpis = self._db.execute(
                "SELECT kpi_id, title, metric_id, value, n, outcome, points, credit_charged FROM kpi_results "
                "WHERE period = ? AND vendor_id = ? ORDER BY rowid", (p, vendor_id)).fetchall()
            money = self._db.execute(
                "SELECT currency, fees, credits_total, bonus_total, withhold_net, earn_back_total, net_adjustment "
                "FROM settlements WHERE period = ? AND vendor_id = ?", (p, vendor_id)).fetchone()
            bonus = self._db.execute(
                "SELECT kpi_id, amount FROM money_lines WHERE period = ? AND vendor_id = ? AND kind = ? "
                "AND kpi_id IS NOT NULL", (p, vendor_id, LineKind.BONUS.value)).fetchall()
        amounts = [None if v is None else Decimal(v) for v in money[1:]] if money else [None] * 6
        return RecordedMonth(
            period, vendor_id, None if card[0] is None else Decimal(card[0]),
            tuple(RecordedKpi(k[0], k[1], k[2], k[3], k[4], Outcome(k[5]), k[6],
                              None if k[7] is None else Decimal(k[7])) for k in kpis),
            money[0] if money else None, *amounts,
            bonus_by_kpi={kpi_id: Decimal(amount) for kpi_id, amount in bonus})

    def kpi_series(self, vendor_id: str, kpi_id: str, until: Period, months: int) -> tuple[SeriesPoint, ...]:
        """The KPI's last `months` periods up to and including `until`, oldest first, gaps included."""
        periods = [until.shift(-i) for i in range(months - 1, -1, -1)]
        if not periods:
            return ()
        with self._errors("cannot read"):
            rows = self._db.execute(
                "SELECT period, value, outcome, points FROM kpi_results WHERE vendor_id = ? AND kpi_id = ? "
                "AND period BETWEEN ? AND ?", (vendor_id, kpi_id, str(periods[0]), str(until))).fetchall()
        found = {r[0]: r for r in rows}
        return tuple(
            SeriesPoint(p, found[str(p)][1], Outcome(found[str(p)][2]), found[str(p)][3]) if str(p) in found
            else SeriesPoint(p, None, None, None) for p in periods)

    def vendor_months(self, vendor_id: str, until: Period, months: int) -> tuple[MonthFigures, ...]:
        """The vendor's composite and net adjustment over its last `months` periods up to and including
        `until`, oldest first; a month not recorded has None in both."""
        periods = [until.shift(-i) for i in range(months - 1, -1, -1)]
        if not periods:
            return ()
        with self._errors("cannot read"):
            rows = self._db.execute(
                "SELECT s.period, s.composite, m.net_adjustment, m.currency FROM scorecards s "
                "LEFT JOIN settlements m ON m.period = s.period AND m.vendor_id = s.vendor_id "
                "WHERE s.vendor_id = ? AND s.period BETWEEN ? AND ?",
                (vendor_id, str(periods[0]), str(until))).fetchall()
        found = {r[0]: r for r in rows}
        out = []
        for p in periods:
            row = found.get(str(p))
            if row is None:
                out.append(MonthFigures(p, False, None, None, None))
            else:
                out.append(MonthFigures(p, True, Decimal(row[1]) if row[1] is not None else None,
                                        Decimal(row[2]) if row[2] is not None else None, row[3]))
        return tuple(out)

    def earn_back_candidates(self, vendor_id: str, period: Period, months_required: int) -> list[EarnBackCandidate]:
        """Credits charged before `period`, not returned by an earlier period, whose KPI was met in
        every recorded month after the charge and before `period` (`months_met_before` of them), and
        that this period can still complete: months_met_before >= months_required - 1. `settle`
        adds this period's outcome. Rows of `period` itself are ignored, so re-running it is safe.
        """
        if months_required < 1:
            raise ValueError("months_required must be at least 1")
        p = str(period)
        with self._errors("cannot read"):
            charges = self._db.execute(
                "SELECT period, kpi_id, credit_charged FROM kpi_results WHERE vendor_id = ? AND period < ? "
                "AND credit_charged IS NOT NULL ORDER BY period, kpi_id", (vendor_id, p)).fetchall()
            returned = set(self._db.execute(
                "SELECT charged_period, kpi_id FROM money_lines WHERE vendor_id = ? AND period < ? AND kind = ?",
                (vendor_id, p, LineKind.EARN_BACK.value)).fetchall())
            outcomes = dict(((r[0], r[1]), r[2]) for r in self._db.execute(
                "SELECT period, kpi_id, outcome FROM kpi_results WHERE vendor_id = ? AND period < ?", (vendor_id, p)))
        candidates = []
        for charged_in, kpi_id, amount in charges:
            if (charged_in, kpi_id) in returned or Decimal(amount) <= 0:
                continue
            month, met = Period.parse(charged_in).shift(1), 0
            while month < period and outcomes.get((str(month), kpi_id)) == Outcome.MET.value:
                month, met = month.shift(1), met + 1
            unbroken = month == period
            # a broken run forfeits the credit, unless it had already run its full length
            if (unbroken and met >= months_required - 1) or met >= months_required:
                candidates.append(EarnBackCandidate(Period.parse(charged_in), kpi_id, Decimal(amount), met))
        return candidates


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _text(value: object) -> str | None:
    return None if value is None else str(value)
