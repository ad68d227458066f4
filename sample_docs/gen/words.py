"""Ways Chinese business documents print dates and money, for the corpus renderer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractors.cnnum import amount_to_words

_CN_DIGITS = "〇一二三四五六七八九"
DATE_STYLES = ("cn", "cn0", "iso", "slash", "dot", "upper")


def _cn_small(n: int) -> str:
    """1..31 in plain Chinese numerals (十一, 二十, 三十一)."""
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else _CN_DIGITS[tens]) + ("十" if tens else "")
    return text + (_CN_DIGITS[ones] if ones else "")


def fmt_date(d: date, style: str) -> str:
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "cn0":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == "dot":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "upper":
        year = "".join(_CN_DIGITS[int(c)] for c in str(d.year))
        return f"{year}年{_cn_small(d.month)}月{_cn_small(d.day)}日"
    raise ValueError(style)


def fmt_money(amount: Decimal, style: str = "yen") -> str:
    """``yen`` ¥96,000,000.00; ``plain`` 96,000,000.00; ``wan`` 9600万元; ``yuan`` 96000000.00元."""
    if style == "yen":
        return f"¥{amount:,.2f}"
    if style == "plain":
        return f"{amount:,.2f}"
    if style == "nosep":
        return f"{amount:.2f}"
    if style == "yuan":
        return f"{amount:,.2f}元"
    if style == "wan":
        wan = amount / 10000
        text = f"{wan:f}".rstrip("0").rstrip(".") if "." in f"{wan:f}" else f"{wan:f}"
        return f"{text}万元"
    raise ValueError(style)


def fmt_words(amount: Decimal, yuan: str = "元", zero_before_jiao: bool = False) -> str:
    return amount_to_words(amount, yuan=yuan, zero_before_jiao=zero_before_jiao)


def fmt_int(n: int) -> str:
    return f"{n:,}"
