"""HTML to archival PDF with WeasyPrint: PDF/A-3b, attachments, fixed dates, no outside access.

Only this module imports weasyprint (slow to import, about a second), and it knows nothing of audit
results, so a worker process rendering a page needs nothing else. Resources are fetched by
`TemplateFetcher`, which serves `data:` URLs and files under the templates folder and refuses
everything else (other files, http, ftp) by stopping the render.
"""

from __future__ import annotations

import gc
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import OutputError

PDF_VARIANT = "pdf/a-3b"


class URLRefused(FatalURLFetchingError):
    """A document asked for a resource outside the templates folder (stops the render)."""


class TemplateFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves only `data:` URLs and files under `root`; fails closed."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
        if scheme == "file":
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve()
            if parts.netloc in ("", "localhost") and path.is_relative_to(self.root) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})
        # the URL may be a file path: say only that it was refused, and where it points to
        raise URLRefused(f"refused to fetch {_shorten(url)}: only data: URLs and files under "
                         f"{self.root.name}/ may be used while rendering")


def _shorten(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    description: str
    relationship: str = "Data"  # "Source" for the document the figures were computed from


@cache
def _font_config() -> FontConfiguration:
    # one per process: Pango keeps its loaded fonts and metrics in the font map, so later renders
    # reuse them instead of loading DejaVu again (the templates declare no @font-face). Renders in
    # a process run one after another; the pool in render_pdf uses processes, not threads.
    return FontConfiguration()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while WeasyPrint builds and drops its boxes.

    A render allocates a few hundred thousand objects; in a process that already holds an audit,
    that triggers full collections which walk every live object (about a third of a warm render).
    The render's own cycles are collected at the next automatic collection after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def html_to_pdf(html: str, root: Path, stamp: datetime, attachments: tuple[PdfAttachment, ...] = ()) -> bytes:
    """Render `html` (resources resolved against `root`) to PDF/A-3b bytes with `attachments`.

    `stamp` (tz-aware) is the creation and modification date of every attachment; the document's
    own dates come from its dcterms.created/modified meta tags, so nothing reads the wall clock.
    Raises OutputError when the document asks for a resource outside `root`.
    """
    if stamp.tzinfo is None:
        raise ValueError("the attachment date must be timezone-aware")
    fetcher = TemplateFetcher(root)
    files = [Attachment(string=a.data, name=a.name, description=a.description, created=stamp,
                        modified=stamp, relationship=a.relationship, url_fetcher=fetcher)
             for a in attachments]
    try:
        with _collector_paused():
            document = HTML(string=html, base_url=fetcher.root.as_uri() + "/", url_fetcher=fetcher)
            return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=files, pdf_tags=True,
                                      font_config=_font_config())
    except URLRefused as exc:
        raise OutputError(str(exc)) from None
