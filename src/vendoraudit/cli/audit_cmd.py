"""`vendoraudit audit`: the monthly job, for a person at a terminal and for cron alike."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError, VendorAuditError
from .common import exit_code_for
from .exit_codes import ExitCode
from .conventions import period_option
from .feedback import Feedback, LogFormat


def register(app: typer.Typer) -> None:
    """Add the `audit` command to `app`."""
    app.command(name="audit")(audit)


def audit(
    exports: Annotated[Optional[Path], typer.Option(metavar="DIR",
                                                    help="Folder of period folders, or one period's folder.")] = None,
    contracts: Annotated[Optional[Path], typer.Option(metavar="DIR", help="Folder of contract YAML files.")] = None,
    period: Annotated[Optional[str], period_option(
        "A month, a range or previous: 2026-10, 2026-08..2026-10 or previous.", months=True,
        annotated=True)] = None,
    out: Annotated[Optional[Path], typer.Option(metavar="DIR",
                                                help="Output folder; each period goes to DIR/YYYY-MM/.")] = None,
    mapping: Annotated[Optional[list[Path]], typer.Option(metavar="FILE", help="Column mapping YAML (repeatable); "
                                                          "mappings attached to the contracted sites in "
                                                          "CONTRACTS/mappings/ are used without it.")] = None,
    disputes: Annotated[Optional[Path], typer.Option(
        metavar="DIR", help="Folder of dispute files (default ./disputes when present).")] = None,
    tz: Annotated[Optional[list[str]], typer.Option("--tz", metavar="SITE=ZONE", help="A site's IANA time zone "
                                                    "over the contracts' (repeatable).")] = None,
    in_house: Annotated[Optional[list[str]], typer.Option("--in-house", metavar="SITE", help="An in-house "
                                                          "(baseline) site id besides the contracts' "
                                                          "(repeatable).")] = None,
    config: Annotated[Optional[Path], typer.Option(metavar="FILE",
                                                   help="Settings file (default ./vendoraudit.toml).")] = None,
    paper: Annotated[Optional[str], typer.Option(metavar="[A4|Letter]", help="Paper size of the PDFs.")] = None,
    evidence_rows: Annotated[Optional[int], typer.Option(
        metavar="ROWS", help="Rows an evidence sheet shows (setting rows_per_evidence_sheet, default 10000); "
                             "a longer list also goes to a CSV beside it.")] = None,
    finalise: Annotated[bool, typer.Option(
        "--finalise", help="Mark the period final once written (refused while a dispute is open).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a finalised period.")] = False,
    fail_on_breach: Annotated[bool, typer.Option("--fail-on-breach", help="Exit 5 when any KPI was missed.")] = False,
    wait: Annotated[float, typer.Option(metavar="SECONDS", help="Seconds to wait for another run's lock.")] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    log_format: Annotated[LogFormat, typer.Option(metavar="[text|json]",
                                                  help="Log lines when not on a terminal.")] = LogFormat.TEXT,
    json_out: Annotated[bool, typer.Option("--json", help="Print the audit result as JSON on stdout.")] = False,
) -> None:
    """Run the monthly audit: validate, compute KPIs, score, price, and write every output.

    For each period it writes OUT/YYYY-MM/ with the JSON results, the finance workbook, a PDF
    scorecard per vendor, the portfolio PDF, an evidence workbook per vendor with a missed or
    at-risk KPI, the validation report and quarantine files, and
    records the period in OUT/history.sqlite. Decided disputes of the period (--disputes) are
    applied; each run that changes something issues the next version (v1, v2, ...). Settings
    come from vendoraudit.toml and VENDORAUDIT_* variables unless given here.

    Example: vendoraudit audit --period previous --out /srv/audits --finalise
    """
    feedback = Feedback.for_stream(sys.stderr, quiet=quiet, log_format=log_format)
    code = run(feedback, exports=exports, contracts=contracts, period=period, out=out, mapping=mapping,
               disputes=disputes, tz=tz, in_house=in_house, config=config, paper=paper, finalise=finalise,
               force=force, fail_on_breach=fail_on_breach,
               wait=wait, json_out=json_out, evidence_rows=evidence_rows)
    raise typer.Exit(int(code))


def run(feedback: Feedback, *, exports: Path | None, contracts: Path | None, period: str | None,
        out: Path | None, mapping: list[Path] | None, config: Path | None, paper: str | None,
        finalise: bool, force: bool, fail_on_breach: bool, wait: float, json_out: bool,
        disputes: Path | None = None, tz: list[str] | None = None, in_house: list[str] | None = None,
        evidence_rows: int | None = None) -> ExitCode:
    """The command's body; returns the exit code instead of exiting (tests call it directly)."""
    try:
        return _run(feedback, exports, contracts, period, out, mapping, config, paper, finalise, force,
                    fail_on_breach, wait, json_out, disputes, tz, in_house, evidence_rows)
    except VendorAuditError as exc:
        feedback.error(str(exc), exc.problems)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        feedback.error("interrupted; the published outputs are unchanged")
        return ExitCode.RUNTIME
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no data, exit 4
        if os.environ.get("VENDORAUDIT_DEBUG"):
            traceback.print_exc()
        feedback.error(f"unexpected failure ({type(exc).__name__}); outputs are unchanged. "
                       "Run again with VENDORAUDIT_DEBUG=1 for a traceback")
        return ExitCode.RUNTIME


def _run(feedback: Feedback, exports: Path | None, contracts: Path | None, period: str | None,
         out: Path | None, mapping: list[Path] | None, config: Path | None, paper: str | None,
         finalise: bool, force: bool, fail_on_breach: bool, wait: float, json_out: bool,
         disputes: Path | None = None, tz: list[str] | None = None,
         in_house: list[str] | None = None, evidence_rows: int | None = None) -> ExitCode:
    from ..audit import AuditInputs, audit_period, exports_dir_for, read_exports
    from ..evidence import attach_evidence, build_evidence
    from ..config import load_settings
    from ..contract.loader import load_contracts
    from ..disputes.loader import DisputeSet, load_disputes
    from ..deliver import check_replaceable, deliver, deliver_blocked
    from ..errors import DataError
    from ..history import History
    from ..periods import parse_periods
    from ..publish import output_lock
    from ..export_inputs import parse_zones
    from ..report_json import JsonKind, dumps

    settings = load_settings(config, exports=exports, contracts=contracts, period=period, out=out,
                             mappings=tuple(mapping or ()), paper=paper, disputes=disputes,
                             rows_per_evidence_sheet=evidence_rows)
    try:
        periods = parse_periods(settings.period)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    feedback.info(f"settings from {settings.source}; periods {', '.join(map(str, periods))}", step="settings",
                  counts={"periods": len(periods)})
    contract_set = load_contracts(settings.contracts)
    if disputes is not None and not disputes.is_dir():
        raise ConfigError(f"{disputes}: no such folder of dispute files")
    dispute_set = DisputeSet()
    if settings.disputes.is_dir():
        dispute_set = DisputeSet(tuple(f for p in periods for f in load_disputes(settings.disputes, contract_set, p)))
    breached = False
    summaries = []
    try:
        with output_lock(settings.out, wait), History(settings.history_path) as history:
            for p in periods:
                check_replaceable(history, p, force)  # fail before any work; deliver checks again
                with feedback.stage(f"{p}") as step:
                    step("reading and validating exports")
                    inputs = AuditInputs(exports_dir_for(settings.exports, p), contract_set, settings.mappings,
                                         dispute_set, settings.max_quarantined_percent,
                                         zones=tuple(parse_zones(tz or ()).items()), in_house=tuple(in_house or ()),
                                         contracts_dir=settings.contracts)
                    validated = read_exports(inputs, p)
                    feedback.record_quality(str(p), validated)
                    step.count(files=len(validated.files), rows_read=sum(f.rows_read for f in validated.files),
                               rows_used=sum(f.rows_used for f in validated.files),
                               rows_quarantined=sum(f.rows_quarantined for f in validated.files),
                               errors=validated.error_count, warnings=validated.warning_count)
                    try:
                        audited = audit_period(inputs, p, history, validated=validated, progress=step,
                                               finalise=finalise, force=force)
                    except DataError as exc:
                        # Blocked: the validation report and quarantine still go where the outputs go.
                        delivery = deliver_blocked(validated, p, exc.problems, settings.out, history, force=force)
                        feedback.info(f"{p}: blocked; validation report and quarantine in {delivery.folder}",
                                      step="blocked", period=str(p), duration=feedback.stage_seconds(str(p)),
                                      counts={"files": len(delivery.files), "problems": len(exc.problems)})
                        raise
                    step("gathering the evidence of missed and at-risk KPIs")
                    books = build_evidence(audited.result, audited.data, settings.rows_per_evidence_sheet)
                    step.count(workbooks=len(books))
                    result, validated = attach_evidence(audited.result, books), audited.validated
                    del audited  # the period's rows are not needed past this point
                    delivery = deliver(result, validated, settings.out, history, settings.paper,
                                       finalise=finalise, force=force, progress=step, evidence=books)
                feedback.info(f"{p}: {len(delivery.files)} files in {delivery.folder}", step="published",
                              period=str(p), duration=feedback.stage_seconds(str(p)),
                              counts={"files": len(delivery.files)})
                breached |= any(v.scorecard.is_breached for v in result.outsourced)
                summaries.append((result, delivery))
                if json_out:
                    sys.stdout.write(dumps(result, JsonKind.AUDIT))
        feedback.summary(summaries)
    finally:
        feedback.data_quality()  # per period read, also when the run stopped on one
    return ExitCode.BREACH if fail_on_breach and breached else ExitCode.OK
