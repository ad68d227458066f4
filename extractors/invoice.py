"""VAT invoices: fully digital 数电发票 and the older 增值税电子专用/普通发票.

Buyer and seller are told apart by the nearest role heading (购买方/销售方), which
works for side-by-side boxes (数电) and stacked blocks (older layout) alike.
"""

from __future__ import annotations

import math
import re
import statistics
from decimal import Decimal

from extractors import parsers
from extractors.cnnum import words_to_amount
from extractors.common import (
    Extraction,
    Found,
    after_label,
    amount_parser,
    date_parser,
    digits_parser,
    name_after,
    party,
    regex_parser,
)
from extractors.layout import DocText
from extractors.lexicon import label
from extractors.tables import column_of, find_line, line_cells
from model.base import Support
from model.document import Field, LineItem, Missing, MoneyField
from policy.rules import Rules

NO = label("invoice.invoice_no")
CODE = label("invoice.invoice_code")
DATE = label("invoice.issue_date")
NAME = label("invoice.name")
USCC_LABEL = label("invoice.uscc")
BUYER = label("invoice.buyer")
SELLER = label("invoice.seller")
WORDS = label("invoice.total_in_words")
SMALL = label("invoice.total_amount")
CONTRACT = re.compile(r"合同(?:编号|号)\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9\-_/]{3,})")
NO_TAX = re.compile(r"\*{3}|免\s?税|不征税")
"""What an invoice prints in place of a tax figure or rate when no tax is charged."""
RATE = re.compile(r"(\d{1,2}(?:\.\d+)?)\s*%|免\s?税|不征税")
WORDS_RE = re.compile(r"([零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正]{2,})")


def extract(dt: DocText, ex: Extraction) -> None:
    number = after_label(dt, NO, digits_parser(20, 8))
    ex.put("invoice_no", number, "未找到发票号码")
    code = after_label(dt, CODE, digits_parser(12, 10))
    if code is not None:
        ex.put("invoice_code", code, "")
    elif number is not None and len(number.value) == 20:
        # a fully digital invoice has no code: the field is present and null
        page, _, source, conf = dt.locate(number.start, number.end)
        ex.fields["invoice_code"] = Field[str | None](value=None, page=page, bbox=None,
                                                      source=source, confidence=conf)
    else:
        ex.missing["invoice_code"] = Missing.unread("未找到发票代码")
    ex.put("issue_date", after_label(dt, DATE, date_parser), "未找到开票日期")
    _parties(dt, ex)
    _totals(dt, ex)
    m = CONTRACT.search(dt.text)
    if m:
        ex.put("contract_no", Found(m.group(1), m.start(1), m.end(1)), "")


def _nearest_role(dt: DocText, pos: int) -> str | None:
    """购买方 or 销售方: whichever heading is closest above or beside ``pos``."""
    return _role_and_distance(dt, pos)[0]


def _role_and_distance(dt: DocText, pos: int) -> tuple[str | None, float]:
    """The nearest role heading above or beside ``pos`` and how far it is."""
    here = dt.level_box(pos)
    if here is None:
        return None, math.inf
    page_no, (x, y, _, y1) = here
    height = y1 - y
    best, best_d = None, math.inf
    # a heading stacked letter by letter in a strip left of its block (购 / 买 / 方)
    for text, distance in dt.heads(page_no, x, y):
        role = "buyer" if BUYER.fullmatch(text) else "seller" if SELLER.fullmatch(text) else None
        if role:
            best, best_d = role, distance
            break
    for role, pattern in (("buyer", BUYER), ("seller", SELLER)):
        for m in pattern.finditer(dt.text):
            found = dt.level_box(m.start())
            # a heading beside the label (same line) or above it, on the levelled page
            if found is None or found[0] != page_no or found[1][1] > y + 0.6 * height:
                continue
            box = found[1]
            d = math.hypot(box[0] - x, box[1] - y)
            if d < best_d:
                best, best_d = role, d
    return best, best_d


def _parties(dt: DocText, ex: Extraction) -> None:
    named: list[tuple[str, float, Found]] = []
    for m in NAME.finditer(dt.text):
        found = name_after(dt, m.end())
        if found is None:
            continue
        role, distance = _role_and_distance(dt, m.start())
        if role:
            named.append((role, distance, found))
    names = _assign(named)
    coded: list[tuple[str, float, Found]] = []
    for m in USCC_LABEL.finditer(dt.text):
        end = dt.text.find("\n", m.end())
        # the code belongs to this label only up to the next label of the line (side by
        # side boxes: a buyer without a code must not take the seller's)
        again = USCC_LABEL.search(dt.text, m.end(), end)
        end = again.start() if again else end
        hits = parsers.find_usccs(dt.text[m.end():end])
        if not hits:
            continue
        code, a, b = hits[0]
        role, distance = _role_and_distance(dt, m.start())
        if role:
            coded.append((role, distance, Found(code, m.end() + a, m.end() + b)))
    codes = _assign(coded)
    ex.put("buyer", party(names.get("buyer"), codes.get("buyer")), "未找到购买方名称")
    ex.put("seller", party(names.get("seller"), codes.get("seller")), "未找到销售方名称")


def _assign(candidates: list[tuple[str, float, Found]]) -> dict[str, Found]:
    """Each role its first value in reading order. When every value falls under one heading
    (the other misread: 购实方) but an invoice has a buyer and a seller, the value nearest
    that heading keeps it and the first other value takes the other role."""
    by_role: dict[str, Found] = {}
    for role, _, found in candidates:
        by_role.setdefault(role, found)
    roles = {role for role, _, _ in candidates}
    if len(roles) == 1 and len({str(f.value) for _, _, f in candidates}) > 1:
        role = roles.pop()
        nearest = min(candidates, key=lambda c: c[1])[2]
        other = next(f for _, _, f in candidates if f.value != nearest.value)
        by_role = {role: nearest, ("seller" if role == "buyer" else "buyer"): other}
    return by_role


def _totals(dt: DocText, ex: Extraction) -> None:
    header = find_line(dt, r"(项目名称|货物或应税劳务|服务名称).*(金额)")
    # OCR may read a mark or a box between 合 and 计 (合☑计, 合 | 计)
    total_line = find_line(dt, r"^合[^\u4e00-\u9fa5\d¥￥]{0,3}计", header or 0)
    if total_line is not None:
        start = dt.line_starts[total_line]
        total_text = dt.lines[total_line].text
        amounts = parsers.text_to_amounts(total_text)
        if len(amounts) >= 2 or (len(amounts) == 1 and NO_TAX.search(total_text, amounts[0][2])):
            ex.money("amount_ex_tax", Found(amounts[0][0], start + amounts[0][1], start + amounts[0][2]), "")
        if len(amounts) >= 2:
            ex.money("tax_amount", Found(amounts[-1][0], start + amounts[-1][1], start + amounts[-1][2]), "")
        elif "amount_ex_tax" in ex.fields:
            ex.missing["tax_amount"] = Missing.blank("合计税额未印数字（***：免税或不征税）")
    for name in ("amount_ex_tax", "tax_amount"):
        if name not in ex.fields:
            ex.missing.setdefault(name, Missing.unread("未找到合计行金额"))
    ex.money("total_amount", after_label(dt, SMALL, amount_parser), "未找到价税合计（小写）")
    ex.put("total_in_words", after_label(dt, WORDS, regex_parser(WORDS_RE.pattern)),
           "未找到价税合计（大写）")
    if header is not None:
        items, rate = _items(dt, header, total_line if total_line is not None else len(dt.lines), ex.rules)
        if items:
            first, last = items[0][1], items[-1][2]
            ex.put("items", Found([i for i, _, _ in items], first, last), "")
        if rate is not None:
            ex.number("tax_rate", rate, "")
    if "items" not in ex.fields:
        ex.missing["items"] = Missing.unread("未找到货物或服务明细")
    else:
        _totals_from_items(ex)
    if "tax_rate" not in ex.fields:
        ex.missing["tax_rate"] = Missing.unread("未找到税率")


def _totals_from_items(ex: Extraction) -> None:
    """Without a readable 合计 line: the items' amounts and taxes, when they add up to the
    price-and-tax total the invoice prints, are its amount and tax. Without a readable total
    in figures (¥ read as V, the figure cut off): the total in words, when the amount and tax
    (of the 合计 line or of the items) add up to it, is the total."""
    items: list[LineItem] = ex.fields["items"].value
    parts = [ex.fields.get(name) for name in ("amount_ex_tax", "tax_amount")]
    if all(parts):
        amount, tax = (p.value for p in parts if p is not None)
    elif any(i.amount is None or i.tax_amount is None for i in items):
        return
    else:
        amount = sum((i.amount for i in items), Decimal(0))
        tax = sum((i.tax_amount for i in items if i.tax_amount is not None), Decimal(0))
    total, words = ex.fields.get("total_amount"), ex.fields.get("total_in_words")
    said = words_to_amount(words.value) if total is None and words is not None else None
    if (total.value if total is not None else said) != amount + tax:
        return
    field = ex.fields["items"]
    sure = round(min(field.confidence, (total or words).confidence) * 0.9, 3)  # type: ignore[union-attr]
    for name, value in (("amount_ex_tax", amount), ("tax_amount", tax)):
        if name not in ex.fields:
            ex.fields[name] = MoneyField(value=value, page=field.page, bbox=field.bbox, source=field.source,
                                         confidence=sure, evidence=[Support.ARITHMETIC])
            ex.missing.pop(name, None)
    if words is not None and said is not None:
        ex.fields["total_amount"] = MoneyField(value=said, page=words.page, bbox=words.bbox,
                                               source=words.source, confidence=sure,
                                               evidence=[Support.ARITHMETIC])
        ex.missing.pop("total_amount", None)


def _items(dt: DocText, header: int, end: int,
           rules: Rules) -> tuple[list[tuple[LineItem, int, int]], Found | None]:
    """Item rows between the header and the 合计 line. A wrapped name can sit above and
    below its row's figures, so each name-only line joins the row nearest to it."""
    headers = line_cells(dt, header)
    rows: list[tuple[float, LineItem, int, int]] = []
    loose: list[tuple[float, str]] = []
    rate: Found | None = None
    for index in range(header + 1, end):
        cells = line_cells(dt, index)
        text = dt.lines[index].text
        box = dt.lines[index].bbox
        middle = (box[1] + box[3]) / 2
        name_cells = [c for c in cells if column_of(c, headers) == 0
                      and re.search(r"[\u4e00-\u9fa5*A-Za-z（(）)]", c.text)]
        names = "".join(c.text for c in name_cells)
        if name_cells:  # where the name itself sits decides what wraps above or below it
            middle = statistics.fmean((c.word.bbox[1] + c.word.bbox[3]) / 2 for c in name_cells)
        pct = RATE.search(text)
        amounts = parsers.text_to_amounts(text)
        if not (amounts and pct):
            if names:
                loose.append((middle, names))
            continue
        line_start = dt.line_starts[index]
        before = [a for a in amounts if a[2] <= pct.start()]
        after = [a for a in amounts if a[1] >= pct.end()]
        if before:
            amount_value, a_start, a_end = before[-1]
        else:
            glued = parsers.split_amount_and_rate(text)
            if glued is None:
                continue
            amount_value, a_start, a_end = glued[0], 0, pct.start()
        rate_value = parsers.text_to_rate(pct.group(0)) if pct.group(1) else None
        if rate_value is not None and rate_value not in rules.vat_rates:
            rate_value = None  # no invoice rate (83% for 6%): a misreading
        item = LineItem(name=names, amount=amount_value, tax_rate=rate_value,
                        tax_amount=after[0][0] if after else None)
        rows.append((middle, item, line_start + a_start, line_start + a_end))
        if rate is None and rate_value is not None:
            rate = Found(rate_value, line_start + pct.start(), line_start + pct.end())
    for middle, names in loose:
        if not rows:
            break
        nearest = min(rows, key=lambda r: abs(r[0] - middle))
        item = nearest[1]
        item.name = names + item.name if middle < nearest[0] else item.name + names
    items = [(item, a, b) for _, item, a, b in rows]
    for item, _, _ in items:
        item.name = _clean_name(item.name)
    return items, rate


def _clean_name(name: str) -> str:
    name = re.sub(r"\s", "", name).replace("(", "（").replace(")", "）")
    return name
