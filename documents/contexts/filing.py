"""Kinds that exist only in the case file (卷宗): cover (D20), index (D21), file note (D22),
and the bound bundle itself. The archive build (documents/archive.py) renders them with the
volume's data (page ranges, counts) as extra context."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from documents.kinds import DocContext, Kind, register_kind


def _none(dc: DocContext) -> dict[str, Any]:
    return {}


register_kind(Kind(code="D20", title=_("卷宗封面"), context=_none, slot=0, bundle_only=True))
register_kind(Kind(code="D21", title=_("卷内目录"), context=_none, slot=1, bundle_only=True))
register_kind(Kind(code="D22", title=_("卷内备考表"), context=_none, slot=19, bundle_only=True))
register_kind(Kind(code="BUNDLE", title=_("卷宗"), context=_none, slot=99, bundle_only=True))
