"""System check: PDFs in Chinese need a CJK font; without one every character is a box."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from documents.rendering import cjk_fonts


@register("documents")
def cjk_font_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if cjk_fonts():
        return []
    return [
        Error(
            "No font for Simplified Chinese is installed, so case documents (PDF) would print boxes.",
            hint="Install the Debian package fonts-noto-cjk (make run and .ci/run do it when run as root: "
            "scripts/ensure-system-deps.sh), then check with: fc-list :lang=zh-cn",
            id="documents.E001",
        )
    ]
