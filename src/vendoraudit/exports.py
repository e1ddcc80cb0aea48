"""Finding, reading and mapping export files (CSV, XLSX, Parquet) into canonical frames.

A file belongs to a table when its stem starts with the table's name
(`interactions_ACME-MNL.csv`), or when a mapping's glob claims it. Every file is hashed
(SHA-256), read with all-text columns (CSV, XLSX) or its own types (Parquet), and turned into
the canonical columns by its mapping (`mapping.identity_mapping` for canonical files).
A value that does not parse is recorded as a failure of its row, never silently dropped.
A file that cannot be read at all raises one-line InputError naming it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Mapping as MappingABC, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import polars as pl

from .errors import InputError
from .mapping import Mapping, apply_mapping, identity_mapping, missing_source_columns
from .mapping.numbers import AmbiguousNumbers
from .source_types import checked_types
from .tables import SOURCE_FILE, SOURCE_ROW, TABLES

EXCLUDED = "_excluded"  # the mapping's reason for setting a row aside (null: a real record)

_CHUNK = 1 << 20
_SNIFF = 64 * 1024
_RAGGED = "__ragged"  # set by the CSV reader on rows with more fields than the header
_RAGGED_EXTRA = 8  # extra fields looked at to tell a ragged row from a trailing delimiter
# Workbook archives: what one may inflate to, and the compression ratio no real sheet reaches
# (sheets compress about 10:1; a zip bomb about 1000:1).
MAX_XLSX_INFLATED = 1 << 30
MAX_XLSX_RATIO = 100
_RATIO_FLOOR = 10 * (1 << 20)  # small members may compress far better; they cannot hurt
# A UTF-8 multi-byte sequence; in a file that is not valid UTF-8 it means two encodings were mixed.
_LONE_CR = re.compile(rb"\r[^\n]")  # a CR that does not start a CRLF (one at the very end is looked at apart)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class FileFormat(StrEnum):
    """Accepted export file formats."""

    CSV = "csv"
    XLSX = "xlsx"
    PARQUET = "parquet"


EXTENSIONS: dict[str, FileFormat] = {
    ".csv": FileFormat.CSV, ".tsv": FileFormat.CSV, ".txt": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX, ".xlsm": FileFormat.XLSX,
    ".parquet": FileFormat.PARQUET, ".pq": FileFormat.PARQUET,
}


@dataclass(frozen=True)
class ExportFile:
    """One file of an export set and how it will be read: which table, through which mapping."""

    path: Path
    relative: str  # path relative to the export folder, POSIX separators
    table: str
    format: FileFormat
    mapping: Mapping
    mapped: bool  # True when a user mapping claimed it (not the canonical identity mapping)


@dataclass(frozen=True)
class ReadFile:
    """One file read into its table's canonical columns.

    `frame`: canonical columns + `_source_file` (categorical), `_source_row` (1-based data row) and
    `_excluded` (the mapping's reason to set the row aside, else null).
    `failures`: one row per value that did not parse (`_source_row`, column, value, expects).
    `clock_adjusted`: rows whose timestamps were out of order by no more than the mapping's clock
    tolerance, taken as equal (spec/exports.md).
    """

    source: ExportFile
    sha256: str
    frame: pl.DataFrame
    failures: pl.DataFrame
    unknown_columns: tuple[str, ...]
    clock_adjusted: int = 0

    @property
    def rows_read(self) -> int:
        return self.frame.height


@dataclass(frozen=True)
class Discovery:
    """The files of an export folder: those that belong to a table and data files that belong to none."""

    files: tuple[ExportFile, ...]
    unclaimed: tuple[str, ...]


def discover(export_dir: Path, mappings: Sequence[Mapping] = ()) -> Discovery:
    """Find each table's files in `export_dir` (a mapping's globs claim files first)."""
    if not export_dir.is_dir():
        raise InputError(f"{export_dir}: not a folder of export files")
    root = export_dir.resolve()
    files: list[ExportFile] = []
    claimed: set[Path] = set()
    for mapping in mappings:
        for pattern in mapping.files:
            for path in sorted(export_dir.glob(pattern)):
                if path.name.startswith(".") or not _is_export_file(path, export_dir, root):
                    continue
                fmt = EXTENSIONS.get(path.suffix.lower())
                if fmt is None:
                    raise InputError(f"{_rel(path, export_dir)}: claimed by mapping {mapping.name!r} but "
                                     f"its extension is not one of {', '.join(sorted(EXTENSIONS))}")
                claimed.add(path)
                files.append(ExportFile(path, _rel(path, export_dir), mapping.table, fmt, mapping, True))
    by_length = sorted(TABLES, key=len, reverse=True)  # longest first: no prefix shadows another
    unclaimed: list[str] = []
    for path in sorted(export_dir.iterdir()):
        fmt = EXTENSIONS.get(path.suffix.lower())
        if path in claimed or path.name.startswith(".") or fmt is None or not _is_export_file(path, export_dir, root):
            continue
        table = next((t for t in by_length if path.stem.lower().startswith(t)), None)
        if table is None:
            unclaimed.append(_rel(path, export_dir))
            continue
        files.append(ExportFile(path, _rel(path, export_dir), table, fmt, identity_mapping(table), False))
    return Discovery(tuple(files), tuple(unclaimed))


def _is_export_file(path: Path, export_dir: Path, root: Path) -> bool:
    """Whether `path` is a file to read; InputError for a symbolic link that leads out of the
    export folder (`root`, resolved) or to nothing.

    A link is followed only while it stays inside the folder: the folder is what a site sent and
    what the report's hashes and row counts describe, so a file from elsewhere (another month,
    another vendor, /etc) must not be read in its place, and a dangling link is not silently skipped.
    """
    try:
        target = path.resolve(strict=True)  # a link in the name or in a folder above it (a mapping's sub/*.csv)
    except (OSError, RuntimeError):  # a dangling link or a loop
        if not path.is_symlink():
            return False
        raise InputError(f"{_rel(path, export_dir)}: a symbolic link to nothing (or a loop): refused; "
                         "copy the export file itself into the folder") from None
    if not target.is_relative_to(root):
        raise InputError(f"{_rel(path, export_dir)}: a symbolic link to {target}, outside the export folder {root}: "
                         "refused; copy the file into the folder to audit it")
    return target.is_file()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_file(source: ExportFile, site_zones: MappingABC[str, str] | None = None,
              partial: bool = False) -> ReadFile:
    """Read, hash and map one file; InputError (one line naming the file) if it cannot be read.

    `partial` (a mapping preview): required canonical columns with no source stay empty instead
    of making the file unreadable.
    """
    head = _head(source)
    if source.format is FileFormat.CSV and (kind := _kind_of(head)) != "text":
        if kind == "binary data":
            raise _nul_error(source, head, head.find(b"\x00"))
        raise InputError(f"{source.path}: not CSV text: it is {kind}")
    # Record breaks other than LF and CRLF (CR alone, old Mac files) seen in the head are made LF
    # before parsing; those found only further on (a mixed file) make `_scanned` ask for a re-read.
    lf_only = source.format is FileFormat.CSV and _has_lone_cr(head)
    # The bytes are hashed (and a CSV's quotes counted) on a thread while the file is parsed and
    # mapped: hashing releases the GIL, and much of the mapping keeps one core only.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(_scan, source)
        try:
            frame, failures, unknown, adjusted = _read_mapped(source, head, site_zones, partial, lf_only)
        except Exception:
            _scanned(source, scan)  # bytes that cannot be read, or an unbalanced quote, are the error to report
            raise
        sha256, lone_cr = _scanned(source, scan)
    if lone_cr and not lf_only:
        frame, failures, unknown, adjusted = _read_mapped(source, head, site_zones, partial, True)
    return ReadFile(source, sha256, frame, failures, unknown, adjusted)


@dataclass(frozen=True)
class _Scan:
    """What one pass over a file's bytes found."""

    sha256: str
    quotes: int  # quote characters (CSV)
    nul_at: int  # offset of the first NUL byte, -1 if none (CSV)
    lone_cr: bool  # a CR not followed by LF: a record break polars would not see (CSV)


def _scanned(source: ExportFile, scan: Future[_Scan]) -> tuple[str, bool]:
    """The file's SHA-256 and whether it holds lone CRs, once its scan is done; InputError for a
    CSV with a NUL byte anywhere or an odd count of quotes."""
    found = scan.result()
    if source.format is not FileFormat.CSV:
        return found.sha256, False
    if found.nul_at >= 0:
        raise _nul_error(source, source.path.read_bytes(), found.nul_at)
    if found.quotes % 2:
        line = _line_of_last_quote(source.path, source.mapping.format.quote.encode("utf-8"))
        raise InputError(f"{source.path}: unbalanced quote (opened near line {line}): the file looks truncated "
                         "or a quote is not closed")
    return found.sha256, found.lone_cr


def _nul_error(source: ExportFile, raw: bytes, offset: int) -> InputError:
    """A NUL byte, wherever it stands, means the file is not text (the first 4 KB once were all that
    was looked at): located by line and byte, quoting nothing."""
    return InputError(f"{source.path}: not CSV text: a NUL byte on line {line_at(raw, offset)} (byte {offset:,}): "
                      "binary data, or a damaged or UTF-16 file")


def line_at(raw: bytes, offset: int) -> int:
    """The 1-based line of byte `offset`, counting every kind of record break (LF, CRLF, CR)."""
    crlf = raw.count(b"\r\n", 0, offset)
    return raw.count(b"\n", 0, offset) + raw.count(b"\r", 0, offset) - crlf + 1


def _has_lone_cr(data: bytes) -> bool:
    """Whether `data` holds a CR that is not the first half of a CRLF (a CR at the very end may be)."""
    return b"\r" in data and _LONE_CR.search(data) is not None


def _read_mapped(source: ExportFile, head: bytes, site_zones: MappingABC[str, str] | None,
                 partial: bool = False, lf_only: bool = False
                 ) -> tuple[pl.DataFrame, pl.DataFrame, tuple[str, ...], int]:
    """The file's canonical frame, its failures, its unknown columns and its rows adjusted within
    the clock tolerance (see `ReadFile`); `lf_only`: make every record break LF before parsing a CSV."""
    if source.format is FileFormat.CSV:
        src, rows = _read_csv(source, head, lf_only)
    elif source.format is FileFormat.XLSX:
        src, rows = _read_xlsx(source, head)
    else:
        src, rows = _read_parquet(source, head)
    skip = source.mapping.format.skip_rows_after_header
    if skip:  # rows between the header and the data (question texts, import ids): not records
        src, rows = src.filter(rows > skip), rows.filter(rows > skip)
    ragged = rows.filter(src[_RAGGED]) if _RAGGED in src.columns else rows.clear()
    src = src.drop(_RAGGED, strict=False)
    mapping = source.mapping
    unknown: tuple[str, ...] = ()
    if not source.mapped:
        src = _canonical_names(src, source.table)
        unknown = tuple(c for c in src.columns if c not in TABLES[source.table].names)
    missing_src, no_source = missing_source_columns(mapping, src.columns)
    if missing_src:
        raise InputError(f"{source.path}: missing column(s) {', '.join(missing_src)} "
                         f"read by mapping {mapping.name!r}")
    if no_source and not partial:
        raise InputError(f"{source.path}: missing required column(s) {', '.join(no_source)} "
                         f"of table {source.table}")
    src = checked_types(src, mapping, str(source.path))
    try:
        mapped = apply_mapping(src, mapping, site_zones)
    except AmbiguousNumbers as exc:  # an error for the whole column: which reading is meant is unknown
        raise InputError(f"{source.path}: {exc}") from None
    frame = mapped.frame.with_columns(
        # Categorical: 4 bytes a row instead of the name's 16 (10M rows: 160 MB -> 40 MB)
        pl.lit(source.relative, dtype=pl.Categorical).alias(SOURCE_FILE),
        rows.alias(SOURCE_ROW),
        mapped.excluded.alias(EXCLUDED),
    )
    fails = mapped.failures
    failures = fails.select(
        pl.Series(SOURCE_ROW, rows.gather(fails["row"]), dtype=pl.Int64), "column", "value", "expects")
    if ragged.len():
        # One failure per ragged row, with no column and no value: its fields may have shifted.
        expects = (f"a row of {src.width} fields as in the header: it has more (a delimiter inside an "
                   "unquoted value?)")
        extra = ragged.to_frame().with_columns(
            pl.lit(None, pl.String).alias("column"), pl.lit(None, pl.String).alias("value"),
            pl.lit(expects).alias("expects"), pl.lit("ragged_row").alias("rule"))
        failures = pl.concat([failures, extra], how="diagonal")
    return frame, failures, unknown, mapped.clock_adjusted


def _canonical_names(src: pl.DataFrame, table: str) -> pl.DataFrame:
    """Accept canonical names in any letter case; the canonical spelling wins."""
    canonical = {n.lower(): n for n in TABLES[table].names}
    renames = {c: canonical[c.lower()] for c in src.columns
               if c.lower() in canonical and c != canonical[c.lower()] and canonical[c.lower()] not in src.columns}
    return src.rename(renames) if renames else src


# --------------------------------------------------------------------------------------------
# Low-level reading
# --------------------------------------------------------------------------------------------

def _head(source: ExportFile) -> bytes:
    """The first bytes (for sniffing); InputError if the file cannot be opened or is empty."""
    try:
        with source.path.open("rb") as fh:
            head = fh.read(_SNIFF)
    except OSError as exc:
        raise InputError(f"{source.path}: cannot read: {exc.strerror or exc}") from exc
    if not head.strip():
        raise InputError(f"{source.path}: empty file")
    return head


def _scan(source: ExportFile) -> _Scan:
    """One pass over the bytes: SHA-256; for a CSV the count of quote chars, the first NUL, lone CRs."""
    digest = hashlib.sha256()
    csv = source.format is FileFormat.CSV
    quote = source.mapping.format.quote.encode("utf-8")
    quotes, offset, nul_at, lone_cr, last = 0, 0, -1, False, b""
    try:
        with source.path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                if csv:
                    if quote in chunk:  # a search is cheaper than a count
                        quotes += chunk.count(quote)
                    if nul_at < 0 and (at := chunk.find(b"\x00")) >= 0:
                        nul_at = offset + at
                    if not lone_cr:
                        # A CRLF may straddle two chunks; a search only where there is a CR (0.5 s a
                        # GB, against 4 s for counting CRs and CRLFs).
                        lone_cr = (last == b"\r" and not chunk.startswith(b"\n")) or (
                            b"\r" in chunk and _LONE_CR.search(chunk) is not None)
                        last = chunk[-1:]
                offset += len(chunk)
    except OSError as exc:
        raise InputError(f"{source.path}: cannot read: {exc.strerror or exc}") from exc
    lone_cr = lone_cr or last == b"\r"
    return _Scan(digest.hexdigest(), quotes, nul_at, lone_cr)


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head[:4096]


def _kind_of(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive (an XLSX workbook?)"
    if head.startswith(b"PAR1"):
        return "a Parquet file"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text (save it as UTF-8 CSV)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "a legacy Excel .xls workbook (save it as .xlsx)"
    if _looks_like_text(head):
        return "text"
    return "binary data"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _parse_reason(exc: Exception) -> str:
    """Why polars could not parse a CSV, without the text it quotes: that text is data, and may be
    a member reference or a comment."""
    text = str(exc)
    found = re.search(r"column number (\d+)\).*?offset in the file is (\d+) bytes", text, re.S)
    if "could not parse" in text and found:
        return (f"a value of column {found.group(1)} cannot be read near byte {int(found.group(2)):,} "
                "(a quote inside an unquoted value?)")
    # Whatever polars quotes between backticks or quotes is left out.
    return re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "(...)", _first_line(exc))


def _read_csv(source: ExportFile, head: bytes, lf_only: bool = False) -> tuple[pl.DataFrame, pl.Series]:
    """The text file (`read_file` checked its head) as text columns; `_scanned` checks its quotes."""
    return _drop_blank_rows(_strip_header(_parse_csv(source, head, lf_only), str(source.path),
                                          _expected_names(source)))


def _expected_names(source: ExportFile) -> set[str]:
    """Header names a file is expected to have: its table's columns and those its mapping reads."""
    return {*TABLES[source.table].names, *source.mapping.source_columns()}


def _parse_csv(source: ExportFile, head: bytes, lf_only: bool = False) -> pl.DataFrame:
    fmt = source.mapping.format
    name = str(source.path)
    quote = fmt.quote.encode("utf-8")
    data: bytes | Path = source.path
    encoding = fmt.encoding
    if encoding in ("cp1252", "latin-1"):
        data = _transcode(source, encoding)
    if lf_only:
        data = lf_record_breaks(data if isinstance(data, bytes) else source.path.read_bytes(), quote)
    delimiter = fmt.delimiter or _sniff_delimiter(head, fmt.skip_rows, fmt.quote)
    try:
        frame = _polars_csv(data, delimiter, fmt.quote, fmt.skip_rows)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower() and "utf8" not in str(exc).lower():
            raise InputError(f"{name}: cannot parse as CSV: {_parse_reason(exc)}") from exc
        if encoding == "utf-8":
            raise InputError(f"{name}: not UTF-8 text, as its mapping says it is") from exc
        # Excel on Windows saves "CSV" in the ANSI code page: try Windows-1252.
        _refuse_mixed_encodings(source)
        text = _transcode(source, "cp1252")
        frame = _polars_csv(lf_record_breaks(text, quote) if lf_only else text, delimiter, fmt.quote,
                            fmt.skip_rows)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{name}: cannot parse as CSV: {_parse_reason(exc)}") from exc
    return frame


def lf_record_breaks(raw: bytes, quote: bytes = b'"') -> bytes:
    """`raw` with every record break outside quoted values made LF (CRLF and a lone CR alike).

    polars ends records at LF only (a CR before it is dropped): a CR-only file (old Mac) would be
    one long header, and a mixed file would join records. Line breaks inside quoted values are
    data and stay as written.
    """
    q = re.escape(quote)
    parts = re.split(b"(" + q + b"[^" + q + b"]*" + q + b")", raw)
    parts[0::2] = [p.replace(b"\r\n", b"\n").replace(b"\r", b"\n") for p in parts[0::2]]
    return b"".join(parts)


def _drop_blank_rows(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """Text rows with every cell empty are not records; the others keep the numbers the file shows."""
    rows = pl.Series(SOURCE_ROW, range(1, frame.height + 1), dtype=pl.Int64)
    first = pl.col(frame.columns[0])
    # A blank row has a blank first cell: one column answers for nearly every file.
    if not frame.select((first.is_null() | (first.str.strip_chars() == "")).any()).item():
        return frame, rows
    cells = pl.exclude(_RAGGED)
    blank = frame.select(pl.all_horizontal(cells.is_null() | (cells.str.strip_chars() == ""))).to_series()
    if _RAGGED in frame.columns:
        blank = blank & ~frame[_RAGGED]
    if not blank.any():
        return frame, rows
    return frame.filter(~blank), rows.filter(~blank)


def _polars_csv(data: bytes | Path, delimiter: str, quote: str, skip_rows: int) -> pl.DataFrame:
    def src() -> io.BytesIO | Path:
        return io.BytesIO(data) if isinstance(data, bytes) else data

    # glob=False: a file name is a name; `interactions_[1].csv` must not read `interactions_1.csv`.
    options = {"separator": delimiter, "quote_char": quote, "infer_schema": False, "encoding": "utf8",
               "glob": False}
    try:
        return pl.read_csv(src(), skip_rows=skip_rows, **options)
    except pl.exceptions.NoDataError as exc:
        raise pl.exceptions.ComputeError("no header row") from exc
    except pl.exceptions.ComputeError as exc:
        if "more fields" not in str(exc):
            raise
    # Some rows have more fields than the header: read them into spare columns and mark them,
    # so the other rows are kept and these are quarantined (their values may have shifted).
    header = pl.read_csv(src(), skip_rows=skip_rows, n_rows=0, **options).columns
    spare = [f"__spare{i}" for i in range(_RAGGED_EXTRA)]
    frame = pl.read_csv(src(), skip_rows=skip_rows + 1, has_header=False, truncate_ragged_lines=True,
                        missing_columns="insert", schema={c: pl.String for c in [*header, *spare]}, **options)
    ragged = pl.any_horizontal(pl.col(spare).is_not_null())
    return frame.select(*(pl.when(~ragged).then(pl.col(c)).alias(c) for c in header), ragged.alias(_RAGGED))


def _transcode(source: ExportFile, encoding: str) -> bytes:
    raw = source.path.read_bytes()
    try:
        return codecs.decode(raw, encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_at(raw, exc.start)
        raise InputError(f"{source.path}: wrong encoding: neither UTF-8 nor Windows-1252 text "
                         f"(byte 0x{raw[exc.start]:02x} on line {line})") from exc


def _refuse_mixed_encodings(source: ExportFile) -> None:
    """A file that is not UTF-8 but holds UTF-8 sequences mixes two encodings: no reading is right."""
    raw = source.path.read_bytes()
    found = _UTF8_SEQUENCE.search(raw)
    if found is None:
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_line = line_at(raw, found.start())
        other_line = line_at(raw, exc.start)
        raise InputError(f"{source.path}: mixed encodings: UTF-8 text (line {utf8_line}) and other text "
                         f"(line {other_line}); save the whole file as UTF-8") from None


def _line_of_last_quote(path: Path, quote: bytes) -> int:
    raw = path.read_bytes()
    return line_at(raw, raw.rfind(quote))


def _sniff_delimiter(head: bytes, skip_rows: int, quote: str) -> str:
    """The most frequent of , ; tab outside quotes in the header line."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    # Record breaks only: `splitlines` would also split at U+2028, NEL or a form feed in a value.
    lines = re.split(r"\r\n|\r|\n", text)
    header = lines[skip_rows] if len(lines) > skip_rows else ""
    outside = "".join(part for i, part in enumerate(header.split(quote)) if i % 2 == 0)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _strip_header(frame: pl.DataFrame, name: str, expected: set[str] = frozenset()) -> pl.DataFrame:
    """Header names without padding or BOM; a name given twice is an error (which one would be meant?).

    The error quotes only `expected` names (the table's and the mapping's): a header that is
    really a data row (no header, the wrong rows skipped) holds data values, which may be a
    member reference; other names are given by their position.
    """
    names = [c.strip().lstrip("\ufeff") if c != _RAGGED else c for c in frame.columns]
    # polars renames a repeated CSV name to `name_duplicated_N`; other readers keep it as is.
    names = [re.sub(r"_duplicated_\d+$", "", n) if re.sub(r"_duplicated_\d+$", "", n) in names else n
             for n in names]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        lower = {e.lower() for e in expected}
        said = [repr(n) if n.lower() in lower else
                "columns " + " and ".join(str(i + 1) for i, m in enumerate(names) if m == n) + " (a name not "
                "expected: is the first row a header?)" for n in repeated]
        raise InputError(f"{name}: duplicate column name(s) in the header: {', '.join(said)}")
    renames = {old: new for old, new in zip(frame.columns, names) if old != new}
    return frame.rename(renames) if renames else frame


def _read_xlsx(source: ExportFile, head: bytes) -> tuple[pl.DataFrame, pl.Series]:
    fmt = source.mapping.format
    name = str(source.path)
    if not head.startswith(b"PK\x03\x04"):
        raise InputError(f"{name}: not an XLSX workbook: it is {_kind_of(head)}")
    _check_archive(source.path, name)
    read_options = {"header_row": fmt.skip_rows} if fmt.skip_rows else None
    try:
        frame = pl.read_excel(source.path, engine="calamine", sheet_name=fmt.sheet, table_name=fmt.excel_table,
                              infer_schema_length=0, read_options=read_options, drop_empty_rows=False,
                              raise_if_empty=False)
    except Exception as exc:  # fastexcel raises its own exception family; all mean "cannot read"
        raise InputError(f"{name}: cannot read the workbook: {_first_line(exc)}") from exc
    if isinstance(frame, dict):  # only when several sheets are asked for; never by us
        frame = next(iter(frame.values()))
    if not frame.columns:
        raise InputError(f"{name}: empty sheet (no header row)")
    # Rows left blank inside or under the data are not records; their numbers stay as the sheet shows.
    return _drop_blank_rows(_strip_header(frame.select(pl.all().cast(pl.String)), name, _expected_names(source)))


def _check_archive(path: Path, name: str) -> None:
    """Refuse a workbook that would inflate past the limits (a zip bomb) before a reader opens it.

    The workbook reader inflates a sheet whole, in memory, trusting nothing in the ZIP directory;
    so the declared sizes are checked first (cheap), then every member is inflated once here in
    bounded chunks, which stops at the declared size and fails the CRC when a size was understated.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_XLSX_INFLATED:
                raise InputError(f"{name}: refused: the workbook would inflate to {total:,} bytes (limit "
                                 f"{MAX_XLSX_INFLATED:,}): a zip bomb, or not an export")
            for m in members:
                if m.file_size > _RATIO_FLOOR and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
                    raise InputError(f"{name}: refused: {m.filename} would inflate {m.file_size // max(m.compress_size, 1):,}"
                                     f" times (limit {MAX_XLSX_RATIO}): a zip bomb, or not an export")
            for m in members:
                with archive.open(m) as member:
                    while member.read(_CHUNK):
                        pass
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, RuntimeError) as exc:
        raise InputError(f"{name}: cannot read the workbook: damaged or unsupported ZIP archive "
                         f"({_first_line(exc)})") from exc


def _read_parquet(source: ExportFile, head: bytes) -> tuple[pl.DataFrame, pl.Series]:
    name = str(source.path)
    if not head.startswith(b"PAR1"):
        raise InputError(f"{name}: not a Parquet file: it is {_kind_of(head)}")
    try:
        frame = pl.read_parquet(source.path, glob=False)  # a name with [ ] * ? is a name, not a pattern
    except Exception as exc:  # polars raises several kinds for a damaged file
        raise InputError(f"{name}: cannot read as Parquet: {_parse_reason(exc)}") from exc
    return _strip_header(frame, name, _expected_names(source)), pl.Series(SOURCE_ROW, range(1, frame.height + 1), dtype=pl.Int64)


def write_templates(out_dir: Path, fmt: FileFormat = FileFormat.CSV) -> list[Path]:
    """Write one empty file per table with the canonical header row (CSV or XLSX)."""
    from .errors import OutputError

    written: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, spec in TABLES.items():
            path = out_dir / f"{name}.{fmt.value}"
            if fmt is FileFormat.CSV:
                path.write_text(",".join(spec.names) + "\n", encoding="utf-8")
            elif fmt is FileFormat.XLSX:
                from openpyxl import Workbook  # heavy: only when a workbook is asked for

                book = Workbook()
                sheet = book.active
                sheet.title = name
                sheet.append(list(spec.names))
                book.save(path)
            else:
                raise ValueError(f"templates are CSV or XLSX, not {fmt}")
            written.append(path)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write templates: {exc.strerror or exc}") from exc
    return written
