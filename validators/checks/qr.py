"""An invoice's QR code, which the tax system wrote, against what the invoice prints: the
number, the date, the code and the amount (the total with tax on 数电 invoices, the amount
before tax on older ones)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from model.base import DocType, FindingCode, Source
from model.report import Evidence
from policy.words import say
from validators.checks.common import label, plain, yuan
from validators.context import CheckContext
from validators.runner import Draft, check

EXACT = (Source.TEXT, Source.OFD, Source.XML)
"""Sources whose figures are not a reading of pixels: a disagreement there is the print's own."""


@check(FindingCode.QR_MISMATCH, "发票二维码所载号码、日期、代码、金额与票面不一致", needs_manifest=False)
def qr_mismatch(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.readable:  # copies too: a PDF's own code against its own print
        qr = doc.qr
        if doc.doc_type is not DocType.INVOICE:
            continue
        if qr is None:
            continue
        code = Evidence(file=doc.file, page=qr.page, bbox=qr.bbox, field="qr")
        pairs = (("invoice_no", qr.number), ("invoice_code", qr.code), ("issue_date", qr.date),
                 (qr.amount_field, qr.amount))
        wrong, places, exact, at_stake = [], [code], False, None
        expected = observed = None
        for name, coded in pairs:
            printed = ctx.value(doc, name)
            if coded is None or printed is None or printed.value is None or printed.source is Source.QR:
                continue
            if _same(printed.value, coded):
                continue
            wrong.append(f"{say('fields', name)}二维码为 {_shown(coded)}，票面为 {_shown(printed.value)}")
            places.append(printed.evidence)
            exact = exact or printed.source in EXACT
            if expected is None:
                expected = plain(coded) if isinstance(coded, Decimal) else str(coded)
                observed = plain(printed.value) if isinstance(printed.value, Decimal) else str(printed.value)
            if isinstance(coded, Decimal) and isinstance(printed.value, Decimal):
                at_stake = abs(coded - printed.value)
        if wrong:
            why = "票面数字可能被改动" if exact else "也可能是扫描件识别有误"
            yield Draft(f"{label(doc)}二维码（税务系统生成）与票面不一致：{'；'.join(wrong)}；{why}，"
                        "请以全国增值税发票查验平台的查验结果为准",
                        (doc.file,), tuple(places), expected=expected, observed=observed,
                        situation="exact" if exact else None, at_stake=at_stake)


def _shown(value: object) -> str:
    return yuan(value) if isinstance(value, Decimal) else str(value)


def _same(printed: object, coded: object) -> bool:
    if isinstance(coded, Decimal) and isinstance(printed, Decimal):
        return coded == printed
    return str(printed).replace(" ", "") == str(coded).replace(" ", "")
