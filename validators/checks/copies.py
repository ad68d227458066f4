"""The same invoice uploaded in two formats: its PDF (or scan) and its OFD or XML. It counts
once, as the structured copy; what the PDF's own text layer prints differently from the
exact data is a finding (a scan's reading is not held against the data: the data wins)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from model.base import DocType, FindingCode
from model.document import Party
from policy.words import say
from validators.checks.common import label, plain, yuan
from validators.checks.qr import EXACT
from validators.context import CheckContext
from validators.names import norm_code
from validators.runner import Draft, check

COMPARED = ("invoice_no", "invoice_code", "issue_date", "buyer", "seller", "amount_ex_tax", "tax_amount",
            "total_amount")


@check(FindingCode.FORMAT_MISMATCH, "同一张发票的 PDF 与 OFD／XML 版本内容不一致", needs_manifest=False)
def format_mismatch(ctx: CheckContext) -> Iterator[Draft]:
    by_file = {d.file: d for d in ctx.readable}
    for file, primary_file in sorted(ctx.copies.items()):
        copy, primary = by_file[file], by_file[primary_file]
        if copy.doc_type is not DocType.INVOICE:
            continue
        wrong, places, at_stake = [], [], None
        expected = observed = None
        for name in COMPARED:
            mine, exact = ctx.value(copy, name), ctx.value(primary, name)
            if mine is None or exact is None or mine.value is None or exact.value is None:
                continue
            if mine.source not in EXACT or _same(mine.value, exact.value):
                continue
            wrong.append(f"{say('fields', name)}为 {_shown(mine.value)}，而《{primary_file}》为 {_shown(exact.value)}")
            places += [mine.evidence, exact.evidence]
            if expected is None:
                expected, observed = _plain(exact.value), _plain(mine.value)
            if isinstance(mine.value, Decimal) and isinstance(exact.value, Decimal):
                at_stake = abs(mine.value - exact.value)
        if wrong:
            yield Draft(f"{label(copy)}与同一张发票的结构化版本不一致：{'；'.join(wrong)}；"
                        "以结构化版本为准，请核实票面是否被改动", (copy.file, primary_file), tuple(places),
                        expected=expected, observed=observed, at_stake=at_stake)


def _same(a: object, b: object) -> bool:
    if isinstance(a, Party) and isinstance(b, Party):
        return a.name == b.name and norm_code(a.uscc or "") == norm_code(b.uscc or "")
    if isinstance(a, str) and isinstance(b, str):
        return norm_code(a) == norm_code(b)
    return a == b


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, Party):
        return f"{value.name}（{value.uscc}）" if value.uscc else value.name
    return str(value)


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return plain(value)
    return value.name if isinstance(value, Party) else str(value)
