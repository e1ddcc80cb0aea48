"""`vendoraudit backtest`: what a draft contract would have paid over past months, beside what was charged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from .common import guard
from .conventions import period_option
from .export_options import mapping_option

if TYPE_CHECKING:
    from ..backtest import BacktestResult


def register(app: typer.Typer) -> None:
    """Add the `backtest` command to `app`."""
    app.command(name="backtest")(backtest)


def backtest(
    contract: Path = typer.Option(..., "--contract", metavar="FILE", help="the draft contract YAML to price"),
    exports: Path = typer.Option(..., "--exports", metavar="DIR", help="folder of period folders ROOT/YYYY-MM"),
    periods: str = period_option("the months: a range 2026-08..2026-10, one month 2026-10 or previous",
                                 months=True, required=True, flag="--periods"),
    contracts: Optional[Path] = typer.Option(None, "--contracts", metavar="DIR", help="contracts folder: the "
                                             "contract in force for months never audited, sites and the "
                                             "in-house baseline (default: the configured contracts folder, "
                                             "when it exists)"),
    history: Optional[Path] = typer.Option(None, "--history", metavar="FILE", help="results history (default: "
                                           "the configured audits folder's history.sqlite, when it exists)"),
    mapping: list[Path] = mapping_option(),
    disputes: Optional[Path] = typer.Option(None, "--disputes", metavar="DIR", help="folder of dispute files: "
                                            "remedies granted for a month apply under both contracts, as in "
                                            "the audit"),
    as_json: bool = typer.Option(False, "--json", help="print the backtest as JSON"),
    out: Optional[Path] = typer.Option(None, "--out", metavar="FILE",
                                       help="write the backtest workbook (.xlsx) here"),
) -> None:
    """Price a draft contract on past months, beside what was actually charged.

    Per month: the draft's vendor scored and priced under the draft, beside the month as audited
    (from the results history) or, for a month never audited, computed with the contract in force;
    per KPI the outcome, points and money under both; totals over the range. The draft is checked
    like any contract; a metric a month's exports cannot compute is said per month, never guessed.

    Exit codes: 0 done, 1 blocking data errors, 2 usage, 3 the draft or a contract is invalid, or the
    vendor has no history to compare with, 4 a month's export folder is missing or unreadable.

    Example: vendoraudit backtest --contract drafts/acme-2027.yaml --exports sample_exports
    --periods 2026-08..2026-10 --contracts contracts --out backtest.xlsx
    """
    from ..periods import parse_periods

    months = parse_periods(periods)  # already checked by the option's parser
    if out is not None and out.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"{out}: the workbook's name must end in .xlsx", param_hint="--out")
    with guard():
        result = _run(contract, exports, months, contracts, history, mapping, disputes)
        if out is not None:
            from ..backtest_workbook import write_workbook

            write_workbook(result, out)
        if as_json:
            from ..report_json import JsonKind, document_text

            typer.echo(document_text(JsonKind.BACKTEST, result), nl=False)
        else:
            typer.echo(render_text(result))
            if out is not None:
                typer.echo(f"workbook: {out}")


def _run(contract: Path, exports: Path, months, contracts: Path | None, history: Path | None,
         mapping: list[Path], disputes: Path | None) -> BacktestResult:
    from contextlib import nullcontext

    from ..backtest import run_backtest
    from ..config import load_settings
    from ..contract.loader import CONTRACT_SUFFIXES, load_contracts
    from ..disputes.loader import DisputeSet, load_disputes
    from ..errors import ConfigError, InputError
    from ..history import History

    draft = load_contracts([contract]).entries[0]  # checked like any contract: every problem at once
    settings = load_settings(None, mappings=tuple(mapping))  # --mapping, else vendoraudit.toml's
    if contracts is None and settings.contracts.is_dir():
        contracts = settings.contracts
    contract_set = None
    if contracts is not None:
        others = sorted(p for p in contracts.iterdir() if p.is_file() and p.suffix.lower() in CONTRACT_SUFFIXES
                        and p.resolve() != contract.resolve()) if contracts.is_dir() else []
        # A draft kept among the contracts beside its vendor's contract is the draft, not a second
        # contract of the vendor; alone there, it is the vendor's own contract (a backtest of it).
        if contracts.is_dir() and others and any(p.resolve() == contract.resolve() for p in contracts.iterdir()):
            remaining = load_contracts(others)
            if any(e.vendor_id == draft.vendor_id for e in remaining):
                contract_set = remaining
        if contract_set is None:
            contract_set = load_contracts(contracts)
    dispute_set = None
    if disputes is not None:
        if not disputes.is_dir():
            raise ConfigError(f"{disputes}: no such folder of dispute files")
        dispute_set = DisputeSet(tuple(f for p in months for f in load_disputes(disputes, contract_set, p)))
    if history is None:
        default = settings.history_path
        history = default if default.is_file() else None
    elif not history.is_file():
        raise InputError(f"{history}: no such results history")
    with History(history) if history is not None else nullcontext() as store:
        return run_backtest(draft, exports, months, contract_set, store, settings.mappings, disputes=dispute_set,
                            contracts_dir=contracts, max_quarantined_percent=settings.max_quarantined_percent)


def _money(amount) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def render_text(result: BacktestResult) -> str:
    """A short table per month, the totals, and what the months could not compute."""
    t = result.totals
    lines = [f"Backtest of {result.draft.contract_id} ({result.draft.path}) for {result.vendor_id}, "
             f"{len(result.periods)} month(s), {t.currency}",
             "",
             f"{'month':<8} {'draft net':>13} {'actual net':>13} {'difference':>12} {'composite':>15} "
             f"{'missed':>7}  actual from"]
    for m in result.periods:
        composite = f"{m.draft.composite or '-'} / {m.actual.composite or '-'}"
        lines.append(f"{str(m.period):<8} {_money(m.draft.net_adjustment):>13} {_money(m.actual.net_adjustment):>13} "
                     f"{_money(m.difference):>12} {composite:>15} {m.draft.missed():>3}/{m.actual.missed():<3}  "
                     f"{m.actual.source.value}{' ' + m.actual.contract_id if m.actual.contract_id else ''}")
    lines.append(f"{'total':<8} {_money(t.draft.net_adjustment):>13} {_money(t.actual.net_adjustment):>13} "
                 f"{_money(t.difference):>12}")
    changed = [k for k in t.kpis if (k.draft_missed, k.draft_credits, k.draft_bonus)
               != (k.actual_missed, k.actual_credits, k.actual_bonus)]
    if changed:
        lines += ["", "KPIs that move differently under the draft (months missed, credits, bonus: draft vs actual):"]
        for k in changed:
            lines.append(f"  {k.kpi_id}: missed {k.draft_missed} vs {k.actual_missed}; credits "
                         f"{_money(k.draft_credits)} vs {_money(k.actual_credits)}; bonus {_money(k.draft_bonus)} "
                         f"vs {_money(k.actual_bonus)}")
    notes = [f"  {m.period}: {n}" for m in result.periods for n in m.notes]
    if notes:
        lines += ["", "Not computable (no value, no money):", *notes]
    return "\n".join(lines)
