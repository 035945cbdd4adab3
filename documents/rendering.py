"""HTML to PDF with WeasyPrint, safely.

- The URL fetcher allows only `data:` URIs and files under `static/documents/` of this
  project; anything else (file:///etc/passwd, http://…, @import) is refused and recorded,
  and the document renders without it. User text never reaches WeasyPrint as markup anyway
  (templates autoescape); the fetcher is the second wall.
- The bundle (卷宗) is assembled from the documents' own PDFs with pypdf, and each page
  gets its file page number (卷内页号) stamped in the top right corner, so the bundle holds
  the very bytes of each document's pages and the index (D21) can cite real page numbers.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import shutil
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: The only directory documents may load files from (fonts are system fonts via fontconfig).
ASSET_DIR = Path(settings.BASE_DIR) / "static" / "documents"
ASSET_URL = ASSET_DIR.resolve().as_uri() + "/"


class SafeFetcher(URLFetcher):
    """Allows `data:` URIs and files inside ASSET_DIR; refuses and records everything else."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url.split("?")[0].removeprefix("file://")).resolve()
            if path.is_relative_to(ASSET_DIR.resolve()) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        self.refused.append(url)
        logger.warning("document rendering: refused to fetch %s", url[:200])
        raise ValueError(f"refused: {url[:200]}")


@dataclass
class Rendered:
    pdf: bytes
    page_count: int
    refused: list[str] = field(default_factory=list)


def render_html(template: str, context: dict[str, Any]) -> str:
    with translation.override("zh-hans"):
        return render_to_string(template, context)


_local = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread: loading the CJK fonts again for every document
    costs about a third of a rendering."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> Rendered:
    fetcher = SafeFetcher()
    document = HTML(string=html, base_url=ASSET_URL, url_fetcher=fetcher).render(font_config=_font_config())
    pdf = document.write_pdf() or b""
    return Rendered(pdf=pdf, page_count=len(document.pages), refused=fetcher.refused)


def _page_stamps(first_number: int, count: int) -> PdfReader:
    """`count` A4 pages, each blank but for its file page number in the top right corner."""
    html = render_html("documents/page_stamps.html", {"numbers": range(first_number, first_number + count)})
    return PdfReader(io.BytesIO(html_to_pdf(html).pdf))


@dataclass
class BundlePart:
    pdf: bytes
    numbered: bool  # True: pages get the continuous file page number (卷内页号)


def assemble(parts: Sequence[BundlePart]) -> Rendered:
    """One PDF from the parts' PDFs, in order; numbered parts' pages stamped 1..N."""
    readers = [(PdfReader(io.BytesIO(part.pdf)), part.numbered) for part in parts]
    numbered_total = sum(len(reader.pages) for reader, numbered in readers if numbered)
    stamps = _page_stamps(1, numbered_total) if numbered_total else None
    writer = PdfWriter()
    number = 0
    for reader, numbered in readers:
        for page in reader.pages:
            added = writer.add_page(page)
            if numbered and stamps is not None:
                added.merge_page(stamps.pages[number])
                number += 1
    writer.add_metadata({"/Producer": "labor-mediation case file"})
    out = io.BytesIO()
    writer.write(out)
    return Rendered(pdf=out.getvalue(), page_count=len(writer.pages))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def cjk_fonts() -> list[str]:
    """Font families fontconfig knows for Simplified Chinese (empty: PDFs would show boxes)."""
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [shutil.which("fc-list") or "/usr/bin/fc-list", ":lang=zh-cn", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
