"""Evidence books (`evidence`, `render_evidence`): which KPIs, rows that reproduce each KPI's numerator
and denominator for every metric kind, summaries that add up, the cap and its CSV, no member data."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from zipfile import ZipFile

import polars as pl
import pytest
from openpyxl import load_workbook

from kpis_frames import at, data as frames_data, evaluation
from test_kpis_rows import CASES
from vendoraudit.audit import AuditInputs, audit_period
from vendoraudit.contract.loader import load_contracts
from vendoraudit.evidence import EvidenceReason, attach_evidence, build_evidence, evidence_reason, workbook_name
from vendoraudit.evidence.build import vendor_evidence
from vendoraudit.evidence.selection import sheet_names
from vendoraudit.kpis.query import MetricQuery
from vendoraudit.kpis.registry import METRICS
from vendoraudit.periods import Period
from vendoraudit.render_evidence import neutralised, workbook_bytes, write_evidence
from vendoraudit.results import Direction, Interval
from vendoraudit.scoring import Outcome


@pytest.fixture(scope="module")
def run():
    return audit_period(AuditInputs(Path("sample_exports/2026-10"), load_contracts("contracts")), Period(2026, 10))


@pytest.fixture(scope="module")
def books(run):
    return build_evidence(run.result, run.data)


def _score(run, **changes):
    base = run.result.vendor("ACME").scorecard.get("service_level")
    return replace(base, **changes)


# ------------------------------------------------------------------------------------------ selection

def test_missed_and_at_risk_kpis_get_evidence(run):
    at_risk = _score(run, outcome=Outcome.MET, minimum=84.5)  # interval [84.05, 85.91] reaches 84.5
    assert evidence_reason(at_risk) is EvidenceReason.AT_RISK
    assert evidence_reason(_score(run, outcome=Outcome.MET, minimum=75)) is None
    assert evidence_reason(_score(run, outcome=Outcome.MISSED)) is EvidenceReason.MISSED
    assert evidence_reason(_score(run, outcome=Outcome.EXCUSED)) is None
    assert evidence_reason(_score(run, outcome=Outcome.INSUFFICIENT_DATA)) is None
    lower = _score(run, outcome=Outcome.MET, direction=Direction.LOWER, minimum=85.9)
    assert evidence_reason(lower) is EvidenceReason.AT_RISK  # high 85.91 reaches a maximum of 85.9
    assert evidence_reason(replace(lower, minimum=86.0)) is None
    no_interval = _score(run, outcome=Outcome.MET, minimum=84.5)
    no_interval = replace(no_interval, result=replace(no_interval.result, interval=None))
    assert evidence_reason(no_interval) is None


def test_sheet_and_file_names():
    names = sheet_names(["a" * 40, "a" * 40 + "b", "x/y:z", "contents"])
    assert [len(n) <= 31 for n in names.values()] == [True] * 4
    assert len({n.lower() for n in names.values()}) == 4
    assert names["x/y:z"] == "x_y_z" and names["contents"] != "contents"
    assert workbook_name(Period(2026, 10), "ACME") == "evidence-2026-10-ACME-v1.xlsx"
    assert workbook_name(Period(2026, 10), "ACME", 3) == "evidence-2026-10-ACME-v3.xlsx"


# ------------------------------------------------------------------------------------------ the sample

def test_sample_books_hold_each_vendors_missed_kpis(run, books):
    by_vendor = {b.vendor_id: b for b in books}
    for vendor in run.result.vendors:
        missed = {k.kpi_id for k in vendor.scorecard.kpis if k.outcome is Outcome.MISSED}
        if missed:
            assert missed <= {s.kpi_id for s in by_vendor[vendor.vendor_id].sheets}
        for sheet in by_vendor.get(vendor.vendor_id, None).sheets if vendor.vendor_id in by_vendor else ():
            sites = {s.site_id for s in vendor.sites}
            assert set(sheet.rows.get_column("site_id").unique().to_list()) <= sites
            assert set(sheet.by_agent.get_column("site_id").to_list()) <= sites
    callco = by_vendor["CALLCO"]
    callback = next(s for s in callco.sheets if s.kpi_id == "callback_10min")
    assert callback.reason is EvidenceReason.MISSED
    assert callback.rows.height == callback.denominator - callback.numerator == 28


def _check_sums(sheet):
    assert sheet.reproduced, sheet.kpi_id
    for summary in (sheet.by_agent, sheet.by_day):
        if summary is None:
            continue
        assert summary.get_column("listed").sum() == sheet.rows.height
        if sheet.numerator is not None:
            assert summary.get_column("numerator").sum() == pytest.approx(sheet.numerator), sheet.kpi_id
        if sheet.denominator is not None and summary.get_column("denominator").null_count() == 0:
            assert summary.get_column("denominator").sum() == pytest.approx(sheet.denominator), sheet.kpi_id


def test_sample_evidence_reproduces_numerators_and_denominators(books):
    sheets = [s for b in books for s in b.sheets]
    assert len(sheets) >= 10
    for sheet in sheets:
        _check_sums(sheet)


@pytest.mark.parametrize("metric_id, params", CASES, ids=[f"{m}-{p}" for m, p in CASES])
def test_every_metric_kind_reproduces_its_kpi(run, metric_id, params):
    """A KPI on each metric and variant, forced missed at its own value: the evidence reproduces it."""
    query = MetricQuery(metric_id, ("BP-DAL",), tuple(params.items()), exclude_dates=(date(2026, 10, 14),))
    result = query.compute(run.data)
    vendor = run.result.vendor("BRIGHTPATH")
    direction = METRICS[metric_id].direction
    score = replace(vendor.scorecard.kpis[0], kpi_id="k", metric_id=metric_id, result=result, outcome=Outcome.MISSED,
                    direction=direction, minimum=result.value if result.value is not None else 0.0)
    vendor = replace(vendor, kpi_queries=(("k", query),), scorecard=replace(vendor.scorecard, kpis=(score,)))
    book = vendor_evidence(vendor, run.data)
    assert book is not None and len(book.sheets) == 1
    sheet = book.sheets[0]
    _check_sums(sheet)
    if sheet.by_day is not None and not metric_id.startswith("training."):  # training is never excused
        assert date(2026, 10, 14) not in sheet.by_day.get_column("day").to_list()
    assert not {"member_ref", "comment"} & set(sheet.rows.columns)
    assert not {c for c in sheet.rows.columns if c.startswith("_")}


def test_attach_names_exactly_the_books(run, books):
    attached = attach_evidence(run.result, books)
    named = {v.vendor_id: v.evidence for v in attached.vendors if v.evidence is not None}
    assert set(named) == {b.vendor_id for b in books}
    callco = named["CALLCO"]
    assert callco.workbook == "evidence-2026-10-CALLCO-v1.xlsx"
    assert callco.sheet_for("callback_10min").reason == "missed"
    from vendoraudit.pdf_views import kpi_rows

    rows = {r.kpi_id: r.evidence for r in kpi_rows(attached.vendor("CALLCO"))}
    assert rows["callback_10min"] == "evidence-2026-10-CALLCO-v1.xlsx, sheet callback_10min"
    assert rows["async_response_4h"] == ""


def test_a_cap_below_one_is_refused(run):
    with pytest.raises(ValueError, match="at least 1"):
        build_evidence(run.result, run.data, 0)


# ------------------------------------------------------------------------------------------ the writer

def test_capped_sheet_shows_first_rows_says_so_and_writes_the_whole_csv(run, tmp_path):
    books = build_evidence(run.result, run.data, rows_per_sheet=20)
    brightpath = next(b for b in books if b.vendor_id == "BRIGHTPATH")
    files = write_evidence([brightpath], tmp_path)
    assert tmp_path / brightpath.workbook in files
    empathy = next(s for s in brightpath.sheets if s.kpi_id == "empathy")
    assert empathy.rows.height > 20 and empathy.csv == "evidence-2026-10-BRIGHTPATH-empathy-v1.csv"
    whole = pl.read_csv(tmp_path / empathy.csv)
    assert whole.height == empathy.rows.height
    assert whole.get_column("evaluation_id").to_list() == empathy.rows.get_column("evaluation_id").to_list()
    earned = whole.get_column("points_earned").sum()
    possible = whole.get_column("points_possible").sum()
    # The listed rows are the evaluations that lost points: their loss is the KPI's loss.
    assert possible - earned == pytest.approx(empathy.denominator - empathy.numerator)
    wb = load_workbook(tmp_path / brightpath.workbook)
    assert wb.sheetnames[0] == "Contents"
    ws = wb[empathy.sheet]
    heading = [ws.cell(row=r, column=1).value for r in range(1, 8)]
    assert any(h and "first 20 of" in h and empathy.csv in h for h in heading)
    tables = {t.name: t for t in ws.tables.values()}
    rows_table = next(t for name, t in tables.items() if name.startswith("tblRows"))
    first, last = rows_table.ref.split(":")
    assert int(re.sub(r"\D", "", last)) - int(re.sub(r"\D", "", first)) == 20
    assert [c.name for c in rows_table.tableColumns] == list(empathy.rows.columns)
    agents = next(t for name, t in tables.items() if name.startswith("tblAgents"))
    assert [c.name for c in agents.tableColumns][:4] == ["site_id", "agent_id", "rows", "listed"]


def test_workbook_bytes_are_deterministic(books):
    book = books[0]
    data = workbook_bytes(book)
    assert data == workbook_bytes(book)
    core = ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    # Document dates come from the period, never the wall clock.
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) == ["2026-10-01T00:00:00Z"] * 2
    assert {i.date_time for i in ZipFile(io.BytesIO(data)).infolist()} == {(2026, 10, 1, 0, 0, 0)}


def test_books_written_over_the_pool_are_the_books_written_one_by_one(books, monkeypatch):
    """Large books go to two worker processes; each workbook's bytes are those written in the parent."""
    import vendoraudit.render_evidence as render_evidence
    import vendoraudit.workers as workers

    assert len(books) >= 2
    alone = [workbook_bytes(b) for b in books]
    monkeypatch.setattr(render_evidence, "POOL_MIN_CELLS", 0)
    spawned = []
    real = workers.ProcessPoolExecutor
    monkeypatch.setattr(workers, "ProcessPoolExecutor", lambda *a, **k: spawned.append(a) or real(*a, **k))
    assert render_evidence.workbooks_bytes(books) == alone
    assert spawned == [(2,)]


def test_formula_like_text_is_neutralised_in_csv_and_workbook(run, tmp_path):
    frame = pl.DataFrame({"id": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "ok"], "n": [1, 2, 3, 4, 5]})
    assert neutralised(frame).get_column("id").to_list() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "ok"]
    books = build_evidence(run.result, run.data, rows_per_sheet=1)
    book = next(b for b in books if b.vendor_id == "CALLCO")
    sheet = book.sheets[0]
    evil = sheet.rows.with_columns(pl.lit("=1+1").alias("why")) if "why" in sheet.rows.columns else \
        sheet.rows.with_columns(pl.lit("=1+1").alias(sheet.rows.columns[0]))
    book = replace(book, sheets=(replace(sheet, rows=evil, rows_shown=evil.height),))
    write_evidence([book], tmp_path)
    xml = ZipFile(tmp_path / book.workbook).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml and "=1+1" in xml
    ws = load_workbook(tmp_path / book.workbook)[sheet.sheet]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


CANARY_MEMBER, CANARY_COMMENT = "MEMBER-CANARY-4471", "COMMENT-CANARY about a diagnosis"


def test_no_member_data_in_any_evidence_file(tmp_path):
    """Every metric forced missed on frames whose member_ref and comment hold canaries: no file has them."""
    e1, items1 = evaluation([(5.0, 10.0, False), (0.0, 10.0, True)], ["empathy", "verify"], interaction_id="i1")
    d = frames_data(
        interactions=[
            {"interaction_id": "i1", "member_ref": CANARY_MEMBER, "agent_id": "a1", "arrived_at": at(0),
             "answered_at": at(30), "handle_seconds": 300.0, "resolved_first_contact": False,
             "callback_requested_at": at(0), "follow_up_due_at": at(3600)},
            {"interaction_id": "i2", "member_ref": CANARY_MEMBER, "agent_id": "a1", "arrived_at": at(600),
             "answered_at": at(610), "channel": "email", "abandoned": False},
            {"interaction_id": "i3", "member_ref": CANARY_MEMBER, "arrived_at": at(900), "abandoned": True,
             "ended_at": at(960)},
        ],
        surveys=[{"interaction_id": "i1", "csat": 2, "nps": 3, "ces": 2, "comment": CANARY_COMMENT}],
        qa_evaluations=[e1], qa_items=items1,
        training=[{"agent_id": "a1", "hours": 2.0, "paid_by_client": False}],
        roster=[{"agent_id": "a1", "termination_date": date(2026, 10, 20)}],
    )
    run_sample = audit_period(AuditInputs(Path("sample_exports/2026-10"), load_contracts("contracts")), Period(2026, 10))
    vendor = run_sample.result.vendor("ACME")
    scores, queries = [], []
    for k, (metric_id, params) in enumerate(CASES):
        query = MetricQuery(metric_id, ("S1",), tuple(params.items()))
        result = query.compute(d)
        scores.append(replace(vendor.scorecard.kpis[0], kpi_id=f"k{k}", metric_id=metric_id, result=result,
                              outcome=Outcome.MISSED, direction=METRICS[metric_id].direction,
                              minimum=0.0 if METRICS[metric_id].direction is Direction.HIGHER else -1.0))
        queries.append((f"k{k}", query))
    vendor = replace(vendor, kpi_queries=tuple(queries), scorecard=replace(vendor.scorecard, kpis=tuple(scores)))
    book = vendor_evidence(vendor, d, rows_per_sheet=1)
    assert book is not None and len(book.sheets) == len(CASES)
    files = write_evidence([book], tmp_path)
    assert any(f.suffix == ".csv" for f in files)
    for path in files:
        if path.suffix == ".xlsx":
            with ZipFile(path) as z:
                text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
            headers = set(re.findall(r'<tableColumn [^>]*name="([^"]+)"', text)) | set(re.findall(r"<t>([^<]+)</t>", text))
        else:
            text = path.read_text(encoding="utf-8")
            headers = set(text.splitlines()[0].split(","))
        assert "CANARY" not in text, path.name
        assert not {"member_ref", "comment"} & headers, path.name
