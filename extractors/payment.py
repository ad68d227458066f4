"""Bank payment receipts (电子回单): payer, payee, amount, date and reference."""

from __future__ import annotations

import re
from decimal import Decimal

from extractors import parsers
from extractors.common import (
    BY_TYPE,
    CN_NUMERAL,
    Extraction,
    Found,
    after_label,
    amount_parser,
    code_parser,
    date_parser,
    org_after,
    party,
    whole,
)
from extractors.layout import DocText
from extractors.lexicon import label
from model.base import Source
from model.document import Missing

PAYER = re.compile(r"付\s?款\s?(?:(?:人|方|单位)\s*(?:名称|户名)?\s*(?:户名)?|户\s?名)\s*[:：]?")
PAYEE = re.compile(r"收\s?款\s?(?:(?:人|方|单位)\s*(?:名称|户名)?\s*(?:户名)?|户\s?名)\s*[:：]?")
"""付款人（名称/户名）, 付款方, 付款单位, or a banking app's 付款户名; the payee's likewise."""
AMOUNT = label("payment.amount")
DATE = label("payment.payment_date")
REFERENCE = label("payment.reference")
RECEIPT_NO = label("payment.receipt_no")
PURPOSE = label("payment.purpose")
CONTRACT_IN_PURPOSE = re.compile(r"([A-Za-z]{1,6}-[A-Za-z0-9\-]{3,}|[A-Za-z0-9]{2,}-\d{4}-\d{2,})")


def extract(dt: DocText, ex: Extraction) -> None:
    for name, pattern in (("payer", PAYER), ("payee", PAYEE)):
        found = (after_label(dt, pattern, org_after, next_line=False) or after_label(dt, pattern, org_after)
                 or _under_stacked_role(dt, pattern))
        ex.put(name, party(found, None), "未找到" + ("付款人" if name == "payer" else "收款人") + "户名")
    _amount(dt, ex)
    ex.put("payment_date", after_label(dt, DATE, date_parser), "未找到交易日期")
    # the transaction's own number identifies the payment; a receipt's number, printed anew
    # with every copy, only when the receipt gives no other
    reference = after_label(dt, REFERENCE, code_parser(8)) or after_label(dt, RECEIPT_NO, code_parser(8))
    ex.put("reference", reference, "未找到交易流水号")
    purpose = after_label(dt, PURPOSE, _contract_no, next_line=False, within=True)
    if purpose:
        ex.put("contract_no", purpose, "")


NAME_LABEL = re.compile(r"全\s?称|户\s?名|名\s?称")


def _under_stacked_role(dt: DocText, role: re.Pattern[str]) -> Found | None:
    """The name in a block whose role is stacked letter by letter in a strip at its left
    (付 / 款 / 人 beside 全称 · 账号 · 开户行, the payee's block beside it): the name after the
    name label nearest the strip, of those the strip heads."""
    labels = []
    for m in NAME_LABEL.finditer(dt.text):
        at = dt.level_box(m.start())
        heads = dt.heads(at[0], at[1][0], at[1][1]) if at is not None else []
        if heads and role.fullmatch(heads[0][0]):
            labels.append((heads[0][1], m))
    for _, m in sorted(labels, key=lambda t: t[0])[:1]:
        line_end = dt.text.find("\n", m.end())
        found = org_after(dt.text[m.end():len(dt.text) if line_end < 0 else line_end])
        if found is not None:
            return Found(found.value, m.end() + found.start, m.end() + found.end)
    return None


def _amount(dt: DocText, ex: Extraction) -> None:
    """The amount in figures, with the 大写 the receipt prints beside it. Read exactly (a text
    layer), figures and words that disagree are the receipt's own inconsistency, a finding;
    read by OCR, one of them is misread and neither is taken."""
    amount, in_words = None, None
    for m in AMOUNT.finditer(dt.text):
        amount = after_label(dt, AMOUNT, amount_parser, start=m.start())
        if amount is not None and not CN_NUMERAL.search(dt.text[amount.start:amount.end]):
            break
        in_words = in_words or amount  # 交易金额（大写） governs the amount in words
        amount = None
    # no figure under a label: the one the page marks as money, else (the figure unreadable,
    # ¥16,684.800.00) the amount in words, which states the same sum
    amount = amount or _marked_figure(dt) or in_words
    joined, offsets = whole(dt)  # a 大写 amount wraps: 贰拾元伍 ⏎ 角
    # a 大写 amount cut short (…贰拾元伍 with 角 on a line OCR lost) says nothing
    # and one whose start was misread (壹仟玖佰零叁方肆仟…: 万 read as 方) is only its tail
    words = [(value, a, b) for value, a, b in parsers.text_to_amounts(joined)
             if CN_NUMERAL.search(joined[a:b]) and not CN_NUMERAL.match(joined, b)
             and not CN_NUMERAL.search(joined[max(0, a - 2):a])]
    if len({value for value, _, _ in words}) != 1:
        ex.money("amount", amount, "未找到交易金额")
        return
    value, a, b = words[0]
    written = Found(joined[a:b], offsets[a], offsets[b - 1] + 1)
    ex.put("amount_in_words", written, "")
    exact = amount is not None and dt.locate(amount.start, amount.end)[2] is not Source.OCR
    if amount is not None and amount.value != value and not exact:
        ex.missing["amount"] = Missing.unread(
            f"金额小写 {amount.value:,.2f} 与大写 {value:,.2f} 不符，请核对原件")
    else:
        ex.money("amount", amount, "未找到交易金额")


MARKED_FIGURE = re.compile(r"(?:[¥￥]|CNY|RMB)\s*(\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2})(?![\d.])")


def _marked_figure(dt: DocText) -> Found | None:
    """A receipt without a label over its amount (a banking app's ¥8,387,196.50 in large
    print): the one figure the page marks as money, every ¥ on it giving the same; found by its
    type alone, so it accuses only where something corroborates it."""
    hits = list(MARKED_FIGURE.finditer(dt.text))
    values = {Decimal(m.group(1).replace(",", "")) for m in hits}
    if len(values) != 1:
        return None
    return Found(values.pop(), hits[0].start(1), hits[0].end(1), by=BY_TYPE)


GLUED_PERIOD = re.compile(r"(?<=\d)(20\d{2})$")
"""A year glued to the end of a number: the period that followed it, the space between lost
(HT-2024-QH-06480 2024.07-2024.08 read as HT-2024-QH-064802024.07-…)."""


def _contract_no(text: str) -> Found | None:
    m = CONTRACT_IN_PURPOSE.search(text)
    if m is None:
        return None
    end = m.end(1)
    glued = GLUED_PERIOD.search(m.group(1))
    if glued is not None and re.match(r"[.\-/年]\s*\d", text[end:]):
        end -= len(glued.group(1))
    return Found(text[m.start(1):end], m.start(1), end)
