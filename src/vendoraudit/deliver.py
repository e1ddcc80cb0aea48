"""Delivering an audit: write every output of a period, publish it, then record it in the history.

Outputs go to `OUT/YYYY-MM/`: the JSON results, the finance workbook, one PDF scorecard per vendor
and a portfolio PDF, the evidence workbooks (and CSVs) of missed and at-risk KPIs, the validation
report, quarantine files and a manifest of SHA-256 hashes.
They are staged in a hidden folder and swapped into place only when all are written, so a failed
or killed run leaves the published folder as it was (see `publish`). Nothing here reads the wall
clock into an output: the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .audit_result import AuditResult
from .errors import OutputError
from .evidence.build import EvidenceBook
from .history import History
from .periods import Period
from .publish import publish, staging_dir, write_bytes
from .report_json import JsonKind, document_text, dumps, json_document
from .validate import ValidatedExports, write_quarantine

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Delivery:
    """Where a period's outputs were published."""

    folder: Path
    files: tuple[Path, ...]


def deliver(result: AuditResult, validated: ValidatedExports, out_dir: Path, history: History,
            paper: str = "A4", finalise: bool = False, force: bool = False,
            progress: Progress | None = None, evidence: Sequence[EvidenceBook] = ()) -> Delivery:
    """Write and publish one audited period, then record it; OutputError when it cannot or may not.

    `evidence`: the vendors' evidence books (`evidence.build_evidence`), written beside the
    scorecards; `result` should carry their index (`evidence.attach_evidence`) so that each
    scorecard names its file."""
    step = progress or (lambda _message: None)
    _check_evidence(result, evidence)
    period = result.period
    reopen = check_replaceable(history, period, force)
    stage = staging_dir(out_dir, str(period))
    try:
        name = f"vendoraudit-{period}"

        step("writing JSON results")
        write_bytes(stage / f"{name}.json", dumps(result, JsonKind.AUDIT).encode())
        write_bytes(stage / f"validation-{period}.json",
                    # Delivered only when nothing blocks the audit: `blocking` is empty.
                    document_text(JsonKind.VALIDATE, {**validated.to_dict(), "blocking": []}).encode())
        write_quarantine(validated, stage / "quarantine")

        step("writing the finance workbook")
        from .render_excel import write_workbook  # openpyxl only when writing

        write_workbook(result, stage / f"{name}.xlsx")

        step("rendering PDF scorecards")
        from .render_pdf import write_pdfs  # weasyprint is slow to import: only when rendering

        write_pdfs(result, stage, paper=paper, contracts=_contract_bytes(result))

        _carry_earlier_versions(out_dir / str(period), stage, result.issue.version)

        if evidence:
            step("writing the evidence of missed and at-risk KPIs")
            from .render_evidence import write_evidence  # openpyxl only when writing

            write_evidence(evidence, stage)

        write_bytes(stage / "manifest.json", _manifest(result, stage).encode())
        folder = publish(stage, out_dir, str(period))
    except BaseException:
        # A failed run (full disk, say) takes its partial files with it; a killed one leaves them
        # for the next run's `recover`.
        shutil.rmtree(stage, ignore_errors=True)
        raise
    # Recorded only once the outputs are in place: a period is never finalised without them.
    step("recording the period in the results history")
    if reopen:
        history.reopen(period)
    history.record(period, [v.scorecard for v in result.vendors],
                   [v.settlement for v in result.vendors if v.settlement is not None])
    from .versions import issue_rows

    history.record_issue(period, issue_rows(result))
    if finalise:
        history.finalise(period)
    return Delivery(folder, tuple(sorted(p for p in folder.rglob("*") if p.is_file())))


def deliver_blocked(validated: ValidatedExports, period: Period, problems: tuple[str, ...], out_dir: Path,
                    history: History, force: bool = False) -> Delivery:
    """Publish what a blocked audit has: the validation report, the quarantine and `blocked.json`
    (the blocking problems, root causes first), so the cause can be read where the outputs go.

    Nothing is recorded in the history: no money was computed. A finalised period is left as it is.
    """
    check_replaceable(history, period, force)
    stage = staging_dir(out_dir, str(period))
    try:
        write_bytes(stage / f"validation-{period}.json",
                    document_text(JsonKind.VALIDATE, {**validated.to_dict(), "blocking": list(problems)}).encode())
        write_quarantine(validated, stage / "quarantine")
        write_bytes(stage / "blocked.json",
                    document_text(JsonKind.BLOCKED, {"period": str(period), "problems": list(problems)}).encode())
        folder = publish(stage, out_dir, str(period))
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return Delivery(folder, tuple(sorted(p for p in folder.rglob("*") if p.is_file())))


def _check_evidence(result: AuditResult, evidence: Sequence[EvidenceBook]) -> None:
    """ValueError when the result names an evidence workbook that is not among the books to write
    (a scorecard must never point at a file that is not there)."""
    written = {b.workbook for b in evidence}
    named = {v.evidence.workbook for v in result.vendors if v.evidence is not None}
    if named - written:
        raise ValueError(f"evidence named but not given: {', '.join(sorted(named - written))}")


def check_replaceable(history: History, period: Period, force: bool) -> bool:
    """OutputError when `period` is finalised and not forced; True when a forced re-run must reopen it."""
    if not history.is_finalised(period):
        return False
    if not force:
        raise OutputError(f"period {period} is finalised (invoices were issued from it); "
                          "pass --force to replace it")
    return True


def _carry_earlier_versions(published: Path, stage: Path, version: int) -> None:
    """Copy the published scorecards of earlier versions (v1 .. v{version-1}) into the new folder,
    unchanged, so each version a vendor received stays beside the one that replaced it."""
    if not published.is_dir():
        return
    for path in sorted(published.glob("scorecard-*-v*.pdf")):
        number = path.stem.rsplit("-v", 1)[-1]
        if number.isdigit() and int(number) < version and not (stage / path.name).exists():
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise OutputError(f"cannot read {path} to keep it beside the new version: {exc.strerror}") from exc
            write_bytes(stage / path.name, data)


def _contract_bytes(result: AuditResult) -> dict[str, bytes]:
    """Each vendor's contract file, to attach inside its PDF: exactly the bytes that priced it."""
    out: dict[str, bytes] = {}
    for vendor in result.vendors:
        path = vendor.contract.file or vendor.contract.path
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise OutputError(f"cannot read contract {path} to attach it: {exc.strerror}") from exc
        # The file is read again here: if it was edited during the run, the PDF would carry
        # terms other than those its figures come from.
        if hashlib.sha256(data).hexdigest() != vendor.contract.sha256:
            raise OutputError(f"contract {path} changed during the run; run the audit again")
        out[vendor.vendor_id] = data
    return out


def _manifest(result: AuditResult, stage: Path) -> str:
    """Every output with its SHA-256, and the inputs' fingerprint: what a reviewer checks."""
    files = {p.relative_to(stage).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(stage.rglob("*")) if p.is_file()}
    document = json_document(JsonKind.MANIFEST, {
        "period": str(result.period), "tool_version": result.tool_version,
        "inputs_fingerprint": result.inputs_fingerprint, "version": result.issue.version,
        "state": str(result.issue.state), "files": files})
    return json.dumps(document, indent=2) + "\n"
