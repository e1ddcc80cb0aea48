"""`vendoraudit validate`, `schema` and `template`: check a month's exports, print the export contract."""

from __future__ import annotations

import json
from collections import defaultdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..periods import Period
from . import export_options
from .common import guard, printable
from .conventions import exit_codes_epilog, period_option
from .exit_codes import ExitCode

if TYPE_CHECKING:  # the library is imported inside the commands so --help stays fast
    from ..validate import Issue, ValidatedExports

_SHOWN = 5  # locations listed per rule in the terminal summary


class ContractFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"


class TemplateFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def validate(
    export_dir: Path = typer.Argument(..., metavar="EXPORT_DIR", help="folder of one period's export files"),
    audit_period: Optional[Period] = period_option("the audit month (2026-10 or previous): flags rows "
                                                   "outside it and days without data"),
    mapping: list[Path] = export_options.mapping_option(),
    contracts: Optional[Path] = export_options.contracts_option(),
    tz: list[str] = export_options.tz_option(),
    in_house: list[str] = export_options.in_house_option(),
    as_json: bool = typer.Option(False, "--json", help="print the full report as JSON"),
    quarantine_dir: Optional[Path] = typer.Option(None, "--quarantine-dir", metavar="DIR",
                                                  help="write quarantined rows here, one CSV per table"),
) -> None:
    """Check a folder of exports: files, rows read/used/quarantined, every problem by rule.

    The exit code is the audit's verdict on the same data: 1 when the audit would stop (a
    contracted site sent no contacts, with --period and --contracts; or more than
    max_quarantined_percent of vendoraudit.toml, default 2%, of a table's rows quarantined for
    errors), else 0, with bad rows quarantined and listed.

    Example: vendoraudit validate sample_exports/2026-10 --period 2026-10 --contracts contracts
    """
    from ..audit import blocking_problems
    from ..config import load_settings
    from ..report_json import JsonKind, document_text
    from ..results import SiteDirectory
    from ..validate import load_exports, write_quarantine

    with guard():
        contract_set, inputs = export_options.resolve(contracts, audit_period, mapping, tz, in_house)
        # Only the contracts say which sites are audited (--tz and --in-house name sites, not contracts).
        result = load_exports(export_dir, inputs.mappings, audit_period, inputs.sites, require_files=True,
                              site_check=contract_set is not None)
        # The audit's own rule and threshold, so validate answers "would the audit stop?" as audit does:
        # the contracted sites in force in the period (none without both), the settings' threshold.
        contracted = contract_set.site_directory(audit_period) if contract_set is not None and audit_period \
            else SiteDirectory(())
        blocking = blocking_problems(result, contracted, audit_period,  # type: ignore[arg-type] - no sites w/o it
                                     load_settings().max_quarantined_percent)
        written = write_quarantine(result, quarantine_dir) if quarantine_dir else []
        if as_json:
            typer.echo(document_text(JsonKind.VALIDATE, {**result.to_dict(), "blocking": blocking}), nl=False)
        else:
            typer.echo(summary_text(result, written, blocking))
    raise typer.Exit(int(ExitCode.DATA_ERRORS if blocking else ExitCode.OK))


def summary_text(r: ValidatedExports, written: list[Path], blocking: list[str] | None = None) -> str:
    """The terminal summary: files with row accounting, issues grouped by rule, what blocks the audit."""
    lines = [f"export set: {r.export_dir}" + (f" (period {r.period})" if r.period else "")]
    total = r.to_dict()["summary"]
    balance = "every row accounted for" if total["balanced"] else "ROW ACCOUNTING DOES NOT ADD UP"
    lines.append(f"files: {total['files']}; rows read {total['rows_read']}, used {total['rows_used']}, "
                 f"quarantined {total['rows_quarantined']} ({balance})")
    width = max((len(f.path) for f in r.files), default=0)
    for f in r.files:
        extra = f", {f.rows_excluded} excluded by mapping" if f.rows_excluded else ""
        extra += f", {f.rows_other_period} of other months" if f.rows_other_period else ""
        extra += f", {f.rows_clock_adjusted} within clock tolerance" if f.rows_clock_adjusted else ""
        via = f" via {f.mapping}" if f.mapping else ""
        lines.append(f"  {f.path:<{width}}  {f.table:<14} {f.format:<7} read {f.rows_read:>7}  used {f.rows_used:>7}"
                     f"  quarantined {f.rows_quarantined:>6}{extra}{via}")
    groups: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in r.issues:
        groups[(str(issue.severity), issue.rule)].append(issue)
    lines.append(f"issues: {r.error_count} error(s), {r.warning_count} warning(s)")
    for (severity, rule), found in sorted(groups.items()):
        same = len({i.message for i in found}) == 1
        lines.append(f"  {severity} {rule} ({len(found)})" + (f": {found[0].message}" if same else ""))
        for issue in found[:_SHOWN]:
            value = f" = {issue.value}" if issue.value is not None else ""
            said = f"  ({issue.message})" if not same or issue.row is None else ""
            lines.append(f"    {issue.location}{value}{said}")
        if len(found) > _SHOWN:
            lines.append(f"    ... and {len(found) - _SHOWN} more (--json lists all)")
    for path in written:
        lines.append(f"quarantine written: {path}")
    blocking = blocking or []
    for problem in blocking:
        lines.append(f"blocking: {problem}")
    if blocking:
        lines.append("result: data errors (exit 1): blocking, the audit would stop on them")
    elif r.has_errors:
        lines.append(f"result: {r.error_count} data error(s), their rows quarantined; not enough to stop "
                     "the audit (exit 0)")
    else:
        lines.append("result: " + ("warnings only (exit 0)" if r.warning_count else "clean (exit 0)"))
    # Values and file names come from the exports: no control characters reach the terminal.
    return "\n".join(printable(line) for line in lines)


def schema(
    table: Optional[str] = typer.Argument(None, metavar="TABLE", help="one table (default: all six)"),
    format: ContractFormat = typer.Option(ContractFormat.MARKDOWN, "--format", help="markdown or json"),
) -> None:
    """Print the export contract: tables, columns, types, rules (what a site must send).

    Example: vendoraudit schema interactions --format json
    """
    from ..schemas import contract_json, contract_markdown
    from ..tables import TABLES

    if table is not None and table not in TABLES:
        raise typer.BadParameter(f"{table!r} is not a table; tables: {', '.join(TABLES)}", param_hint="TABLE")
    with guard():
        if format is ContractFormat.JSON:
            typer.echo(json.dumps(contract_json(table), indent=2))
        else:
            typer.echo(contract_markdown(table), nl=False)


def template(
    out_dir: Path = typer.Argument(..., metavar="OUT_DIR", help="folder to write the empty files into"),
    format: TemplateFormat = typer.Option(TemplateFormat.CSV, "--format", help="csv or xlsx"),
) -> None:
    """Write one empty export file per table with the right header row, for a site to fill in.

    Example: vendoraudit template templates/ --format xlsx
    """
    from ..exports import FileFormat, write_templates

    with guard():
        for path in write_templates(out_dir, FileFormat(format.value)):
            typer.echo(f"written: {path}")


def register(app: typer.Typer) -> None:
    """Add `validate`, `schema` and `template` to `app`."""
    app.command("validate", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.DATA_ERRORS, ExitCode.USAGE,
                                                     ExitCode.CONFIG, ExitCode.RUNTIME]))(validate)
    app.command("schema", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.USAGE]))(schema)
    app.command("template", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.USAGE, ExitCode.RUNTIME]))(template)
