"""`vendoraudit mapping preview`: a mapping applied to one file, as canonical columns with counts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from . import export_options
from .common import guard, printable

if TYPE_CHECKING:
    from ..mapping_preview import MappingPreview

mapping_app = typer.Typer(help="Write and check column mappings for a new source.", no_args_is_help=True)


@mapping_app.command("preview")
def preview(
    file: Path = typer.Argument(..., help="one export file of the source"),
    mapping: Path = typer.Option(..., "--mapping", help="the mapping (YAML) to try on it"),
    rows: int = typer.Option(20, "--rows", min=0, help="how many first rows to show"),
    tz: list[str] = export_options.tz_option(),
    contracts: Optional[Path] = export_options.contracts_option(),
    as_json: bool = typer.Option(False, "--json", help="print the preview as JSON"),
) -> None:
    """Show the first rows of FILE as canonical columns, and for every column how many values
    were read, were empty or failed, with examples (personal columns masked).

    Exit codes: 0 shown (even with failing values), 3 bad mapping, 4 unreadable file.

    Example: vendoraudit mapping preview exports/2026-11/acd_calls.txt --mapping contracts/mappings/acd-log-interactions.yaml --rows 5
    """
    from ..mapping import load_mapping
    from ..mapping_preview import preview_mapping

    with guard():
        loaded = load_mapping(mapping)
        _, inputs = export_options.resolve(contracts, None, [], tz, [])
        result = preview_mapping(file, loaded, rows, {s.site_id: s.timezone for s in inputs.sites.sites})
        if as_json:
            from ..report_json import JsonKind, document_text

            typer.echo(document_text(JsonKind.MAPPING_PREVIEW, result.to_dict()), nl=False)
        else:
            typer.echo(render(result))


def render(p: MappingPreview) -> str:
    """The preview as text: the counts per column, then the first rows one column per line."""
    lines = [f"{p.file} as {p.table} via mapping {p.mapping}: {p.rows_read:,} row(s) read"]
    for reason, n in p.excluded:
        lines.append(f"  {n:,} row(s) set aside: {reason}")
    if p.clock_adjusted:
        lines.append(f"  {p.clock_adjusted:,} row(s) with times within the clock tolerance taken as equal")
    width = max(len(c.column) for c in p.columns)
    lines.append("")
    lines.append(f"{'column':<{width}}  {'read':>8} {'empty':>8} {'failed':>8}  rule")
    for c in p.columns:
        lines.append(f"{c.column:<{width}}  {c.parsed:>8,} {c.empty:>8,} {c.failed:>8,}  {c.rule}")
        if c.failed:
            lines.append(f"{'':<{width}}  failed: {', '.join(c.examples)} (expected {c.expects})")
    for k, row in enumerate(p.rows, 1):
        lines.append("")
        lines.append(f"row {k}:")
        for c, value in zip(p.columns, row):
            lines.append(f"  {c.column:<{width}}  {'' if value is None else value}")
    return "\n".join(printable(line) for line in lines)


def register(app: typer.Typer) -> None:
    """Add the `mapping` command group to `app`."""
    app.add_typer(mapping_app, name="mapping")
