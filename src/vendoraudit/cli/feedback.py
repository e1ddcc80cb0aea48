"""What a run tells its user: progress and a summary table on a terminal, plain log lines for cron.

On a terminal (and not under CI, TERM=dumb or NO_COLOR): a progress display per period and a
summary table. Anywhere else: one concise line per step on stderr, as text or JSON, with no
colour and no control characters, so cron mail and log collectors stay readable.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

from .common import print_error, printable

if TYPE_CHECKING:
    from ..audit_result import AuditResult
    from ..deliver import Delivery


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
        self._console = None
        if self.interactive:
            from rich.console import Console

            self._console = Console(file=stream, highlight=False)

    @classmethod
    def for_stream(cls, stream: TextIO = sys.stderr, quiet: bool = False,
                   log_format: LogFormat = LogFormat.TEXT) -> Feedback:
        return cls(stream, is_interactive(stream), quiet, log_format)

    def _log(self, level: str, message: str, **fields: object) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.log_format is LogFormat.JSON:
            line = json.dumps({"time": stamp, "level": level, "message": message, **fields}, ensure_ascii=True)
        else:
            line = f"{stamp} {level.upper():5} {printable(message)}"
        print(line, file=self.stream, flush=True)

    def info(self, message: str) -> None:
        """A progress note: shown in logs, hidden on a terminal (the progress display says it)."""
        if not self.quiet and not self.interactive:
            self._log("info", message)

    def error(self, message: str, details: Sequence[str] = ()) -> None:
        """An error with its detail lines; always shown, even with --quiet."""
        if self.log_format is LogFormat.JSON and not self.interactive:
            self._log("error", message, details=list(details))
            return
        print_error(message, details, self.stream)

    @contextmanager
    def stage(self, label: str) -> Iterator[Callable[[str], None]]:
        """A unit of work (one period); yields `step(message)` to report its steps."""
        if not self.interactive:
            yield lambda message: self.info(f"{label}: {message}")
            return
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        steps = 6  # validate, KPIs, JSON, workbook, PDFs, history
        with Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[label]}"), BarColumn(),
                      TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=self._console, transient=False) as progress:
            task = progress.add_task("starting", total=steps, label=label)

            def step(message: str) -> None:
                progress.update(task, description=message, advance=1)

            yield step
            progress.update(task, description="done", completed=steps)

    def summary(self, runs: Sequence[tuple[AuditResult, Delivery]]) -> None:
        """The closing table: vendor, composite, outcomes, net adjustment, where the outputs are."""
        if self.quiet:
            return
        rows = []
        for result, delivery in runs:
            for v in result.vendors:
                counts = v.scorecard.counts
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
        for period, vendor, composite, outcomes, net in rows:
            self._log("info", f"{period} {vendor}: composite {composite}; {outcomes}; net adjustment {net}")
        for folder in folders:
            self._log("info", f"outputs: {folder}")
