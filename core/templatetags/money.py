"""{{ amount|yuan }} -> 12,300.00 and {{ amount|capitals }} -> 壹万贰仟叁佰元整; never via float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from core.money import format_yuan, to_chinese_capitals

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def yuan(value: Any) -> str:
    amount = _decimal(value)
    return "" if amount is None else format_yuan(amount)


@register.filter
def capitals(value: Any) -> str:
    amount = _decimal(value)
    return "" if amount is None else to_chinese_capitals(amount)
