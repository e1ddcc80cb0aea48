"""PDF scorecards: figures read back from the PDF equal the JSON's, bytes are reproducible, hostile
text stays text, the fetcher refuses anything outside the templates, attachments extract and parse."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from vendoraudit import charts
from vendoraudit import pdf_views as views
from vendoraudit import render_pdf
from vendoraudit.errors import ConfigError, OutputError
from vendoraudit.money import format_money
from vendoraudit.periods import Period
from vendoraudit.results import Unit
from vendoraudit.scoring import format_value

REPO = Path(__file__).resolve().parents[1]
HOSTILE = '<script>alert(1)</script><img src="file:///etc/passwd"> Acme'

needs_poppler = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdfdetach", "pdfinfo")),
                                   reason="poppler-utils is not installed (scripts/system-deps.sh --test)")


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _text(pdf: Path) -> str:
    return _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")


def _attachments(pdf: Path, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(folder), str(pdf)], check=True, capture_output=True)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _contract(result, vendor_id: str) -> bytes:
    return (REPO / result.vendor(vendor_id).contract.path).read_bytes()


@pytest.fixture(scope="module")
def written(sample_audit, tmp_path_factory) -> list[Path]:
    """write_pdfs over the pool for the in-house center and ACME: three documents."""
    small = dataclasses.replace(sample_audit, vendors=(sample_audit.vendor("NORTHWIND"), sample_audit.vendor("ACME")))
    contracts = {v.vendor_id: _contract(sample_audit, v.vendor_id) for v in small.vendors}
    return render_pdf.write_pdfs(small, tmp_path_factory.mktemp("pdf"), contracts=contracts)


@pytest.fixture(scope="module")
def acme_pdf(written) -> Path:
    return written[1]


# --- formatting helpers (hand-computed) -----------------------------------------------------------

def test_display_decimals_shows_enough_to_tell_a_value_from_its_limits():
    assert views.display_decimals(81.0, 75.0, 80.0) == 1
    assert views.display_decimals(95.0205, 95.0, 90.0) == 2  # 95.0 would look like the target
    assert views.display_decimals(4.99757, 5.0, 10.0) == 3  # 5.00 too
    assert views.display_decimals(80.0, 80.0, 75.0) == 1  # equal to the target is shown equal


def test_gap_p_and_bare_number_formats():
    assert views.format_gap(-23.86, Unit.POINTS) == "-23.9 points"
    assert views.format_gap(1.04, Unit.PERCENT) == "+1.0 pp"
    assert views.format_gap(-0.6006, Unit.MEAN) == "-0.60"
    assert views.format_gap(0.0, Unit.PERCENT) == "\u00b10.0 pp"
    assert views.format_gap(None, Unit.PERCENT) == "\u2014"
    assert views.format_p(0.0440) == "p = 0.044"
    assert views.format_p(5.6e-227) == "p < 0.001"
    assert views.bare_number(84.6256, Unit.POINTS) == "84.6"
    assert views.bare_number(5.49, Unit.MEAN) == "5.49"


def test_paper_sizes():
    assert render_pdf.paper_size("a4") == "A4"
    assert render_pdf.paper_size("US Letter") == "letter"
    with pytest.raises(ConfigError, match="unknown paper size 'A5'"):
        render_pdf.paper_size("A5")


def test_report_stamp_is_the_start_of_the_next_month_in_utc():
    assert views.report_stamp(Period(2026, 12)).isoformat() == "2027-01-01T00:00:00+00:00"


# --- charts -------------------------------------------------------------------------------------

def test_charts_escape_labels_and_carry_a_title():
    chart = charts.attainment_chart([charts.BulletRow("<b>QA</b> & more", 91.2, 85.0, 90.0, 90.1, 92.3, False,
                                                      "91.2 points met")], "alt <text>")
    assert "<title>alt &lt;text&gt;</title>" in chart.svg
    html = chart.__html__()
    assert 'alt="alt &lt;text&gt;"' in html  # the tagged PDF's alt text of the figure
    assert "&lt;b&gt;QA&lt;/b&gt; &amp; more" in html and "<b>" not in html
    assert "QA" not in chart.svg and "91.2 points met" in html  # labels are HTML, not SVG text


def test_a_chart_is_an_image_of_its_svg_with_its_labels_on_their_rows():
    rows = [charts.CompareRow(f"row {i}", 80.0 + i, 78.0, caption=f"{80 + i}%") for i in range(3)]
    chart = charts.comparison_chart(rows, "t")
    html = chart.__html__()
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(src).decode() == chart.svg
    spans = re.findall(r'<span class="chart-label" style="left:([\d.]+)%;top:([\d.]+)%;font-size:([\d.]+)px', html)
    assert len(spans) == 6
    for i, (left, top, size) in enumerate(spans[::2]):  # row labels, each on its row's baseline
        assert float(left) == 0
        baseline = float(top) / 100 * chart.height + 0.928 * float(size) / charts.LABEL_SCALE
        assert baseline == pytest.approx(24 + 20 * i + 10 + 3, abs=0.05)
    assert len({top for _, top, _ in spans[1::2]}) == 3 and all(float(left) > 70 for left, _, _ in spans[1::2])


def test_chart_lines_are_one_path_per_kind_under_every_mark():
    rows = [charts.CompareRow(f"row {i}", 80.0 + i, 78.0, floor=70.0) for i in range(3)]
    rows.append(charts.CompareRow("no in-house", 75.0, None))
    svg = charts.comparison_chart(rows, "t").svg
    paths = re.findall(r'<path d="([^"]+)" fill="none" stroke="([^"]+)"', svg)
    joins = next(d for d, stroke in paths if stroke == charts.BASELINE)
    assert joins.count("M") == 3 and svg.count("<line") == 1  # the legend's floor mark is the one line
    assert svg.rindex("<path") < svg.index("<circle")  # dots are drawn over the lines
    bullets = [charts.BulletRow(f"k{i}", 85.0, 80.0, 90.0, 84.0, 86.0, False, "") for i in range(4)]
    svg = charts.attainment_chart(bullets, "t").svg
    whiskers = re.findall(rf'<path d="([^"]+)" fill="none" stroke="{charts.MUTED}"', svg)
    assert [d.count("M") for d in whiskers] == [4, 8]  # an interval line per row, a tick at each end
    assert svg.rindex("<path") < svg.index("<circle")


def test_attainment_places_minimum_and_target_the_same_for_either_direction():
    higher = charts.BulletRow("h", 85.0, 80.0, 90.0, None, None, False, "")
    lower = charts.BulletRow("l", 7.5, 10.0, 5.0, None, None, False, "", lower_is_better=True)
    assert charts._attainment(85.0, higher) == 0.5
    assert charts._attainment(7.5, lower) == 0.5  # halfway from the 10% maximum to the 5% target
    flat = charts.BulletRow("f", 4.0, 5.0, 5.0, None, None, True, "", lower_is_better=True)
    assert charts._attainment(4.0, flat) == 4.0  # one unit is 5% of 5.0, and lower is better


def test_trend_with_one_recorded_month_says_so():
    chart = charts.trend_chart([charts.TrendMark("Oct", 80.0)], 75.0, 80.0, "t")
    assert "no earlier periods recorded" in chart.__html__() and chart.svg.count("<circle") == 1
    several = charts.trend_chart([charts.TrendMark("Aug", 70.0, True), charts.TrendMark("Sep", None),
                                  charts.TrendMark("Oct", 81.0), charts.TrendMark("Nov", 82.0)], 75.0, 80.0, "t")
    assert several.svg.count("<polyline") == 1  # the missing September breaks the line
    assert "no earlier periods" not in several.__html__()


def _label_texts(chart: charts.Chart) -> list[str]:
    return re.findall(r'<span class="chart-label[^"]*" style="[^"]*">([^<]*)</span>', chart.__html__())


def test_trend_has_a_value_axis_named_limits_the_last_value_and_visible_gaps():
    marks = [charts.TrendMark("Aug", 83.0), charts.TrendMark("Sep", None), charts.TrendMark("Oct", 86.5)]
    chart = charts.trend_chart(marks, 82.0, 88.0, "CSAT", value_text="86.5%",
                               tick_format=views.axis_format(Unit.PERCENT))
    texts = _label_texts(chart)
    ticks = [t for t in texts if t.endswith("%") and t != "86.5%"]
    assert len(ticks) >= 3 and all(float(t[:-1]) == round(float(t[:-1])) for t in ticks)  # round axis values
    assert {"target", "minimum", "86.5%", "Aug", "Sep", "Oct"} <= set(texts)
    assert chart.svg.count(f'fill="{charts.BAND_LOW}"') == 1  # the missing September is shaded
    lower = charts.trend_chart(marks, 10.0, 5.0, "abandon", value_text="x", limit_words=("target", "maximum"))
    assert "maximum" in _label_texts(lower)
    # the target and minimum labels never overlap, however close the lines
    close = charts.trend_chart(marks, 85.0, 85.2, "close", value_text="v")
    tops = [float(t) for t in re.findall(r'top:([\d.-]+)%[^>]*>(?:target|minimum)<', close.__html__())]
    assert len(tops) == 2 and abs(tops[0] - tops[1]) * close.height / 100 >= 6.8 - 0.05  # percent to two decimals


def test_nice_ticks():
    assert charts.nice_ticks(61.3, 98.2) == [60, 70, 80, 90, 100]


# --- the scorecard PDF ------------------------------------------------------------------------------

@needs_poppler
def test_figures_in_the_pdf_equal_the_attached_json(acme_pdf, tmp_path):
    files = _attachments(acme_pdf, tmp_path / "att")
    document = json.loads(files["scorecard-2026-10-ACME.json"])
    assert document["kind"] == "vendoraudit.scorecard"
    vendor = document["result"]["vendor"]
    text = _text(acme_pdf)
    assert f"{vendor['scorecard']['composite']} / 100" in text
    net = format_money(Decimal(vendor["settlement"]["net_adjustment"]), vendor["currency"])
    assert net in text
    for kpi in vendor["scorecard"]["kpis"]:
        result = kpi["result"]
        decimals = views.display_decimals(result["value"], kpi["minimum"], kpi["target"])
        shown = format_value(result["value"], Unit(result["unit"]), decimals)
        assert shown in text, kpi["kpi_id"]
        assert f"{kpi['points']}/10" in text
    for credit in vendor["settlement"]["kpi_credits"].values():
        assert format_money(-Decimal(credit), "USD") in text
    for line in vendor["settlement"]["lines"]:
        assert format_money(Decimal(line["amount"]), "USD") in text


@needs_poppler
def test_attachments_extract_and_parse(acme_pdf, tmp_path, sample_audit):
    files = _attachments(acme_pdf, tmp_path / "att")
    assert sorted(files) == ["contract-ACME.yaml", "scorecard-2026-10-ACME.json"]
    document = json.loads(files["scorecard-2026-10-ACME.json"])
    assert document["result"]["vendor"]["vendor_id"] == "ACME"
    assert document["result"]["inputs_fingerprint"] == sample_audit.inputs_fingerprint
    assert "BRIGHTPATH" not in files["scorecard-2026-10-ACME.json"].decode()  # no other vendor's money
    contract = yaml.safe_load(files["contract-ACME.yaml"])
    assert contract["contract_id"] == "ACME-MSA-2026"
    assert files["contract-ACME.yaml"] == _contract(sample_audit, "ACME")


@needs_poppler
def test_archival_metadata(acme_pdf):
    info = _run("pdfinfo", str(acme_pdf))
    assert "Title:           Acme Contact Solutions: vendor scorecard, October 2026" in info
    assert "Author:          vendoraudit" in info
    assert "Keywords:        vendor scorecard, 2026-10, ACME, ACME-MSA-2026" in info
    assert "CreationDate:    Sun Nov  1 00:00:00 2026 UTC" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    xmp = _run("pdfinfo", "-meta", str(acme_pdf))
    assert 'pdfaid:part="3" pdfaid:conformance="B"' in xmp
    assert "<xmp:CreateDate>2026-11-01T00:00:00Z</xmp:CreateDate>" in xmp
    fonts = _run("pdffonts", str(acme_pdf)).splitlines()[2:]
    assert fonts and all("DejaVu" in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)  # the emb column: every font is embedded


@needs_poppler
def test_every_page_has_the_running_header_and_page_x_of_y(acme_pdf):
    pages = _text(acme_pdf).split("\f")[:-1]
    assert len(pages) >= 8
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in page
        assert "Acme Contact Solutions" in page and "October 2026" in page and "Confidential" in page


def test_rendering_twice_gives_the_same_bytes(acme_pdf, sample_audit):
    """The pool's document (another process) and one rendered here are the same bytes."""
    small = dataclasses.replace(sample_audit, vendors=(sample_audit.vendor("NORTHWIND"), sample_audit.vendor("ACME")))
    again = render_pdf.render_scorecard(small, "ACME", contract=_contract(sample_audit, "ACME"))
    assert again == acme_pdf.read_bytes()


@needs_poppler
def test_a_hostile_vendor_name_is_plain_text(sample_audit, tmp_path):
    acme = sample_audit.vendor("ACME")
    hostile = dataclasses.replace(sample_audit, vendors=(dataclasses.replace(acme, vendor_name=HOSTILE),))
    html = render_pdf.scorecard_html(hostile, "ACME")
    assert "<script>" not in html and '<img src="file:///etc/passwd">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&#34;file:///etc/passwd&#34;&gt; Acme" in html
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(render_pdf.render_scorecard(hostile, "ACME"))
    text = _text(pdf)
    assert '<script>alert(1)</script><img src="file:///etc/passwd"> Acme' in text.replace("\n", " ")
    passwd = Path("/etc/passwd").read_bytes().split(b"\n")[0]
    assert passwd not in pdf.read_bytes() and passwd.decode() not in text
    assert sorted(_attachments(pdf, tmp_path / "att")) == ["scorecard-2026-10-ACME.json"]


def test_the_fetcher_refuses_everything_outside_the_templates(tmp_path):
    from vendoraudit.pdf_engine import TemplateFetcher, URLRefused

    fetcher = TemplateFetcher(render_pdf.TEMPLATES_DIR)
    root = render_pdf.TEMPLATES_DIR.resolve()
    assert b"@page" in fetcher.fetch((root / "print.css").as_uri()).read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("file:///etc/passwd", f"{root.as_uri()}/../pyproject.toml", "http://example.com/x.png",
                "https://example.com/", "ftp://example.com/f", f"file://otherhost{root}/print.css",
                (root / "missing.css").as_uri()):
        with pytest.raises(URLRefused):
            fetcher.fetch(url)


def test_a_template_reaching_outside_stops_the_render():
    from vendoraudit.pdf_engine import html_to_pdf

    html = '<html><body><p>x</p><img src="file:///etc/passwd"></body></html>'
    with pytest.raises(OutputError, match="refused to fetch file:///etc/passwd"):
        html_to_pdf(html, render_pdf.TEMPLATES_DIR, views.report_stamp(Period(2026, 10)))


def test_templates_are_strict_and_letter_paper_is_passed_through(sample_audit, tmp_path):
    html = render_pdf.scorecard_html(sample_audit, "NORTHWIND", paper="Letter")
    assert "@page { size: letter; }" in html
    assert "In-house center" in html and "Acknowledged for" not in html  # no vendor sign-off for in-house
    broken = tmp_path / "templates"
    shutil.copytree(render_pdf.TEMPLATES_DIR, broken)
    page = broken / "scorecard.html.j2"
    page.write_text(page.read_text().replace("{{ composite }}", "{{ composite_typo }}"))
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render_pdf.scorecard_html(sample_audit, "ACME", templates=broken)
    with pytest.raises(ConfigError, match="no vendor 'NOPE'"):
        render_pdf.scorecard_html(sample_audit, "NOPE")


def test_kpi_rows_show_credit_and_bonus(sample_audit):
    callco = {r.kpi_id: r for r in views.kpi_rows(sample_audit.vendor("CALLCO"))}
    assert callco["callback_10min"].money == "-$5,248.74" and callco["callback_10min"].outcome_label == "\u2717 Missed"
    assert callco["attrition"].money == "\u2014" and callco["attrition"].interval == "\u2014"  # no interval
    acme = {r.kpi_id: r for r in views.kpi_rows(sample_audit.vendor("ACME"))}
    assert acme["service_level"].money == "$1,120.88"  # 15% x 4% x $186,812.50, before the bonus cap
    bright = {r.kpi_id: r for r in views.kpi_rows(sample_audit.vendor("BRIGHTPATH"))}
    assert bright["empathy"].money == "-$5,472.00"  # a category-rounded credit, still per KPI


def test_portfolio_html_lists_every_vendor_and_the_net_total(sample_audit):
    html = render_pdf.portfolio_html(sample_audit)
    for v in sample_audit.vendors:
        assert v.vendor_name in html
    total = sum((v.settlement.net_adjustment for v in sample_audit.vendors if v.settlement), Decimal(0))
    assert format_money(total, "USD") in html


@needs_poppler
def test_write_pdfs_names_files_and_the_portfolio_carries_everything(written, tmp_path):
    assert [p.name for p in written] == ["scorecard-2026-10-NORTHWIND-v1.pdf", "scorecard-2026-10-ACME-v1.pdf",
                                         "portfolio-2026-10.pdf"]
    files = _attachments(written[2], tmp_path / "att")
    assert sorted(files) == ["contract-ACME.yaml", "contract-NORTHWIND.yaml", "vendoraudit-2026-10.json"]
    document = json.loads(files["vendoraudit-2026-10.json"])
    assert document["kind"] == "vendoraudit.audit" and len(document["result"]["vendors"]) == 2
    text = _text(written[2])
    assert "Contact-center vendors" in text
    for vendor in document["result"]["vendors"]:
        assert f"{vendor['scorecard']['composite']}" in text
        if vendor["settlement"]:
            assert format_money(Decimal(vendor["settlement"]["net_adjustment"]), "USD") in text


def test_domain_rows_of_a_domain_scored_contract(sample_audit):
    callco = sample_audit.vendor("CALLCO")
    rows = views.domain_rows(callco)
    assert [r.title for r in rows] == ["Responsiveness", "Quality and brand promise", "Member experience",
                                      "Workforce and training"]
    by = {d.title: d for d in callco.scorecard.domains}
    for r in rows:
        assert r.score == str(by[r.title].score)
    assert any("consistency" in r.earned for r in rows)
    assert views.domain_rows(sample_audit.vendor("ACME")) == []  # the flat model shows no domain table


@needs_poppler
def test_the_scorecard_of_a_domain_scored_contract_shows_its_domain_scores(sample_audit, tmp_path):
    small = dataclasses.replace(sample_audit, vendors=(sample_audit.vendor("CALLCO"),))
    (pdf,) = [p for p in render_pdf.write_pdfs(small, tmp_path, contracts={"CALLCO": _contract(sample_audit, "CALLCO")})
              if p.name.startswith("scorecard-")]
    text = _text(pdf)
    callco = sample_audit.vendor("CALLCO")
    assert "Composite by domain" in text and f"{callco.scorecard.composite} / 100" in text
    for d in callco.scorecard.domains:
        assert d.title in text and str(d.score) in text, d.domain_id
        assert f"{d.points_earned} of {d.points_possible}" in text


def test_brand_gap_rows_name_the_test_and_its_n(sample_audit):
    acme = sample_audit.vendor("ACME")
    rows = views.gap_rows(acme.consistency, views.criterion_titles(acme), criteria=True)
    gaps = [g for g in acme.consistency.gaps if g.criterion]
    assert rows and all(r.test == f"Welch t, n = {g.n_vendor:,} / {g.n_baseline:,} evaluations"
                        for r, g in zip(rows, gaps))
    surveys = views.gap_rows(acme.consistency, {}, criteria=False)
    assert surveys[0].test.startswith("two-proportion z, n = ") and surveys[0].test.endswith(" answers")
