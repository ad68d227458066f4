"""Bank payment receipts (电子回单): payer, payee, amount, date and reference."""

from __future__ import annotations

import re

from extractors.common import (
    Extraction,
    Found,
    after_label,
    amount_parser,
    code_parser,
    date_parser,
    org_after,
    party,
)
from extractors.layout import DocText
from extractors.lexicon import label

PAYER = re.compile(r"付\s?款\s?(?:人|方|单位)\s*(?:名称|户名)?\s*(?:户名)?\s*[:：]?")
PAYEE = re.compile(r"收\s?款\s?(?:人|方|单位)\s*(?:名称|户名)?\s*(?:户名)?\s*[:：]?")
AMOUNT = label("payment.amount")
DATE = label("payment.payment_date")
REFERENCE = label("payment.reference")
RECEIPT_NO = label("payment.receipt_no")
PURPOSE = label("payment.purpose")
CONTRACT_IN_PURPOSE = re.compile(r"([A-Za-z]{1,6}-[A-Za-z0-9\-]{3,}|[A-Za-z0-9]{2,}-\d{4}-\d{2,})")


def extract(dt: DocText, ex: Extraction) -> None:
    for name, pattern in (("payer", PAYER), ("payee", PAYEE)):
        found = after_label(dt, pattern, org_after, next_line=False) or after_label(dt, pattern, org_after)
        ex.put(name, party(found, None), "未找到" + ("付款人" if name == "payer" else "收款人") + "户名")
    ex.money("amount", after_label(dt, AMOUNT, amount_parser), "未找到交易金额")
    ex.put("payment_date", after_label(dt, DATE, date_parser), "未找到交易日期")
    # the transaction's own number identifies the payment; a receipt's number, printed anew
    # with every copy, only when the receipt gives no other
    reference = after_label(dt, REFERENCE, code_parser(8)) or after_label(dt, RECEIPT_NO, code_parser(8))
    ex.put("reference", reference, "未找到交易流水号")
    purpose = after_label(dt, PURPOSE, _contract_no, next_line=False, within=True)
    if purpose:
        ex.put("contract_no", purpose, "")


def _contract_no(text: str) -> Found | None:
    m = CONTRACT_IN_PURPOSE.search(text)
    return Found(m.group(1), m.start(1), m.end(1)) if m else None
