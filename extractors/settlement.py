"""Supplier settlement statements: parties, period, monthly lines and the total."""

from __future__ import annotations

import calendar
import re
import statistics
from datetime import date
from decimal import Decimal
from functools import partial

from extractors import parsers
from extractors.common import (
    Extraction,
    Found,
    addressee,
    after_label,
    amount_parser,
    code_near_a_mention,
    code_parser,
    letter_writer,
    party,
    party_at,
    put_period,
    window,
)
from extractors.layout import DocText
from extractors.lexicon import label
from extractors.tables import Cell, column_of, find_line, line_cells
from extractors.units import canonical_unit, complete_unit
from model.document import LineItem, Missing
from policy.rules import Rules

NO = label("settlement.statement_no")
CONTRACT = label("settlement.contract_no")
CUSTOMER = label("settlement.customer")
SUPPLIER = label("settlement.supplier")
PERIOD = label("settlement.period")
QUANTITY_TOTAL = label("settlement.quantity_total")
TOTAL_STATED = label("settlement.total_stated")
TWO_PLACES = re.compile(r"[\d,]+\.\d{2}")
MONTH_IN = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
MONTH_ONLY = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月$")
MONTH_CELL = re.compile(r"(20\d{2})[.\-/年](0?[1-9]|1[0-2])月?份?")
"""A cell that is only a month (2024.09, 2024-09, 2024年9月份), in a line's leading columns."""


def extract(dt: DocText, ex: Extraction) -> None:
    ex.put("statement_no", after_label(dt, NO, code_parser(6)), "未找到结算单号")
    ex.put("contract_no", after_label(dt, CONTRACT, code_parser(5)), "未找到合同编号")
    customer, _ = party_at(dt, CUSTOMER, stop=SUPPLIER, limit_lines=2)
    supplier, _ = party_at(dt, SUPPLIER, stop=CUSTOMER, limit_lines=2)
    # a statement written as a letter: from the supplier (its letterhead, its 我司) to the
    # customer it is addressed to (致：…)
    if customer is None:
        customer = _with_code(dt, addressee(dt))
    if supplier is None:
        writer = letter_writer(dt)
        if writer is not None and (customer is None or writer.value != customer.value.name):
            supplier = _with_code(dt, writer)
    ex.put("customer", customer, "未找到客户（需方）名称")
    ex.put("supplier", supplier, "未找到服务商（供方）名称")
    put_period(ex, PERIOD, ("period_start", "period_end"), "未找到结算周期")
    _lines(dt, ex)
    _stated(dt, ex)


def _with_code(dt: DocText, name: Found | None) -> Found | None:
    """A party named without a label, with the credit code printed right after a mention of
    its name (beside its signature, in brackets after its name in the text)."""
    if name is None:
        return None
    return party(name, code_near_a_mention(dt, name.value))


AMOUNT_WORDS = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正]{2,}")
IN_WORDS = re.compile(r"合计.{0,4}[（(]?大写[）)]?")
"""The total's label in words: 合计金额（大写）, 含税金额合计（大写）."""


def _stated(dt: DocText, ex: Extraction) -> None:
    """The statement's amount stated in words and figures apart from its table."""
    for m in TOTAL_STATED.finditer(dt.text):
        text, offsets = window(dt, m.end(), 2)
        words = AMOUNT_WORDS.search(text)
        if words is None:
            continue
        start, end = offsets[words.start()], offsets[words.end() - 1] + 1
        ex.put("total_in_words", Found(words.group(0), start, end), "")
        figure = amount_parser(text[words.end():])
        if figure is not None:
            a, b = words.end() + figure.start, words.end() + figure.end
            ex.money("stated_amount", Found(figure.value, offsets[a], offsets[b - 1] + 1), "")
    if "total_in_words" not in ex.fields:
        # 合计金额（大写） 人民币壹仟…: the total in words on its own line
        for m in IN_WORDS.finditer(dt.text):
            line_end = dt.text.find("\n", m.end())
            words = AMOUNT_WORDS.search(dt.text, m.end(), line_end if line_end >= 0 else len(dt.text))
            if words is not None:
                ex.put("total_in_words", Found(words.group(0), words.start(), words.end()), "")
                break
        return


def _lines(dt: DocText, ex: Extraction) -> None:
    header = find_line(dt, r"(服务项目|资源类型|项目|服务内容).*(金额|费用)")
    total = find_line(dt, r"^(序号)?合计|^\d*合计", header or 0) if header is not None else None
    if header is not None and total is None:
        total = _sum_line(dt, header)
    if header is None:
        for name in ("items", "total_amount", "quantity", "unit"):
            ex.missing[name] = Missing.unread("未找到结算明细表")
        # no table to read: the total and quantity the statement states apart, under their
        # labels (本期费用合计 over 12,211,200.00), are its own
        stated = after_label(dt, TOTAL_STATED, amount_parser)
        if stated is not None:
            ex.money("total_amount", stated, "")
        _quantity_of(dt, ex, [], None, "")
        return
    # without a total row the table runs to the prose after it
    end = total if total is not None else _prose_after(dt, header)
    headers = line_cells(dt, header)
    amount_col = _amount_column(headers)
    # the name's column and those before it (a month, a serial number without letters)
    named = [i for i, h in enumerate(headers) if NAME_HEADER.search(h.text.replace(" ", ""))]
    name_columns = range(named[0] + 1 if named else 2)
    rows: list[tuple[float, list[str], LineItem, int, int, str]] = []
    loose: list[tuple[float, list[str]]] = []
    for index in range(header + 1, end):
        text = dt.lines[index].text
        box = dt.lines[index].bbox
        middle = (box[1] + box[3]) / 2
        cells = line_cells(dt, index)
        name_cells = [c for c in cells if column_of(c, headers) in name_columns
                      and re.search(r"[\u4e00-\u9fa5A-Za-z]", c.text)]
        names = [c.text for c in name_cells]
        if name_cells:  # where the name itself sits decides what wraps above or below it
            middle = statistics.fmean((c.word.bbox[1] + c.word.bbox[3]) / 2 for c in name_cells)
        money = _money_in(text)
        if not money:
            if names:
                loose.append((middle, names))
            continue
        if SUBTOTAL.search(re.sub(r"\s", "", text)):
            continue  # a quarter's 小计 sums rows above it: no line of its own
        qtext = _quantity_text(cells, headers)
        quantity = parsers.text_to_quantity(qtext)
        start = dt.line_starts[index]
        amount, a, b = _under(money, cells, headers, start, amount_col)
        period = parsers.text_to_period(text)
        month = next((m for c in cells if column_of(c, headers) in name_columns
                      and (m := MONTH_CELL.fullmatch(c.text.replace(" ", "")))), None)
        if period is None and month is not None:  # under 结算月份: 2024.09
            period = _month(int(month.group(1)), int(month.group(2)), ex)
        item = LineItem(name="", amount=amount, quantity=quantity[0] if quantity else None,
                        unit=_unit(quantity[1], qtext, dt, ex.rules) if quantity else None,
                        unit_price=_price(cells, headers),
                        period_start=period[0] if period else None,
                        period_end=period[1] if period else None)
        rows.append((middle, names, item, start + a, start + b, text))
    for middle, names in loose:
        # a wrapped name sits above and below its row's figures: join the nearest row
        if rows:
            nearest = min(rows, key=lambda r: abs(r[0] - middle))
            if middle < nearest[0]:
                nearest[1][:0] = names
            else:
                nearest[1].extend(names)
    for _, names, item, _, _, row_text in rows:
        if len(names) > 1 and MONTH_ONLY.match(names[0]) and names[1].startswith(names[0][:4]):
            names = names[1:]
        item.name = _join(names)
        if item.period_start is None:
            # a monthly line names its month (2024年07月 …): the line covers that month
            month = MONTH_IN.search(item.name) or MONTH_IN.search(row_text)
            if month:
                item.period_start, item.period_end = _month(int(month.group(1)), int(month.group(2)), ex)
    if rows:
        ex.put("items", Found([r[2] for r in rows], rows[0][3], rows[-1][4]), "")
    if total is None:
        _total_apart(dt, ex, header, end)
        _quantity_of(dt, ex, rows, None, "")
        return
    start = dt.line_starts[total]
    text = dt.lines[total].text
    money = parsers.text_to_amounts(text)
    if money:
        amount, a, b = _under(money, line_cells(dt, total), headers, start, amount_col)
        ex.money("total_amount", Found(amount, start + a, start + b), "")
    else:
        # a total row OCR could not read (22,276,800:00): the statement's amount stated in words
        stated = after_label(dt, TOTAL_STATED, amount_parser, start=start, next_line=False)
        if stated is not None:
            ex.money("total_amount", stated, "", confidence=0.85)
        else:
            ex.missing["total_amount"] = Missing.blank("合计行无金额")
    _quantity_of(dt, ex, rows, total, _quantity_text(line_cells(dt, total), headers))


def _unit(unit: str, printed: str, dt: DocText, rules: Rules) -> str | None:
    """A line's billing unit as the rules name it; one cut after its first letter by the
    cell's width (卡 ⏎ 时) completed from the unit the statement names, else unread."""
    named = canonical_unit(unit, rules, printed)
    if rules.band_for_unit(named) is not None or len(named) > 1:
        return named
    return complete_unit(named, dt.text, rules)


def _quantity_of(dt: DocText, ex: Extraction, rows: list[tuple[float, list[str], LineItem, int, int, str]],
                 total: int | None, qtext: str) -> None:
    """The statement's total quantity: on its total row (``qtext``, under the quantity
    columns), else stated apart from the table, else the lines' own, added up."""
    q = parsers.text_to_quantity(qtext)
    units = {i.unit for i in items_of(ex) if i.unit}
    if q is None and len(units) == 1:
        # OCR can lose the unit of the total: take the one every line shares
        number = re.search(r"\d[\d,]*(?:\.\d+)?", qtext)
        if number:
            q = (Decimal(number.group(0).replace(",", "")), units.pop())
    if q and total is not None:
        start, text = dt.line_starts[total], dt.lines[total].text
        ex.number("quantity", Found(q[0], start, start + len(text)), "")
        ex.put("unit", Found(canonical_unit(q[1], ex.rules, qtext), start, start + len(text)), "")
        return
    labelled = after_label(dt, QUANTITY_TOTAL, partial(_quantity, rules=ex.rules), next_line=False)
    items = items_of(ex)
    summed = None
    if items and all(i.quantity is not None for i in items) and len({i.unit for i in items}) == 1 \
            and items[0].unit:
        # the lines' quantities, in the one unit they share, add up to the statement's
        summed = (sum((i.quantity for i in items if i.quantity is not None), Decimal(0)), items[0].unit)
    if labelled is not None and summed is not None and labelled.value != summed:
        # two readings disagree (1,363.298 against lines of 1,363,298): the lines hold when
        # their own price × quantity makes each amount, else neither is taken
        labelled = None
        if not all(i.unit_price is not None and i.quantity is not None
                   and abs(i.unit_price * i.quantity - i.amount) < 1 for i in items):
            summed = None
    if labelled is not None:
        quantity, unit = labelled.value
        ex.number("quantity", Found(quantity, labelled.start, labelled.end), "")
        ex.put("unit", Found(unit, labelled.start, labelled.end), "")
        return
    if summed is not None:
        span = ex.fields["items"]
        found = Found(summed[0], rows[0][3], rows[-1][4])
        sure = min(span.confidence, 0.85)
        ex.number("quantity", found, "", confidence=sure)
        ex.put("unit", Found(summed[1], found.start, found.end), "", confidence=sure)
        return
    ex.missing["quantity"] = ex.missing["unit"] = Missing.blank(
        "合计行无数量" if total is not None else "结算明细表无合计行，未见合计数量")


AMOUNT_HEADERS = (re.compile(r"价税合计|含税金额|含税总额|含税费用"),
                  re.compile(r"^(?!.*(?:不含税|税额|税率|单价)).*(?:金额|费用|小计)"))
"""The header of a statement's amount column, the one with tax first: whatever order the
columns come in (金额 before 单价, 不含税金额 and 税额 after 含税金额)."""


def _amount_column(headers: list[Cell]) -> int | None:
    """Which header heads the amount with tax, or None when no header says."""
    for pattern in AMOUNT_HEADERS:
        for i, h in enumerate(headers):
            if pattern.search(h.text):
                return i
    return None


def _under(money: list[tuple[Decimal, int, int]], cells: list[Cell], headers: list[Cell], start: int,
           column: int | None) -> tuple[Decimal, int, int]:
    """The amount of a row that stands under the amount header; the row's last amount when no
    header names the column (or nothing stands under it)."""
    if column is not None:
        for hit in money:
            cell = next((c for c in cells if c.start <= start + hit[1] < c.end), None)
            if cell is not None and column_of(cell, headers) == column:
                return hit
    return money[-1]


def _quantity(text: str, rules: Rules) -> Found | None:
    """A quantity with its unit (840 卡·月) after a label, the unit as the rules name it."""
    m = re.match(r"[ \t:：]*", text)
    head = m.end() if m else 0
    q = parsers.text_to_quantity(text[head:])
    if q is None:
        return None
    return Found((q[0], canonical_unit(q[1], rules, text[head:])), head, len(text.rstrip()))


PROSE = re.compile(r"[。；]")


def _prose_after(dt: DocText, header: int) -> int:
    """The first line after a table's header that is a sentence (上述费用均为含税金额。…):
    where a table without a total row ends."""
    for index in range(header + 1, len(dt.lines)):
        if PROSE.search(dt.lines[index].text):
            return index
    return len(dt.lines)


def _total_apart(dt: DocText, ex: Extraction, header: int, end: int) -> None:
    """A statement whose table has no total row: its total is the figure printed apart from
    the table (本期费用合计 over 7,818,201.00) that the lines add up to, the arithmetic
    corroborating both; without one, the total is unread."""
    items = items_of(ex)
    summed = sum((i.amount for i in items), Decimal(0))
    table = (dt.line_starts[header], dt.line_starts[end] if end < len(dt.lines) else len(dt.text))
    for m in TWO_PLACES.finditer(dt.text) if items else []:
        if Decimal(m.group(0).replace(",", "")) == summed and not table[0] <= m.start() < table[1]:
            ex.money("total_amount", Found(summed, m.start(), m.end()), "")
            return
    ex.missing["total_amount"] = Missing.unread("结算明细表无合计行，表外也未见与各行之和相符的金额")


RANGE_MARK = re.compile(r"\s*[-—–~～至]\s*\d")


def _money_in(text: str) -> list[tuple[Decimal, int, int]]:
    """A row's amounts: figures to the fen, but not the ends of a range of months
    (2024.10-2024.12 is a period, whatever its figures look like)."""
    return [a for a in parsers.text_to_amounts(text)
            if TWO_PLACES.fullmatch(text[a[1]:a[2]].strip(" ¥￥"))
            and not RANGE_MARK.match(text, a[2]) and not RANGE_MARK.match(text[:a[1]][::-1])]


def _sum_line(dt: DocText, header: int) -> int | None:
    """The total row of a table whose 合计 OCR could not read (+1 3,324,448.00): the first
    line after the rows whose amounts, column by column from the right, are the sums of the
    rows' amounts above it (含税金额, 不含税金额 and 税额 each added up). Under a single row,
    only a line without the row's unit price is its total: a second month billed the same is
    a row."""
    rows: list[list[Decimal]] = []
    for index in range(header + 1, len(dt.lines)):
        text = dt.lines[index].text
        amounts = [a[0] for a in _money_in(text)]
        if not amounts:
            continue
        k = len(amounts)
        fits = bool(rows) and all(len(r) >= k for r in rows) and (len(rows) > 1 or len(rows[0]) > k)
        if fits and any(amounts) and \
                all(sum((r[len(r) - k + i] for r in rows), Decimal(0)) == amounts[i] for i in range(k)):
            return index
        rows.append(amounts)
    return None


def _month(year: int, month: int, ex: Extraction) -> tuple[date, date]:
    """The days of a line's month, the part of it the statement's period covers where it
    covers only part."""
    first = date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])
    lo, hi = _statement_period(ex)
    return (max(first, lo) if lo else first), (min(last, hi) if hi else last)


def _statement_period(ex: Extraction) -> tuple[date | None, date | None]:
    start, end = ex.fields.get("period_start"), ex.fields.get("period_end")
    return (start.value if start else None), (end.value if end else None)


def items_of(ex: Extraction) -> list[LineItem]:
    field = ex.fields.get("items")
    return list(field.value) if field is not None else []


def _join(parts: list[str]) -> str:
    """Name pieces joined as printed: a space between Latin or digit runs, none inside CJK."""
    out = ""
    for part in parts:
        if out and re.match(r"[A-Za-z0-9]", part) and re.search(r"[A-Za-z0-9月]$", out):
            out += " "
        elif out and re.search(r"[\u4e00-\u9fa5]", part[:1]) and not re.search(r"[\u4e00-\u9fa5]$", out):
            out += ""
        out += part
    return out


PRICE_HEADER = re.compile(r"单价|价格|费率")


def _price(cells: list[Cell], headers: list[Cell]) -> Decimal | None:
    """The figure under the unit-price column of a row (单价（元）), if the table has one."""
    cols = {i for i, h in enumerate(headers) if PRICE_HEADER.search(h.text.replace(" ", ""))}
    for c in cells:
        if column_of(c, headers) in cols:
            m = re.fullmatch(r"[¥￥]?(\d[\d,]*(?:\.\d+)?)(?:元.*)?", c.text.strip())
            if m:
                return Decimal(m.group(1).replace(",", ""))
    return None


QUANTITY_HEADER = re.compile(r"数量|用量|时长|单位")
NAME_HEADER = re.compile(r"服务项目|资源类型|项目|服务内容|名称|品名")
"""The header of a statement's item names; without one, the first two columns hold them, with
one, it and the columns before it (a month printed with the name or in a cell of its own)."""
SUBTOTAL = re.compile(r"小计")


def _quantity_text(cells: list[Cell], headers: list[Cell]) -> str:
    """The text under the quantity (and unit) columns of a row, the figures before the unit
    whichever column comes first (计量单位 卡时 │ 使用时长 709,376)."""
    cols = {i for i, h in enumerate(headers) if QUANTITY_HEADER.search(h.text.replace(" ", ""))}
    picked: list[str] = []
    for i, c in enumerate(cells):
        # a right-aligned unit can sit nearer the next header: take it with its number
        follows_number = i > 0 and column_of(cells[i - 1], headers) in cols and not re.search(r"\d", c.text)
        if column_of(c, headers) in cols or follows_number:
            picked.append(c.text)
    figures = [t for t in picked if re.search(r"\d", t)]
    return " ".join(figures + [t for t in picked if t not in figures])

