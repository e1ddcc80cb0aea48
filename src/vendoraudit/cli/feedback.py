"""What a run tells its user: progress and a summary table on a terminal, plain log lines for cron.

On a terminal (and not under CI, TERM=dumb or NO_COLOR): a progress display per period and a
summary table. Anywhere else: one concise line per step on stderr, as text or JSON, with no
colour and no control characters, so cron mail and log collectors stay readable.

A step is logged when it ends, with how long it took. Every JSON line has the same keys, for a
collector to filter on: `time`, `level`, `message`, `period` and `vendor` (null where none
applies), `step` (a short name: settings, validate, compute, json, workbook, pdf, history,
published, vendor, data_quality, error), `duration_s` (seconds the step took; for a vendor's or a
period's line, the period so far) and `counts` (what the step counted: rows, files, outcomes).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TextIO

from .common import print_error, printable

if TYPE_CHECKING:
    from ..audit_result import AuditResult
    from ..deliver import Delivery
    from ..validate import ValidatedExports

# The library's progress messages, by the short step name a log collector filters on.
_STEP_NAMES = (
    ("reading and validating", "validate"),
    ("computing", "compute"),
    ("writing json", "json"),
    ("writing the finance workbook", "workbook"),
    ("rendering pdf", "pdf"),
    ("recording", "history"),
)


def step_name(message: str) -> str:
    """The short name of a progress message's step (`validate`, `pdf`, ...; else its first words)."""
    lowered = message.lower()
    for prefix, name in _STEP_NAMES:
        if lowered.startswith(prefix):
            return name
    return "_".join(re.findall(r"[a-z]+", lowered)[:2]) or "step"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def is_interactive(stream: TextIO, env: dict[str, str] | None = None) -> bool:
    """A person is watching: a terminal, not CI, colour not refused."""
    env = dict(os.environ if env is None else env)
    if env.get("CI") or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Feedback:
    """Progress, log lines and the final summary of a command, on one stream (stderr)."""

    def __init__(self, stream: TextIO, interactive: bool, quiet: bool, log_format: LogFormat) -> None:
        self.stream = stream
        self.interactive = interactive and not quiet
        self.quiet = quiet
        self.log_format = log_format
        self._started = time.monotonic()
        self._stage_started: dict[str, float] = {}
        self._quality: list[tuple[str, ValidatedExports]] = []
        self._console = None
        if self.interactive:
            from rich.console import Console

            self._console = Console(file=stream, highlight=False)

    @classmethod
    def for_stream(cls, stream: TextIO = sys.stderr, quiet: bool = False,
                   log_format: LogFormat = LogFormat.TEXT) -> Feedback:
        return cls(stream, is_interactive(stream), quiet, log_format)

    def _log(self, level: str, message: str, *, step: str = "run", period: str | None = None,
             vendor: str | None = None, duration: float | None = None,
             counts: Mapping[str, int] | None = None, **extra: object) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        seconds = round(time.monotonic() - self._started if duration is None else duration, 3)
        if self.log_format is LogFormat.JSON:
            record: dict[str, Any] = {"time": stamp, "level": level, "message": message, "period": period,
                                      "vendor": vendor, "step": step, "duration_s": seconds,
                                      "counts": dict(counts or {}), **extra}
            line = json.dumps(record, ensure_ascii=True)
        else:
            line = f"{stamp} {level.upper():5} {printable(message)}"
        print(line, file=self.stream, flush=True)

    def info(self, message: str, **fields: Any) -> None:
        """A progress note: shown in logs, hidden on a terminal (the progress display says it).

        `fields`: `step`, `period`, `vendor`, `duration` (seconds) and `counts` of the line.
        """
        if not self.quiet and not self.interactive:
            self._log("info", message, **fields)

    def error(self, message: str, details: Sequence[str] = ()) -> None:
        """An error with its detail lines; always shown, even with --quiet."""
        if self.log_format is LogFormat.JSON and not self.interactive:
            self._log("error", message, step="error", details=list(details))
            return
        print_error(message, details, self.stream)

    @contextmanager
    def stage(self, label: str) -> Iterator[Step]:
        """A unit of work (one period); yields `step(message)`, called as each step starts."""
        self._stage_started[label] = time.monotonic()
        if not self.interactive:
            step = Step(self, label)
            try:
                yield step
            finally:
                step.close()
            return
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        steps = 6  # validate, KPIs, JSON, workbook, PDFs, history
        with Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[label]}"), BarColumn(),
                      TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=self._console, transient=False) as progress:
            task = progress.add_task("starting", total=steps, label=label)
            shown = Step(self, label, lambda message: progress.update(task, description=message, advance=1))
            yield shown
            progress.update(task, description="done", completed=steps)

    def stage_seconds(self, label: str) -> float:
        """Seconds since the stage `label` started (0 when it has not)."""
        started = self._stage_started.get(label)
        return time.monotonic() - started if started is not None else 0.0

    def record_quality(self, period: str, validated: ValidatedExports) -> None:
        """Remember a period's row accounting for the data-quality lines at the end of the run."""
        self._quality.append((period, validated))

    def data_quality(self) -> None:
        """One line per period read: rows read, used, quarantined (and excluded), issues; at the end of a run."""
        for period, validated in self._quality:
            files = validated.files
            counts = {"files": len(files), "rows_read": sum(f.rows_read for f in files),
                      "rows_used": sum(f.rows_used for f in files),
                      "rows_quarantined": sum(f.rows_quarantined for f in files),
                      "rows_excluded": sum(f.rows_excluded for f in files),
                      "errors": validated.error_count, "warnings": validated.warning_count}
            # "severe", not "error": a log reader greps for errors, and this line is not one.
            self.info(f"{period}: data quality: rows read {counts['rows_read']}, used {counts['rows_used']}, "
                      f"quarantined {counts['rows_quarantined']}; issues: {counts['errors']} severe, "
                      f"{counts['warnings']} warning(s)", step="data_quality", period=period,
                      duration=self.stage_seconds(period), counts=counts)
        self._quality.clear()

    def summary(self, runs: Sequence[tuple[AuditResult, Delivery]]) -> None:
        """The closing table: vendor, composite, outcomes, net adjustment, where the outputs are."""
        if self.quiet:
            return
        rows = []
        outcome_counts: list[dict[str, int]] = []
        for result, delivery in runs:
            for v in result.vendors:
                counts = v.scorecard.counts
                outcome_counts.append({str(o.value): int(n) for o, n in counts.items()})
                outcomes = " ".join(f"{n} {o.value.replace('_', ' ')}" for o, n in counts.items() if n)
                net = "-" if v.settlement is None else f"{v.settlement.net_adjustment:,} {v.currency}"
                composite = "-" if v.scorecard.composite is None else f"{v.scorecard.composite}"
                rows.append((str(result.period), v.vendor_id, composite, outcomes, net))
        folders = [str(d.folder) for _, d in runs]
        if self._console is not None:
            from rich.table import Table

            table = Table(title="vendoraudit: audit summary")
            for name in ("Period", "Vendor", "Composite", "Outcomes", "Net adjustment"):
                table.add_column(name, justify="right" if name in ("Composite", "Net adjustment") else "left")
            for row in rows:
                table.add_row(*row)
            self._console.print(table)
            for folder in folders:
                self._console.print(f"Outputs: {folder}")
            return
        for (period, vendor, composite, outcomes, net), counts in zip(rows, outcome_counts):
            self._log("info", f"{period} {vendor}: composite {composite}; {outcomes}; net adjustment {net}",
                      step="vendor", period=period, vendor=vendor, duration=self.stage_seconds(period),
                      counts=counts)
        for (result, delivery), folder in zip(runs, folders):
            self._log("info", f"outputs: {folder}", step="published", period=str(result.period),
                      duration=self.stage_seconds(str(result.period)), counts={"files": len(delivery.files)})


class Step:
    """The `step(message)` of a stage: each call ends the running step (logged with its time) and starts one."""

    def __init__(self, feedback: Feedback, label: str, show: Any = None) -> None:
        self.feedback = feedback
        self.label = label
        self.show = show  # the terminal's progress display, when a person watches
        self._current: tuple[str, float] | None = None
        self._counts: dict[str, int] = {}

    def __call__(self, message: str) -> None:
        self._end()
        self._current = (message, time.monotonic())
        if self.show is not None:
            self.show(message)

    def count(self, **counts: int) -> None:
        """Counts of the running step (rows read, files written), logged when it ends."""
        self._counts.update(counts)

    def close(self) -> None:
        """End the last step."""
        self._end()

    def _end(self) -> None:
        if self._current is None:
            return
        message, started = self._current
        self._current = None
        counts, self._counts = self._counts, {}
        self.feedback.info(f"{self.label}: {message}", step=step_name(message), period=self.label,
                           duration=time.monotonic() - started, counts=counts)
