"""Names from contracts and values from exports are data: escaped in the PDF, text in the workbook."""

from __future__ import annotations

import subprocess
import zipfile

from openpyxl import load_workbook

from .conftest import Ran, invoke
from .worlds import FORMULA_NAME, PATH_SITE, PERIOD, SCRIPT_NAME, World


def test_markup_in_a_vendor_name_is_printed_not_run(world: World, audited: Ran) -> None:
    folder = world.out / PERIOD
    portfolio = folder / f"portfolio-{PERIOD}.pdf"
    scorecard = folder / f"scorecard-{PERIOD}-NORTHWIND-v1.pdf"
    for pdf in (portfolio, scorecard):
        text = subprocess.run(["pdftotext", "-q", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        flat = " ".join(text.split())
        assert "<script>" in flat, f"{pdf.name}: the name must be shown literally (escaped), not dropped"
        raw = pdf.read_bytes()
        assert b"root:x:0:0" not in raw, f"{pdf.name}: /etc/passwd was embedded"


def test_the_html_escapes_names() -> None:
    from vendoraudit.render_pdf import environment

    html = environment().from_string("<h1>{{ name }}</h1>").render(name=SCRIPT_NAME)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<link" not in html


def test_formula_text_is_stored_as_text_in_the_workbook(world: World, audited: Ran) -> None:
    path = world.out / PERIOD / f"vendoraudit-{PERIOD}.xlsx"
    book = load_workbook(path)
    hits = []
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if cell.value == FORMULA_NAME:
                    hits.append(cell)
    assert hits, "the vendor name should appear in the workbook"
    assert all(c.data_type == "s" and c.quotePrefix for c in hits)
    with zipfile.ZipFile(path) as archive:
        sheets = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"<f " not in sheets


def test_a_path_shaped_site_id_never_names_a_file(world: World, audited: Ran) -> None:
    everything = [p for p in world.root.rglob("*")]
    assert not (world.root / "escaped").exists() and not (world.out.parent.parent / "escaped").exists()
    assert not any("escaped" in p.name for p in everything)
    assert all(p.resolve().is_relative_to(world.out.resolve()) for p in world.out.rglob("*"))
    assert PATH_SITE  # the world planted it in interactions_ACME-MNL.csv


def test_control_characters_never_reach_the_terminal(tmp_path) -> None:
    from .corpus import control_characters_in_values

    args = control_characters_in_values(tmp_path / "exports")
    ran = invoke([a for a in args if a != "--json"])
    assert ran.exit_code == 1
    assert "\x1b" not in ran.output and "\x07" not in ran.output
    assert "allowed_values" in ran.stdout
