"""PDF scorecards (one per vendor) and the portfolio summary, from an `AuditResult` only.

jinja2 templates in `report_templates/` (autoescaped, undefined names are errors) are filled with
the display views of `pdf_views` and rendered by `pdf_engine` as PDF/A-3b with the JSON results and
the contract attached. Everything is a function of the result and the paper size: the documents'
dates come from the period, so the same audit gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import pdf_views as views
from . import dispute_views
from .audit_result import AuditResult, DataQuality, DisputeStatus, Issue, VendorAudit
from .errors import ConfigError, OutputError
from .money import format_money
from .periods import Period
from .report_json import JsonKind, dumps
from .workers import map_in_workers

if TYPE_CHECKING:
    from .pdf_engine import PdfAttachment

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "report_templates"
PAPERS = {"a4": "A4", "letter": "letter", "us letter": "letter", "us-letter": "letter"}
AUTHOR = "vendoraudit"


def paper_size(paper: str) -> str:
    """The CSS page size for `paper` (A4 or Letter, any case); ConfigError for anything else."""
    size = PAPERS.get(paper.strip().lower())
    if size is None:
        raise ConfigError(f"unknown paper size {paper!r} (known: A4, Letter)")
    return size


def environment(templates: Path | None = None) -> Environment:
    """The jinja2 environment: templates from `templates` (default report_templates/) only.

    One per folder and process, shared by every caller (so don't add to it), and each template is
    compiled once; jinja2 still reloads a template whose file changed.
    """
    return _environment(Path(templates or TEMPLATES_DIR).resolve())


@cache
def _environment(templates: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(templates)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@dataclass(frozen=True)
class ScorecardRecord:
    """The JSON a vendor's scorecard carries: that vendor's audit and its share of the inputs.

    Not the whole `AuditResult`: a scorecard goes to the vendor, and other vendors' fees, scores,
    money, sites and files are not theirs to read. `data_quality` holds only the files with this
    vendor's rows, counted over those rows, and their issues; the in-house baseline is there only
    as its aggregate figures inside the vendor's sections and consistency test (`has_in_house_baseline`
    says whether there was one). The portfolio carries the whole result.
    """

    period: Period
    tool_version: str
    inputs_fingerprint: str
    has_in_house_baseline: bool
    vendor: VendorAudit
    data_quality: DataQuality
    issue: Issue


def vendor_data_quality(result: AuditResult, vendor: VendorAudit) -> DataQuality:
    """What `vendor`'s documents show of the inputs: its own share (the whole set only for a result
    built without shares, which then holds this vendor alone)."""
    if vendor.data_quality is not None:
        return vendor.data_quality
    if all(v.vendor_id == vendor.vendor_id for v in result.vendors):
        return result.data_quality
    raise ConfigError(f"the {result.period} audit has no data-quality share for {vendor.vendor_id!r}; "
                      "a scorecard never shows another vendor's files")


def scorecard_json(result: AuditResult, vendor_id: str) -> str:
    """The JSON document attached to `vendor_id`'s scorecard (kind `vendoraudit.scorecard`)."""
    v = _vendor(result, vendor_id)
    # The period's open disputes counted for this vendor only: another vendor's are not its business.
    issue = replace(result.issue, open_disputes=sum(1 for d in v.disputes if d.status is DisputeStatus.OPEN))
    record = ScorecardRecord(result.period, result.tool_version, result.inputs_fingerprint,
                             result.baseline_vendor_id is not None and not v.in_house, v,
                             vendor_data_quality(result, v), issue)
    return dumps(record, JsonKind.SCORECARD, internal=False)


def _vendor(result: AuditResult, vendor_id: str) -> VendorAudit:
    found = next((v for v in result.vendors if v.vendor_id == vendor_id), None)
    if found is None:
        raise ConfigError(f"no vendor {vendor_id!r} in the {result.period} audit "
                          f"(known: {', '.join(v.vendor_id for v in result.vendors)})")
    return found


def _document(result: AuditResult, paper: str, title: str, subject: str, keywords: list[str],
              running_title: str, confidentiality: str) -> dict[str, object]:
    stamp = views.report_stamp(result.period).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"title": title, "subject": subject, "author": AUTHOR, "keywords": ", ".join(keywords),
            "created": stamp, "paper": paper_size(paper), "running_title": running_title,
            "period_label": views.period_label(result.period), "confidentiality": confidentiality,
            "tool_version": result.tool_version, "fingerprint": result.inputs_fingerprint}


def scorecard_html(result: AuditResult, vendor_id: str, paper: str = "A4", templates: Path | None = None) -> str:
    """The HTML of `vendor_id`'s scorecard (what `render_scorecard` prints)."""
    v = _vendor(result, vendor_id)
    titles = views.criterion_titles(v)
    period = views.period_label(result.period)
    doc = _document(result, paper, f"{v.vendor_name}: vendor scorecard, {period}",
                    f"Contract performance of {v.vendor_name} ({v.vendor_id}) for {result.period} under "
                    f"{v.contract.contract_id} version {v.contract.version}",
                    ["vendor scorecard", str(result.period), v.vendor_id, v.contract.contract_id],
                    "Vendor scorecard",
                    "Confidential: the in-house center's own record." if v.in_house else
                    f"Confidential: for {v.vendor_name} and the client's procurement only.")
    has_baseline = any(line.baseline is not None for s in v.sections for line in s.lines)
    dq = vendor_data_quality(result, v)
    return environment(templates).get_template("scorecard.html.j2").render(
        doc=doc, result=result, v=v, baseline=has_baseline,
        composite=views.composite_text(v), outcome_counts=views.outcome_counts(v),
        settlement=v.settlement, summary=views.settlement_summary(v),
        net=(format_money(v.settlement.net_adjustment, v.currency) if v.settlement else None),
        net_words=views.net_words(v.settlement) if v.settlement else "",
        kpi_rows=views.kpi_rows(v), attainment=views.attainment_chart(v), domains=views.domain_rows(v),
        sections=views.section_views(v),
        criteria_rows=views.gap_rows(v.consistency, titles, criteria=True),
        brand_chart=views.brand_chart(v, titles), parity=views.parity_charts(v),
        trend=views.trend_panels(v), history_months=len({p.period for p in v.trend if p.value is not None}),
        money_lines=views.money_lines(v.settlement),
        definitions=views.definitions(views.vendor_metric_ids(v)),
        dq=dq, dq_text=views.count_text(dq),
        dq_scope=f"The files holding rows of {v.vendor_name}'s {'site' if len(v.sites) == 1 else 'sites'}, "
                 "each counted over those rows alone:",
        issue_label=result.issue.label, issue_text=dispute_views.issue_text(result),
        dispute_rows=dispute_views.dispute_rows(v), change_rows=dispute_views.change_rows(v),
        change_disputes=dispute_views.dispute_rows(v, v.changes.disputes) if v.changes else [],
        net_change=dispute_views.net_change(v))


def scorecard_name(result: AuditResult, vendor_id: str) -> str:
    """`scorecard-<period>-<vendor>-v<version>.pdf`: each version of a scorecard has its own name."""
    return f"scorecard-{result.period}-{vendor_id}-{result.issue.label}.pdf"


def portfolio_html(result: AuditResult, paper: str = "A4", templates: Path | None = None) -> str:
    """The HTML of the portfolio summary across vendors (what `render_portfolio` prints)."""
    period = views.period_label(result.period)
    doc = _document(result, paper, f"Vendor portfolio summary, {period}",
                    f"Contract performance of every vendor and the in-house baseline for {result.period}",
                    ["vendor portfolio", str(result.period)] + [v.vendor_id for v in result.vendors],
                    "Portfolio summary",
                    "Confidential: internal use only; holds the commercial terms of several vendors.")
    vendors = [(v, views.money_lines(v.settlement)) for v in result.vendors]
    metric_ids = [m for v in result.vendors for m in views.vendor_metric_ids(v)]
    return environment(templates).get_template("portfolio.html.j2").render(
        doc=doc, result=result, rows=views.portfolio_rows(result), net_totals=views.net_totals(result),
        has_in_house=result.baseline_vendor_id is not None,
        settled=sum(1 for v in result.vendors if v.settlement is not None),
        format_money=format_money,
        composite_chart=views.composite_chart(result), matrix=views.kpi_matrix(result), vendors=vendors,
        trend=views.portfolio_trend(result),
        brand=[(v, views.gap_rows(v.consistency, views.criterion_titles(v), criteria=True))
               for v in result.outsourced if v.consistency is not None],
        definitions=views.definitions(metric_ids),
        dq=result.data_quality, dq_text=views.count_text(result.data_quality),
        dq_scope="Every file of the export set, every vendor's rows:")


def _attachments(result: AuditResult, json_name: str, json_text: str,
                 contracts: Mapping[str, bytes], vendor_ids: list[str]) -> tuple[PdfAttachment, ...]:
    from .pdf_engine import PdfAttachment

    files = [PdfAttachment(json_name, json_text.encode(), f"vendoraudit results for {result.period} (JSON)")]
    for vendor_id in vendor_ids:
        data = contracts.get(vendor_id)
        if data is not None:
            v = result.vendor(vendor_id)
            files.append(PdfAttachment(f"contract-{vendor_id}.yaml", data,
                                       f"contract {v.contract.contract_id} version {v.contract.version}, "
                                       f"sha256 {v.contract.sha256}", relationship="Source"))
    return tuple(files)


def _scorecard_job(result: AuditResult, vendor_id: str, paper: str, contracts: Mapping[str, bytes],
                   templates: Path) -> tuple[str, tuple[PdfAttachment, ...]]:
    return (scorecard_html(result, vendor_id, paper, templates),
            _attachments(result, f"scorecard-{result.period}-{vendor_id}.json", scorecard_json(result, vendor_id),
                         contracts, [vendor_id]))


def _portfolio_job(result: AuditResult, paper: str, contracts: Mapping[str, bytes],
                   templates: Path) -> tuple[str, tuple[PdfAttachment, ...]]:
    return (portfolio_html(result, paper, templates),
            _attachments(result, f"vendoraudit-{result.period}.json", dumps(result, JsonKind.AUDIT),
                         contracts, [v.vendor_id for v in result.vendors]))


def render_scorecard(result: AuditResult, vendor_id: str, paper: str = "A4", contract: bytes | None = None,
                     templates: Path | None = None) -> bytes:
    """`vendor_id`'s scorecard as PDF/A-3b bytes, with its JSON and (when given) its contract attached."""
    from .pdf_engine import html_to_pdf

    root = templates or TEMPLATES_DIR
    contracts = {vendor_id: contract} if contract is not None else {}
    html, files = _scorecard_job(result, vendor_id, paper, contracts, root)
    return html_to_pdf(html, root, views.report_stamp(result.period), files)


def render_portfolio(result: AuditResult, paper: str = "A4", contracts: Mapping[str, bytes] | None = None,
                     templates: Path | None = None) -> bytes:
    """The portfolio summary as PDF/A-3b bytes, with the whole JSON result and the contracts attached."""
    from .pdf_engine import html_to_pdf

    root = templates or TEMPLATES_DIR
    html, files = _portfolio_job(result, paper, contracts or {}, root)
    return html_to_pdf(html, root, views.report_stamp(result.period), files)


def write_pdfs(result: AuditResult, out_dir: Path, paper: str = "A4",
               contracts: Mapping[str, bytes] = MappingProxyType({}), templates: Path | None = None) -> list[Path]:
    """Write `scorecard-<period>-<vendor>-v<version>.pdf` for every vendor and `portfolio-<period>.pdf` into `out_dir`.

    `contracts` (vendor id -> the contract file's bytes) are attached where given. The HTML is built
    here and rendered over a pool of two processes when there is more than one document; the pool
    starts its workers by spawning, so a script calling this needs the usual
    `if __name__ == "__main__":` guard. Returns the paths written, scorecards first; OutputError when
    a file cannot be written.
    """
    from .pdf_engine import html_to_pdf

    root = templates or TEMPLATES_DIR
    period = result.period
    jobs = [(out_dir / scorecard_name(result, v.vendor_id),
             *_scorecard_job(result, v.vendor_id, paper, contracts, root)) for v in result.vendors]
    jobs.append((out_dir / f"portfolio-{period}.pdf", *_portfolio_job(result, paper, contracts, root)))
    stamp = views.report_stamp(period)
    htmls, attachments = [html for _, html, _ in jobs], [files for _, _, files in jobs]
    if len(jobs) > 1:
        documents = map_in_workers(html_to_pdf, len(jobs), htmls, [root] * len(jobs), [stamp] * len(jobs), attachments)
    else:
        documents = [html_to_pdf(htmls[0], root, stamp, attachments[0])]
    written = []
    for (path, _, _), data in zip(jobs, documents):
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
        written.append(path)
    return written
