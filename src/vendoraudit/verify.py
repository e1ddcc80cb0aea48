"""Verifying a scorecard PDF from what it carries: its attached results and contract, and its folder's manifest.

`verify_scorecard` reads the PDF's attachments (the scorecard JSON and the contract file), scores
the attached KPI results again against the attached contract's terms for the period, prices the
result again (`scoring.score_contract`, `money.settle`: the library's own code) and compares every
outcome, points figure and money line, to the cent. The fees are taken as attached (they come from
the exports, which the PDF does not carry), as are earn-back returns (their eligibility comes from
the results history): their amounts are priced again. When the PDF's folder holds the audit's
`manifest.json`, the file's SHA-256 must be the one listed. The figures printed on the cover
(version, state, composite, net adjustment) must be the attached ones. Nothing here writes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import VendorAuditError
from .money import EarnBackCandidate, format_money, settle
from .periods import Period
from .report_json import JsonKind
from .results import Interval, MetricResult, Unit

SCORECARD_KIND = JsonKind.SCORECARD


@dataclass(frozen=True)
class Check:
    """One thing verified: what, whether it holds, and in words why not (or what was found)."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Verification:
    """Every check of one scorecard, with what the scorecard says it is."""

    path: str
    vendor_id: str | None
    period: str | None
    version: int | None
    state: str | None
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def integrity_checked(self) -> bool:
        """True when the file's hash was compared with a manifest."""
        return any(c.name == "manifest" and not c.detail.startswith("not checked") for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)


class _Stop(Exception):
    """Nothing further can be checked (the PDF or an attachment cannot be read)."""


def verify_scorecard(path: Path, manifest: Path | None = None) -> Verification:
    """Verify one scorecard PDF (see the module docstring); never raises for a bad file.

    `manifest` is the audit's manifest.json when it is not beside the file (a scorecard sent back
    by a vendor, checked against the output folder that issued it).
    """
    checks: list[Check] = []
    found: dict[str, Any] = {}
    try:
        _verify(Path(path), checks, found, manifest)
    except _Stop:
        pass
    return Verification(str(path), found.get("vendor_id"), found.get("period"), found.get("version"),
                        found.get("state"), tuple(checks))


def _verify(path: Path, checks: list[Check], found: dict[str, Any], manifest: Path | None) -> None:
    def check(name: str, ok: bool, failure: str = "", note: str = "") -> bool:
        # a failure says what does not hold; a note what a passing check found worth saying
        checks.append(Check(name, ok, note if ok else failure))
        return ok

    try:
        data = path.read_bytes()
    except OSError as exc:
        check("readable file", False, f"cannot read {path}: {exc.strerror}")
        raise _Stop from None
    digest = hashlib.sha256(data).hexdigest()
    _check_manifest(path, digest, check, manifest)
    attachments, first_page = _read_pdf(data, check)
    document, contract_bytes = _attached(attachments, check)
    record = document["result"]
    vendor = record["vendor"]
    issue = record.get("issue") or {}
    found.update(vendor_id=vendor.get("vendor_id"), period=record.get("period"), version=issue.get("version"),
                 state=issue.get("state"))
    period = Period.parse(str(record["period"]))
    if not check("contract attached", hashlib.sha256(contract_bytes).hexdigest() == vendor["contract"]["sha256"],
                 "the attached contract is not the one the results name (SHA-256 differs)"):
        raise _Stop
    terms = _terms(contract_bytes, vendor, period, check)
    _check_cover(path, first_page, vendor, issue, check)
    card = _rescore(terms, period, vendor, check)
    if card is not None:
        _reprice(terms, card, vendor, check)


def _check_manifest(path: Path, digest: str, check: Callable[..., bool], given: Path | None) -> None:
    manifest = given or path.parent / "manifest.json"
    if given is not None and not given.is_file():
        check("manifest", False, f"{given}: no such manifest file")
        return
    if not manifest.is_file():
        check("manifest", True, note=f"not checked: no manifest.json beside {path.name}")
        return
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        check("manifest", False, f"{manifest} cannot be read as a vendoraudit manifest")
        return
    listed = files.get(path.name) if isinstance(files, dict) else None
    if listed is None:
        check("manifest", False, f"{path.name} is not listed in {manifest}")
    else:
        check("manifest", listed == digest, f"SHA-256 {digest[:16]}... is not the {listed[:16]}... listed in "
                                            f"{manifest}: the file was changed after it was written",
              note=f"SHA-256 as listed in {manifest}")


def _read_pdf(data: bytes, check: Callable[..., bool]) -> tuple[dict[str, list[bytes]], str]:
    """The PDF's attachments and its first page's text; a file pypdf cannot read stops here."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd bytes are ours to report
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        attachments = {name: list(parts) for name, parts in reader.attachments.items()}
        text = reader.pages[0].extract_text() if reader.pages else ""
    except Exception as exc:  # noqa: BLE001 - any failure to parse a hostile or damaged file is a finding
        check("readable PDF", False, f"not a readable PDF ({type(exc).__name__})")
        raise _Stop from None
    check("readable PDF", True)
    return attachments, text


def _attached(attachments: dict[str, list[bytes]], check: Callable[..., bool]) -> tuple[dict[str, Any], bytes]:
    results = [n for n in attachments if n.startswith("scorecard-") and n.endswith(".json")]
    contracts = [n for n in attachments if n.startswith("contract-") and n.endswith(".yaml")]
    if not check("attachments", len(results) == 1 and len(contracts) == 1,
                 f"expected one scorecard JSON and one contract attached, found: {', '.join(sorted(attachments)) or 'none'}"):
        raise _Stop
    try:
        document = json.loads(attachments[results[0]][0].decode("utf-8"), parse_float=float)
        ok = document.get("kind") == SCORECARD_KIND and isinstance(document.get("result", {}).get("vendor"), dict)
    except (UnicodeDecodeError, ValueError, AttributeError):
        ok = False
    if not check("attached results", ok, f"{results[0]} is not a {SCORECARD_KIND} JSON document"):
        raise _Stop
    return document, attachments[contracts[0]][0]


def _terms(contract_bytes: bytes, vendor: dict[str, Any], period: Period, check: Callable[..., bool]):  # noqa: ANN202
    from .contract.loader import validation_problems
    from .contract.model import Contract
    from .contract.terms import terms_for
    from .yamlsource import loads_located

    try:
        doc = loads_located(contract_bytes.decode("utf-8-sig"), "attached contract")
        contract = Contract.model_validate(doc.data)
        terms = terms_for(contract, period)
    except VendorAuditError as exc:
        check("attached contract", False, str(exc))
        raise _Stop from None
    except UnicodeDecodeError:
        check("attached contract", False, "the attached contract is not UTF-8 text")
        raise _Stop from None
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError and the like
        problems = validation_problems(exc, doc) if hasattr(exc, "errors") else []
        check("attached contract", False, "; ".join(str(p) for p in problems[:3]) or type(exc).__name__)
        raise _Stop from None
    check("attached contract", terms.vendor.id == vendor["vendor_id"],
          f"the attached contract is {terms.vendor.id}'s, the results {vendor['vendor_id']}'s")
    return terms


def _check_cover(path: Path, text: str, vendor: dict[str, Any], issue: dict[str, Any],
                 check: Callable[..., bool]) -> None:
    flat = " ".join(text.split())
    version, state = issue.get("version"), issue.get("state")
    named = re.search(r"-v(\d+)\.pdf$", path.name)
    if named and version is not None:
        check("version", int(named.group(1)) == version,
              f"the file name says v{named.group(1)}, the attached results v{version}")
    if version is not None:
        check("cover version", f"Version {version}, {state}" in flat,
              f"the cover does not say 'Version {version}, {state}' as the attached results do")
    composite = vendor["scorecard"].get("composite")
    if composite is not None:
        check("cover composite", f"{composite} / 100" in flat, f"the cover does not show the attached composite {composite}")
    settlement = vendor.get("settlement")
    if settlement:
        net = format_money(Decimal(settlement["net_adjustment"]), vendor["currency"])
        check("cover net adjustment", net in flat, f"the cover does not show the attached net adjustment {net}")


def _metric(raw: dict[str, Any] | None) -> MetricResult | None:
    if raw is None:
        return None
    interval = raw.get("interval")
    return MetricResult(
        metric_id=raw["metric_id"], value=raw.get("value"), unit=Unit(raw["unit"]), n=int(raw["n"]),
        numerator=raw.get("numerator"), denominator=raw.get("denominator"),
        interval=Interval(interval["low"], interval["high"], interval["method"]) if interval else None,
        variant=raw.get("variant", "default"), params=tuple(tuple(p) for p in raw.get("params", ())),
        min_sample=int(raw.get("min_sample", 0)), note=raw.get("note", ""))


def _rescore(terms, period: Period, vendor: dict[str, Any], check: Callable[..., bool]):  # noqa: ANN001, ANN202
    from .scoring import score_contract

    kpis = vendor["scorecard"]["kpis"]
    try:
        results = {k["kpi_id"]: m for k in kpis if (m := _metric(k.get("result"))) is not None}
        baselines = {k["kpi_id"]: k.get("baseline") for k in kpis}
        excused = {k["kpi_id"]: k.get("verdict", "excused") for k in kpis if k.get("outcome") == "excused"}
        card = score_contract(terms, period, results, baselines, excused, vendor["scorecard"].get("consistency_points"))
    except (KeyError, TypeError, ValueError, VendorAuditError) as exc:
        check("outcomes", False, f"the attached KPI results cannot be scored again ({type(exc).__name__}: {exc})")
        return None
    attached = {k["kpi_id"]: k for k in kpis}
    wrong = []
    if set(attached) != {k.kpi_id for k in card.kpis}:
        wrong.append(f"the attached KPIs ({', '.join(attached)}) are not the contract's "
                     f"({', '.join(k.kpi_id for k in card.kpis)})")
    for k in card.kpis:
        given = attached.get(k.kpi_id)
        if given is None:
            continue
        for name, mine in (("outcome", str(k.outcome)), ("points", k.points), ("achievement", k.achievement),
                           ("improvement", k.improvement)):
            if given.get(name) != mine:
                wrong.append(f"KPI {k.kpi_id}: {name} {given.get(name)} attached, {mine} from its result and the "
                             "contract")
    composite = vendor["scorecard"].get("composite")
    if (None if composite is None else Decimal(composite)) != card.composite:
        wrong.append(f"composite {composite} attached, {card.composite} from the KPIs")
    check("outcomes", not wrong, "; ".join(wrong), note=f"{len(card.kpis)} KPI outcomes and points reproduced")
    return card


def _reprice(terms, card, vendor: dict[str, Any], check: Callable[..., bool]) -> None:  # noqa: ANN001
    attached = vendor.get("settlement")
    if attached is None:
        check("money", terms.money is None or vendor.get("fees") is None,
              "the contract has money terms but no settlement is attached")
        return
    try:
        fees = Decimal(attached["fees"])
        candidates = [EarnBackCandidate(Period.parse(line["refers_to"]), line["kpi_id"], Decimal(line["amount"]),
                                        terms.money.earn_back_months or 1)
                      for line in attached["lines"] if line["kind"] == "earn_back"]
        mine = settle(terms, card, fees, candidates)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError, VendorAuditError) as exc:
        check("money", False, f"the attached settlement cannot be priced again ({type(exc).__name__})")
        return
    wrong = []
    given_lines = [(line["kind"], Decimal(line["amount"]), line.get("kpi_id"), line.get("refers_to"))
                   for line in attached["lines"]]
    my_lines = [(str(line.kind), line.amount, line.kpi_id, str(line.refers_to) if line.refers_to else None)
                for line in mine.lines]
    for n, (given, computed) in enumerate(zip(given_lines, my_lines), start=1):
        if given != computed:
            wrong.append(f"money line {n}: {given[0]} {given[2] or ''} {given[1]} attached, "
                         f"{computed[0]} {computed[2] or ''} {computed[1]} from the contract".replace("  ", " "))
    if len(given_lines) != len(my_lines):
        wrong.append(f"{len(given_lines)} money lines attached, {len(my_lines)} from the contract")
    for name in ("at_risk", "credits_total", "bonus_total", "withhold_net", "earn_back_total", "net_adjustment"):
        if Decimal(attached[name]) != getattr(mine, name):
            wrong.append(f"{name} {attached[name]} attached, {getattr(mine, name)} from the contract")
    check("money", not wrong, "; ".join(wrong), note=f"{len(my_lines)} money lines and the totals reproduced to the cent")
