"""Small complete worlds for end-to-end hardening runs: exports, contracts and an output folder.

`canary_world` copies two sites' October exports from `sample_exports/2026-10` (the in-house
baseline NW-BOS and the vendor ACME-MNL, so a full audit renders only three PDFs), plants a
unique canary in every personal column (member_ref, survey comment), adds rows with canaries
that must be quarantined, and gives the two contracts hostile display names (markup for the
PDF, a formula for the workbook).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_exports" / "2026-10"
PERIOD = "2026-10"
CANARY = "QXCANARY"  # every planted personal value contains this token; no output may
SCRIPT_NAME = '<script>document.title="pwned"</script><link rel="attachment" href="file:///etc/passwd">Northwind'
PATH_SITE = "../../escaped/..\\x"
FORMULA_NAME = '=HYPERLINK("http://example.invalid/leak","Acme")'


def contract_text(vendor_id: str = "ACME", site_id: str = "ACME-MNL", vendor_name: str | None = None,
                  source: str = "acme.yaml") -> str:
    """A copy of a sample contract with its vendor id, first site id and vendor name replaced."""
    text = (REPO / "contracts" / source).read_text(encoding="utf-8")
    original = re.search(r"^vendor:\n  id: (\S+)\n  name: (.+)$", text, re.M)
    assert original, f"contracts/{source} no longer starts its vendor block as expected"
    old_id, old_name = original.group(1), original.group(2)
    text = text.replace(f"  id: {old_id}\n  name: {old_name}",
                        f"  id: {json.dumps(vendor_id)}\n  name: {json.dumps(vendor_name or old_name)}", 1)
    site = re.search(r"^sites:\n  - id: (\S+)$", text, re.M)
    assert site, f"contracts/{source} no longer lists its sites as expected"
    return text.replace(f"sites:\n  - id: {site.group(1)}", f"sites:\n  - id: {json.dumps(site_id)}", 1)


@dataclass(frozen=True)
class World:
    """Where one end-to-end run reads and writes."""

    root: Path
    exports: Path  # a folder of period folders
    contracts: Path
    mapping: Path
    out: Path

    @property
    def period_dir(self) -> Path:
        return self.exports / PERIOD

    def audit_args(self, *extra: str, out: Path | None = None) -> list[str]:
        return ["audit", "--exports", str(self.exports), "--contracts", str(self.contracts), "--period", PERIOD,
                "--out", str(out or self.out), "--mapping", str(self.mapping), *extra]


def canary_world(root: Path) -> World:
    """Build the world described in the module docstring under `root`."""
    exports = root / "exports"
    period_dir = exports / PERIOD
    period_dir.mkdir(parents=True)
    _two_sites_only(period_dir)
    for site in ("ACME-MNL", "NW-BOS"):
        _interactions_with_canaries(SAMPLE / f"interactions_{site}.csv", period_dir / f"interactions_{site}.csv")
    _surveys_with_canaries(period_dir)
    # A source whose comment column goes through a code map: unknown text is an unreadable value,
    # reported with its value, which must be masked.
    (period_dir / "feedback_extra.csv").write_text(
        "id,site,channel,when,score,free_text\n"
        + "".join(f"FX-{i},ACME-MNL,phone,2026-10-0{i}T10:00:00+08:00,5,{CANARY}-FX{i} my cancer returned\n"
                  for i in range(1, 4)), encoding="utf-8")
    maps = root / "mappings"
    maps.mkdir()
    mapping = maps / "feedback.yaml"
    mapping.write_text(
        "name: feedback-extra\ntable: surveys\nfiles: [feedback_extra*.csv]\ncolumns:\n"
        "  response_id: id\n  site_id: site\n  submitted_at: when\n  csat: score\n"
        "  comment: {column: free_text, codes: {'n/a': null}, unmatched: error}\n", encoding="utf-8")
    contracts = root / "contracts"
    contracts.mkdir()
    (contracts / "northwind.yaml").write_text(contract_text("NORTHWIND", "NW-BOS", SCRIPT_NAME, "northwind.yaml"),
                                              encoding="utf-8")
    (contracts / "acme.yaml").write_text(contract_text("ACME", "ACME-MNL", FORMULA_NAME, "acme.yaml"),
                                         encoding="utf-8")
    return World(root, exports, contracts, mapping, root / "out")


def _two_sites_only(period_dir: Path) -> None:
    """The other tables with the rows of the world's two sites only: a row of a site in no contract
    is a data error (quarantined), and the other sites' rows would block the audit."""
    sites = ["ACME-MNL", "NW-BOS"]
    evaluations = pl.read_parquet(SAMPLE / "qa_evaluations.parquet").filter(pl.col("site_id").is_in(sites))
    evaluations.write_parquet(period_dir / "qa_evaluations.parquet")
    pl.read_parquet(SAMPLE / "qa_items.parquet").filter(
        pl.col("evaluation_id").is_in(evaluations["evaluation_id"].implode())
    ).write_parquet(period_dir / "qa_items.parquet")
    for name in ("roster.csv", "training.csv"):
        text = (SAMPLE / name).read_text(encoding="utf-8")
        header, *lines = text.splitlines(keepends=True)
        sep = ";" if header.count(";") > header.count(",") else ","
        column = header.rstrip("\r\n").split(sep).index("site_id")
        kept = [line for line in lines if line.rstrip("\r\n").split(sep)[column] in sites]
        (period_dir / name).write_text(header + "".join(kept), encoding="utf-8")


def _interactions_with_canaries(src: Path, dst: Path) -> None:
    header = src.read_text(encoding="utf-8").split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    frame = pl.read_csv(src, separator=sep, infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.col("member_ref").is_not_null()).then(pl.lit(CANARY + "-") + pl.col("member_ref"))
        .alias("member_ref"))
    # Rows that break rules while holding a canary: quarantined, and reported in messages.
    bad = frame.head(3).with_columns(
        (pl.col("interaction_id") + "-BAD").alias("interaction_id"),
        pl.lit("fax").alias("channel"),
        pl.format(CANARY + "-BAD{}", pl.int_range(pl.len())).alias("member_ref"))
    # A site id shaped like a path: data from an unknown site, never part of a file name.
    odd = frame.head(1).with_columns((pl.col("interaction_id") + "-ODD").alias("interaction_id"),
                                     pl.lit(PATH_SITE).alias("site_id"))
    pl.concat([frame, bad, frame.head(1), odd]).write_csv(dst, separator=sep)  # head(1): a repeated key


def _surveys_with_canaries(period_dir: Path) -> None:
    frame = pl.read_excel(SAMPLE / "surveys.xlsx", engine="calamine", infer_schema_length=0) \
        .filter(pl.col("site_id").is_in(["ACME-MNL", "NW-BOS"]))
    frame = frame.with_columns(
        pl.format(CANARY + "-C{} I was diagnosed with {}", pl.int_range(pl.len()), pl.col("response_id"))
        .alias("comment"))
    bad = frame.head(3).with_columns((pl.col("response_id") + "-BAD").alias("response_id"),
                                     pl.lit("11").alias("csat"))
    pl.concat([frame, bad]).write_csv(period_dir / "surveys.csv")
