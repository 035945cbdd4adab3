from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import MAX_AMOUNT, format_yuan, to_chinese_capitals


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("0.55", "伍角伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("10.50", "壹拾元伍角整"),
        ("10.05", "壹拾元零伍分"),
        ("101", "壹佰零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("12300", "壹万贰仟叁佰元整"),
        ("100000", "壹拾万元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("101000000", "壹亿零壹佰万元整"),
        ("1000010000", "壹拾亿零壹万元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_chinese_capitals(amount, expected):
    assert to_chinese_capitals(Decimal(amount)) == expected


@pytest.mark.parametrize("amount", ["-0.01", "0.001", "1000000000000.00", "NaN", "Infinity"])
def test_chinese_capitals_refuses(amount):
    with pytest.raises(ValueError):
        to_chinese_capitals(Decimal(amount))


def test_chinese_capitals_refuses_floats():
    with pytest.raises(ValueError):
        to_chinese_capitals(12.5)  # type: ignore[arg-type]


def test_format_yuan():
    assert format_yuan(Decimal("12300")) == "12,300.00"
    assert format_yuan(MAX_AMOUNT) == "999,999,999,999.99"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _parse(text: str) -> Decimal:
    """Independent reader of capitals, to check the writer on random amounts."""
    total, section, number = 0, 0, 0
    yuan_part, _, frac = text.partition("元")
    if "元" not in text:
        yuan_part, frac = "", text
    for char in yuan_part:
        if char in _DIGITS:
            number = _DIGITS.index(char)
        elif char in _UNITS:
            section += number * _UNITS[char]
            number = 0
        elif char == "万":
            section += number
            total += section * 10_000
            section, number = 0, 0
        elif char == "亿":
            section += number
            total = (total + section) * 100_000_000
            section, number = 0, 0
    total += section + number
    cents = 0
    for index, char in enumerate(frac):
        if char == "角":
            cents += _DIGITS.index(frac[index - 1]) * 10
        if char == "分":
            cents += _DIGITS.index(frac[index - 1])
    return Decimal(total) + Decimal(cents) / 100


@given(st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)))
def test_capitals_read_back_to_the_same_amount(cents):
    amount = Decimal(cents) / 100
    text = to_chinese_capitals(amount.quantize(Decimal("0.01")))
    assert "零零" not in text
    assert _parse(text) == amount
