"""`dispute new`: the text of a dispute for a vendor and KPI, as a new file or appended to the
vendor's file of the period. The template does not pass `dispute check` until its claim and
remedy are filled in."""

from __future__ import annotations

import os
from pathlib import Path

from ..contract.loader import ContractSet
from ..errors import ConfigError
from ..periods import Period
from ..problems import suggest
from ..yamlsource import load_located


def dispute_path(folder: Path, vendor_id: str, period: Period) -> Path:
    """Where a vendor's disputes of a period live: FOLDER/YYYY-MM/VENDOR.yaml."""
    return folder / str(period) / f"{vendor_id}.yaml"


def _entry(dispute_id: str, kpi_id: str, title: str) -> str:
    return f"""  - id: {dispute_id}
    kpi: {kpi_id}  # {title}
    # raised_on: YYYY-MM-DD
    claim: ""  # the vendor's claim, in its words (no member names or references)
    evidence: []  # what the claim rests on: incident numbers, evidence workbook sheets
    remedy: {{}}
    # Remedies (any of): exclude_dates: [2026-10-14] (site-local days)
    #   exclude_intervals: [{{start: 2026-10-15T09:00, end: 2026-10-15T10:30}}] (site-local half hours)
    #   exclude_contacts: [interaction ids]   exclude_evaluations: [evaluation ids]
    #   rescore: [{{evaluation: ID, criterion: empathy, points: 15}}]   exclude_queues: [queue]
    # decision (the client's, once decided):
    #   outcome: accepted | partly_accepted | rejected
    #   granted: {{...}}  (partly_accepted only: the part of the remedy granted)
    #   reason: why   decided_by: name, role   decided_on: YYYY-MM-DD
"""


def new_dispute(folder: Path, vendor_id: str, kpi_id: str, period: Period, contracts: ContractSet,
                schema: Path | None = None) -> tuple[Path, str]:
    """Write a dispute template for `vendor_id`'s KPI `kpi_id` of `period`; returns (path, dispute id).

    A new file when the vendor has none for the period; otherwise the dispute is appended to its list
    (which must be the file's last key, as this template writes it). ConfigError for an unknown
    vendor or KPI.
    """
    terms = contracts.terms_for(vendor_id, period)
    kpis = {k.id: k for k in terms.kpis}
    if kpi_id not in kpis:
        raise ConfigError(f"unknown KPI {kpi_id!r}: not a KPI of {vendor_id}'s contract in force in {period} "
                          f"({suggest(kpi_id, list(kpis))})")
    path = dispute_path(folder, vendor_id, period)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        header = ""
        if schema is not None:
            header = f"# yaml-language-server: $schema={os.path.relpath(schema, path.parent)}\n"
        text = (f"{header}# Disputes of {vendor_id} for {period}: one file per vendor and period.\n"
                f"# Check with: vendoraudit dispute check {path}\n"
                f"schema_version: 1\nvendor: {vendor_id}\nperiod: \"{period}\"\ndisputes:\n"
                + _entry("D1", kpi_id, kpis[kpi_id].title))
        path.write_text(text, encoding="utf-8")
        return path, "D1"
    doc = load_located(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    listed = data.get("disputes")
    top = {k[0]: loc.line for k, loc in doc.key_locations.items() if len(k) == 1}
    block = isinstance(listed, list) and listed and doc.locate(("disputes", 0)).line > top.get("disputes", 0)
    if not block or top.get("disputes") != max(top.values()):
        raise ConfigError(f"{path}: cannot append a dispute here (its disputes list is not the last key, or is "
                          "empty or not a block list); add the dispute by hand")
    ids = {str(d.get("id")) for d in listed if isinstance(d, dict)}
    number = len(listed) + 1
    while f"D{number}" in ids:
        number += 1
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + _entry(f"D{number}", kpi_id, kpis[kpi_id].title),
                    encoding="utf-8")
    return path, f"D{number}"
