"""PDF layout read back from the documents: no page but the last less than a third full, metrics
without data named in one line, wording that fits a client with no in-house site or one vendor."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vendoraudit import pdf_views as views
from vendoraudit import render_pdf
from vendoraudit.audit_result import TrendPoint
from vendoraudit.history import MonthFigures

REPO = Path(__file__).resolve().parents[1]
MARGIN_PT = 18 / 25.4 * 72  # the page's top and bottom margins (print.css)
needs_poppler = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext",)),
                                   reason="poppler-utils is not installed (scripts/system-deps.sh --test)")


def page_fills(pdf: Path) -> list[float]:
    """How far down each page's body text reaches, as a share of the body's height (0..1)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    fills = []
    for page in re.findall(r"<page width=\"[\d.]+\" height=\"([\d.]+)\">(.*?)</page>", xml, re.S):
        height = float(page[0])
        top, bottom = MARGIN_PT, height - MARGIN_PT
        ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page[1])]
        body = [y for y in ys if top < y < bottom]  # the running header and footer sit in the margins
        fills.append((max(body) - top) / (bottom - top) if body else 0.0)
    return fills


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)


def with_history(result):
    """The result as if two earlier months were recorded (one a month later missing), so the trend
    pages are drawn: the earlier values are this month's, nudged."""
    p = result.period
    vendors = []
    for v in result.vendors:
        trend = []
        for k in v.scorecard.kpis:
            for back, nudge in ((3, 0.97), (1, 1.02)):
                trend.append(TrendPoint(p.shift(-back), k.kpi_id, k.value * nudge if k.value is not None else None,
                                        k.outcome.value))
            trend.append(TrendPoint(p.shift(-2), k.kpi_id, None, None))
            trend.append(TrendPoint(p, k.kpi_id, k.value, k.outcome.value))
        now = v.months[-1]
        months = (MonthFigures(p.shift(-3), True, now.composite, now.net_adjustment, now.currency),
                  MonthFigures(p.shift(-2), False, None, None, None),
                  MonthFigures(p.shift(-1), True, now.composite, now.net_adjustment, now.currency), now)
        vendors.append(dataclasses.replace(v, trend=tuple(trend), months=months))
    return dataclasses.replace(result, vendors=tuple(vendors))


@pytest.fixture(scope="module")
def no_in_house(tmp_path_factory):
    """The sample month audited with the three outsourced contracts only: no in-house baseline."""
    import os

    from vendoraudit.audit import AuditInputs, run_audit
    from vendoraudit.contract.loader import load_contracts
    from vendoraudit.periods import Period

    folder = tmp_path_factory.mktemp("contracts")
    for name in ("acme.yaml", "brightpath.yaml", "callco.yaml"):
        shutil.copy(REPO / "contracts" / name, folder / name)
    here = Path.cwd()
    os.chdir(REPO)
    try:
        result, _ = run_audit(AuditInputs(Path("sample_exports/2026-10"), load_contracts(folder)), Period(2026, 10))
    finally:
        os.chdir(here)
    assert result.baseline_vendor_id is None
    return result


@pytest.fixture(scope="module")
def rendered(sample_audit, no_in_house, tmp_path_factory) -> dict[str, Path]:
    """Every sample document with a history, and the no-in-house and one-vendor variants."""
    out = tmp_path_factory.mktemp("layout")
    docs = {}
    for name, result in (("history", with_history(sample_audit)), ("plain", sample_audit),
                         ("no-in-house", no_in_house)):
        folder = out / name
        for path in render_pdf.write_pdfs(result, folder):
            docs[f"{name}/{path.name}"] = path
    one = dataclasses.replace(no_in_house, vendors=(no_in_house.vendor("ACME"),))
    docs["one/portfolio.pdf"] = out / "one-portfolio.pdf"
    docs["one/portfolio.pdf"].write_bytes(render_pdf.render_portfolio(one))
    return docs


@needs_poppler
def test_no_page_but_the_last_is_less_than_a_third_full(rendered):
    assert len(rendered) == 15
    thin = {}
    for name, pdf in rendered.items():
        fills = page_fills(pdf)
        assert len(fills) >= 3, name
        low = [(i + 1, round(f, 2)) for i, f in enumerate(fills[:-1]) if f < 1 / 3]
        if low:
            thin[name] = low
    assert thin == {}


def test_page_fill_sees_an_empty_page(tmp_path):
    """The measure itself: a page holding one line reads as nearly empty, a full one as full."""
    from vendoraudit.pdf_engine import html_to_pdf
    from vendoraudit.periods import Period

    lines = "".join(f"<p>line {i}</p>" for i in range(120))
    html = (f'<html><head><link rel="stylesheet" href="print.css"></head><body>{lines}'
            '<p style="break-before: page">alone</p><p style="break-before: page">end</p></body></html>')
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(html_to_pdf(html, render_pdf.TEMPLATES_DIR, views.report_stamp(Period(2026, 10))))
    fills = page_fills(pdf)
    assert fills[0] > 0.9 and fills[-2] < 0.1


@needs_poppler
def test_wording_without_an_in_house_center(rendered, no_in_house):
    portfolio = _text(rendered["no-in-house/portfolio-2026-10.pdf"])
    assert "no in-house center was audited" in portfolio and "in-house center included" not in portfolio
    assert "drawn hollow" not in portfolio and "Brand promise against the in-house center" not in portfolio
    scorecard = _text(rendered["no-in-house/" + render_pdf.scorecard_name(no_in_house, "ACME")])
    assert "in-house" not in scorecard.lower()
    with_baseline = _text(rendered["plain/portfolio-2026-10.pdf"])
    assert "in-house center included" in with_baseline and "no in-house center" not in with_baseline


@needs_poppler
def test_wording_with_one_vendor(rendered):
    text = _text(rendered["one/portfolio.pdf"])
    assert "1 scorecard;" in text and "1 scorecards" not in text
    assert "KPIs across vendors" not in text and "all vendors" not in text.lower()
    assert "The vendor's month against its contract" in text


@needs_poppler
def test_portfolio_trend_page_has_every_vendor_and_the_in_house_composite(rendered, sample_audit):
    text = _text(rendered["history/portfolio-2026-10.pdf"])
    assert "with the in-house center's composite" in text
    pages = subprocess.run(["pdftotext", str(rendered["history/portfolio-2026-10.pdf"]), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")[:-1]
    assert all("Internal \u00b7 all vendors" in page and "internal use only" in page for page in pages)
    for v in sample_audit.vendors:
        assert f"{v.scorecard.composite} {v.vendor_name}" in text  # each line named with this month's figure
    assert "Jul 26" in text and "Oct 26" in text and "not recorded" in text  # Aug 26 has no record


def test_metrics_without_data_collapse_into_one_line(sample_audit):
    acme = sample_audit.vendor("ACME")
    section = acme.sections[0]
    empty = dataclasses.replace(section.lines[0].vendor, value=None, n=0, interval=None)
    lines = (dataclasses.replace(section.lines[0], vendor=empty),
             *[dataclasses.replace(line, vendor=dataclasses.replace(line.vendor, value=None, n=0, interval=None))
               for line in section.lines[1:2]], *section.lines[2:])
    vendor = dataclasses.replace(acme, sections=(dataclasses.replace(section, lines=lines), *acme.sections[1:]))
    (view, *_) = views.section_views(vendor)
    assert view.no_data == (section.lines[0].title, section.lines[1].title)
    assert [r.title for r in view.rows] == [line.title for line in section.lines[2:]]
    html = render_pdf.scorecard_html(dataclasses.replace(sample_audit, vendors=(vendor,)), "ACME")
    assert f"No data this month for {section.lines[0].title}, {section.lines[1].title}." in html
    assert "no data" not in re.sub(r"No data this month[^<]*", "", html)
