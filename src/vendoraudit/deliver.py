"""Delivering an audit: write every output of a period, then publish it and record it in the
history together: both change or neither does.

Outputs go to `OUT/YYYY-MM/`: the JSON results, the finance workbook, one PDF scorecard per vendor
and a portfolio PDF, the evidence workbooks (and CSVs) of missed and at-risk KPIs, the validation
report, quarantine files and a manifest of SHA-256 hashes.
The order (docs/ARCHITECTURE.md, "Publishing"): stage every file; open the history's write
transaction and write the period's records and the manifest's SHA-256 into it; write a marker;
swap the staging folder into place (the old folder kept aside); commit; drop the old folder and
the marker. A failure before the commit rolls both back; a run killed anywhere is settled by the
next run from the marker and the history (`settle_publications`). Nothing here reads the wall
clock into an output: the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .audit_result import AuditResult
from .errors import OutputError
from .evidence.build import EvidenceBook
from .history import History
from .periods import Period
from .publish import (drop_retired, marker_path, markers, publish, retired_folders, staging_dir, swap_in, swap_out,
                      write_bytes, write_marker)
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
    settle_publications(out_dir, history)
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

        manifest = _manifest(result, stage).encode()
        write_bytes(stage / "manifest.json", manifest)

        step("recording the period in the results history and publishing its outputs")
        folder, retired = _publish_and_record(result, stage, out_dir, history, hashlib.sha256(manifest).hexdigest(),
                                              reopen, finalise)
    except BaseException:
        # A failed run (full disk, history locked) takes its partial files with it; a killed one
        # leaves them for the next run's `recover` and `settle_publications`.
        shutil.rmtree(stage, ignore_errors=True)
        raise
    drop_retired(retired)
    marker_path(out_dir, str(period)).unlink(missing_ok=True)
    return Delivery(folder, tuple(sorted(p for p in folder.rglob("*") if p.is_file())))


def _publish_and_record(result: AuditResult, stage: Path, out_dir: Path, history: History, manifest_sha256: str,
                        reopen: bool, finalise: bool) -> tuple[Path, Path | None]:
    """Swap the staged outputs in and commit the period's records as one step (see the module
    docstring); returns the published folder and the retired one (to drop once this returns)."""
    from .versions import issue_rows

    period, name = result.period, str(result.period)
    with history.holding(f"cannot record {period}") as commit:
        if reopen:
            history.reopen(period)
        history.record(period, [v.scorecard for v in result.vendors],
                       [v.settlement for v in result.vendors if v.settlement is not None])
        history.record_issue(period, issue_rows(result))
        if finalise:
            history.finalise(period)
        history.record_publication(period, manifest_sha256)
        marker = marker_path(out_dir, name)
        write_marker(marker, json.dumps({"period": name, "manifest_sha256": manifest_sha256}).encode())
        try:
            retired = swap_in(stage, out_dir, name)
        except BaseException:
            marker.unlink(missing_ok=True)
            raise
        try:
            commit()
        except BaseException:
            swap_out(out_dir, name, retired)  # the history keeps the old records: so do the outputs
            marker.unlink(missing_ok=True)
            raise
    return out_dir / name, retired


def settle_publications(out_dir: Path, history: History) -> None:
    """Finish or undo what a run killed while publishing left (its marker says which period and
    manifest): if the history committed that manifest, the new folder stays and the old one goes;
    otherwise the new folder goes and the old one comes back. Either way outputs and history agree."""
    for marker in markers(out_dir):
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            period, sha = Period.parse(data["period"]), str(data["manifest_sha256"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutputError(f"{marker}: unreadable publication marker ({exc}); remove it after checking "
                              f"{out_dir}") from None
        name = str(period)
        target = out_dir / name
        retired = retired_folders(out_dir, name)
        if history.published_manifest(period) == sha:
            for folder in retired:
                shutil.rmtree(folder, ignore_errors=True)
        else:
            if _manifest_sha256(target) == sha:
                swap_out(out_dir, name, retired[0] if retired else None)
            elif not target.exists() and retired:
                os.replace(retired[0], target)
            for folder in retired_folders(out_dir, name):
                shutil.rmtree(folder, ignore_errors=True)
        marker.unlink(missing_ok=True)


def _manifest_sha256(folder: Path) -> str | None:
    try:
        return hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    except OSError:
        return None


def deliver_blocked(validated: ValidatedExports, period: Period, problems: tuple[str, ...], out_dir: Path,
                    history: History, force: bool = False) -> Delivery:
    """Publish what a blocked audit has: the validation report, the quarantine and `blocked.json`
    (the blocking problems, root causes first), so the cause can be read where the outputs go.

    Nothing is recorded in the history: no money was computed. A finalised period is left as it is.
    When an earlier audit of the period is published (its manifest is recorded with the period's
    money), its outputs stay as they are, agreeing with the history, and this run's reports go to
    `OUT/YYYY-MM-blocked/` beside them.
    """
    settle_publications(out_dir, history)  # a killed run's half-done publication first, as `deliver` does
    check_replaceable(history, period, force)
    name = str(period) if history.published_manifest(period) is None else f"{period}-blocked"
    stage = staging_dir(out_dir, name)
    try:
        write_bytes(stage / f"validation-{period}.json",
                    document_text(JsonKind.VALIDATE, {**validated.to_dict(), "blocking": list(problems)}).encode())
        write_quarantine(validated, stage / "quarantine")
        write_bytes(stage / "blocked.json",
                    document_text(JsonKind.BLOCKED, {"period": str(period), "problems": list(problems)}).encode())
        folder = publish(stage, out_dir, name)
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


# The files of one version a vendor received: its scorecard and the evidence that scorecard names.
# Each name ends in its version (the last -vN), whatever the vendor and KPI ids hold.
_VERSIONED = re.compile(r"(?:scorecard-.+-v(\d+)\.pdf|evidence-.+-v(\d+)\.(?:xlsx|csv))")


def _carry_earlier_versions(published: Path, stage: Path, version: int) -> None:
    """Copy the published scorecards and evidence of earlier versions (v1 .. v{version-1}) into the new
    folder, unchanged, so each version a vendor received stays beside the one that replaced it."""
    if not published.is_dir():
        return
    for path in sorted(published.iterdir()):
        found = _VERSIONED.fullmatch(path.name)
        number = found and (found.group(1) or found.group(2))
        if number and int(number) < version and not (stage / path.name).exists():
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
