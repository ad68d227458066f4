"""Shared value parsers for the field extractors: money, 大写, dates, periods, codes, counts, rates.

Small pure functions over one string each, exact (``Decimal``, ``date``) and tolerant of the
print and OCR variants the corpus shows (full-width forms, 帀 for 币, O/l read inside digits,
doubled dots, spaces after separators). Each returns None when the text holds no such value:
none of them guesses.

Functions that report positions give ``(start, end)`` spans into the text exactly as passed in;
the internal folding they parse on maps one character to one character, so spans never drift.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from stdnum.cn import uscc as _stdnum_uscc

from extractors.cnnum import words_to_amount

__all__ = [
    "find_usccs",
    "normalize_uscc",
    "split_amount_and_rate",
    "split_glued_cells",
    "stored_amount",
    "stored_date",
    "stored_rate",
    "text_to_amount",
    "text_to_amounts",
    "text_to_date",
    "text_to_dates",
    "text_to_int",
    "text_to_period",
    "text_to_quantity",
    "text_to_rate",
    "uscc_is_valid",
]

# --- folding: one character in, one character out ------------------------------------------

_WIDTH: dict[int, str] = {i: chr(i - 0xFEE0) for i in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH |= {i: chr(i - 0xFEE0) for i in range(0xFF21, 0xFF3B)}  # Ａ-Ｚ
_WIDTH |= {i: chr(i - 0xFEE0) for i in range(0xFF41, 0xFF5B)}  # ａ-ｚ
_WIDTH |= {
    ord("．"): ".", ord("￥"): "¥", ord("％"): "%", ord("－"): "-", ord("−"): "-",
    ord("／"): "/", ord("～"): "~", ord("＋"): "+", ord("　"): " ", ord("\xa0"): " ",
    ord("帀"): "币", ord("幣"): "币",  # 帀 is what OCR makes of 币; 幣 is its traditional form
}
_FOLD = str.maketrans(_WIDTH)

# O/o read for 0 and l/I read for 1, but only between digits (a digit before, a digit after,
# perhaps across one separator): "1O0.00", "2l5", "1,O00". "No.1" and "Model l" stay as they are.
_DIGIT_LOOKALIKE = re.compile(r"(?:(?<=\d)|(?<=\d[.,]))[OolI]+(?=[.,]?\d)")
_LOOKALIKE_VALUE = str.maketrans("OolI", "0011")

_SPACES = re.compile(r"\s+")


# OCR reads the decimal point of a grouped figure as a comma: 31,703,040,00
_COMMA_DECIMAL = re.compile(r"(?<![\d,])(\d{1,3}(?:,\d{3})+),(\d{2})(?![\d,])")


def _fold(text: str) -> str:
    """Width-folded text with digit look-alikes repaired; same length as ``text``."""
    folded = text.translate(_FOLD)
    folded = _DIGIT_LOOKALIKE.sub(lambda m: m.group().translate(_LOOKALIKE_VALUE), folded)
    return _COMMA_DECIMAL.sub(lambda m: f"{m.group(1)}.{m.group(2)}", folded)


# --- numbers ------------------------------------------------------------------------------

_DEC = r"(?:\.\.?\d+)"  # a doubled dot is an OCR artefact seen on scanned invoices
_GROUPED = r"\d{1,3}(?:[,，]\s?\d{3})+"  # "1,234, 567": OCR puts a space after the separator
_SPACE_GROUPED = r"\d{1,3}(?: \d{3})+(?!\d)"
_NUMBER = rf"(?:{_GROUPED}{_DEC}?|\d+{_DEC}?)(?!\d|[,，.]\d)"
_MULTIPLIER = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12,
               "百万": Decimal(10) ** 6, "千万": Decimal(10) ** 7}
_NOT_AFTER_NUMBER = r"(?<![0-9A-Za-z.,，\-])"


def _to_decimal(number: str) -> Decimal:
    return Decimal(re.sub(r"[\s,，]", "", number).replace("..", "."))


def _scaled(value: Decimal, multiplier: str | None) -> Decimal:
    """``value`` times 万/亿/万亿, written without a useless exponent (1.2亿 → 120000000)."""
    if not multiplier:
        return value
    product = (value * _MULTIPLIER[multiplier]).normalize()
    exponent = product.as_tuple().exponent
    return product.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else product


# --- money --------------------------------------------------------------------------------

_CURRENCY = r"(?:(?:人民币|(?i:RMB|CNY))(?:\s*[（(]\s*小写\s*[)）])?\s*[:：]?\s*¥?|¥)"
_MARKED_AMOUNT = re.compile(
    # prefixed: ¥96,000,000.00 / 人民币 9600 万元 / RMB 96,000,000 / ¥ 1 234.00 / ¥-1,234.00
    rf"(?P<pre>{_CURRENCY})\s*(?P<neg1>-\s?)?"
    # a figure with a second decimal point (¥6,138.589.50, misread) is none
    rf"(?P<num1>{_GROUPED}{_DEC}?(?!\d|[,，.]\d)|{_SPACE_GROUPED}{_DEC}?|\d+{_DEC}?(?!\d|[,，.]\d))"
    r"(?:\s*(?P<mul1>万亿|千万|百万|亿|万)(?![亿万]))?(?:\s*[元圆])?"
    # suffixed: 96000000元 / 9,600.5万元 / 1.2亿元
    rf"|{_NOT_AFTER_NUMBER}(?P<neg2>-)?(?P<num2>{_NUMBER})\s*(?P<mul2>万亿|千万|百万|亿|万)?\s*[元圆]"
)
# A bare figure counts as money only with exactly two decimals and nothing after it that
# makes it a percentage, a quantity or a count.
_BARE_AMOUNT = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<neg>-)?(?P<num>{_GROUPED}\.\.?\d{{2}}|\d+\.\.?\d{{2}})"
    r"(?!\d|\.\d|\s*[%‰]|[A-Za-z]|\s*(?:万|亿|卡|张|台|个|家|人|次|小时|时|天|日|月|年|TB|PB|GB|PFLOPS))"
)

_FINANCIAL_DIGITS = "壹贰貳弍叁參肆伍陆陸柒捌玖拾佰仟"
_PLAIN_DIGITS = "零〇○一二两三四五六七八九十百千"
_WORD_UNITS = "万亿元圆員角分整正"
_WORDS_RUN = re.compile(
    rf"(?:人民币\s*)?(?:[ⓧⓍ⊗×]\s*)?(?P<run>[{_FINANCIAL_DIGITS}{_PLAIN_DIGITS}{_WORD_UNITS}]+)"
)
_WORDS_START = re.compile(rf"[{_FINANCIAL_DIGITS}{_PLAIN_DIGITS}]")
_WORDS_END = "元圆員角分整正"


def _words_amounts(folded: str) -> list[tuple[Decimal, int, int]]:
    """大写 amounts (and plain-numeral ones ending in 元) with their spans."""
    hits: list[tuple[Decimal, int, int]] = []
    for match in _WORDS_RUN.finditer(folded):
        run, run_start = match.group("run"), match.start("run")
        offset = 0
        while (start := _WORDS_START.search(run, offset)) is not None:
            found = _first_words_amount(run[start.start():])
            if found is None:
                break
            value, length = found
            # the 人民币 / ⓧ prefix belongs to the span when the amount follows it directly
            begin = match.start() if start.start() == 0 else run_start + start.start()
            offset = start.start() + length
            hits.append((value, begin, run_start + offset))
    return hits


def _first_words_amount(run: str) -> tuple[Decimal, int] | None:
    """The longest head of ``run`` that is a well-formed amount, with its length."""
    for end in range(len(run), 0, -1):
        if run[end - 1] not in _WORDS_END:
            continue
        head = run[:end]
        if not any(c in "元圆員角分" for c in head):
            continue
        if not any(c in _FINANCIAL_DIGITS for c in head) and not any(c in "元圆員" for c in head):
            continue  # plain numerals with only 角/分 are words like 十分, not money
        value = words_to_amount(head)
        if value is not None:
            return value, end
    return None


def _marked_amounts(folded: str) -> list[tuple[Decimal, int, int]]:
    hits = []
    for match in _MARKED_AMOUNT.finditer(folded):
        number = match.group("num1") or match.group("num2")
        multiplier = match.group("mul1") or match.group("mul2")
        try:
            value = _scaled(_to_decimal(number), multiplier)
        except InvalidOperation:  # pragma: no cover - the patterns only admit digits
            continue
        if match.group("neg1") or match.group("neg2"):
            value = -value
        hits.append((value, match.start(), match.end()))
    return hits


def _bare_amounts(folded: str) -> list[tuple[Decimal, int, int]]:
    hits = []
    for match in _BARE_AMOUNT.finditer(folded):
        value = _to_decimal(match.group("num"))
        hits.append((-value if match.group("neg") else value, match.start(), match.end()))
    return hits


def _without_overlaps(
    first: list[tuple[Decimal, int, int]], second: list[tuple[Decimal, int, int]]
) -> list[tuple[Decimal, int, int]]:
    """``first`` plus those of ``second`` that overlap none of ``first``, by position."""
    kept = list(first)
    for hit in second:
        if all(hit[2] <= k[1] or hit[1] >= k[2] for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h[1], -h[2]))


def _money_marked(folded: str) -> list[tuple[Decimal, int, int]]:
    return _without_overlaps(_marked_amounts(folded), _words_amounts(folded))


def text_to_amounts(text: str) -> list[tuple[Decimal, int, int]]:
    """Every money amount in ``text`` as ``(value, start, end)``, in reading order.

    Amounts are figures with a currency marker (¥, 人民币, RMB, CNY before; 元, 万元, 亿元 after),
    大写 amounts (人民币玖仟陆佰万元整, ⓧ壹佰玖拾圆零壹角玖分), and bare figures with exactly two
    decimals (4,912,320.00) that are not followed by %, 万 or a quantity unit. Spans include
    the markers.
    """
    folded = _fold(text)
    return _without_overlaps(_money_marked(folded), _bare_amounts(folded))


def text_to_amount(text: str) -> Decimal | None:
    """The first money amount in ``text``, preferring marked ones; None if there is none.

    A figure with a currency marker or a 大写 amount wins over an earlier bare figure; a bare
    figure counts only with exactly two decimals, so "第2条", "620家", phone numbers and
    20-digit invoice numbers are never amounts.
    """
    folded = _fold(text)
    marked = _money_marked(folded)
    if marked:
        return marked[0][0]
    bare = _bare_amounts(folded)
    return bare[0][0] if bare else None


# --- dates --------------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d{2}"
_DATE_CN = re.compile(rf"(?<!\d)({_YEAR})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})(?:\s*[日号曰]|(?!\d))")
_DATE_SEPARATED = re.compile(rf"(?<!\d)({_YEAR})\s*([-/.])\s*(\d{{1,2}})\s*\2\s*(\d{{1,2}})(?!\d)")
_DATE_COMPACT = re.compile(
    rf"(?:(?<![0-9A-Za-z.\-/])|(?<=\d{{8}}[-~]))({_YEAR})(\d\d)(\d\d)(?![0-9A-Za-z.]|-\d{{1,7}}(?!\d))"
)
_CN_ZERO = "〇○零Oo0"
_CN_DIGIT = {c: 0 for c in _CN_ZERO} | {c: i for i, c in enumerate("一二三四五六七八九", 1)}
_DATE_UPPER = re.compile(
    rf"(?<![{_CN_ZERO}一二三四五六七八九])([{_CN_ZERO}一二三四五六七八九]{{4}})\s*年"
    rf"\s*([元{_CN_ZERO}一二三四五六七八九十]{{1,3}})\s*月"
    rf"\s*([{_CN_ZERO}一二三四五六七八九十廿卅]{{1,4}})\s*[日号曰]"
)


def _cn_small(text: str) -> int | None:
    """1..31 written in Chinese numerals: 一, 十, 十一, 二十, 廿一, 三十一, 〇六; else None."""
    if text == "元":
        return 1
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "十" in text:
        tens_text, _, ones_text = text.partition("十")
        if len(tens_text) > 1 or len(ones_text) > 1:
            return None
        tens = _CN_DIGIT.get(tens_text, -1) if tens_text else 1
        ones = _CN_DIGIT.get(ones_text, -1) if ones_text else 0
        if tens <= 0 or ones < 0:
            return None
        return tens * 10 + ones
    if len(text) == 2 and text[0] in _CN_ZERO:
        text = text[1:]
    return _CN_DIGIT.get(text) if len(text) == 1 else None


def _make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dates(folded: str) -> list[tuple[date, int, int]]:
    hits: list[tuple[date, int, int]] = []
    for match in _DATE_CN.finditer(folded):
        d = _make_date(int(match[1]), int(match[2]), int(match[3]))
        if d:
            hits.append((d, match.start(), match.end()))
    for match in _DATE_SEPARATED.finditer(folded):
        d = _make_date(int(match[1]), int(match[3]), int(match[4]))
        if d:
            hits.append((d, match.start(), match.end()))
    for match in _DATE_COMPACT.finditer(folded):
        d = _make_date(int(match[1]), int(match[2]), int(match[3]))
        if d:
            hits.append((d, match.start(), match.end()))
    for match in _DATE_UPPER.finditer(folded):
        year_text = "".join(str(_CN_DIGIT[c]) for c in match[1])
        if not re.fullmatch(_YEAR, year_text):
            continue
        d = _make_date(int(year_text), _cn_small(match[2]), _cn_small(match[3]))
        if d:
            hits.append((d, match.start(), match.end()))
    hits.sort(key=lambda h: (h[1], -h[2]))
    kept: list[tuple[date, int, int]] = []
    for hit in hits:
        if not kept or hit[1] >= kept[-1][2]:
            kept.append(hit)
    return kept


def text_to_dates(text: str) -> list[tuple[date, int, int]]:
    """Every calendar date in ``text`` as ``(date, start, end)``, in reading order.

    Reads 2024年6月1日 (also with 06/01, spaces inside, 号 or OCR's 曰 for 日), 2024-06-01,
    2024/06/01, 2024.06.01, 2024.6.1, 二〇二四年六月一日 (〇 ○ 零 O for zero), and 20240601
    as a standalone 8-digit token. Years are 1900-2099; dates that do not exist are skipped.
    """
    return _dates(_fold(text))


def text_to_date(text: str) -> date | None:
    """The first calendar date in ``text`` (see :func:`text_to_dates`), or None."""
    dates = _dates(_fold(text))
    return dates[0][0] if dates else None


# --- periods ------------------------------------------------------------------------------

_PERIOD_GAP = re.compile(r"\s*起?\s*[，,]?\s*(?:至|到|to|[~\-—–―─一])+\s*", re.IGNORECASE)
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号曰]")


def text_to_period(text: str) -> tuple[date, date] | None:
    """The first date range in ``text`` as ``(start, end)``, or None.

    Two dates joined by 至, 到, ~, -, — (or 起至, 起，至): 自2024年6月1日起至2025年5月31日止,
    2024-06-01~2024-11-30, 2024.06.01-2024.11.30. An end written without its year
    (2024年6月1日至12月31日) takes the start's year. A range whose end is before its start is
    not a period.
    """
    folded = _fold(text)
    dates = _dates(folded)
    for (start, _, start_end), (end, end_start, _) in pairwise(dates):
        if _PERIOD_GAP.fullmatch(folded, start_end, end_start) and start <= end:
            return start, end
    for start, _, start_end in dates:
        gap = _PERIOD_GAP.match(folded, start_end)
        if gap is None:
            continue
        month_day = _MONTH_DAY.match(folded, gap.end())
        if month_day is None:
            continue
        end_date = _make_date(start.year, int(month_day[1]), int(month_day[2]))
        if end_date is not None and start <= end_date:
            return start, end_date
    return None


# --- unified social credit codes ----------------------------------------------------------

_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_USCC_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
# Positions 1-8 hold digits only, so any letter there is a misread digit.
_AS_DIGIT = {"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "i": "1", "l": "1", "L": "1",
             "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8"}
# Positions 9-18 allow letters, but never I O S V Z; of those only V has no unique reading
# (U or Y), so a V makes the candidate unreadable. Lower-case l and o are OCR's 1 and 0.
_OUTSIDE_ALPHABET = {"O": "0", "o": "0", "I": "1", "i": "1", "l": "1", "Z": "2", "z": "2",
                     "S": "5", "s": "5"}


def normalize_uscc(candidate: str) -> str | None:
    """An 18-character code with OCR look-alikes fixed where the position forces it, or None.

    Spaces and hyphens are dropped first. Letters in positions 1-8 (digits only) become the
    digit they resemble (O→0, I→1, Z→2, S→5, B→8); in positions 9-18 only letters outside the
    code alphabet are mapped (O→0, I→1, Z→2, S→5). A character with no forced reading (V, or
    any other letter in 1-8) gives None. The check digit is not verified: see
    :func:`uscc_is_valid`.
    """
    code = re.sub(r"[\s\-]", "", candidate.translate(_FOLD))
    if len(code) != 18:
        return None
    out = []
    for position, char in enumerate(code):
        if position < 8:
            char = _AS_DIGIT.get(char, char)
            if not char.isascii() or not char.isdigit():
                return None
        else:
            char = _OUTSIDE_ALPHABET.get(char, char).upper()
            if char not in _USCC_ALPHABET:
                return None
        out.append(char)
    return "".join(out)


def find_usccs(text: str) -> list[tuple[str, int, int]]:
    """Every 18-character run in ``text`` that reads as a USCC, normalized, with its span.

    The check digit is not verified here, so an 18-digit ID card number is a candidate too;
    the validators decide with :func:`uscc_is_valid`.
    """
    hits = []
    for match in _USCC_CANDIDATE.finditer(text.translate(_FOLD)):
        code = normalize_uscc(match.group())
        if code is not None:
            hits.append((code, match.start(), match.end()))
    return hits


PROVINCES = {
    "北京": "11", "天津": "12", "河北": "13", "山西": "14", "内蒙古": "15", "辽宁": "21", "吉林": "22",
    "黑龙江": "23", "上海": "31", "江苏": "32", "浙江": "33", "安徽": "34", "福建": "35", "江西": "36",
    "山东": "37", "河南": "41", "湖北": "42", "湖南": "43", "广东": "44", "广西": "45", "海南": "46",
    "重庆": "50", "四川": "51", "贵州": "52", "云南": "53", "西藏": "54", "陕西": "61", "甘肃": "62",
    "青海": "63", "宁夏": "64", "新疆": "65",
}
"""Province-level divisions and their GB/T 2260 codes, which a USCC carries in characters 3-4."""
_PROVINCE_IN_NAME = re.compile(r"^(" + "|".join(PROVINCES) + r")|[（(](" + "|".join(PROVINCES) + r")")


def uscc_fits_name(code: str, name: str) -> bool:
    """Whether a credit code can be the company's: a name that carries its province (内蒙古…,
    …（北京）…) is registered there, so the code's division code starts with that province's.
    A name without a province, a branch (registered where it works), or a code whose division
    is national (00) or unreadable, fits."""
    m = _PROVINCE_IN_NAME.search(name)
    if m is None or name.endswith("分公司") or len(code) < 4 or not code[2:4].isdigit() or code[2:4] == "00":
        return True
    return PROVINCES[m.group(1) or m.group(2)] == code[2:4]


def uscc_is_valid(code: str) -> bool:
    """Whether ``code`` is a USCC with a correct check digit (python-stdnum ``cn.uscc``)."""
    return bool(_stdnum_uscc.is_valid(code))


# --- counts, rates, quantities ------------------------------------------------------------

_COUNT = re.compile(
    rf"(?<![0-9A-Za-z.,，\-])(?P<num>{_GROUPED}(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|\.\d|[,，]\d|-\d)"
    r"(?:\s*(?P<mul>万亿|千万|百万|亿|万))?"
)


def text_to_int(text: str) -> int | None:
    """The first count in ``text`` as an int: "1,234,567", "620家", "6.5万" → 65000, "1.2万亿".

    None when there is no number, when the first number is not whole after its 万/亿
    multiplier (1.23456万), or when it is part of a hyphenated code such as a phone number.
    """
    match = _COUNT.search(_fold(text))
    if match is None:
        return None
    value = _scaled(_to_decimal(match.group("num")), match.group("mul"))
    if value != value.to_integral_value():
        return None
    return int(value)


_RATE = re.compile(
    r"(?<![\d.])(?P<pct>\d+(?:\.\d+)?)\s*%"
    r"|(?P<zero>免税|不征税|免征|零税率)"
    r"|(?<![\d.])(?P<fraction>0\.\d+)(?![\d.%])"
)


def text_to_rate(text: str) -> Decimal | None:
    """The first rate in ``text`` as a fraction: "6%" → 0.06, "0.13" → 0.13, 免税/不征税 → 0.

    A bare number counts only as a decimal fraction below 1 (0.06); "6" alone is None.
    """
    match = _RATE.search(_fold(text))
    if match is None:
        return None
    if match.group("pct"):
        return Decimal(match.group("pct")).scaleb(-2)
    if match.group("zero"):
        return Decimal(0)
    return Decimal(match.group("fraction"))


_GLUED_AMOUNT_RATE = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<amount>{_GROUPED}\.\d{{2}}|\d+\.\d{{2}})\s*(?P<rate>\d{{1,2}}(?:\.\d+)?)\s*%"
)
# Where pdfplumber glued two cells: a two-decimal amount running into a rate ("19.10|13%"),
# or a rate running into the next figure ("13%|19.10").
_GLUE_POINT = re.compile(r"(?<=\d\.\d\d)(?=\d{1,2}(?:\.\d+)?%)|(?<=%)(?=[-¥\d])")


def split_amount_and_rate(text: str) -> tuple[Decimal, Decimal] | None:
    """A two-decimal amount glued to the rate after it, as pdfplumber joins table cells.

    "19.1013%" → (19.10, 0.13); "457430.946%" → (457430.94, 0.06); the rate is a fraction
    as :func:`text_to_rate` gives it. None when the text holds no such pair.
    """
    match = _GLUED_AMOUNT_RATE.search(_fold(text))
    if match is None:
        return None
    return _to_decimal(match.group("amount")), Decimal(match.group("rate")).scaleb(-2)


def split_glued_cells(text: str) -> list[str]:
    """The cells of a table row: split at whitespace and at the glue points pdfplumber leaves.

    "19.1013% 2.48" → ["19.10", "13%", "2.48"]. Only the unambiguous joins are split (an amount
    with exactly two decimals followed by a percentage, a percentage followed by a figure);
    the pieces are slices of ``text`` as passed in.
    """
    folded = _fold(text)
    cells = []
    for token in re.finditer(r"\S+", folded):
        cut = token.start()
        for point in _GLUE_POINT.finditer(folded, token.start(), token.end()):
            if point.start() > cut:
                cells.append(text[cut:point.start()])
                cut = point.start()
        cells.append(text[cut:token.end()])
    return cells


_UNIT_DOT = "[·・•∙⋅.．]"
_KNOWN_UNITS = (
    "卡时", "卡·时", "卡·月", "卡月", "卡·天", "卡天", "卡·年", "卡", "张", "台·月", "台", "节点·月",
    "节点", "TB·月", "PB·月", "GB·月", "TB", "PB", "GB", "PFLOPS·月", "PFLOPS", "TFLOPS", "P·月", "P",
    "核时", "核·时", "小时", "个月", "个", "人", "家", "次", "tokens", "token", "Tokens", "Token",
)
_UNIT = "|".join(
    re.escape(unit).replace("·", _UNIT_DOT) for unit in sorted(_KNOWN_UNITS, key=len, reverse=True)
)
_CJK = "\u4e00-\u9fff"
_QUANTITY = re.compile(
    rf"(?<![0-9A-Za-z.,，\-])(?<!第)(?<!第\s)(?P<num>{_GROUPED}(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[,，]\d)"
    r"\s*(?P<mul>万亿|亿|万)?\s*"
    rf"(?P<unit>{_UNIT}|[A-Za-z]+(?:{_UNIT_DOT}[A-Za-z{_CJK}])?|[{_CJK}](?:{_UNIT_DOT}[{_CJK}])?|%)"
)
_NOT_A_QUANTITY_UNIT = tuple("元圆年月日号曰%")


def text_to_quantity(text: str) -> tuple[Decimal, str] | None:
    """The first quantity with its unit: "368,640 卡时" → (368640, "卡时"), "1.2万卡时" → (12000, "卡时").

    The unit is what follows the number: a known compute unit (卡时, 卡·月, TB·月, PFLOPS·月,
    卡, 台 …; any middle-dot look-alike becomes ·), else one Chinese character or a run of
    Latin letters. Money (元), percentages, years, months and days are not quantities and are
    passed over; "第2条" is not either.
    """
    for match in _QUANTITY.finditer(_fold(text)):
        unit = re.sub(_UNIT_DOT, "·", match.group("unit"))
        if unit.startswith(_NOT_A_QUANTITY_UNIT):
            continue
        return _scaled(_to_decimal(match.group("num")), match.group("mul")), unit
    return None


# --- values as structured data stores them (OFD, XML): exact forms, nothing to tolerate --------

_STORED_DATE = re.compile(r"(\d{4})\s*[-年./]?\s*(\d{1,2})\s*[-月./]?\s*(\d{1,2})")


def stored_amount(text: str) -> Decimal | None:
    """An amount as stored or printed plainly (``¥4,449.00``, ``4449.00``, ``-12.50``); None
    for ``***`` and anything else."""
    cleaned = re.sub(r"[¥￥,，\s元]", "", text or "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def stored_date(text: str) -> date | None:
    """``2024年05月28日``, ``2024-05-28``, ``20240528`` or ``2024-05-28 10:11:12``."""
    m = _STORED_DATE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def stored_rate(text: str) -> Decimal | None:
    """``6%``, ``0.06`` or ``6``; None for 免税, 不征税, ``***`` and the like."""
    cleaned = (text or "").strip().replace("％", "%")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", cleaned)
    if m:
        return Decimal(m[1]) / 100
    value = stored_amount(cleaned)
    if value is None:
        return None
    return value if value < 1 else value / 100
