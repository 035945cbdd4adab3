"""{{ cell|cell_kind }}: how a cell of a standard report (reports.standard) is shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def cell_kind(value: Any) -> str:
    if isinstance(value, Decimal):
        return "money"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int):
        return "number"
    return "text"
