"""The supplier's letter (算力供给企业证明 / 情况说明): who leases what scale, for how long."""

from __future__ import annotations

import re

from extractors.common import (
    Extraction,
    Found,
    code_near_a_mention,
    code_parser,
    first_in_window,
    in_window,
    letter_writer,
    org_after_label,
    party,
    put_period,
    same_org,
    uscc_between,
)
from extractors.entities import Label, entities
from extractors.layout import DocText
from extractors.lexicon import label

SUPPLIER = label("supplier_certificate.supplier")
SUPPLIER_CELL = label("supplier_certificate.supplier_cell")
CUSTOMER = label("supplier_certificate.customer")
CONTRACT = label("supplier_certificate.contract_no")
SCALE = label("supplier_certificate.compute_scale")
PERIOD = label("supplier_certificate.period")


def extract(dt: DocText, ex: Extraction) -> None:
    orgs = [e for e in entities(dt.text) if e.label is Label.ORG]
    # the supplier writes the letter: its 我公司, named in the running text, is read more
    # surely than the signing block, where a seal often covers the name; else the name after
    # the signing label, wrapped or not
    supplier_name = org_after_label(dt, SUPPLIER_CELL) or letter_writer(dt) or org_after_label(dt, SUPPLIER)
    if supplier_name is None and len(orgs) > 1:
        # a seal over the signature label can blot it out; the letter is signed at its foot
        supplier_name = Found(orgs[-1].value, orgs[-1].start, orgs[-1].end)
    supplier_code = None
    if supplier_name is not None:
        end_line = dt.line_index(supplier_name.end) + 3
        limit = dt.line_starts[end_line] if end_line < len(dt.line_starts) else len(dt.text)
        supplier_code = uscc_between(dt, supplier_name.end, limit) or code_near_a_mention(
            dt, supplier_name.value)
    ex.put("supplier", party(supplier_name, supplier_code), "未找到算力供给企业名称")
    # the customer is the one a form's row names, else the first organisation the letter
    # names that is not the supplier
    customer = org_after_label(dt, CUSTOMER)
    for entity in orgs if customer is None else []:
        if supplier_name is None or not same_org(str(entity.value), supplier_name.value):
            customer = Found(entity.value, entity.start, entity.end)
            break
    code = None
    if customer is not None:
        code = uscc_between(dt, customer.end, customer.end + 60) or code_near_a_mention(dt, customer.value)
    ex.put("customer", party(customer, code), "未找到租用算力的企业名称")
    ex.put("contract_no", first_in_window(dt, CONTRACT, 2, code_parser(5)), "未找到合同编号")
    scale = None
    for m in SCALE.finditer(dt.text):
        line_end = dt.text.find("\n", m.end())
        next_line = dt.text[line_end + 1:dt.text.find("\n", line_end + 1)] if line_end >= 0 else ""
        # a sentence may wrap inside the value; a form row is followed by the next label
        lines = 1 if LABEL_AHEAD.match(next_line) or "，" in dt.text[m.end():line_end] else 2
        scale = in_window(dt, m.end(), lines, _phrase)
        if scale:
            break
    ex.put("compute_scale", scale, "未找到算力规模")
    put_period(ex, PERIOD, ("lease_start", "lease_end"), "未找到租赁期限", n_lines=2)


LABEL_AHEAD = re.compile(r"\s*[\u4e00-\u9fa5]{2,6}[:：]")


def _phrase(text: str) -> Found | None:
    m = re.match(r"[ \t:：]*(?:为)?\s*([^，。,；;\n]+)", text)
    if not m:
        return None
    value = LABEL_AHEAD.split(m.group(1))[0].strip()
    return Found(value, m.start(1), m.start(1) + len(value)) if value else None
