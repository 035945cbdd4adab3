"""Uploaded evidence files (payment receipts, signed documents): PDF, JPG or PNG only, at
most 10 MB, and the content must be what the extension says."""

from __future__ import annotations

from pathlib import PurePath
from uuid import uuid4

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: Accepted evidence files: extension -> the bytes such a file starts with.
EVIDENCE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def evidence_problem(upload: UploadedFile) -> str | None:
    """Why this file cannot be kept as evidence, or None when it can."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_SIGNATURES:
        return _("凭证只能上传 PDF、JPG 或 PNG 文件。")
    if (upload.size or 0) > MAX_EVIDENCE_BYTES:
        return _("凭证文件不能超过 10 MB。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        return _("文件内容与扩展名不符，只能上传 PDF、JPG 或 PNG 文件。")
    return None


def stored_name(upload: UploadedFile) -> str:
    """The name an accepted evidence file is stored under: generated, never the user's (the
    user's name is kept in a column and used only for the download's filename)."""
    suffix = PurePath(upload.name or "").suffix.lower()
    return uuid4().hex + (suffix if suffix in EVIDENCE_SIGNATURES else "")
