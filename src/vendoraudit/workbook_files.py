"""What every workbook vendoraudit writes (finance, evidence, backtest) shares: text as a cell can
hold it, bytes that depend on the content alone, and an atomic write.

openpyxl stamps the wall clock into the document properties and the zip entries; here the document
dates come from the period and every entry gets a fixed timestamp, so the same content always gives
the same bytes.
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter

from .errors import OutputError
from .periods import Period


def storable(text: str) -> str:
    """Text as a cell can hold it: no XML-illegal control characters, line ends as LF.

    XML readers turn a bare CR into LF anyway; doing it here keeps what is written and what
    Excel, LibreOffice and openpyxl read back the same.
    """
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def xlsx_bytes(wb: Workbook, period: Period, title: str) -> bytes:
    """`wb` as .xlsx bytes dated by `period` (its first day), the same for the same content."""
    stamp = datetime(period.year, period.month, 1)
    wb.properties.creator = "vendoraudit"
    wb.properties.title = title
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter, not wb.save: save_workbook stamps `modified` with the wall clock. Stored, not
    # deflated: the entries are deflated once, below, with their fixed timestamps.
    ExcelWriter(wb, ZipFile(buffer, "w", ZIP_STORED, allowZip64=True)).save()
    out = io.BytesIO()
    fixed_time = (max(period.year, 1980), period.month, 1, 0, 0, 0)  # zip dates start in 1980
    with ZipFile(buffer) as src, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            fixed = ZipInfo(info.filename, date_time=fixed_time)
            fixed.compress_type = ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_workbook_bytes(data: bytes, path: Path) -> None:
    """Write a workbook's bytes to `path`, replacing it atomically; OutputError if that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the workbook from finance's share
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write workbook {path}: {exc.strerror or exc}") from None
