"""Filters for document templates: Chinese dates in the two styles documents use.

{{ d|cn_date }}   -> 二〇二六年三月五日   (upper-case style of dates beside a seal)
{{ d|cn_date_num }} -> 2026年3月5日      (figures, for dates in running text and tables)
{{ dt|cn_datetime }} -> 2026年3月5日 14:30 (local time)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()

_DIGITS = "〇一二三四五六七八九"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _small_number(n: int) -> str:
    """1..31 in Chinese numerals as dates write them: 十, 十一, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(value: Any) -> str:
    day = _as_date(value)
    if day is None:
        return ""
    year = "".join(_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


@register.filter
def cn_date(value: Any) -> str:
    return chinese_date(value)


@register.filter
def cn_date_num(value: Any) -> str:
    day = _as_date(value)
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


@register.filter
def cn_datetime(value: Any) -> str:
    if not isinstance(value, dt.datetime):
        return cn_date_num(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.filter
def cn_time(value: Any) -> str:
    if not isinstance(value, dt.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%H:%M}"
