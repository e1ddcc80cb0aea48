"""`vendoraudit verify FILE.pdf`: re-check a scorecard from what it carries; exit 0 or 1."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import printable
from .conventions import exit_codes_epilog
from .exit_codes import ExitCode


def register(app: typer.Typer) -> None:
    """Add the `verify` command to `app`."""
    app.command(name="verify", epilog=exit_codes_epilog(
        [ExitCode.OK, ExitCode.DATA_ERRORS, ExitCode.USAGE], {ExitCode.OK: "every check holds",
                                                            ExitCode.DATA_ERRORS: "a check failed (named)"}))(verify)


def verify(
    files: Annotated[list[Path], typer.Argument(metavar="FILE.pdf...", help="scorecard PDFs to verify")],
    manifest: Annotated[Optional[Path], typer.Option(metavar="FILE", help="The audit's manifest.json, when it is not "
                                                                      "beside the file.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the checks as JSON on stdout.")] = False,
) -> None:
    """Verify scorecards: the attached results and contract reproduce every outcome and money line.

    The KPI results attached to the PDF are scored and priced again against the attached contract
    with vendoraudit's own scoring and money code, to the cent; the file's SHA-256 must match the
    manifest.json of its folder (or --manifest) when there is one; the cover must show the attached version,
    state, composite and net adjustment. Prints the version and state. Exit 0 when everything
    holds, 1 naming what does not.

    Example: vendoraudit verify out/2026-10/scorecard-2026-10-ACME-v2.pdf
    """
    from ..report_json import JsonKind, document_text, to_jsonable
    from ..verify import verify_scorecard

    results = [verify_scorecard(f, manifest) for f in files]
    if json_out:
        typer.echo(document_text(JsonKind.VERIFICATION,
                                 {"result": [to_jsonable(r) | {"ok": r.ok} for r in results]}), nl=False)
    else:
        for r in results:
            what = (f"{r.vendor_id}, {r.period}, version {r.version} ({r.state})" if r.version is not None
                    else "not a vendoraudit scorecard that can be read")
            typer.echo(f"{printable(r.path)}: {printable(what)}")
            for c in r.checks:
                typer.echo(f"  {'ok' if c.ok else 'FAILED':6}  {c.name}{': ' + printable(c.detail) if c.detail else ''}")
            if r.ok and r.integrity_checked:
                typer.echo("  verified: every check holds")
            elif r.ok:
                typer.echo("  verified: every check holds, but without a manifest the file's own bytes were not "
                           "checked (give --manifest)")
            else:
                names = ", ".join(dict.fromkeys(c.name for c in r.failures)) or "nothing could be checked"
                typer.echo(f"  NOT verified: {len(r.failures)} check(s) failed ({names})")
    raise typer.Exit(0 if all(r.ok for r in results) else 1)
