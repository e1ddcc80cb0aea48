"""`vendoraudit forecast`: mid-month, which KPIs are heading for a miss and how much money is at risk."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..periods import Period
from .common import guard
from .conventions import period_option

if TYPE_CHECKING:
    from ..forecast import ForecastResult

_SHOWN = 15  # KPIs in the terminal table


def register(app: typer.Typer) -> None:
    """Add the `forecast` command to `app`."""
    app.command(name="forecast")(forecast)


def forecast(
    export_dir: Path = typer.Argument(..., metavar="EXPORT_DIR", help="folder of the month's exports so far"),
    month: Period = period_option("the month: 2026-10 or previous", required=True),
    as_of: str = typer.Option(..., "--as-of", metavar="DAY", help="the last day of data, YYYY-MM-DD, inside the month"),
    contracts: Path = typer.Option(..., "--contracts", metavar="DIR", help="contracts folder"),
    mapping: list[Path] = typer.Option([], "--mapping", metavar="FILE", help="column mapping YAML (repeatable)"),
    as_json: bool = typer.Option(False, "--json", help="print the forecast as JSON"),
) -> None:
    """Project each KPI's month-end value from the month so far, and the money at risk.

    Per vendor and KPI: the value so far, the projected month-end value with a 95% interval and
    p_miss, the chance of ending worse than the minimum; per vendor the expected credits and bonus
    and the 95% range of the net adjustment. Methods: proportions take the days so far as the prior
    with the remaining volume from the same weekdays; means the observed mean with its uncertainty;
    counts the pace so far. The terminal table lists the KPIs most likely to miss first.

    Exit codes: 0 done, 2 usage (--as-of not a day of --period), 3 contract errors, 4 unreadable exports.

    Example: vendoraudit forecast exports/2026-11 --period 2026-11 --as-of 2026-11-15 --contracts contracts
    """
    from ..forecast import check_as_of

    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date written YYYY-MM-DD", param_hint="--as-of") from None
    try:
        check_as_of(month, day)
    except ValueError as exc:
        raise typer.BadParameter(str(exc).removeprefix("--as-of "), param_hint="--as-of") from None
    with guard():
        from ..contract.loader import load_contracts
        from ..forecast import run_forecast

        from ..export_inputs import export_inputs

        contract_set = load_contracts(contracts)
        # The mappings given, and those attached beside the contracts to the month's sites.
        mappings = export_inputs(contract_set, contracts, month, mapping).mappings
        result = run_forecast(export_dir, month, day, contract_set, mappings)
        if as_json:
            from ..report_json import JsonKind, document_text

            typer.echo(document_text(JsonKind.FORECAST, result), nl=False)
        else:
            typer.echo(render_text(result))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def render_text(result: ForecastResult) -> str:
    """The KPIs most likely to miss first, then each vendor's money at risk."""
    rows = [(v, k) for v in result.vendors for k in v.kpis if k.p_miss is not None]
    rows.sort(key=lambda vk: (-vk[1].p_miss, vk[0].vendor_id, vk[1].kpi_id))
    lines = [f"Forecast of {result.period} as of {result.as_of.isoformat()} "
             f"(day {result.days_elapsed} of {result.days_in_month})", "",
             f"{'vendor':<12} {'KPI':<22} {'so far':>9} {'projected':>9} {'95% interval':>19} {'minimum':>8} "
             f"{'p_miss':>7}"]
    for v, k in rows[:_SHOWN]:
        interval = f"[{_num(k.interval.low)}, {_num(k.interval.high)}]" if k.interval else "-"
        lines.append(f"{v.vendor_id:<12} {k.kpi_id[:22]:<22} {_num(k.so_far):>9} {_num(k.projected):>9} "
                     f"{interval:>19} {_num(k.minimum):>8} {k.p_miss:>7.1%}")
    if len(rows) > _SHOWN:
        lines.append(f"... {len(rows) - _SHOWN} more KPIs less likely to miss (--json lists them all)")
    lines += ["", "Money at risk (credits negative, from the vendor's side):"]
    for v in result.vendors:
        if v.net_adjustment is None:
            continue
        n = v.net_adjustment
        lines.append(f"  {v.vendor_id:<12} expected credits {v.expected_credit:,.2f} {v.currency}, bonus "
                     f"{v.expected_bonus:,.2f}; net adjustment {n.expected:,.2f} (95% range {n.low:,.2f} .. {n.high:,.2f})")
    lines += ["", "Methods:", *(f"  {text}" for text in result.methods.values()),
              *(f"Note: {note}" for note in result.notes)]
    return "\n".join(lines)
