"""`vendoraudit kpis`: every metric of a month's exports per site, vendor, channel or queue, no contract.

Onboarding completion looks back 90 days: when EXPORT_DIR is one period's folder among sibling
period folders (sample_exports/2026-10 beside 2026-08 and 2026-09), the training files of the
earlier months are read too (`audit.with_earlier_training`), so onboarding done before this month counts.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..periods import Period
from . import export_options
from .common import guard
from .conventions import exit_codes_epilog, period_option
from .exit_codes import ExitCode

if TYPE_CHECKING:

    from ..contract.loader import ContractSet
    from ..kpis import PeriodData
    from ..results import MetricResult

_PARITY_SHOWN = 6  # significant channel-parity gaps listed per vendor in the text view


class By(StrEnum):
    SITE = "site"
    VENDOR = "vendor"
    CHANNEL = "channel"
    QUEUE = "queue"
    AGENT = "agent"
    DAY = "day"
    INTERVAL = "interval"


# Breakdowns within each vendor (channel, queue) or within each site (agent, day, half-hour: agent ids
# are per site, and days and half-hours are the site's local time).
_WITHIN_VENDOR = (By.CHANNEL, By.QUEUE)
_WITHIN_SITE = (By.AGENT, By.DAY, By.INTERVAL)


def kpis(
    export_dir: Path = typer.Argument(..., metavar="EXPORT_DIR", help="folder of one period's export files"),
    audit_period: Period = period_option("the audit month: 2026-10 or previous", required=True),
    by: By = typer.Option(By.SITE, "--by", help="rows per site, vendor, channel / queue within each vendor, or "
                          "agent / day / interval (site-local half-hour) within each site"),
    contracts: Optional[Path] = export_options.contracts_option(),
    in_house: list[str] = export_options.in_house_option(),
    tz: list[str] = export_options.tz_option(),
    mapping: list[Path] = export_options.mapping_option(),
    metric: list[str] = typer.Option([], "--metric", metavar="METRIC",
                                     help="only this metric id; repeat for several"),
    as_json: bool = typer.Option(False, "--json", help="print every result as JSON"),
) -> None:
    """Compute every metric for a month's exports, without any contract terms.

    Prints value, 95% interval and n per metric and per site (or vendor, channel, queue,
    agent, day or half-hour interval), marks in-house baseline rows with *, then brand-promise
    gaps of each outsourced vendor against the in-house sites. Sites without a contract or --tz
    are read in UTC. Agent, day and interval rows are within each site, in its local time; they
    add up to the site's numerator and denominator.

    Example: vendoraudit kpis sample_exports/2026-10 --period 2026-10 --contracts contracts
    """
    with guard():
        report = build_report(export_dir, audit_period, by, contracts, in_house, tz, metric, mapping)
        if as_json:
            from ..report_json import JsonKind, document_text

            typer.echo(document_text(JsonKind.KPIS, report), nl=False)
        else:
            typer.echo(render_text(report))


def build_report(export_dir: Path, period: Period, by: By, contracts: Path | None, in_house: list[str],
                 tz: list[str], metric_ids: list[str], mappings: list[Path] | None = None) -> dict[str, Any]:
    """The whole `kpis` output as JSON-ready data (the text view renders this same structure)."""
    from ..kpis import METRICS, brand_consistency, breakdown, metric, period_data
    from ..kpis.slices import slice_metric
    from ..audit import with_earlier_training
    from ..report_json import to_jsonable
    from ..validate import load_exports

    contract_set, inputs = export_options.resolve(contracts, period, list(mappings or []), tz, in_house)
    sites = inputs.sites
    loaded = load_exports(export_dir, inputs.mappings, period, sites, require_files=True)
    if loaded.has_errors:
        print(f"vendoraudit: note: {loaded.error_count} data error(s): those rows are left out "
              f"(see `vendoraudit validate {export_dir}`)", file=sys.stderr)
    data = period_data(with_earlier_training(loaded.tables, export_dir, period, sites, inputs.mappings), period,
                       sites)
    chosen = [metric(m).id for m in metric_ids] if metric_ids else list(METRICS)
    groups = _groups(data, by)
    baseline = set(data.sites.in_house_sites)
    out_metrics = []
    for mid in chosen:
        definition = METRICS[mid]
        variants = ([{"criterion": c} for c in _criteria(data)] if mid == "qa.criterion_score" else [{}])
        for params in variants:
            rows = []
            for label, members in groups:
                if by in _WITHIN_VENDOR:
                    pairs = breakdown(mid, data, by.value, site_ids=members, params=params)  # type: ignore[arg-type]
                    keys = [(f"{label} {k}", r) for k, r in pairs]
                elif by in _WITHIN_SITE:
                    keys = [(f"{label} {k}", r) for k, r in slice_metric(mid, data, members, by.value, params)]
                else:
                    keys = [(label, breakdown_one(mid, data, members, params))]
                for key, result in keys:
                    rows.append({"key": key, "sites": members,
                                 "in_house": bool(members) and set(members) <= baseline,
                                 "result": to_jsonable(result)})
            out_metrics.append({"metric_id": mid, "title": definition.title, "unit": definition.unit.value,
                                "direction": definition.direction.value, "params": params, "rows": rows})
    brand = []
    if baseline:
        for vendor_id, vendor_sites in _groups(data, By.VENDOR):
            if set(vendor_sites) & baseline:
                continue
            criteria, floors = _brand_criteria(contract_set, vendor_id, period, data)
            result = brand_consistency(data, vendor_sites, sorted(baseline), criteria, floors)
            brand.append({"vendor_id": vendor_id, "result": to_jsonable(result)})
    return {"period": str(period), "export_dir": str(export_dir), "by": by.value,
            "in_house_sites": sorted(baseline), "data_errors": loaded.error_count,
            "metrics": out_metrics, "brand_consistency": brand}


def breakdown_one(mid: str, data: PeriodData, members: list[str], params: dict[str, object]) -> MetricResult:
    """One metric over a group of sites."""
    from ..kpis import compute_metric

    return compute_metric(mid, data, members, params)


def _groups(data: PeriodData, by: By) -> list[tuple[str, list[str]]]:
    """(label, site ids) per site, or per vendor (also for channel/queue rows, which are within a vendor)."""
    if by is By.SITE or by in _WITHIN_SITE:
        return [(s, [s]) for s in data.site_ids]
    vendors: dict[str, list[str]] = {}
    for s in data.site_ids:
        site = data.sites.get(s)
        vendors.setdefault(site.vendor_id if site else s, []).append(s)
    return sorted(vendors.items())


def _criteria(data: PeriodData) -> list[str]:
    return sorted(v for v in data.qa_items.get_column("criterion_id").unique().to_list() if v is not None)


def _brand_criteria(contract_set: ContractSet | None, vendor_id: str, period: Period,
                    data: PeriodData) -> tuple[list[str], dict[str, float]]:
    """Brand-promise criteria and floors from the vendor's QA form; without a contract, every criterion."""
    if contract_set is None:
        return _criteria(data), {}
    try:
        form = contract_set.terms_for(vendor_id, period).qa_form
    except Exception:  # noqa: BLE001 - a site with no contract in force: compare every criterion
        return _criteria(data), {}
    brand = [c for c in form.criteria if c.brand_promise]
    return [c.id for c in brand], {c.id: float(c.floor) for c in brand if c.floor is not None}


# ------------------------------------------------------------------------------------------ text view

_SPARSE = {b.value for b in (*_WITHIN_VENDOR, *_WITHIN_SITE)}  # rows with nothing in them are left out

def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def render_text(report: dict[str, Any]) -> str:
    """A readable table per metric (value, 95% interval, n per key), then brand-promise gaps."""
    lines = [f"KPIs for {report['period']} from {report['export_dir']} (by {report['by']}; "
             f"* = in-house baseline: {', '.join(report['in_house_sites']) or 'none given'})", ""]
    for m in report["metrics"]:
        extra = "".join(f" {k}={v}" for k, v in m["params"].items())
        lines.append(f"{m['metric_id']}{extra}  {m['title']} ({m['unit']}, {m['direction']} is better)")
        if not m["rows"] and report["by"] in _SPARSE:
            lines.append(f"  (no breakdown by {report['by']} for this metric)")
        width = max([len(r["key"]) for r in m["rows"]] + [4]) + 2
        for r in m["rows"]:
            res = r["result"]
            if report["by"] in _SPARSE and res["value"] is None and res["n"] == 0:
                continue  # a channel the metric does not cover (service level on email, say)
            mark = "*" if r["in_house"] else " "
            iv = res["interval"]
            interval = f"[{_num(iv['low'])}, {_num(iv['high'])}]" if iv else ""
            detail = res["note"] or ""
            if res["variant"] != "default":
                detail = f"variant {res['variant']}" + (f"; {detail}" if detail else "")
            lines.append(f"  {mark}{r['key']:<{width}} {_num(res['value']):>10} {interval:<22} "
                         f"n={res['n']:<7} {detail}".rstrip())
        lines.append("")
    for b in report["brand_consistency"]:
        res = b["result"]
        lines.append(f"Brand promise: {b['vendor_id']} ({', '.join(res['vendor_sites'])}) vs in-house "
                     f"({', '.join(res['baseline_sites'])}): consistency points "
                     f"{res['points'] if res['points'] is not None else '-'} (LDS {_num(res['lds'], 3)})")
        lines.append(f"  {'criterion / metric':<22} {'vendor':>8} {'in-house':>9} {'gap':>8} {'p-value':>9}")
        for g in res["gaps"]:
            label = g["criterion"] or g["metric_id"]
            p = "-" if g["p_value"] is None else f"{g['p_value']:.4f}"
            flag = "  significant" if g["significant"] else ""
            test = f"  {g['test']} n={g['n_vendor']}/{g['n_baseline']} {g['unit']}s" if g["test"] else ""
            lines.append(f"  {label:<22} {_num(g['vendor']['value']):>8} {_num(g['baseline']['value']):>9} "
                         f"{_num(g['gap']):>8} {p:>9}{flag}{test}")
        gaps = sorted((g for g in res["parity"] if g["significant"]), key=lambda g: -abs(g["gap"]))
        if gaps:
            shown = ", ".join(f"{g['criterion'] or g['metric_id']} on {g['channel']} ({_num(g['gap'])})"
                              for g in gaps[:_PARITY_SHOWN])
            more = f" and {len(gaps) - _PARITY_SHOWN} more (--json)" if len(gaps) > _PARITY_SHOWN else ""
            lines.append(f"  significant channel gaps, largest first: {shown}{more}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def register(app: typer.Typer) -> None:
    """Add the `kpis` command to `app`."""
    app.command("kpis", epilog=exit_codes_epilog([ExitCode.OK, ExitCode.USAGE, ExitCode.CONFIG,
                                                 ExitCode.RUNTIME]))(kpis)
