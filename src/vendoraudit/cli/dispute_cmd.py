"""`vendoraudit dispute ...`: write a dispute template, check dispute files, list a period's status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError, OutputError
from ..periods import Period
from .common import guard
from .conventions import period_option

dispute_app = typer.Typer(
    name="dispute",
    help="Disputes of a period: write a template (new), check files (check), show where a period stands (list).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

ContractsOpt = Annotated[Optional[Path], typer.Option(metavar="DIR",
                                                      help="Folder of contract YAML files (default: settings).")]
DisputesOpt = Annotated[Optional[Path], typer.Option(metavar="DIR", help="Folder of dispute files (default ./disputes).")]
OutOpt = Annotated[Optional[Path], typer.Option(metavar="DIR",
                                                help="Output folder holding history.sqlite (default: settings).")]
ConfigOpt = Annotated[Optional[Path], typer.Option(metavar="FILE", help="Settings file (default ./vendoraudit.toml).")]


def _settings(config: Path | None, **overrides: object):  # noqa: ANN202 - AuditSettings, imported late
    from ..config import load_settings

    return load_settings(config, **overrides)


def _history(settings):  # noqa: ANN001, ANN202 - AuditSettings -> History | None
    from ..history import History

    return History(settings.history_path) if settings.history_path.is_file() else None


@dispute_app.command("new")
def new(
    vendor: Annotated[str, typer.Option(help="Vendor id, e.g. ACME.")],
    kpi: Annotated[str, typer.Option(help="KPI id in the vendor's contract, e.g. service_level.")],
    period: Annotated[Period, period_option("The disputed month: 2026-10 or previous.", annotated=True)],
    disputes: DisputesOpt = None,
    contracts: ContractsOpt = None,
    out: OutOpt = None,
    config: ConfigOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Write it even though the period is final.")] = False,
) -> None:
    """Write a dispute template for a vendor's KPI: DISPUTES/YYYY-MM/VENDOR.yaml (appended when it exists).

    Fill in the claim, evidence and remedy; the client adds the decision. A final period is refused
    (its changes go through `audit --force`, which records them) unless --force.

    Example: vendoraudit dispute new --vendor ACME --kpi service_level --period 2026-10
    """
    from ..contract.loader import load_contracts
    from ..disputes.template import new_dispute

    with guard():
        settings = _settings(config, contracts=contracts, out=out, disputes=disputes)
        p = period
        history = _history(settings)
        if history is not None:
            with history:
                if history.is_finalised(p) and not force:
                    latest = history.latest_issue(p)
                    raise OutputError(f"period {p} is final{f' (v{latest.version})' if latest else ''}: a dispute "
                                      "can no longer change it; a change needs `vendoraudit audit --force`, which "
                                      "records it (pass --force here to write the template anyway)")
        schema = Path(settings.contracts) / "dispute.schema.json"
        path, dispute_id = new_dispute(settings.disputes, vendor, kpi, p, load_contracts(settings.contracts),
                                       schema if schema.is_file() else None)
        typer.echo(f"wrote dispute {dispute_id} ({vendor}, KPI {kpi}, {p}) to {path}; fill in its claim and remedy, "
                   f"then: vendoraudit dispute check {path}")


@dispute_app.command("check")
def check(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="[PATH]...",
                                                          help="dispute files or folders (default ./disputes)")] = None,
    contracts: ContractsOpt = None,
    exports: Annotated[Optional[Path], typer.Option(metavar="DIR", help="Also check the ids remedies name against these exports "
                                                         "(a folder of period folders, or one period's).")] = None,
    mapping: Annotated[Optional[list[Path]], typer.Option(metavar="FILE",
                                                          help="Column mapping YAML (repeatable).")] = None,
    out: OutOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Check dispute files: every problem as file:line:col: path: message (exit 3 if any).

    Checked: the structure, the vendor and KPI against the contracts in force, dates and half-hour
    intervals inside the period, complete decisions that grant no more than was asked; with
    --exports, that every contact, evaluation, criterion and queue a remedy names exists in that
    vendor's data of the period; with a results history (--out), that no dispute reaches into a
    final period.

    Example: vendoraudit dispute check disputes/ --exports exports
    """
    from ..contract.loader import load_contracts
    from ..disputes.loader import check_disputes
    from ..disputes.status import final_period_problems
    from ..problems import sorted_problems

    with guard():
        settings = _settings(config, contracts=contracts, out=out, exports=exports, mappings=tuple(mapping or ()))
        problems: list[str] = []
        try:
            contract_set = load_contracts(settings.contracts)
        except ConfigError as exc:  # still check the dispute files themselves, and report both
            contract_set = None
            problems += list(exc.problems) or [str(exc)]
        found, file_problems = check_disputes(paths or [settings.disputes], contract_set)
        problems += file_problems
        if exports is not None and contract_set is not None:
            problems += _data_problems(found, contract_set, settings)
        history = _history(settings)
        if history is not None:
            with history:
                problems += final_period_problems(found, history)
        if problems:
            problems = sorted_problems(problems)
            raise ConfigError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in dispute files",
                              tuple(problems))
        for f in found:
            counts: dict[str, int] = {}
            for d in f.file.disputes:
                key = str(d.decision.outcome).replace("_", " ") if d.decision else "open"
                counts[key] = counts.get(key, 0) + 1
            summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no disputes"
            typer.echo(f"ok: {f.doc.file} ({f.vendor_id} {f.period}: {summary})")


def _data_problems(found, contract_set, settings) -> list[str]:  # noqa: ANN001 - library types, imported late
    from ..audit import exports_dir_for
    from ..disputes.remedy import check_against_data
    from ..kpis.period import period_data
    from ..mapping.attached import mappings_for
    from ..validate import load_exports

    problems: list[str] = []
    for period in sorted({f.period for f in found}):
        sites = contract_set.site_directory(period)
        folder = exports_dir_for(settings.exports, period)
        # As the audit reads the month: the mappings given and those attached beside the contracts.
        validated = load_exports(folder, mappings_for(settings.mappings, settings.contracts,
                                                      [s.site_id for s in sites.sites]), period, sites)
        data = period_data(validated.tables, period, sites)
        for f in found.for_period(period):
            problems += [str(p) for p in check_against_data(f, data, sites.sites_of(f.vendor_id))]
    return problems


@dispute_app.command("list")
def list_(
    period: Annotated[Period, period_option("The month: 2026-10 or previous.", annotated=True)],
    disputes: DisputesOpt = None,
    contracts: ContractsOpt = None,
    out: OutOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Show where a period stands: its state and last version, and each dispute's decision.

    States: preliminary (audited, nothing open), disputed (a dispute awaits its decision), final.
    A dispute marked "not issued yet" was added or changed after the last version: the next audit
    run issues a new version with it.

    Example: vendoraudit dispute list --period 2026-10
    """
    from ..contract.loader import load_contracts
    from ..disputes.loader import DisputeSet, load_disputes
    from ..disputes.status import period_status

    with guard():
        settings = _settings(config, contracts=contracts, out=out, disputes=disputes)
        p = period
        found = load_disputes(settings.disputes, load_contracts(settings.contracts), p) \
            if settings.disputes.is_dir() else DisputeSet()
        history = _history(settings)
        if history is not None:
            with history:
                status = period_status(found, p, history)
        else:
            status = period_status(found, p, None)
        version = f"v{status.version}" if status.version else "no version issued"
        typer.echo(f"{p}: {status.state}; {version}; {len(status.disputes)} dispute(s), {status.open_count} open")
        for d in status.disputes:
            issued = f"issued in v{d.recorded_in}" if d.recorded_in else "not issued yet (run the audit)"
            typer.echo(f"  {d.vendor_id} {d.dispute_id}  KPI {d.kpi_id}  {d.status.replace('_', ' ')}  {issued}  "
                       f"({d.location})")
        for at, kind, detail in status.events:
            typer.echo(f"  {at} {kind}: {detail}")


@dispute_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of dispute files (the one shipped as contracts/dispute.schema.json).

    Example: vendoraudit dispute schema > contracts/dispute.schema.json
    """
    from ..disputes.schema import schema_text

    with guard():
        typer.echo(schema_text(), nl=False)


def register(app: typer.Typer) -> None:
    """Add the `dispute` command group to `app`."""
    app.add_typer(dispute_app, name="dispute")
