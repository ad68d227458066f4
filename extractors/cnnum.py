"""Chinese financial numerals (大写): amounts to words and words back to amounts, exactly.

``amount_to_words(Decimal("100200000"))`` gives 壹亿零贰拾万元整;
``words_to_amount("叁拾元零伍分")`` gives Decimal("30.05"). Both work in ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal

from model.base import round_fen

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")

# Plain and variant forms seen in print and in OCR output, mapped to a digit value.
_DIGIT_VALUE = {c: i for i, c in enumerate(DIGITS)} | {
    "〇": 0, "○": 0, "O": 0, "Ｏ": 0, "0": 0,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "弍": 2, "贰": 2, "貳": 2, "參": 3, "陸": 6,
}
_UNIT_VALUE = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_IGNORED = set("人民币幣⊗ⓧ×（）() 　:：¥￥整正")


def _group_to_words(group: int) -> str:
    """0 < group < 10000 as digits with 拾佰仟, zeros inside collapsed to one 零."""
    out: list[str] = []
    text = f"{group:04d}"
    pending_zero = False
    for position, char in enumerate(text):
        digit = int(char)
        unit = _SMALL_UNITS[3 - position]
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + unit)
    return "".join(out)


def integer_to_words(value: int) -> str:
    """A non-negative integer in 大写 digits with 拾佰仟万亿 (no currency word)."""
    if value < 0:
        raise ValueError("negative amounts have no 大写 form here")
    if value == 0:
        return "零"
    groups: list[int] = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    if len(groups) > len(_BIG_UNITS):
        raise ValueError("amount too large for 大写")
    out: list[str] = []
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or group < 1000):
            out.append("零")
        out.append(_group_to_words(group) + _BIG_UNITS[index])
        need_zero = False
    return "".join(out)


def amount_to_words(amount: Decimal, yuan: str = "元", zero_before_jiao: bool = False) -> str:
    """An amount in yuan as printed on invoices and contracts, e.g. 玖仟陆佰万元整.

    ``yuan`` is 元 or 圆 (older invoices); ``zero_before_jiao`` writes 零 between 元 and 角
    when the yuan part ends in a zero (壹佰玖拾元零壹角玖分), as some issuing systems do.
    """
    fen_total = int(round_fen(amount) * 100)
    if fen_total < 0:
        raise ValueError("negative amounts have no 大写 form here")
    integer, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    head = integer_to_words(integer) + yuan if integer else ""
    if not jiao and not fen:
        return (head or "零" + yuan) + "整"
    tail = ""
    if jiao:
        if head and zero_before_jiao and integer % 10 == 0:
            tail += "零"
        tail += DIGITS[jiao] + "角"
    if fen:
        if head and not jiao:
            tail += "零"
        tail += DIGITS[fen] + "分"
    return head + tail


def words_to_amount(text: str) -> Decimal | None:
    """The amount a 大写 text states, or None when the text is not a well-formed amount.

    Accepts 元 or 圆, 整 or 正, 人民币 and ⓧ prefixes, and the plain digits 一二三 that
    OCR sometimes returns for 壹贰叁.
    """
    big = mid = section = 0
    number: int | None = None
    integer: int | None = None
    jiao = fen = 0
    seen_digit = False
    for char in text.strip():
        if char in _IGNORED:
            continue
        if char in _DIGIT_VALUE:
            value = _DIGIT_VALUE[char]
            if number and value:
                return None  # two digits with no unit between them (叁肆元) is not an amount
            number = value
            seen_digit = True
        elif char in _UNIT_VALUE and integer is None:
            section += (1 if number is None else number) * _UNIT_VALUE[char]
            number = None
        elif char == "万" and integer is None:
            mid = (section + (number or 0)) * 10_000
            section, number = 0, None
        elif char == "亿" and integer is None:
            big += (mid + section + (number or 0)) * 100_000_000
            mid = section = 0
            number = None
        elif char in "元圆員" and integer is None:
            integer = big + mid + section + (number or 0)
            number = None
        elif char == "角":
            if integer is None:
                integer = big + mid + section
            jiao, number = number or 0, None
        elif char == "分":
            if integer is None:
                integer = big + mid + section
            fen, number = number or 0, None
        else:
            return None
    if not seen_digit:
        return None
    if integer is None:
        integer = big + mid + section + (number or 0)
    elif number:
        return None
    return Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100
