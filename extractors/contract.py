"""Compute contracts: parties by role, price terms (table or sentence), dates, and the
statement on other subsidies."""

from __future__ import annotations

import re
from decimal import Decimal

from extractors import parsers
from extractors.common import (
    CN_NUMERAL,
    Extraction,
    Found,
    after_label,
    code_parser,
    date_parser,
    party_at,
    put_period,
    side_by_side,
    whole,
    window,
)
from extractors.layout import DocText
from extractors.lexicon import label
from extractors.tables import find_line, header_position, line_cells, row_by_header
from extractors.units import canonical_unit, complete_unit
from model.document import Missing, Party
from policy.rules import Rules

PARTY_A = label("contract.party_a")
PARTY_B = label("contract.party_b")
CONTRACT_NO = label("contract.contract_no")
TOTAL = label("contract.total_amount")
TOTAL_ROW = label("contract.total_row")
SIGN_DATE = label("contract.sign_date")
PERIOD = label("contract.period")
PRICE_SENTENCE = re.compile(
    r"单价\s*(?:为|是)?\s*[:：]?\s*(?:人民币)?\s*([\d,，.]+)\s*元\s*/\s*([^\s，,。；;）)]+)")
QTY_SENTENCE = re.compile(r"(?:服务)?数量\s*(?:为|是)?\s*[:：]?\s*([\d,，.]+)\s*([^\s，,。；;0-9]+)")
SUBSIDY = re.compile(r"(?:申请|获得|享受)[^。]{0,40}补贴|补贴[^。]{0,12}(?:情况)?说明")
LEGAL = label("contract.legal_representative")
ADDRESS = label("contract.address")


def extract(dt: DocText, ex: Extraction) -> None:
    ex.put("contract_no", after_label(dt, CONTRACT_NO, code_parser(5)), "未找到合同编号")
    a, a_end = party_at(dt, PARTY_A, stop=PARTY_B)
    b, _ = party_at(dt, PARTY_B, start=a_end, stop=PARTY_A)
    for name, found, other in (("party_a", a, PARTY_B), ("party_b", b, PARTY_A)):
        if found is not None and not side_by_side(dt, found):
            _details(dt, found, other)  # beside another party's column, a line mixes both
        ex.put(name, found, "未找到" + ("甲方（委托方）" if name == "party_a" else "乙方（服务方）"))
    ex.money("total_amount", _total(dt, TOTAL) or _total(dt, TOTAL_ROW), "未找到合同总金额")
    _price_terms(dt, ex)
    ex.put("sign_date", after_label(dt, SIGN_DATE, date_parser), "未找到签订日期")
    # no period found in a contract's text is taken as a contract that states none (a gap in
    # the contract, which FIELD_MISSING asks to be evidenced), not as a gap in the reading
    put_period(ex, PERIOD, ("service_start", "service_end"), Missing.blank("合同未载明服务期限"), n_lines=3)
    # read with the lines joined: 补 ⏎ 贴 wraps in a paragraph
    joined, offsets = whole(dt)
    said = SUBSIDY.search(joined)
    span = (offsets[said.start()], offsets[said.end() - 1] + 1) if said else (0, 0)
    ex.put("other_subsidy_statement", Found(bool(said), *span), "", confidence=0.9)


PER_UNIT = re.compile(r"\s*(?:元)?\s*[/／每]")
"""After a figure, a billing unit (10,200.00元/卡·月, 每小时): the figure is a price, not a total."""
TOTAL_REACH = 2
"""Lines after a total's label within which its figure is looked for."""


def _total(dt: DocText, labels: re.Pattern[str]) -> Found | None:
    """The contract's total: after a total label, the first figure that is not a price per
    unit; a figure that its own 大写 repeats beats one that stands alone, the earlier wins."""
    best: tuple[int, Found] | None = None
    for m in labels.finditer(dt.text):
        text, offsets = window(dt, m.end(), TOTAL_REACH)
        amounts = parsers.text_to_amounts(text)
        words = {value for value, a, b in amounts if CN_NUMERAL.search(text[a:b])}
        figures = [(value, a, b) for value, a, b in amounts
                   if not CN_NUMERAL.search(text[a:b]) and not PER_UNIT.match(text, b)]
        if not figures:
            continue
        value, a, b = figures[0]
        score = 2 if value in words else 1
        if best is None or score > best[0]:
            best = (score, Found(value, offsets[a], offsets[b - 1] + 1))
    return best[1] if best else None


def _details(dt: DocText, found: Found, stop: re.Pattern[str]) -> None:
    """Legal representative and address printed under a party, for related-party checks."""
    value: Party = found.value
    limit_line = dt.line_index(found.end) + 5
    limit = dt.line_starts[limit_line] if limit_line < len(dt.line_starts) else len(dt.text)
    m = stop.search(dt.text, found.end, limit)
    limit = m.start() if m else limit
    rep = after_label(dt, LEGAL, _person, start=found.end, end=limit, next_line=False)
    addr = after_label(dt, ADDRESS, _rest_of_line, start=found.end, end=limit, next_line=False)
    value.legal_representative = rep.value if rep else None
    value.address = addr.value if addr else None


NEXT_LABEL = re.compile(r"\s+[\u4e00-\u9fa5]{2,6}\s*[:：]")
"""A further label on the line (法定代表人：王某 联系电话：…): the value before it ends there."""


def _rest_of_line(text: str) -> Found | None:
    """What follows a label to the end of its line or the next label on it, if it says
    anything (not a lone colon)."""
    m = re.match(r"[\s:：]*(\S.*?)\s*$", text)
    if m is None:
        return None
    value, end = m.group(1), m.end(1)
    ahead = NEXT_LABEL.search(value)
    if ahead:
        value, end = value[:ahead.start()], m.start(1) + ahead.start()
    if len(re.findall(r"\w", value)) < 2:
        return None
    return Found(re.sub(r"\s", "", value), m.start(1), end)


PERSON = re.compile(r"[\u4e00-\u9fa5]{2,4}(?:[·•][\u4e00-\u9fa5]{1,6})?")
"""A person's name: two to four Chinese characters, or a transliterated name with its dot."""
AFTER_PERSON = re.compile(r"联系|电话|手机|职务|地址|身份|邮箱|传真")
"""Label words that can follow a name with no space between (陈某联系电话…)."""


def _person(text: str) -> Found | None:
    """The person named after a representative's label: past an alternative label
    (法定代表人/负责人：), up to the next label even when nothing separates them."""
    m = re.match(r"[\s:：]*(?:[/／][\u4e00-\u9fa5]{1,6}\s*[:：]?\s*)?", text)
    start = m.end() if m else 0
    label = AFTER_PERSON.search(text, start)
    name = PERSON.match(text[:label.start()] if label else text, start)
    if name is None:
        return None
    return Found(name.group(0), name.start(), name.end())


def _price_terms(dt: DocText, ex: Extraction) -> None:
    m = PRICE_SENTENCE.search(dt.text)
    if m:
        ex.number("unit_price", Found(parsers.text_to_amount(m.group(1) + "元"), m.start(1), m.end(1)), "")
        ex.put("unit", Found(_unit(m.group(2), ex.rules), m.start(2), m.end(2)), "")
        q = QTY_SENTENCE.search(dt.text, m.end())
        if q:
            ex.number("quantity", Found(_number(q.group(1)), q.start(1), q.end(1)), "")
    header = find_line(dt, r"^(?!.*[，。；]).*(单价.*数量|数量.*单价)")  # a row of headers, not a clause
    if header is not None and "unit_price" not in ex.fields and header + 1 < len(dt.lines):
        row = row_by_header(dt, header, header + 1)
        for name, pattern in (("unit_price", r"单价"), ("quantity", r"数量"), ("unit", r"单位")):
            col = header_position(dt, header, pattern)
            cells = row.get(col, []) if col is not None else []
            if name == "unit" and len(cells) > 1:
                # the unit's own cell, where a spec without a header of its own shares the column
                known = [c for c in cells if ex.rules.band_for_unit(_unit(c.text, ex.rules)) is not None]
                cells = known[:1] or [c for c in cells if not re.search(r"\d", c.text)][:1]
            if not cells:
                continue
            text = "".join(c.text for c in cells)
            found = Found(_unit(text, ex.rules) if name == "unit" else _number(text), cells[0].start,
                          cells[-1].end)
            if name == "unit":
                ex.put(name, found, "")
            else:
                ex.number(name, found, "")
    if "quantity" not in ex.fields:
        ex.number("quantity", _quantity_by_arithmetic(dt, ex), "", confidence=0.85)
    if not any(name in ex.fields for name in ("unit_price", "quantity")):
        _priced_pair(dt, ex)
    for name in ("unit_price", "quantity", "unit"):
        if name not in ex.fields:
            ex.missing[name] = Missing.unread("未找到算力单价、数量或计费单位")


QUANTITY_FIGURE = re.compile(r"(?<![\d.,])(\d[\d,，]*(?:\.\d+)?)\s*([^\s\d，,。；;、）)]{1,12})")


def _quantity_by_arithmetic(dt: DocText, ex: Extraction) -> Found | None:
    """With no labelled quantity: the figure in the billing unit (合计6,720卡·月) that times
    the unit price makes the contract's total, to the yuan. A figure that does not is no
    quantity of this contract, and none is taken then."""
    price, total, unit = (ex.fields.get(n) for n in ("unit_price", "total_amount", "unit"))
    if price is None or total is None or unit is None:
        return None
    candidates = []
    for m in QUANTITY_FIGURE.finditer(dt.text):
        if PER_UNIT.match(dt.text, m.end(1)):
            continue  # a price (15.00元/卡时), not a quantity
        printed = m.group(2)
        if canonical_unit(printed, ex.rules, printed) != unit.value and not printed.startswith(unit.value):
            continue
        quantity = _number(m.group(1))
        if not quantity:
            continue
        if abs(quantity * price.value - total.value) < 1:
            return Found(quantity, m.start(1), m.end(1))
        candidates.append(Found(quantity, m.start(1), m.end(1)))
    # none makes the total: the one figure in the unit, when its product is of the total's
    # order, is the quantity the contract states — and PRICE_ARITHMETIC then asks why
    if len(candidates) == 1 and ex.rules.tolerance.plausible(candidates[0].value * price.value, total.value):
        return candidates[0]
    return None


FIGURE = re.compile(r"(?<![\d.,，A-Za-z\-/])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d.,])"
                    r"|(?<![\d.,，A-Za-z\-/])\d{1,9}(?:\.\d+)?(?![\d.,])")
"""A figure that may be a price or a quantity: not a date's, a code's or a long number's part."""
NOT_A_FIGURE_AFTER = re.compile(r"\s?(?:[年月日号%％]|[-－/.]\d)")
PAIR_REACH = 4
"""Lines within which a price and its quantity stand: one row, perhaps wrapped in its cells."""


def _priced_pair(dt: DocText, ex: Extraction) -> None:
    """A price table the labels do not reach (an order table with wrapped cells, an annex):
    the one pair of figures within a few lines whose product is the contract's total, to the
    yuan, the arithmetic corroborating both. The figure followed by a billing unit is the
    quantity, the one followed by 元/… the price; where neither says, nothing is taken."""
    total = ex.fields.get("total_amount")
    if total is None or not total.value:
        return
    figures = []
    for m in FIGURE.finditer(dt.text):
        if NOT_A_FIGURE_AFTER.match(dt.text, m.end()):
            continue
        value = Decimal(m.group(0).replace(",", ""))
        if value > 0 and value != total.value:
            figures.append((value, m.start(), m.end(), dt.line_index(m.start())))
    pairs = [(a, b) for i, a in enumerate(figures) for b in figures[i + 1:]
             if abs(a[3] - b[3]) <= PAIR_REACH and abs(a[0] * b[0] - total.value) < 1]
    if len({(a[0], b[0]) for a, b in pairs}) != 1:
        return  # none, or several that make the total: the arithmetic does not decide
    a, b = pairs[0]
    units = [_unit_after(dt, f, ex.rules) for f in (a, b)]
    priced = [bool(PER_UNIT.match(dt.text, f[2])) for f in (a, b)]
    if units[0] and not units[1] and not priced[0]:
        quantity, price, unit = a, b, units[0]
    elif units[1] and not units[0] and not priced[1]:
        quantity, price, unit = b, a, units[1]
    elif (headed := _under_headers(dt, a, b, ex.rules)) is not None:
        price, quantity, unit = headed
    else:
        return
    sure = min(total.confidence, 0.9)
    ex.number("unit_price", Found(price[0], price[1], price[2]), "", confidence=sure)
    ex.number("quantity", Found(quantity[0], quantity[1], quantity[2]), "", confidence=sure)
    ex.put("unit", Found(unit, quantity[1], quantity[2]), "", confidence=sure)


PRICE_HEAD = re.compile(r"单价")
QUANTITY_HEAD = re.compile(r"数量|时长|用量")
HEAD_REACH = 4
"""Lines above a row within which its table's header stands (wrapped over two or three)."""
PRICED_IN = re.compile(r"元\s*[/／]\s*([^\s\d，,。；;、（）()]{1,6})")
"""A price's unit named as a cell of its own (计费单位: 元/卡·月)."""

Figure = tuple[Decimal, int, int, int]


def _under_headers(dt: DocText, a: Figure, b: Figure, rules: Rules) -> tuple[Figure, Figure, str] | None:
    """Price, quantity and unit of a row whose figures say nothing of themselves (元/卡·月 in a
    计费单位 cell before them): each figure is what the header above it says, 单价 or 数量,
    and the unit is the one its 元/… cell names, known to the rules. None where the headers
    or the unit do not say."""
    if a[3] != b[3]:
        return None
    heads = [c for i in range(max(0, a[3] - HEAD_REACH), a[3]) for c in line_cells(dt, i)]
    labelled = [(c, "price" if PRICE_HEAD.search(c.text) else "quantity") for c in heads
                if PRICE_HEAD.search(c.text) or QUANTITY_HEAD.search(c.text)]
    if {kind for _, kind in labelled} != {"price", "quantity"}:
        return None

    def heading(f: Figure) -> str | None:
        box = dt.locate(f[1], f[2])[1]
        if box is None:
            return None
        x = (box[0] + box[2]) / 2
        return min(labelled, key=lambda h: max(h[0].word.bbox[0] - x, x - h[0].word.bbox[2], 0.0))[1]

    kinds = (heading(a), heading(b))
    if set(kinds) != {"price", "quantity"}:
        return None
    price, quantity = (a, b) if kinds[0] == "price" else (b, a)
    line = dt.lines[a[3]].text
    bands = (rules.band_for_unit(m.group(1)) for m in PRICED_IN.finditer(line))
    named = {band[0] for band in bands if band is not None}
    if len(named) != 1:
        return None
    return price, quantity, named.pop()


def _unit_after(dt: DocText, figure: tuple[Decimal, int, int, int], rules: Rules) -> str | None:
    """The billing unit printed right after a figure (19,728 卡·月), or its first letter there
    and the rest wrapped in the cell below (17,239,680 卡⏎…⏎984卡 时): then the one unit
    starting so that the row's next lines name."""
    line_end = dt.text.find("\n", figure[2])
    rest = dt.text[figure[2]:len(dt.text) if line_end < 0 else line_end]
    m = re.match(r"[ \t]*([^\s\d，,。；;、]{1,8})", rest)
    if m is None:
        return None
    band = rules.band_for_unit(m.group(1))
    if band is not None:
        return band[0]
    if not re.fullmatch(r"[^\W\d_]", m.group(1)):
        return None
    below, _ = window(dt, figure[2] + m.end(), 3)
    return complete_unit(m.group(1), below, rules)


def _number(text: str) -> Decimal | None:
    m = re.search(r"\d[\d,，]*(?:\.\d+)?", text)
    return Decimal(m.group(0).replace(",", "").replace("，", "")) if m else None


def _unit(text: str, rules: Rules) -> str:
    """A billing unit as printed, without a note after it (卡·月（含税） is 卡·月)."""
    return canonical_unit(re.split(r"[（(]", text.strip("元/（）()"), maxsplit=1)[0].strip("元/ "), rules)
