"""T16 Evidence uploads (RELIABILITY.md §3, ASVS 5.2, 5.3.2, 5.4).

Uploads: the public online application (/apply/, up to 3 files), the partner-platform API
(base64) and payment receipts. All go through core.uploads.evidence_problem: PDF, JPG or PNG
by content (magic bytes, not the name or the Content-Type), at most 10 MB.

Pass: the corpus (extension/content mismatch, SVG with script, HTML, zip/docx bomb, 0 bytes,
over the cap, too many files, 101 files in one request) is 100% refused and creates nothing;
accepted files are stored under generated names (never the user's, whatever it was:
`../../x`, `CON`, 300 characters, RTL override, `%00`), outside any public URL, and served
only through the permission-checked view as an attachment with nosniff and no-store."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import OnlineApplicationFile
from core.uploads import MAX_EVIDENCE_BYTES, evidence_problem
from tests.cases.test_online_intake import _counts, _form

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n"
JPEG_HTML = b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * 5_000_000)
    return out.getvalue()


REFUSED = [
    ("evidence.pdf", PNG),  # extension/content mismatch
    ("evidence.png", b"%PDF-1.4 ..."),
    ("evidence.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("evidence.html", b"<html><script>alert(1)</script></html>"),
    ("evidence.jpg", b"<html><script>alert(1)</script></html>"),
    ("bomb.zip", _bomb()),
    ("bomb.docx", _bomb()),
    ("empty.pdf", b""),
    ("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES),  # one byte over the cap
]
BAD_NAMES = ["../../x.png", "CON.png", "a" * 300 + ".png", "evil\u202egnp.png", "x%00.png.png", "..\\..\\x.png"]


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[n for n, _c in REFUSED])
def test_the_check_refuses_the_corpus(name: str, content: bytes) -> None:
    assert evidence_problem(SimpleUploadedFile(name, content, content_type="image/png"))


@pytest.mark.parametrize(("name", "content"), REFUSED[:8], ids=[n for n, _c in REFUSED[:8]])
def test_the_public_form_refuses_the_corpus_and_creates_nothing(
    client: Client, world: Any, name: str, content: bytes
) -> None:
    before = _counts()
    response = client.post(
        "/apply/", {**_form(world.town), "evidence_1": SimpleUploadedFile(name, content)}, REMOTE_ADDR="10.0.0.2"
    )
    body = response.content.decode()
    assert response.status_code in (200, 400) and ("PDF、JPG 或 PNG" in body or "10 MB" in body)
    assert _counts() == before


def test_101_files_in_one_request_are_refused(client: Client, world: Any) -> None:
    before = _counts()
    files = [SimpleUploadedFile(f"e{i}.png", PNG) for i in range(101)]
    response = client.post("/apply/", {**_form(world.town), "evidence_1": files}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 400  # DATA_UPLOAD_MAX_NUMBER_FILES, before any file is read
    assert _counts() == before


def test_accepted_files_get_generated_names_and_are_served_only_as_attachments(
    client: Client, world: Any, clerk: Any, other_town_clerk: Any, settings: Any
) -> None:
    for index, name in enumerate(BAD_NAMES[:3]):
        data = {**_form(world.town, applicant_name=f"申请人{index}")}
        data["evidence_1"] = SimpleUploadedFile(name, PNG, content_type="text/html")
        data["evidence_2"] = SimpleUploadedFile(BAD_NAMES[3 + index], JPEG_HTML.replace(b"\xff\xd8\xff", PNG[:8]))
        response = client.post("/apply/", data, REMOTE_ADDR=f"10.0.1.{index}")
        assert response.status_code == 302, response.content[:300]
    files = list(OnlineApplicationFile.objects.select_related("application__case"))
    assert len(files) == 6
    media = Path(settings.MEDIA_ROOT).resolve()
    for stored in files:
        path = Path(stored.file.path).resolve()
        assert path.is_relative_to(media) and path.is_file()
        stem = Path(stored.file.name).stem
        assert len(stem) == 32 and all(c in "0123456789abcdef" for c in stem), stored.file.name
        assert stored.original_name not in stored.file.name
    staff = Client()
    staff.force_login(clerk)
    sample = files[0]
    case = sample.application.case
    response = staff.get(f"/cases/{case.pk}/online-files/{sample.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert "/" not in response["Content-Disposition"].split("filename", 1)[1]
    assert client.get("/media/" + sample.file.name).status_code == 404  # no public URL
    outsider = Client()
    outsider.force_login(other_town_clerk)
    assert outsider.get(f"/cases/{case.pk}/online-files/{sample.pk}/").status_code == 404
