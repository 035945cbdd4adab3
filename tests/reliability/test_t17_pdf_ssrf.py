"""T17 PDF SSRF / local-file read (RELIABILITY.md §3, §2 D, §4.3).

The user text of a case (facts, party names, claim descriptions, the transcript-like free
text) is set to fetch payloads, including one pointing at a planted canary file; the case's
documents are rendered through the real pipeline with a spy on the fetcher. The same
payloads are also fed to WeasyPrint as raw markup (as if a template let them through), to
prove the fetcher is the second wall.

Pass: 0 fetches outside data: and static/documents/ (spy); 0 /EmbeddedFile objects; the
canary absent after inflating every PDF stream (a raw grep would miss it); the payload text
appears literally in the extracted text; no template marks user data |safe."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from cases.workflow import Status
from core.history import save_with_history
from documents import rendering
from tests.documents.pdfs import pdf_text
from tests.documents.test_access_and_safety import ready_document

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a9c-SECRET"


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(CANARY)
    return path


def payloads(canary: Path) -> list[str]:
    return [
        f'<link rel="attachment" href="file://{canary}">',
        f'<img src="file://{canary}">',
        '<img src="file:///proc/self/environ">',
        '<link rel=stylesheet href="http://169.254.169.254/latest/meta-data/">',
        "<style>@import url(http://127.0.0.1:9/x.css);</style>",
        '<div style="background:url(http://127.0.0.1:9/bg.png)">x</div>',
        '<img src="data:image/svg+xml;utf8,<svg xmlns=%22http://www.w3.org/2000/svg%22>'
        '<image href=%22http://127.0.0.1:9/i.png%22/></svg>">',
        f'<a href="file://{canary}">x</a><object data="file://{canary}"></object>',
        f"<iframe src='file://{canary}'></iframe>",
        f"file://{ASSET_TRAVERSAL}",
    ]


ASSET_TRAVERSAL = str(Path(settings.BASE_DIR) / "static" / "documents" / ".." / ".." / "manage.py")


def inflated(pdf: bytes) -> bytes:
    """The PDF with every Flate stream decompressed (what a reader of the file can see)."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


class Spy:
    def __init__(self) -> None:
        self.urls: list[str] = []


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    recorder = Spy()
    original = rendering.SafeFetcher.fetch

    def fetch(self: Any, url: str, headers: Any = None) -> Any:
        recorder.urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(rendering.SafeFetcher, "fetch", fetch)
    return recorder


def _outside_allow_list(urls: list[str]) -> list[str]:
    assets = rendering.ASSET_DIR.resolve()
    allowed = []
    for url in urls:
        if url.startswith("data:"):
            continue
        if url.startswith("file://") and Path(url.removeprefix("file://").split("?")[0]).resolve().is_relative_to(
            assets
        ):
            continue
        allowed.append(url)
    return allowed


def test_the_canary_check_sees_an_embedded_file_when_unprotected(canary: Path) -> None:
    """Negative control (§2 D): WeasyPrint's default fetcher embeds the file, compressed."""
    from weasyprint import HTML

    pdf = HTML(string=f'<link rel="attachment" href="file://{canary}"><p>x</p>').write_pdf()
    assert b"/EmbeddedFile" in pdf
    assert CANARY.encode() not in pdf  # a raw grep misses it ...
    assert CANARY.encode() in inflated(pdf)  # ... inflating finds it


def test_raw_payload_markup_is_refused_by_the_fetcher(canary: Path, spy: Spy) -> None:
    html = "<html><body>" + "".join(payloads(canary)) + "<p>正文</p></body></html>"

    rendered = rendering.html_to_pdf(html)

    outside = _outside_allow_list(spy.urls)
    assert outside and set(outside) <= set(rendered.refused)  # every outside fetch was refused
    assert b"/EmbeddedFile" not in inflated(rendered.pdf)
    assert CANARY.encode() not in inflated(rendered.pdf)


def test_payloads_in_case_fields_print_as_text_and_fetch_nothing(
    case_in: Any, clerk: Any, canary: Path, spy: Spy, django_capture_on_commit_callbacks: Any
) -> None:
    corpus = payloads(canary)
    case = case_in(Status.ACCEPTED)
    case.facts_summary = "\n".join(corpus)
    save_with_history(case, actor=clerk, reason="事实与理由")
    person = case.parties.get(side="applicant").person
    person.name = corpus[0][:50]
    save_with_history(person, actor=clerk, reason="姓名")
    claim = case.claims.first()
    claim.description = corpus[1][:300]
    save_with_history(claim, actor=clerk, reason="请求内容")

    documents = [ready_document(case, clerk, django_capture_on_commit_callbacks, kind=k) for k in ("D1", "D3")]

    assert _outside_allow_list(spy.urls) == []  # the payloads never reached WeasyPrint as markup
    texts = []
    for document in documents:
        pdf = document.file.open("rb").read()
        assert b"/EmbeddedFile" not in inflated(pdf)
        assert CANARY.encode() not in inflated(pdf)
        texts.append(pdf_text(pdf))
    facts = texts[0]
    for payload in corpus:  # printed literally (pdf_text drops whitespace)
        assert re.sub(r"\s+", "", payload) in facts, payload


def test_no_document_template_marks_data_safe() -> None:
    templates = list((Path(settings.BASE_DIR) / "templates" / "documents").glob("*.html"))
    assert len(templates) > 10
    offenders = [
        t.name
        for t in templates
        if re.search(r"\|\s*safe\b|{%\s*autoescape\s+off|mark_safe", t.read_text(encoding="utf-8"))
    ]
    assert offenders == []
