"""Identity numbers and phones (DESIGN.md §6): python-stdnum for resident IDs and USCC."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

_ASCII_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}", re.ASCII)


def normalize_resident_id(value: str) -> str:
    """Return the canonical 18-character ID number or raise ValueError with a Chinese message."""
    compact = (value or "").strip().replace(" ", "").upper()
    if not _ASCII_ID.fullmatch(compact):
        raise ValueError(_("居民身份证号码应为18位：前17位为数字，最后一位为数字或X（半角字符）。"))
    try:
        return str(ric.validate(compact))
    except StdnumError as exc:
        if "checksum" in type(exc).__name__.lower() or "checksum" in str(exc).lower():
            raise ValueError(_("居民身份证号码校验位不正确，请核对。")) from exc
        raise ValueError(_("居民身份证号码中的出生日期或地区码无效，请核对。")) from exc


def normalize_uscc(value: str) -> str:
    compact = (value or "").strip().replace(" ", "").upper()
    if len(compact) != 18 or not compact.isascii():
        raise ValueError(_("统一社会信用代码应为18位半角数字或大写字母。"))
    try:
        return str(uscc.validate(compact))
    except StdnumError as exc:
        if "checksum" in type(exc).__name__.lower():
            raise ValueError(_("统一社会信用代码校验位不正确，请核对。")) from exc
        raise ValueError(_("统一社会信用代码格式无效，请核对。")) from exc


def normalize_phone(value: str) -> str:
    compact = (value or "").strip().replace(" ", "")
    if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
        return compact
    raise ValueError(_("电话号码格式无效：手机号为11位（以1开头），固定电话如010-69243456。"))
