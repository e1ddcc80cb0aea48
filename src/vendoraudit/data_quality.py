"""The validation stage in summary: for the whole export set, and each vendor's share of it.

The whole summary (every file, every issue) goes into the internal documents: the portfolio, the
workbook, the audit JSON. A vendor's scorecard and its attachments carry only that vendor's share
(`vendor_summaries`): the files holding rows of its sites, counted over those rows alone, and
the issues found on those rows. Vendors compete, so one must never read another's file names,
sites or row counts. A row belongs to the vendor running its `site_id` (a QA item to its
evaluation's); an issue of a whole file belongs to the one vendor whose rows the file holds.
Issues of the export set as a whole, and rows of no contracted site, stay in the internal summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import polars as pl

from .audit_result import DataQuality, IssueCount
from .results import Severity, SiteDirectory
from .tables import SOURCE_FILE, SOURCE_ROW, TABLES
from .validate import REASON, FileReport, Issue, ValidatedExports

_EXCLUDED_PREFIX = "excluded by mapping"  # the quarantine reason of rows a mapping sets aside
_MAX_FIRST_ROWS = 5


def summarise(files: Sequence[FileReport], issues: Iterable[Issue]) -> DataQuality:
    """Issue counts per file and rule (with the first rows) and the row accounting of `files`."""
    groups: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    errors = warnings = 0
    for issue in issues:
        # Filed under the issue's own table: a file read by two mappings (calls and their
        # ratings) has issues of each table, counted once each.
        key = (issue.file or "", issue.table, issue.rule, str(issue.severity))
        groups[key].append(issue.row or 0)
        errors += issue.severity is Severity.ERROR
        warnings += issue.severity is Severity.WARNING
    counts = tuple(IssueCount(file, table, rule, severity, len(rows),
                              tuple(sorted(r for r in rows if r))[:_MAX_FIRST_ROWS])
                   for (file, table, rule, severity), rows in sorted(groups.items()))
    return DataQuality(
        files=tuple(files), issue_counts=counts, error_count=errors, warning_count=warnings,
        rows_read=sum(f.rows_read for f in files), rows_used=sum(f.rows_used for f in files),
        rows_quarantined=sum(f.rows_quarantined for f in files))


def export_summary(validated: ValidatedExports) -> DataQuality:
    """The whole export set's summary (internal documents only)."""
    return summarise(validated.files, validated.issues)


def _vendor_frame(sites: SiteDirectory) -> pl.DataFrame:
    return pl.DataFrame({"site_id": [s.site_id for s in sites.sites], "vendor_id": [s.vendor_id for s in sites.sites]},
                        schema={"site_id": pl.String, "vendor_id": pl.String})


def _with_site(table: str, frame: pl.DataFrame, evaluation_sites: pl.DataFrame) -> pl.LazyFrame:
    """`frame`'s source columns (and reason) with each row's site; QA items take their evaluation's."""
    keep = [c for c in (SOURCE_FILE, SOURCE_ROW, REASON) if c in frame.columns]
    if table != "qa_items":
        return frame.lazy().select(*keep, pl.col("site_id").cast(pl.String))
    return (frame.lazy().select(*keep, pl.col("evaluation_id").cast(pl.String))
            .join(evaluation_sites.lazy(), on="evaluation_id", how="left").drop("evaluation_id"))


def _evaluation_sites(validated: ValidatedExports) -> pl.DataFrame:
    frames = [f.select(pl.col("evaluation_id").cast(pl.String), pl.col("site_id").cast(pl.String))
              for f in (validated.tables.get("qa_evaluations"), validated.quarantine.get("qa_evaluations"))
              if f is not None and f.height]
    if not frames:
        return pl.DataFrame(schema={"evaluation_id": pl.String, "site_id": pl.String})
    return pl.concat(frames).unique("evaluation_id", keep="first", maintain_order=True)


def _frames(validated: ValidatedExports) -> Iterable[tuple[str, bool, pl.DataFrame]]:
    for table in TABLES:
        for quarantined, source in ((False, validated.tables), (True, validated.quarantine)):
            frame = source.get(table)
            if frame is not None and frame.height and SOURCE_FILE in frame.columns:
                yield table, quarantined, frame


def vendor_summaries(validated: ValidatedExports, sites: SiteDirectory,
                     vendor_ids: Sequence[str]) -> dict[str, DataQuality]:
    """Each vendor's share of the export set: its files counted over its rows, and its issues."""
    vendors = _vendor_frame(sites)
    evaluation_sites = _evaluation_sites(validated)
    # rows per (table, file, vendor): used, quarantined, of which excluded by the mapping
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    issue_keys = _issue_keys(validated.issues)
    owners: dict[tuple[str, str, int], str] = {}
    for table, quarantined, frame in _frames(validated):
        rows = _with_site(table, frame, evaluation_sites).join(vendors.lazy(), on="site_id", how="inner")
        excluded = (pl.col(REASON).str.starts_with(_EXCLUDED_PREFIX).sum() if quarantined and REASON in frame.columns
                    else pl.lit(0, dtype=pl.UInt32))
        grouped = (rows.group_by(SOURCE_FILE, "vendor_id")
                   .agg(pl.len().alias("n"), excluded.alias("excluded")).collect())
        for file, vendor_id, n, n_excluded in grouped.select(
                pl.col(SOURCE_FILE).cast(pl.String), "vendor_id", "n", "excluded").iter_rows():
            entry = counts[(table, file, vendor_id)]
            entry[1 if quarantined else 0] += n
            entry[2] += n_excluded or 0
        wanted = issue_keys.get(table)
        if wanted is not None:
            found = (rows.with_columns(pl.col(SOURCE_FILE).cast(pl.String))
                     .join(wanted.lazy(), on=[SOURCE_FILE, SOURCE_ROW], how="semi")
                     .select(SOURCE_FILE, SOURCE_ROW, "vendor_id").collect())
            owners.update({(table, file, row): vendor_id for file, row, vendor_id in found.iter_rows()})
    file_vendors: dict[str, set[str]] = defaultdict(set)
    for _table, file, vendor_id in counts:
        file_vendors[file].add(vendor_id)
    issues_of: dict[str | None, list[Issue]] = defaultdict(list)
    for issue in validated.issues:  # each issue's owner once, not once per vendor
        issues_of[_owner(issue, owners, file_vendors)].append(issue)
    out = {}
    for vendor_id in vendor_ids:
        files = []
        for report in validated.files:
            entry = counts.get((report.table, report.path, vendor_id))
            if entry is None:
                continue
            used, quarantined, excluded = entry
            files.append(replace(report, rows_read=used + quarantined, rows_used=used,
                                 rows_quarantined=quarantined, rows_excluded=excluded))
        out[vendor_id] = summarise(files, issues_of[vendor_id])
    return out


def _issue_keys(issues: Iterable[Issue]) -> dict[str, pl.DataFrame]:
    """Per table, the (file, row) of every issue on a row."""
    keys: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for issue in issues:
        if issue.file is not None and issue.row is not None:
            keys[issue.table].add((issue.file, issue.row))
    return {table: pl.DataFrame(list(pairs), schema={SOURCE_FILE: pl.String, SOURCE_ROW: pl.Int64}, orient="row")
            for table, pairs in keys.items()}


def _owner(issue: Issue, owners: Mapping[tuple[str, str, int], str],
           file_vendors: Mapping[str, set[str]]) -> str | None:
    """The vendor an issue belongs to: its row's, else its file's when the file holds one vendor's rows."""
    if issue.file is None:
        return None
    if issue.row is not None:
        found = owners.get((issue.table, issue.file, issue.row))
        if found is not None:
            return found
    holders = file_vendors.get(issue.file, set())
    return next(iter(holders)) if len(holders) == 1 else None
