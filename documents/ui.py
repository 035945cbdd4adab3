"""What documents add to the case pages (cases.ui): the 文书 panel and the archive page as
the place where the `archive` transition is done. Registered from DocumentsConfig.ready()."""

from __future__ import annotations

from typing import Any

from cases.models import Case
from cases.ui import Panel, register_panel, register_transition_url
from cases.workflow import Status
from documents import selectors, services
from documents.kinds import KINDS


def documents_panel(request: Any, case: Case) -> Panel | None:
    if case.status == Status.DRAFT:
        return None
    user = request.user
    documents = selectors.case_documents(case=case, user=user)
    as_staff = selectors.reads_as_staff(user, case)
    if not documents and not as_staff:
        return None
    can_request = services.may_request_documents(user, case)
    options = selectors.document_options(case) if can_request else []
    context = {
        "documents": documents,
        "options": options,
        "outbound": sorted(k.code for k in KINDS.values() if k.outbound),
        "can_request": can_request,
        "volume": selectors.current_volume(case) if as_staff else None,
        "show_archive": as_staff and case.status in (Status.CLOSED, Status.ARCHIVED),
    }
    return Panel("documents/_panel.html", context, order=40)


def register() -> None:
    register_panel(documents_panel)
    register_transition_url("archive", "documents:archive")
