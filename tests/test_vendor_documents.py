"""A vendor's documents hold only that vendor's data: its scorecard PDF (text and metadata) and its
attachments name no other vendor, site or file; its data-quality share counts its rows only."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vendoraudit import render_pdf
from vendoraudit.data_quality import vendor_summaries
from vendoraudit.report_json import dumps
from vendoraudit.results import Site, SiteDirectory
from vendoraudit.validate import load_exports

REPO = Path(__file__).resolve().parents[1]
needs_poppler = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdfdetach", "pdfinfo")),
                                   reason="poppler-utils is not installed (scripts/system-deps.sh --test)")


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _foreign(result, vendor) -> list[str]:
    """Every other vendor's id, name, site ids and site names, and the files with none of `vendor`'s rows."""
    names = []
    for other in result.vendors:
        if other.vendor_id != vendor.vendor_id:
            names += [other.vendor_id, other.vendor_name]
            names += [s.site_id for s in other.sites] + [s.name for s in other.sites if s.name]
    own = {f.path for f in vendor.data_quality.files}
    return names + [f.path for f in result.data_quality.files if f.path not in own]


@pytest.fixture(scope="module")
def documents(sample_audit, tmp_path_factory) -> Path:
    contracts = {v.vendor_id: (REPO / v.contract.path).read_bytes() for v in sample_audit.vendors}
    out = tmp_path_factory.mktemp("docs")
    render_pdf.write_pdfs(sample_audit, out, contracts=contracts)
    return out


@needs_poppler
def test_no_scorecard_or_attachment_names_another_vendor(sample_audit, documents, tmp_path):
    assert len(sample_audit.vendors) == 4 and sample_audit.baseline_vendor_id is not None
    for vendor in sample_audit.vendors:
        pdf = documents / render_pdf.scorecard_name(sample_audit, vendor.vendor_id)
        foreign = _foreign(sample_audit, vendor)
        assert any(name.startswith("interactions_") for name in foreign)  # the test has something to find
        text = _flat(_run("pdftotext", "-enc", "UTF-8", str(pdf), "-"))
        meta = _run("pdfinfo", str(pdf)) + _run("pdfinfo", "-meta", str(pdf))
        folder = tmp_path / vendor.vendor_id
        folder.mkdir()
        subprocess.run(["pdfdetach", "-saveall", "-o", str(folder), str(pdf)], check=True, capture_output=True)
        attachments = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
        assert len(attachments) == 2  # the JSON and the contract
        assert vendor.vendor_name in text and vendor.sites[0].site_id in text  # its own are there
        for name in foreign:
            assert name not in text, (vendor.vendor_id, name)
            assert name not in meta, (vendor.vendor_id, name)
            for attachment, content in attachments.items():
                assert name not in content, (vendor.vendor_id, attachment, name)
                assert name not in attachment


@needs_poppler
def test_the_portfolio_keeps_everything_and_says_internal_on_every_page(sample_audit, documents):
    pdf = documents / f"portfolio-{sample_audit.period}.pdf"
    pages = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]
    assert pages and all("internal use only" in _flat(page) for page in pages)
    text = _flat(" ".join(pages))
    for f in sample_audit.data_quality.files:
        assert f.path in text
    for v in sample_audit.vendors:
        assert v.vendor_name in text


def test_a_vendors_share_counts_its_rows_and_adds_up_to_the_whole(sample_audit):
    whole = sample_audit.data_quality
    shares = [v.data_quality for v in sample_audit.vendors]
    assert sum(s.rows_read for s in shares) == whole.rows_read  # every sample row belongs to a vendor
    assert sum(s.rows_used for s in shares) == whole.rows_used
    acme = sample_audit.vendor("ACME").data_quality
    files = {f.path: f for f in acme.files}
    assert "interactions_BP-DAL.csv" not in files
    full = {f.path: f for f in whole.files}
    assert files["interactions_ACME-MNL.csv"].rows_read == full["interactions_ACME-MNL.csv"].rows_read
    assert 0 < files["roster.csv"].rows_read < full["roster.csv"].rows_read  # a shared file: its rows only
    for f in acme.files:
        assert f.is_balanced and f.sha256 == full[f.path].sha256


def test_scorecard_json_has_the_vendors_share_and_no_baseline_sites(sample_audit):
    document = json.loads(render_pdf.scorecard_json(sample_audit, "ACME"))["result"]
    assert "baseline_vendor_id" not in document and document["has_in_house_baseline"] is True
    assert "baseline_sites" not in document["vendor"]["consistency"]
    assert document["vendor"]["consistency"]["vendor_sites"] == ["ACME-MNL"]
    assert {f["path"] for f in document["data_quality"]["files"]} == {
        f.path for f in sample_audit.vendor("ACME").data_quality.files}
    whole = json.loads(dumps(sample_audit, "vendoraudit.audit"))
    assert whole["result"]["vendors"][1]["consistency"]["baseline_sites"] == ["NW-BOS"]  # internal keeps it


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, newline="")


def test_issues_are_attributed_by_row_then_by_a_single_vendor_file(tmp_path):
    sites = SiteDirectory((Site("A-1", "A", "UTC", False, "Alpha One"), Site("B-1", "B", "UTC", False),
                           Site("H-1", "H", "UTC", True)))
    _write(tmp_path, "roster.csv", "agent_id,site_id,role,hire_date,termination_date,fte\n"
                                   "a1,A-1,agent,2026-01-05,,1.0\n"
                                   "a2,A-1,agent,2026-01-05,,7\n"   # A's bad row
                                   "b1,B-1,agent,2026-01-05,,9\n"   # B's bad row
                                   "b2,B-1,agent,2026-01-05,,1.0\n"
                                   "z1,Z-9,agent,2026-01-05,,1.0\n")  # a site of no contract
    _write(tmp_path, "roster_B.csv", "agent_id,site_id,role,hire_date,termination_date,fte,extra\n"
                                     "b3,B-1,agent,2026-01-05,,1.0,x\n")  # a whole-file warning: B's alone
    validated = load_exports(tmp_path, sites=sites)
    shares = vendor_summaries(validated, sites, ["A", "B", "H"])
    a, b, h = shares["A"], shares["B"], shares["H"]
    assert [(f.path, f.rows_read, f.rows_used, f.rows_quarantined) for f in a.files] == [("roster.csv", 2, 1, 1)]
    assert {f.path: f.rows_read for f in b.files} == {"roster.csv": 2, "roster_B.csv": 1}
    assert h.files == () and h.issue_counts == () and h.rows_read == 0
    assert [(c.file, c.first_rows) for c in a.issue_counts if c.severity == "error"] == [("roster.csv", (2,))]
    assert all(3 not in c.first_rows for c in a.issue_counts)
    assert any(c.file == "roster_B.csv" for c in b.issue_counts)  # the file's own warning
    assert not any(c.file == "roster_B.csv" for c in a.issue_counts)
    whole = {f.path: f.rows_read for f in validated.files}
    assert whole["roster.csv"] == 5  # the row of no contract stays in the internal summary only
    assert a.error_count + b.error_count <= validated.error_count
