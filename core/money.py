"""Money helpers: yuan as Decimal with two places, and amounts in Chinese capitals
(中文大写金额) as agreements and notices print them, following the banking convention of
《支付结算办法》 (壹拾 not 拾, one 零 for a run of zeros, 整 unless the amount ends in 分)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
#: Largest amount a money column holds (max_digits=14, decimal_places=2).
MAX_AMOUNT = Decimal("999999999999.99")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("", "万", "亿")


def quantize_yuan(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value: Decimal) -> str:
    """12300 -> '12,300.00'."""
    return f"{quantize_yuan(value):,.2f}"


def _section(number: int) -> str:
    """0 < number < 10000 in capitals, without leading 零."""
    text, pending_zero = "", False
    for place, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = number // place % 10
        if digit == 0:
            pending_zero = pending_zero or bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _DIGITS[digit] + unit
    return text


def _integer(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, pending_zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            pending_zero = pending_zero or bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _section(group) + _SECTION_UNITS[index]
        pending_zero = False
    return text


def to_chinese_capitals(amount: Decimal) -> str:
    """Decimal('12300') -> '壹万贰仟叁佰元整'; Decimal('0.05') -> '伍分'.

    Raises ValueError for negative amounts, more than two decimals or more than MAX_AMOUNT.
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("amount must be a finite Decimal")
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount != amount.quantize(CENT):
        raise ValueError("amount has more than two decimal places")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount exceeds {MAX_AMOUNT}")
    cents = int(amount.quantize(CENT) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text
