"""The shared parsers: real print and OCR variants, things that must not parse, and round trips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.cnnum import amount_to_words
from extractors.parsers import (
    find_usccs,
    normalize_uscc,
    split_amount_and_rate,
    split_glued_cells,
    text_to_amount,
    text_to_amounts,
    text_to_date,
    text_to_dates,
    text_to_int,
    text_to_period,
    text_to_quantity,
    text_to_rate,
    uscc_is_valid,
)

# --- amounts ------------------------------------------------------------------------------

AMOUNTS = [
    ("¥96,000,000.00", "96000000"),
    ("￥96000000.00", "96000000"),
    ("人民币96,000,000.00元", "96000000"),
    ("RMB 96,000,000", "96000000"),
    ("rmb96000000.00", "96000000"),
    ("CNY 1,234.00", "1234"),
    ("9600万元", "96000000"),
    ("1.2亿元", "120000000"),
    ("9,600.5万元", "96005000"),
    ("人民币 9600 万元", "96000000"),
    ("人民币9600万", "96000000"),
    ("96000000元", "96000000"),
    ("96,000,000.00 元", "96000000"),
    ("4912320.00", "4912320"),
    ("合计：4,912,320.00", "4912320"),
    ("９６，０００，０００．００元", "96000000"),
    ("￥９６０００", "96000"),
    ("人民币玖仟陆佰万元整", "96000000"),
    ("壹亿零贰拾万元整", "100200000"),
    ("叁拾元零伍分", "30.05"),
    ("ⓧ壹佰玖拾圆零壹角玖分", "190.19"),
    ("⊗贰拾柒圆整", "27"),
    ("（大写）人民币叁仟伍佰伍拾壹万零肆佰圆正", "35510400"),
    ("大写：九千六百万元整", "96000000"),
    ("零元整", "0"),
    ("伍角", "0.5"),
    ("贰拾万元一次性支付", "200000"),
    ("457430..94", "457430.94"),
    ("¥457430..94", "457430.94"),
    ("1,234, 567.00", "1234567"),
    ("¥ 1 234.00", "1234"),
    ("¥1O0.00", "100"),
    ("1OO.00元", "100"),
    ("2l5元", "215"),
    ("1,O00.00元", "1000"),
    ("人民帀100元", "100"),
    ("金额（小写）：¥4,912,320.00", "4912320"),
    ("人民币(小写)：96,000,000.00", "96000000"),
    ("价税合计（小写）¥-1,234.00", "-1234"),
    ("-1,234.00", "-1234"),
    ("单价：19.10元/卡时", "19.10"),
    ("单价 0.0523 元/千Token", "0.0523"),
    ("合同总金额（含税）：人民币¥96,000,000.00（大写：人民币玖仟陆佰万元整），增值税税率为6%。", "96000000"),
    ("本期结算金额合计人民币4,912,320.00元（大写：肆佰玖拾壹万贰仟叁佰贰拾元整），税率6%。", "4912320"),
    ("2024年6月1日前支付30万元", "300000"),
    ("第2条 付款：¥1,000.00", "1000"),
    # a marked amount wins over an earlier bare figure
    ("数量 368,640.00 金额 ¥1,234.00", "1234"),
    ("序号1 金额 1,234.50 税率6%", "1234.50"),
]


@pytest.mark.parametrize(("text", "figure"), AMOUNTS)
def test_text_to_amount(text: str, figure: str) -> None:
    assert text_to_amount(text) == Decimal(figure)


NOT_AMOUNTS = [
    "",
    "第2条",
    "010-78427605",
    "电话：010-78427605",
    "24112000000123456789",
    "发票号码：24112000000123456789",
    "2024-06-01",
    "2024.06.01",
    "2024年6月1日",
    "6%",
    "99.50%",
    "99.9 %",
    "6.5万",
    "1.20万",
    "368,640 卡时",
    "368,640.00卡时",
    "1,234,567",
    "620家",
    "合同编号：XH-SL-2024-018",
    "版本 v1.10",
    "No.12.50",
    "12.50GB",
    "十分重要",
    "百分之六",
    "万元",
    "元整",
    "合计金额：",
    "¥1,23",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_an_amount(text: str) -> None:
    assert text_to_amount(text) is None
    assert text_to_amounts(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1,000.00 及 人民币贰仟元整", [("1000", "¥1,000.00"), ("2000", "人民币贰仟元整")]),
        ("4,912,320.00 6% 294,739.20", [("4912320", "4,912,320.00"), ("294739.20", "294,739.20")]),
        ("￥９６．００", [("96", "￥９６．００")]),
        ("合计9600万元整（¥96,000,000.00）", [("96000000", "9600万元"), ("96000000", "¥96,000,000.00")]),
        ("小写 ¥4,912,320.00 大写 ⓧ肆佰玖拾壹万贰仟叁佰贰拾圆整",
         [("4912320", "¥4,912,320.00"), ("4912320", "ⓧ肆佰玖拾壹万贰仟叁佰贰拾圆整")]),
        ("第3期 2024-06-01 支付 30%", []),
    ],
)
def test_text_to_amounts_with_spans(text: str, expected: list[tuple[str, str]]) -> None:
    found = text_to_amounts(text)
    assert [(value, text[start:end]) for value, start, end in found] == [
        (Decimal(figure), printed) for figure, printed in expected
    ]


_FEN = st.integers(min_value=0, max_value=10**14 - 1).map(lambda n: Decimal(n).scaleb(-2))


@given(_FEN)
def test_amount_round_trip_figures(amount: Decimal) -> None:
    assert text_to_amount(f"¥{amount:,.2f}") == amount
    assert text_to_amount(f"{amount:.2f}元") == amount
    assert text_to_amount(f"人民币{amount:,.2f}元") == amount
    assert text_to_amount(f"合计{amount:,.2f}") == amount


@given(_FEN, st.sampled_from("元圆"), st.booleans())
def test_amount_round_trip_words(amount: Decimal, yuan: str, zero: bool) -> None:
    words = amount_to_words(amount, yuan=yuan, zero_before_jiao=zero)
    assert text_to_amount(words) == amount
    assert text_to_amount(f"（大写）人民币{words}") == amount


@given(_FEN, st.sampled_from(["合同总金额：", "金额为", "合计 ", "付款"]))
def test_amount_spans_point_at_the_printed_form(amount: Decimal, label: str) -> None:
    printed = f"¥{amount:,.2f}"
    text = f"{label}{printed}（大写：{amount_to_words(amount)}）"
    found = text_to_amounts(text)
    value, start, end = found[0]
    assert (value, text[start:end]) == (amount, printed)
    assert found[1][0] == amount


# --- dates --------------------------------------------------------------------------------

_CN = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens < 2 else _CN[tens]) + ("十" if tens else "") + (_CN[ones] if ones else "")


def _cn_date(d: date, zero: str) -> str:
    """二〇二四年六月一日, with ``zero`` as the year's zero digit (〇, 零 or ○)."""
    year = "".join(zero if c == "0" else _CN[int(c)] for c in str(d.year))
    return f"{year}年{_cn_small(d.month)}月{_cn_small(d.day)}日"


DATE_FORMATS: dict[str, Callable[[date], str]] = {
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "cn0": lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    "cn_spaced": lambda d: f"{d.year} 年 {d.month} 月 {d.day} 日",
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "dot": lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    "dot_short": lambda d: f"{d.year}.{d.month}.{d.day}",
    "compact": lambda d: f"{d:%Y%m%d}",
    "upper": lambda d: _cn_date(d, "〇"),
    "upper_ling": lambda d: _cn_date(d, "零"),
    "upper_circle": lambda d: _cn_date(d, "○"),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年6月1日", date(2024, 6, 1)),
        ("2024年06月01日", date(2024, 6, 1)),
        ("2024 年 6 月 1 日", date(2024, 6, 1)),
        ("2024年6月1号", date(2024, 6, 1)),
        ("2024年6月1曰", date(2024, 6, 1)),
        ("2O24年6月1日", date(2024, 6, 1)),
        ("２０２４年６月１日", date(2024, 6, 1)),
        ("2024-06-01", date(2024, 6, 1)),
        ("2024/06/01", date(2024, 6, 1)),
        ("2024.06.01", date(2024, 6, 1)),
        ("2024.6.1", date(2024, 6, 1)),
        ("2024 - 06 - 01", date(2024, 6, 1)),
        ("20240601", date(2024, 6, 1)),
        ("开票日期：20240601", date(2024, 6, 1)),
        ("二〇二四年六月一日", date(2024, 6, 1)),
        ("二零二四年六月十一日", date(2024, 6, 11)),
        ("二〇二五年十二月三十一日", date(2025, 12, 31)),
        ("二○二四年十月二十日", date(2024, 10, 20)),
        ("二O二四年二月二十九日", date(2024, 2, 29)),
        ("2024-02-29", date(2024, 2, 29)),
        ("开票日期:2024年06月01日 12:00:00", date(2024, 6, 1)),
        ("2024-06-01T10:00:00", date(2024, 6, 1)),
        ("签订日期：2024年5月20日 服务开始：2024-06-01", date(2024, 5, 20)),
        ("1999年12月31日", date(1999, 12, 31)),
    ],
)
def test_text_to_date(text: str, expected: date) -> None:
    assert text_to_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-02-30",
        "2023-02-29",
        "2024.13.01",
        "2024年2月30日",
        "二〇二四年二月三十日",
        "010-78427605",
        "电话：010-78427605",
        "010-20240601",
        "12345678",
        "20241301",
        "202406011",
        "24112000000123456789",
        "2024年6月",
        "二〇二四年六月",
        "6月1日",
        "1234-05-06",
        "第2条",
        "¥2,024.06",
        "2024-06",
    ],
)
def test_not_a_date(text: str) -> None:
    assert text_to_date(text) is None
    assert text_to_dates(text) == []


def test_text_to_dates_with_spans() -> None:
    text = "签订日期：2024年6月1日，服务期2024-07-01至二〇二五年六月三十日"
    found = text_to_dates(text)
    assert [(d, text[s:e]) for d, s, e in found] == [
        (date(2024, 6, 1), "2024年6月1日"),
        (date(2024, 7, 1), "2024-07-01"),
        (date(2025, 6, 30), "二〇二五年六月三十日"),
    ]


_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@given(_DATES, st.sampled_from(sorted(DATE_FORMATS)))
def test_date_round_trip(day: date, style: str) -> None:
    printed = DATE_FORMATS[style](day)
    assert text_to_date(printed) == day
    text = f"签订日期：{printed}，"
    assert [(d, text[s:e]) for d, s, e in text_to_dates(text)] == [(day, printed)]


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("自2024年6月1日起至2025年5月31日止", date(2024, 6, 1), date(2025, 5, 31)),
        ("本合同算力服务期限自2024年06月01日起至2025年05月31日止。", date(2024, 6, 1), date(2025, 5, 31)),
        ("自2024年6月1日起，至2025年5月31日止", date(2024, 6, 1), date(2025, 5, 31)),
        ("2024-06-01 至 2025-05-31", date(2024, 6, 1), date(2025, 5, 31)),
        ("结算周期：2024-06-01 至 2024-11-30", date(2024, 6, 1), date(2024, 11, 30)),
        ("2024-06-01~2024-11-30", date(2024, 6, 1), date(2024, 11, 30)),
        ("2024-06-01～2024-11-30", date(2024, 6, 1), date(2024, 11, 30)),
        ("2024-06-01-2024-11-30", date(2024, 6, 1), date(2024, 11, 30)),
        ("2024年7月1日—2024年10月31日", date(2024, 7, 1), date(2024, 10, 31)),
        ("2024年7月1日——2024年10月31日", date(2024, 7, 1), date(2024, 10, 31)),
        ("2024年7月1日一2024年10月31日", date(2024, 7, 1), date(2024, 10, 31)),
        ("2024年7月1日到2024年10月31日", date(2024, 7, 1), date(2024, 10, 31)),
        ("2024.06.01-2024.11.30", date(2024, 6, 1), date(2024, 11, 30)),
        ("2024/06/01 - 2024/11/30", date(2024, 6, 1), date(2024, 11, 30)),
        ("20240601-20241130", date(2024, 6, 1), date(2024, 11, 30)),
        ("租赁期限：二〇二四年六月一日至二〇二五年五月三十一日", date(2024, 6, 1), date(2025, 5, 31)),
        ("2024年6月1日至12月31日", date(2024, 6, 1), date(2024, 12, 31)),
        ("签订日期2024年5月20日，服务期2024年7月1日至2025年6月30日", date(2024, 7, 1), date(2025, 6, 30)),
        ("统计期间：2024 年 7 月 1 日 至 2024 年 9 月 30 日", date(2024, 7, 1), date(2024, 9, 30)),
    ],
)
def test_text_to_period(text: str, start: date, end: date) -> None:
    assert text_to_period(text) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-06-01",
        "自2024年6月1日起",
        "2025-05-31 至 2024-06-01",
        "2024-06-01，2024-07-01",
        "2024-06-01 和 2024-07-01",
        "2024年12月1日至3月31日",
        "2024-06-01 至 2025-02-30",
        "服务期限12个月",
    ],
)
def test_not_a_period(text: str) -> None:
    assert text_to_period(text) is None


@given(
    _DATES,
    st.integers(min_value=0, max_value=800),
    st.sampled_from(sorted(DATE_FORMATS)),
    st.sampled_from(["至", " 至 ", "~", "-", "—", "起至", "到"]),
)
def test_period_round_trip(start: date, days: int, style: str, joiner: str) -> None:
    end = date.fromordinal(min(start.toordinal() + days, date(2099, 12, 31).toordinal()))
    fmt = DATE_FORMATS[style]
    assert text_to_period(f"自{fmt(start)}{joiner}{fmt(end)}止") == (start, end)


# --- USCC ---------------------------------------------------------------------------------

VALID_USCCS = [
    "91110000600037341L",
    "91110108MA01ABCD2H",
    "91310115MA1K4XYW8K",
    "12100000400000624D",
    "52110000MJ01234569",
    "91440300708461136T",
    "91110108MA0010005H",
]


@pytest.mark.parametrize("code", VALID_USCCS)
def test_valid_usccs(code: str) -> None:
    assert normalize_uscc(code) == code
    assert uscc_is_valid(code)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("9111O1O8MAOO1OOO5H", "91110108MA0010005H"),  # O for 0 in both halves
        ("9lll0000600037341L", "91110000600037341L"),  # l for 1 among the digits
        ("9111000060003734lL", "91110000600037341L"),  # lower-case l is never a code letter
        ("91110108MA00l0005H", "91110108MA0010005H"),
        ("9111010BMA0010005H", "91110108MA0010005H"),  # B in a digit-only position
        ("91I10108MA0010005H", "91110108MA0010005H"),
        ("91110108MA0010OO5H", "91110108MA0010005H"),
        ("9111Z108MA0010005H", "91112108MA0010005H"),
        ("91110108MA0010SO5H", "91110108MA0010505H"),
        ("91110108ma01abcd2h", "91110108MA01ABCD2H"),
        ("９１１１０１０８ＭＡ０１ＡＢＣＤ２Ｈ", "91110108MA01ABCD2H"),
        ("9111 0108 MA01 ABCD 2H", "91110108MA01ABCD2H"),
    ],
)
def test_normalize_uscc_fixes_forced_misreadings(candidate: str, expected: str) -> None:
    assert normalize_uscc(candidate) == expected


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "91110108MA01VBCD2H",  # V could be U or Y: no forced reading
        "A1110108MA01ABCD2H",  # A in a digit-only position
        "91110108MA01ABCD2",  # 17 characters
        "91110108MA01ABCD2HX",  # 19 characters
        "9111010-MA01ABCD2H",
        "91110108MA01ABCD2!",
        "北京星河智算科技有限公司北京星河智算科",
    ],
)
def test_normalize_uscc_rejects(candidate: str) -> None:
    assert normalize_uscc(candidate) is None


def test_find_usccs_with_spans() -> None:
    text = "信用代码：91110000600037341L 纳税人识别号:9111000060003734lL，发票号码24112000000123456789"
    assert find_usccs(text) == [
        ("91110000600037341L", 5, 23),
        ("91110000600037341L", 31, 49),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "发票号码：24112000000123456789",
        "9111000060003734",
        "91110000600037341LX",
        "XH-SL-2024-018",
        "ABCDEFGHJKLMNPQRTU",
        "91110108MA01VBCD2H",
    ],
)
def test_find_usccs_none(text: str) -> None:
    assert find_usccs(text) == []


@pytest.mark.parametrize("code", ["91110000600037341A", "91110000600037341", "", "9111000060003734lL"])
def test_uscc_invalid(code: str) -> None:
    assert not uscc_is_valid(code)


# --- counts, rates, quantities ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567,890,123", 1234567890123),
        ("1200000000000", 1200000000000),
        ("620家", 620),
        ("服务企业数量：620 家", 620),
        ("6.5万", 65000),
        ("6.5 万人", 65000),
        ("1.2万亿", 1200000000000),
        ("日均Token调用量：1.2万亿", 1200000000000),
        ("65,000 人", 65000),
        ("６５，０００人", 65000),
        ("3亿", 300000000),
        ("1O0家", 100),
        ("0", 0),
        ("1,000.00", 1000),
    ],
)
def test_text_to_int(text: str, expected: int) -> None:
    assert text_to_int(text) == expected


@pytest.mark.parametrize("text", ["", "无", "010-78427605", "1.5", "1.23456万", "约二百人", "1,234,56"])
def test_not_an_int(text: str) -> None:
    assert text_to_int(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6%", "0.06"),
        ("13%", "0.13"),
        ("9%", "0.09"),
        ("17%", "0.17"),
        ("1.5%", "0.015"),
        ("0%", "0"),
        ("6.00 %", "0.06"),
        ("税率：６％", "0.06"),
        ("增值税税率为6%。", "0.06"),
        ("0.06", "0.06"),
        ("0.13", "0.13"),
        ("免税", "0"),
        ("不征税", "0"),
        ("免征增值税", "0"),
        ("零税率", "0"),
    ],
)
def test_text_to_rate(text: str, expected: str) -> None:
    assert text_to_rate(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "6", "13", "12.5", "税率", "***", "2024-06-01"])
def test_not_a_rate(text: str) -> None:
    assert text_to_rate(text) is None


@pytest.mark.parametrize(
    ("text", "amount", "rate"),
    [
        ("19.1013%", "19.10", "0.13"),
        ("457430.946%", "457430.94", "0.06"),
        ("457,430.946%", "457430.94", "0.06"),
        ("27445.869%", "27445.86", "0.09"),
        ("1200.001.5%", "1200.00", "0.015"),
        ("19.10 13%", "19.10", "0.13"),
        ("算力服务 1 项 457430.946% 27445.86", "457430.94", "0.06"),
    ],
)
def test_split_amount_and_rate(text: str, amount: str, rate: str) -> None:
    assert split_amount_and_rate(text) == (Decimal(amount), Decimal(rate))


@pytest.mark.parametrize("text", ["", "99.50%", "6%", "19.10", "19.1%", "457430.94", "2024.06.01 6%"])
def test_split_amount_and_rate_none(text: str) -> None:
    assert split_amount_and_rate(text) is None


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("19.1013%", ["19.10", "13%"]),
        ("算力服务 1 项 457430.946% 27445.86", ["算力服务", "1", "项", "457430.94", "6%", "27445.86"]),
        ("13%19.10", ["13%", "19.10"]),
        ("457430.946%27445.86", ["457430.94", "6%", "27445.86"]),
        ("99.50% 6%", ["99.50%", "6%"]),
        ("  ", []),
    ],
)
def test_split_glued_cells(text: str, cells: list[str]) -> None:
    assert split_glued_cells(text) == cells


@pytest.mark.parametrize(
    ("text", "quantity", "unit"),
    [
        ("368,640 卡时", "368640", "卡时"),
        ("1,296 卡·月", "1296", "卡·月"),
        ("1,296 卡・月", "1296", "卡·月"),
        ("1,296卡.月", "1296", "卡·月"),
        ("500 TB·月", "500", "TB·月"),
        ("200 PFLOPS·月", "200", "PFLOPS·月"),
        ("512卡", "512", "卡"),
        ("交付规模为512卡，用于训练", "512", "卡"),
        ("1.2万卡时", "12000", "卡时"),
        ("368,640.5 卡时", "368640.5", "卡时"),
        ("H800 GPU卡8张", "8", "张"),
        ("64台", "64", "台"),
        ("3套设备", "3", "套"),
        ("单价19.10元/卡时，数量368,640卡时", "368640", "卡时"),
        ("2024年6月1日起租用512卡", "512", "卡"),
        ("１２８ 卡", "128", "卡"),
    ],
)
def test_text_to_quantity(text: str, quantity: str, unit: str) -> None:
    assert text_to_quantity(text) == (Decimal(quantity), unit)


@pytest.mark.parametrize(
    "text", ["", "512", "第2条", "第 2 条", "2024年6月", "¥1,000.00", "19.10元", "6%", "9600万元", "H800"]
)
def test_not_a_quantity(text: str) -> None:
    assert text_to_quantity(text) is None


# --- nothing crashes, spans stay inside the text ------------------------------------------


_NOISE = st.sampled_from("0123456789.,，-~%¥元万亿年月日壹贰拾佰仟整 OlI〇二十ⓧ人民币")


@given(st.text(alphabet=_NOISE, max_size=40))
def test_parsers_survive_noise(text: str) -> None:
    for _, start, end in [*text_to_amounts(text), *text_to_dates(text), *find_usccs(text)]:
        assert 0 <= start < end <= len(text)
    text_to_amount(text)
    text_to_period(text)
    text_to_int(text)
    text_to_rate(text)
    text_to_quantity(text)
    split_amount_and_rate(text)
    assert "".join(split_glued_cells(text)) == "".join(text.split())


def test_a_decimal_point_read_as_a_comma() -> None:
    from extractors.parsers import text_to_amounts

    assert [a for a, _, _ in text_to_amounts("合计 1,981,440 卡时 31,703,040,00")] == [Decimal("31703040.00")]
    # grouped thousands then two digits: OCR read the decimal point as a comma
    assert [a for a, _, _ in text_to_amounts("1,234,56")] == [Decimal("1234.56")]
