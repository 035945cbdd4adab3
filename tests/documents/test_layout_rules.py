"""Layout rules every template keeps: long free text is laid out as paragraphs, never inside
a table cell (WeasyPrint needs over 10 s for a 3,000-character cell)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from core.history import save_with_history
from documents.kinds import KINDS, DocContext, build_context, document_number
from documents.rendering import render_html

pytestmark = pytest.mark.django_db

MARKER = "长文本标记"
LONG = (MARKER + "。申请人陈述事实经过如下，" * 10) * 20  # ~3,000 characters


class CellText(HTMLParser):
    """Collects the text found inside <td>/<th>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.in_cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("td", "th"):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.in_cells.append(data)


@pytest.mark.parametrize("state", ["closed", "terminated", "performed"])
def test_long_free_text_is_never_inside_a_table_cell(state: str, case_in: Any, clerk: Any) -> None:
    case = case_in(state)
    case.facts_summary = LONG
    case.outcome_note = LONG
    save_with_history(case, actor=clerk, reason="test")
    rendered, printed = 0, 0
    for kind in KINDS.values():
        if kind.code == "BUNDLE":
            continue
        for subject in kind.subjects_of(case) if not kind.bundle_only else [None]:
            dc = DocContext(case=case, subject=subject, copy_for="file", number=document_number(case, kind, subject))
            extra: dict[str, Any] = {}
            if kind.bundle_only:
                extra = {"rows": [], "numbered_pages": 0, "item_count": 0, "filed_on": dc.today, "sums": {}}
            html = render_html(kind.template, {**build_context(kind, dc), **extra})
            parser = CellText()
            parser.feed(html)
            cell_text = "".join(parser.in_cells)
            assert MARKER not in cell_text, f"{kind.code}: long text inside a table cell"
            rendered += 1
            printed += MARKER in html
    assert rendered >= 5
    assert printed >= 2, "the long text is printed somewhere (as paragraphs)"
