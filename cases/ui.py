"""Extension points of the case pages for higher layers (mediation, linkage, documents).

- `CASE_PANELS`: sections of the case page. Each is a function (request, case) returning a
  `Panel` (template + context) or None when it has nothing to show.
- `TRANSITION_URLS`: for a transition name, the page where a user performs it (the case page
  lists the transitions the user may fire now as buttons to these pages).
- `CASE_DEADLINES`: further deadlines shown in the case page's 期限 card.
- `WORKLIST_SECTIONS`: sections of the landing work list. Each is a function
  (user, roles, scoped_cases_queryset, limit) returning a list of WorkSection.
- `CASE_PAGE_PREFETCHES`: relations of the case that the panels, guards and deadlines of the
  higher layers read. Each is a function returning a list of prefetch lookups (strings or
  `Prefetch`), applied to the page's case in one query per relation
  (cases.selectors.case_get_for_page), so that a case with many rows costs the same queries.
Registered from the apps' AppConfig.ready(); `cases` never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


CASE_PANELS: list[Callable[[Any, Any], Panel | None]] = []
TRANSITION_URLS: dict[str, Callable[[Any], str]] = {}
WORKLIST_SECTIONS: list[Callable[..., list[Any]]] = []
#: Further running deadlines of a case for the case page (mediation: clock E, instalments).
#: Each takes the case and returns a list of cases.selectors.Deadline.
CASE_DEADLINES: list[Callable[[Any], list[Any]]] = []
CASE_PAGE_PREFETCHES: list[Callable[[], list[Any]]] = []


def register_page_prefetch(func: Callable[[], list[Any]]) -> Callable[[], list[Any]]:
    if func not in CASE_PAGE_PREFETCHES:
        CASE_PAGE_PREFETCHES.append(func)
    return func


def register_panel(func: Callable[[Any, Any], Panel | None]) -> Callable[[Any, Any], Panel | None]:
    if func not in CASE_PANELS:
        CASE_PANELS.append(func)
    return func


def register_worklist(func: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    if func not in WORKLIST_SECTIONS:
        WORKLIST_SECTIONS.append(func)
    return func


def register_transition_url(name: str, url_name: str, *, with_name: bool = False) -> None:
    """The transition `name` is performed at URL `url_name` (kwargs case_id[, name])."""

    def url(case: Any) -> str:
        kwargs = {"case_id": case.pk, **({"name": name} if with_name else {})}
        return reverse(url_name, kwargs=kwargs)

    TRANSITION_URLS[name] = url


def panels_for(request: Any, case: Any) -> list[Panel]:
    panels = [panel for func in CASE_PANELS if (panel := func(request, case)) is not None]
    return sorted(panels, key=lambda p: p.order)
