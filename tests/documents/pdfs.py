"""Reading rendered PDFs in tests."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text without any whitespace: letter-spaced titles and wrapped lines compare plainly."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return flat("".join(page_texts(data)))
